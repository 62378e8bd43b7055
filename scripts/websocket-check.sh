#!/usr/bin/env bash
# WebSocket pass-through against a real implementation nobody here wrote: the `websockets`
# package (PyPI, in a throwaway virtualenv) is every upstream — echo, a Responses event stream
# with usage (with and without permessage-deflate), refusals, TLS — and every client, through
# a real piapi-serve. The cases are in websocket_check.py (contract §11, issue #14).
#
#   scripts/websocket-check.sh [BIN_DIR]   BIN_DIR holds piapi-compile and piapi-serve
#                                          (default .build/debug); it builds nothing.
#
# Prints one row per check, then `N passed, M failed`; exits 1 on any failure. Needs python3
# with venv, openssl; pip must reach PyPI. Talks to 127.0.0.1 only; never prints a key.
set -euo pipefail

case "${1:-}" in
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../.build/debug}
bin=$(cd "$bin" 2>/dev/null && pwd) || { echo "websocket-check: no directory $1" >&2; exit 2; }
fail() { printf 'websocket-check: %s\n' "$*" >&2; exit 1; }
for tool in piapi-compile piapi-serve; do
    [ -x "$bin/$tool" ] || fail "$bin/$tool is missing (run swift build first)"
done
command -v openssl >/dev/null || fail "openssl is not installed"

# The major version this check is written against (its asyncio API).
websockets_pin='websockets>=15,<18'
# 500 tunnels are 2,000 sockets across the two processes.
ulimit -n 8192 2>/dev/null || true

work=$(mktemp -d "${TMPDIR:-/tmp}/piapi-ws-check.XXXXXX")
# shellcheck disable=SC2329 # called by the EXIT trap
cleanup() {
    if [ -n "${PIAPI_WS_CHECK_KEEP:-}" ]; then echo "websocket-check: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

t0=$SECONDS
echo "==> installing $websockets_pin into a throwaway virtualenv"
python3 -m venv "$work/venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
"$work/venv/bin/pip" install -q --disable-pip-version-check "$websockets_pin" ||
    { sleep 5; "$work/venv/bin/pip" install -q --disable-pip-version-check "$websockets_pin"; } ||
    fail "pip could not install websockets from PyPI"
# The Python process starts and stops every piapi-serve itself (and kills them if it dies).
env NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
    "$work/venv/bin/python" "$here/websocket_check.py" "$bin" "$work" && status=0 || status=1
echo "==> finished in $((SECONDS - t0)) s"
exit $status
