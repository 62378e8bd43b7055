#!/usr/bin/env bash
# Builds the libFuzzer targets (with AddressSanitizer) and runs each for a bounded time.
#
#   Fuzz/run.sh [--seconds 60] [--parallel] [--no-build] [TARGET...]
#
# TARGET: FuzzCompile, FuzzTableDecode, FuzzRequestHead, FuzzResponseHead, FuzzUsageTap,
# FuzzWebSocketFrames (default: all six).
# Seeds come from Fuzz/corpus/<target>/ (never written to); new inputs, logs and crash artifacts
# go to Fuzz/out/<target>/ (git-ignored). Exits 1 if any target found a crash, leak, timeout or
# failed check; prints executions and coverage (cov/ft from libFuzzer's final lines) per target.
# On a shared machine run it niced: nice -n 19 Fuzz/run.sh
set -euo pipefail
cd "$(dirname "$0")"

seconds=60 parallel=false build=true targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --parallel) parallel=true; shift ;;
        --no-build) build=false; shift ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(FuzzCompile FuzzTableDecode FuzzRequestHead FuzzResponseHead FuzzUsageTap FuzzWebSocketFrames)

flags=(-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
if $build; then
    for t in "${targets[@]}"; do swift build --product "$t" "${flags[@]}" >/dev/null; done
fi
bin=$(swift build "${flags[@]}" --show-bin-path)

run_one() {
    local t=$1 out=out/$1
    mkdir -p "$out/corpus"
    "$bin/$t" "$out/corpus" "corpus/$t" -max_total_time="$seconds" -timeout=10 -max_len=8192 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/" >"$out/log" 2>&1
}

pids=() status=0
for t in "${targets[@]}"; do
    if $parallel; then run_one "$t" & pids+=($!); else run_one "$t" || status=1; fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done

for t in "${targets[@]}"; do
    log=out/$t/log
    runs=$(awk '/^stat::number_of_executed_units:/ {print $2}' "$log")
    cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n1)
    found=$(grep -Eo 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)[^(]*|Fatal error[^\n]*|deadly signal' "$log" | head -n1 || true)
    printf '%-16s %s s, %s executions, %s, %s\n' "$t" "$seconds" "${runs:-?}" "${cov:-cov: ?}" "${found:-no crash or leak}"
done
exit $status
