#!/usr/bin/env bash
# Ledger throughput: piapi-serve under full load (wrk, one thread) with --ledger, then how
# many rows reached the ledger per second and how many the bounded queue dropped.
#
#   bench/ledger.sh [-c 32] [-d 10] [--no-build] [--ledger URL]     (default: a temp SQLite file)
#
# Needs: wrk, nginx, python3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

conns=32 secs=10 build=true ledger=""
while [ $# -gt 0 ]; do
    case "$1" in
        -c) conns=$2; shift 2 ;;
        -d) secs=$2; shift 2 ;;
        --no-build) build=false; shift ;;
        --ledger) ledger=$2; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "ledger.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_setup "$build"
[ -n "$ledger" ] || ledger="sqlite:$work/ledger.db"

upstream_port=$(free_port) gateway_port=$(free_port)
mkdir -p "$work/stub/tmp"
cat >"$work/stub/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/stub/nginx.pid;
error_log $work/stub/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $work/stub/tmp;
    keepalive_requests 10000000;
    server {
        listen 127.0.0.1:$upstream_port backlog=4096;
        default_type application/json;
        location / { return 200 '{"id":"x","object":"chat.completion","model":"bench-stub","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":11,"total_tokens":23}}'; }
    }
}
CONF
cat >"$work/config.yaml" <<CONF
providers:
  - name: bench-upstream
    apiKeys: { bench-key: sk-bench-upstream }
    services:
      - type: codex
        baseUrl: http://127.0.0.1:$upstream_port/v1
users:
  - name: bench-user
    apiKey: bench-user-key
    services:
      codex: { providerName: bench-upstream, providerKeyName: bench-key }
CONF
"$bin/piapi-compile" "$work/config.yaml" -o "$work/routes.bin" 2>/dev/null
nginx -c "$work/stub/nginx.conf" -p "$work/stub" & pids+=($!)
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$gateway_port" --log-level notice --ledger "$ledger" \
    >/dev/null 2>"$work/serve.err" & serve=$!; pids+=("$serve")
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$gateway_port/healthz" && break; sleep 0.1; done
rps=$(wrk -t1 -c"$conns" -d"${secs}s" -H "Authorization: Bearer bench-user-key" "http://127.0.0.1:$gateway_port/piapi/codex/chat" |
    awk '/Requests\/sec/ {print $2}')
dropped=$(curl -s "http://127.0.0.1:$gateway_port/metrics" | awk '/^piapi_ledger_dropped_total/ {print $2}')
kill -TERM "$serve"; wait "$serve" || true
rows=$("$bin/piapi-usage" report --ledger "$ledger" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["requests"])')
echo "ledger $ledger: gateway $rps req/s for ${secs}s at c=$conns; rows written $rows ($(python3 -c "print(round($rows / $secs))") rows/s), dropped ${dropped:-0}"
