#!/usr/bin/env bash
# WebSocket figures (issue #14): echo round-trip latency through piapi vs direct at 1 and 100
# concurrent tunnels (p50/p99), bytes/s through one tunnel vs direct, and piapi-serve's RSS per
# open idle tunnel (goal < 16 KiB). The echo upstream and the clients are the Python
# `websockets` package (PyPI, throwaway virtualenv); everything on 127.0.0.1.
#
#   bench/websocket.sh [--no-build]
#
# Run it niced on a shared machine: nice -n 19 bench/websocket.sh
set -euo pipefail
cd "$(dirname "$0")/.."

build=true
case "${1:-}" in
    --no-build) build=false ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_setup "$build"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check 'websockets>=15,<18'

echo_port=$(free_port) gw_port=$(free_port)
"$work/venv/bin/python" - "$echo_port" <<'PY' & pids+=($!)
import asyncio, sys
from websockets.asyncio.server import serve
async def echo(ws):
    async for m in ws:
        await ws.send(m)
async def main():
    async with serve(echo, "127.0.0.1", int(sys.argv[1]), max_size=None, ping_interval=None, compression=None):
        await asyncio.Future()
asyncio.run(main())
PY
cat >"$work/config.yaml" <<CONF
providers:
  - name: bench-upstream
    apiKeys: { main: sk-bench-websocket }
    services:
      - { type: echo, baseUrl: "http://127.0.0.1:$echo_port/v1" }
users:
  - name: bench-user
    apiKey: bench-user-key
    services:
      echo: { providerName: bench-upstream, providerKeyName: main }
CONF
"$bin/piapi-compile" "$work/config.yaml" -o "$work/routes.bin" 2>/dev/null
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$gw_port" --log-level notice >/dev/null 2>&1 & pids+=($!)
serve_pid=$!
sleep 1
"$work/venv/bin/python" bench/websocket_probe.py "$echo_port" "$gw_port" "$serve_pid" bench-user-key
