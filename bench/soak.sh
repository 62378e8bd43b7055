#!/usr/bin/env bash
# Soak test: piapi-serve under steady mixed traffic from 3 users (plain requests, SSE
# streams, clients dropping streams, upstream resets, 429s and 500s) while its table file is
# replaced every 2 s, alternately with a valid table and a corrupt one.
#
#   bench/soak.sh [--minutes 10] [--no-build]
#
# Prints requests by outcome, errors not caused by the upstream (goal 0), RSS at
# start/middle/end (goal: end within 5 % of middle), open descriptors at start/end (goal: at
# most 3 more at the end; fewer is fine) and the
# reloads applied/rejected from /metrics. Exits 1 if a goal is missed or the gateway died.
# Needs python3 and curl. Run it niced on a shared machine: nice -n 19 bench/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=10 build=true
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) minutes=$2; shift 2 ;;
        --no-build) build=false; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for tool in python3 curl; do
    command -v "$tool" >/dev/null || { echo "soak.sh: $tool is missing" >&2; exit 2; }
done

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_setup "$build"

up_port=$(free_port) gw_port=$(free_port)
upstream_key=sk-soak-upstream-secret
keys=soak-user-one,soak-user-two,soak-user-three

write_config() { # $1: suffix that makes the two valid tables differ
    cat <<CONF
providers:
  - name: soak-upstream
    apiKeys: { main: $upstream_key }
    services:
      - type: soak
        baseUrl: http://127.0.0.1:$up_port/base
users:
CONF
    for k in ${keys//,/ }; do
        printf '  - name: %s%s\n    apiKey: %s\n    services: { soak: { providerName: soak-upstream, providerKeyName: main } }\n' "$k" "$1" "$k"
    done
}
write_config "" >"$work/a.yaml"
write_config "-b" >"$work/b.yaml"
"$bin/piapi-compile" "$work/a.yaml" -o "$work/a.bin" >/dev/null 2>&1
"$bin/piapi-compile" "$work/b.yaml" -o "$work/b.bin" >/dev/null 2>&1
head -c 100 "$work/a.bin" >"$work/corrupt.bin"
cp "$work/a.bin" "$work/routes.bin"

python3 bench/soak_upstream.py --port "$up_port" --key "$upstream_key" & pids+=($!)
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$gw_port" --log-level warning \
    >"$work/gateway.out" 2>"$work/gateway.err" & gw=$!; pids+=("$gw")
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$gw_port/healthz" && break; sleep 0.1; done

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$gw/status"; }
fds() { ls "/proc/$gw/fd" | wc -l; }
seconds=$((minutes * 60))

python3 bench/soak_load.py --port "$gw_port" --keys "$keys" --seconds "$seconds" >"$work/load.json" & load=$!; pids+=("$load")
(   # Replace the table every 2 s: valid a, corrupt, valid b, corrupt, ...
    i=0
    while kill -0 "$load" 2>/dev/null; do
        case $((i % 4)) in 0) src=b.bin ;; 2) src=a.bin ;; *) src=corrupt.bin ;; esac
        cp "$work/$src" "$work/next.bin" && mv "$work/next.bin" "$work/routes.bin"
        i=$((i + 1))
        sleep 2
    done
) & pids+=($!)

sleep 10   # start figures once the load (and the upstream pool) is warm
rss_start=$(rss_kb) fd_start=$(fds)
sleep $((seconds / 2 - 10))
rss_middle=$(rss_kb)
wait "$load"
rss_end=$(rss_kb)
sleep 3
fd_end=$(fds)
alive=yes; kill -0 "$gw" 2>/dev/null || alive=no

metrics=$(curl -s "http://127.0.0.1:$gw_port/metrics")
applied=$(awk '/^piapi_config_reloads_total\{.*success/ {print $2}' <<<"$metrics")
rejected=$(awk '/^piapi_config_reloads_total\{.*failure/ {print $2}' <<<"$metrics")
gateway_lines=$(cat "$work/gateway.err" "$work/gateway.out" | grep -c . || true)
leaks=$(cat "$work/gateway.err" "$work/gateway.out" "$work/load.json" | grep -c -e "$upstream_key" || true)

python3 - "$work/load.json" <<PY
import json, sys
r = json.load(open(sys.argv[1]))
print(f"duration:            $minutes min, gateway alive at end: $alive")
print(f"requests:            {r['requests']}")
for k, v in r["outcome"].items():
    print(f"  {k:<32} {v}")
print(f"errors not caused by the upstream: {sum(r['unexpected'].values())} {r['unexpected'] or ''}")
PY
growth=$(python3 -c "print(f'{($rss_end - $rss_middle) * 100 / $rss_middle:+.1f}')")
echo "RSS start/middle/end: ${rss_start} / ${rss_middle} / ${rss_end} KiB (second half ${growth} %)"
echo "open descriptors:    start ${fd_start}, end ${fd_end}"
echo "reloads:             applied ${applied:-0}, rejected ${rejected:-0}"
echo "gateway warnings/errors logged: ${gateway_lines}; upstream key in output: ${leaks}"

unexpected=$(python3 -c "import json; print(sum(json.load(open('$work/load.json'))['unexpected'].values()))")
ok=true
[ "$alive" = yes ] || ok=false
[ "$unexpected" -eq 0 ] || ok=false
[ "$leaks" -eq 0 ] || ok=false
python3 -c "import sys; sys.exit(0 if $rss_end <= $rss_middle * 1.05 else 1)" || ok=false
# Growth only: fewer descriptors at the end (idle pooled connections closed) is no leak.
[ $((fd_end - fd_start)) -le 3 ] || ok=false
$ok && echo "soak: PASS" || { echo "soak: FAIL"; exit 1; }
