#!/usr/bin/env bash
# Many streams: N concurrent SSE streams (default 1,000) held for S seconds (default 60)
# through one piapi-serve; reports the gateway's RSS idle and with every stream open, and
# the memory per open stream (goal < 64 KiB).
#
#   bench/streams.sh [--streams 1000] [--seconds 60] [--no-build]
#
# Raises `ulimit -n` for itself and its children. Needs python3 and curl.
# Run it niced on a shared machine: nice -n 19 bench/streams.sh
set -euo pipefail
cd "$(dirname "$0")/.."

streams=1000 seconds=60 build=true
while [ $# -gt 0 ]; do
    case "$1" in
        --streams) streams=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --no-build) build=false; shift ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "streams.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((streams * 2 + 100)) ] ||
    { echo "streams.sh: ulimit -n is $(ulimit -n); $streams streams need $((streams * 2 + 100))" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_setup "$build"

up_port=$(free_port) gw_port=$(free_port)
upstream_key=sk-streams-upstream-secret user_key=streams-user-key
cat >"$work/config.yaml" <<CONF
providers:
  - name: streams-upstream
    apiKeys: { main: $upstream_key }
    services:
      - type: streams
        baseUrl: http://127.0.0.1:$up_port/base
users:
  - name: streams-user
    apiKey: $user_key
    services: { streams: { providerName: streams-upstream, providerKeyName: main } }
CONF
"$bin/piapi-compile" "$work/config.yaml" -o "$work/routes.bin" >/dev/null 2>&1

python3 bench/soak_upstream.py --port "$up_port" --key "$upstream_key" & pids+=($!)
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$gw_port" --log-level info \
    >"$work/gateway.log" 2>&1 & gw=$!; pids+=("$gw")
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$gw_port/healthz" && break; sleep 0.1; done
# Warm the gateway (one stream) so the idle figure includes its lazily built state.
curl -s -o /dev/null -H "Authorization: Bearer $user_key" "http://127.0.0.1:$gw_port/piapi/streams/v1/sse?n=2&ms=10"

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$gw/status"; }
rss_idle=$(rss_kb)
# One event per second for the whole hold time, so every stream stays open that long.
python3 bench/streams_load.py --port "$gw_port" --key "$user_key" --streams "$streams" \
    --events "$seconds" --ms 1000 --ready-file "$work/ready" >"$work/result.json" & load=$!; pids+=("$load")
for _ in $(seq 600); do [ -f "$work/ready" ] && break; kill -0 "$load" 2>/dev/null || break; sleep 0.1; done
sleep 5
rss_open=$(rss_kb) fds_open=$(ls "/proc/$gw/fd" | wc -l)
sleep $((seconds / 2))
rss_later=$(rss_kb)
wait "$load"
sleep 2
rss_after=$(rss_kb) fds_after=$(ls "/proc/$gw/fd" | wc -l)

cat "$work/result.json"
peak=$(( rss_open > rss_later ? rss_open : rss_later ))
per=$(( (peak - rss_idle) * 1024 / streams ))
echo "streams:             $streams held ${seconds} s"
echo "gateway RSS:         idle ${rss_idle} KiB, all open ${rss_open} KiB, mid-hold ${rss_later} KiB, after ${rss_after} KiB"
echo "gateway descriptors: all open ${fds_open}, after ${fds_after}"
echo "memory per stream:   ${per} bytes ($(( per / 1024 )) KiB; goal < 64 KiB)"
done_count=$(python3 -c "import json; print(json.load(open('$work/result.json'))['outcome'].get('done', 0))")
if [ "$done_count" -eq "$streams" ] && [ "$per" -lt 65536 ]; then
    echo "streams: PASS"
else
    echo "gateway log lines of requests that failed or were cut:"
    grep '"message":"request"' "$work/gateway.log" | grep -E '"error"|"status":(4|5)' | head -20 || true
    echo "streams: FAIL"
    exit 1
fi
