#!/usr/bin/env bash
# Public throughput with the admin listener on and its status page polled, against the same
# build without it, alternating in one run (ratios only count on a shared machine).
#
#   bench/admin.sh [-c 32] [-d 8] [--rounds 3] [--no-build]
#
# The "admin" gateway serves --admin-listen and a poller fetches what the status page
# fetches (/api/status, /api/routes, /api/requests, /api/usage, /api/limits) once a second,
# five times as often as the page. Needs: wrk, nginx, python3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

conns=32 secs=8 rounds=3 build=true
while [ $# -gt 0 ]; do
    case "$1" in
        -c) conns=$2; shift 2 ;;
        -d) secs=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --no-build) build=false; shift ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "admin.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for tool in wrk nginx python3 curl; do
    command -v "$tool" >/dev/null || { echo "admin.sh: $tool is missing" >&2; exit 2; }
done

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_setup "$build"

upstream_port=$(free_port) plain_port=$(free_port) admin_port=$(free_port) admin_api=$(free_port)
user_key=bench-user-key
bench_stub_upstream "$upstream_port"
bench_one_user_table "$upstream_port"
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$plain_port" --log-level notice >/dev/null 2>&1 & pids+=($!)
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$admin_port" --admin-listen "127.0.0.1:$admin_api" \
    --log-level notice >/dev/null 2>&1 & pids+=($!)
for port in $upstream_port $plain_port $admin_port $admin_api; do
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done
(
    while true; do
        for path in status routes "requests?limit=100" "usage?by=user,day" limits; do
            curl -s -o /dev/null "http://127.0.0.1:$admin_api/api/$path" || true
        done
        sleep 1
    done
) & pids+=($!)

run() {
    wrk -t1 -c"$conns" -d"${secs}s" -H "Authorization: Bearer $user_key" "http://127.0.0.1:$1/piapi/codex/chat" |
        awk '/Requests\/sec/ {print $2}'
}
# Rounds alternate which gateway goes first (ABBA): on this machine whichever runs second in a
# pair was measured up to 11 % faster with two identical gateways, which a fixed order would
# book as the admin side's cost or gain.
declare -a plain admin ratios
for round in $(seq "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
        p=$(run "$plain_port"); a=$(run "$admin_port")
    else
        a=$(run "$admin_port"); p=$(run "$plain_port")
    fi
    plain+=("$p"); admin+=("$a")
    ratios+=("$(python3 -c "print(f'{$a / $p:.3f}')")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p=$(median "${plain[@]}") a=$(median "${admin[@]}")
echo "c=$conns, ${secs}s x $rounds rounds (medians): without admin $p req/s, with admin (polled every 1 s) $a req/s"
echo "per-round with / without: ${ratios[*]}"
python3 -c "print(f'with / without (medians): {$a / $p:.3f}; median of per-round ratios: $(median "${ratios[@]}")')"
