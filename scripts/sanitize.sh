#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer (with LeakSanitizer) and/or
# ThreadSanitizer, with the narrow suppressions in Tests/sanitizer/, and exits non-zero when
# a test fails or any sanitized process of the run (the test runner, or a piapi binary a test
# starts) reports anything.
#
#   scripts/sanitize.sh [address|thread|all]      (default: all)
#
# Each sanitizer builds in its own scratch path (.build-asan, .build-tsan; a first build takes
# several minutes). Tests run serially and niced: the proxy tests starve on 2 shared cores.
# Reports go to files, one per process, kept in .build-<x>/sanitizer-reports/ and printed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

case "${1:-all}" in
    address) sanitizers=(address) ;;
    thread) sanitizers=(thread) ;;
    all) sanitizers=(address thread) ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "sanitize: unknown argument '$1' (address, thread or all)" >&2; exit 2 ;;
esac

# Runs the suite under one sanitizer; returns non-zero on a failed test or any report.
run() {
    local sanitizer=$1 scratch reports status=0
    case $sanitizer in
        address) scratch=.build-asan ;;
        thread) scratch=.build-tsan ;;
    esac
    reports="$root/$scratch/sanitizer-reports"
    rm -rf "$reports"
    mkdir -p "$reports"
    # Children started with a bare environment (piapi-serve in the end-to-end tests) find
    # no symbolizer on PATH; name it so their reports show function names too.
    local symbolizer
    symbolizer=$(command -v llvm-symbolizer || true)
    # Memory errors always stop the process (halt_on_error); leaks are checked at exit and
    # make it fail at exit; data races are all reported, then the process exits 66.
    export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$reports/asan:external_symbolizer_path=$symbolizer"
    export LSAN_OPTIONS="suppressions=$root/Tests/sanitizer/lsan.supp:print_suppressions=0"
    export TSAN_OPTIONS="suppressions=$root/Tests/sanitizer/tsan.supp:halt_on_error=0:exitcode=66:log_path=$reports/tsan:external_symbolizer_path=$symbolizer"
    echo "==> swift test --sanitize=$sanitizer (reports in $scratch/sanitizer-reports/)"
    nice -n 10 swift test --sanitize="$sanitizer" --scratch-path "$scratch" --no-parallel || status=$?
    local file
    while IFS= read -r file; do
        echo "--- $sanitizer sanitizer report: $file"
        cat "$file"
        status=1
    done < <(find "$reports" -type f | sort)
    if [ "$status" -ne 0 ]; then
        echo "==> $sanitizer: FAILED (status $status)"
    else
        echo "==> $sanitizer: clean"
    fi
    return "$status"
}

overall=0
for sanitizer in "${sanitizers[@]}"; do
    run "$sanitizer" || overall=1
done
exit "$overall"
