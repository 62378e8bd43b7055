#!/usr/bin/env bash
# Measures piapi-compile and the route table on a synthetic config (issue figures):
# compile time, table size, load time in a fresh process, lookup cost, and how fast a
# config with 1,000 errors is fully reported. Release build; prints one block of results.
#
#   bench/table.sh [--users 10000] [--providers 100] [--runs 5]
set -euo pipefail
cd "$(dirname "$0")/.."

users=10000 providers=100 runs=5
while [ $# -gt 0 ]; do
    case "$1" in
        --users) users=$2; shift 2 ;;
        --providers) providers=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
        *) echo "table.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

swift build -c release --product piapi-compile >/dev/null
swift build -c release --product piapi-bench >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin/piapi-bench" gen-config --users "$users" --providers "$providers" >"$work/config.yaml"
"$bin/piapi-bench" gen-config --users "$users" --providers "$providers" --broken 1000 >"$work/broken.yaml"

# Median wall time in ms of a command run $runs times.
median_ms() {
    local times=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

compile_ms=$(median_ms "$bin/piapi-compile" "$work/config.yaml" -o "$work/routes.bin")
"$bin/piapi-compile" "$work/config.yaml" -o "$work/routes.bin"
"$bin/piapi-compile" "$work/config.yaml" -o "$work/routes.json" >/dev/null
errors_ms=$(median_ms "$bin/piapi-compile" check "$work/broken.yaml")
error_count=$("$bin/piapi-compile" check "$work/broken.yaml" --diagnostics json 2>/dev/null | grep -c '"severity" *: *"error"' || true)
noop_ms=$(median_ms "$bin/piapi-compile" --help)
process_ms=$(median_ms "$bin/piapi-bench" time-table "$work/routes.bin" --users "$users" --lookups 1)

echo "config: $users users x 2 services over $providers providers ($(wc -c <"$work/config.yaml") bytes of YAML)"
echo "compile_ms=$compile_ms (median of $runs; a process that only prints --help: ${noop_ms} ms)"
echo "table_bytes=$(wc -c <"$work/routes.bin") json_bytes=$(wc -c <"$work/routes.json")"
echo "fresh_process_load_and_exit_ms=$process_ms"
"$bin/piapi-bench" time-table "$work/routes.bin" --users "$users"
echo "errors_reported=$error_count check_with_1000_errors_ms=$errors_ms"
