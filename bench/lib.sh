# shellcheck shell=bash
# Shared set-up for the bench scripts (sourced, not run): the release build, a scratch
# directory, a free port, and stopping every process a script started when it exits.

# Builds (unless $1 is false), sets $bin and $work, and arms the clean-up.
# shellcheck disable=SC2034 # bin and work are for the sourcing script
bench_setup() {
    ${1:-true} && swift build -c release >/dev/null
    bin=$(swift build -c release --show-bin-path)
    work=$(mktemp -d)
    pids=()
    trap bench_cleanup EXIT
}

# Stops everything recorded in $pids and removes $work.
bench_cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}

# A TCP port on 127.0.0.1 that is free right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
