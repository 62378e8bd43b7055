#!/usr/bin/env bash
# The price of failover at c=1: per-request latency through piapi-serve for a single-candidate
# route, for a route whose first candidate refuses the connection (one failover per request),
# and for that route again while the dead candidate is cooling down (it is skipped).
# Each request uses its own user and its own dead key, so every "failover" request really
# fails over once; the three kinds alternate request by request so noise hits them alike.
#
#   bench/failover.sh [-n 1000] [--no-build]
#
# Needs: python3, curl, and a Swift toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

n=1000 build=true
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        --no-build) build=false; shift ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "failover.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_setup "$build"

mock_port=$(free_port) gateway_port=$(free_port) dead_port=$(free_port)
python3 - "$n" "$mock_port" "$dead_port" >"$work/config.yaml" <<'PY'
import sys
n, mock, dead = int(sys.argv[1]), sys.argv[2], sys.argv[3]
print("providers:")
print("  - name: good\n    apiKeys: { main: sk-bench-good }")
print(f"    services:\n      - type: codex\n        baseUrl: http://127.0.0.1:{mock}/v1")
print("  - name: dead\n    apiKeys:")
for i in range(n):
    print(f"      d{i}: sk-bench-dead-{i}")
print(f"    services:\n      - type: codex\n        baseUrl: http://127.0.0.1:{dead}/v1")
print("users:")
for i in range(n):
    print(f"  - name: single-{i}\n    apiKey: single-key-{i}")
    print("    services:\n      codex: { providerName: good, providerKeyName: main }")
    print(f"  - name: fail-{i}\n    apiKey: fail-key-{i}")
    print("    services:\n      codex:\n        strategy: failover\n        candidates:")
    print(f"          - {{ providerName: dead, providerKeyName: d{i} }}")
    print("          - { providerName: good, providerKeyName: main }")
PY
"$bin/piapi-compile" "$work/config.yaml" -o "$work/routes.bin" 2>/dev/null
"$bin/piapi-mock-upstream" --listen "127.0.0.1:$mock_port" >/dev/null 2>&1 & pids+=($!)
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$gateway_port" --log-level notice >/dev/null 2>&1 & pids+=($!)
for port in $mock_port $gateway_port; do
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

python3 bench/failover_probe.py "$gateway_port" "$n"
failovers=$(curl -s "http://127.0.0.1:$gateway_port/metrics" | awk '/^piapi_failovers_total\{service_type="codex"\}/ {print $2}')
echo "piapi_failovers_total{service_type=\"codex\"} after the run: ${failovers:-0} (expected $n)"
