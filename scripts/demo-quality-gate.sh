#!/usr/bin/env bash
# Shows the quality gate catching four kinds of fault, each named by file in its summary:
# a misformatted file, a floating promise, a type error and a failing test.
# Works on a scratch copy of the tracked files (node_modules linked, not copied), so this checkout
# is never touched. A demonstration, not part of `npm test`; takes one to three minutes.
# Usage: scripts/demo-quality-gate.sh   (from anywhere in the repository)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=/dev/null
source "$repo/scripts/node-env.sh"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/headless-gate-demo.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

echo "demo: copying the tracked files to $scratch"
(cd "$repo" && git ls-files -z | xargs -0 cp --parents -t "$scratch")
# node_modules: link every entry but the workspace packages, whose links are relative
# (../../packages/x) and so point into the copy when copied as links.
mkdir -p "$scratch/node_modules"
for entry in "$repo"/node_modules/* "$repo"/node_modules/.bin; do
  name="$(basename "$entry")"
  if [ "$name" = "@headless" ]; then cp -P -r "$entry" "$scratch/node_modules/"; else ln -s "$entry" "$scratch/node_modules/$name"; fi
done

failures=0
# expect_fault <steps> <file> [extra args]: the gate must exit non-zero and name <file> in its summary.
expect_fault() {
  local steps="$1" file="$2"
  shift 2
  local out rc=0
  out="$(cd "$scratch" && node scripts/quality.mjs --only "$steps" "$@" 2>&1)" || rc=$?
  local summary
  summary="$(cat "$scratch/logs/quality/summary.md")"
  if [ "$rc" -ne 0 ] && grep -qF -- "$file" <<<"$summary"; then
    echo "demo: ok: --only $steps exited $rc and named $file"
  else
    echo "demo: NOT OK: --only $steps exited $rc; summary:"
    echo "$summary"
    echo "$out" | tail -20
    failures=$((failures + 1))
  fi
}

src="packages/core/src/demo-gate"
mkdir -p "$scratch/$src"

echo "demo: 1/4 a misformatted file"
printf 'export const   messy = { a:1,b:2 }\n' >"$scratch/$src/misformatted.ts"
expect_fault format "$src/misformatted.ts"
rm "$scratch/$src/misformatted.ts"

echo "demo: 2/4 a floating promise"
cat >"$scratch/$src/floating.ts" <<'TS'
export async function save(): Promise<void> {}

export function handler(): void {
  save();
}
TS
expect_fault lint "$src/floating.ts"
rm "$scratch/$src/floating.ts"

echo "demo: 3/4 a type error and 4/4 a failing test (one build, then only the demo test runs)"
cat >"$scratch/$src/type-error.ts" <<'TS'
export const count: number = 'three';
TS
cat >"$scratch/$src/failing.test.ts" <<'TS'
import { expect, it } from '@jest/globals';

it('fails on purpose', () => {
  expect(1 + 1).toBe(3);
});
TS
expect_fault typecheck,test "$src/type-error.ts" --test-pattern 'demo-gate'
grep -qF -- "$src/failing.test.ts" "$scratch/logs/quality/summary.md" &&
  echo "demo: ok: the same run named $src/failing.test.ts" || {
  echo "demo: NOT OK: the failing test is not named"
  failures=$((failures + 1))
}

if [ "$failures" -ne 0 ]; then
  echo "demo: $failures check(s) failed"
  exit 1
fi
echo "demo: all four faults were caught and named"
