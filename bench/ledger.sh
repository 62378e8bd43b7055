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
bench_stub_upstream "$upstream_port"
bench_one_user_table "$upstream_port"
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$gateway_port" --log-level notice --ledger "$ledger" \
    >/dev/null 2>"$work/serve.err" & serve=$!; pids+=("$serve")
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$gateway_port/healthz" && break; sleep 0.1; done
rps=$(wrk -t1 -c"$conns" -d"${secs}s" -H "Authorization: Bearer bench-user-key" "http://127.0.0.1:$gateway_port/piapi/codex/chat" |
    awk '/Requests\/sec/ {print $2}')
dropped=$(curl -s "http://127.0.0.1:$gateway_port/metrics" | awk '/^piapi_ledger_dropped_total/ {print $2}')
kill -TERM "$serve"; wait "$serve" || true
rows=$("$bin/piapi-usage" report --ledger "$ledger" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["requests"])')
echo "ledger $ledger: gateway $rps req/s for ${secs}s at c=$conns; rows written $rows ($(python3 -c "print(round($rows / $secs))") rows/s), dropped ${dropped:-0}"
