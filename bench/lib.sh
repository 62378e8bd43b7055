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

# Starts an nginx stub on 127.0.0.1:$1 answering every request 200 with a small chat
# completion (usage included, so the gateway's usage tap reads it), under $work/stub.
bench_stub_upstream() {
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
        listen 127.0.0.1:$1 backlog=4096;
        default_type application/json;
        location / { return 200 '{"id":"x","object":"chat.completion","model":"bench-stub","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":11,"total_tokens":23}}'; }
    }
}
CONF
    nginx -c "$work/stub/nginx.conf" -p "$work/stub" & pids+=($!)
}

# Compiles $work/routes.bin: user key bench-user-key may use codex, proxied to the stub on
# 127.0.0.1:$1 with the upstream key sk-bench-upstream.
bench_one_user_table() {
    cat >"$work/config.yaml" <<CONF
providers:
  - name: bench-upstream
    apiKeys: { bench-key: sk-bench-upstream }
    services:
      - type: codex
        baseUrl: http://127.0.0.1:$1/v1
users:
  - name: bench-user
    apiKey: bench-user-key
    services:
      codex: { providerName: bench-upstream, providerKeyName: bench-key }
CONF
    "$bin/piapi-compile" "$work/config.yaml" -o "$work/routes.bin" 2>/dev/null
}
