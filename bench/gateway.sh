#!/usr/bin/env bash
# Side-by-side throughput, latency, memory and streaming of piapi-serve against the
# upstream stub direct and against nginx doing the same job (a keep-alive reverse proxy
# swapping the Authorization header). Everything runs on 127.0.0.1; wrk uses one thread.
#
#   bench/gateway.sh [-c "32 256"] [-d 10] [--rounds 3] [--no-build] [--compare BIN_DIR]
#                    [--targets "nginx piapi …"] [--limits]
#
# piapi runs with the default event-loop count (cores - 1, at least 1; nginx runs one
# worker), piapi-t2 with --threads 2.
#
# --compare BIN_DIR adds "base": the piapi-serve in BIN_DIR (e.g. an older commit's release
# build) on the same routes, alternating with the others, for a before/after in one run; its
# table is compiled by BIN_DIR's piapi-compile when there is one (an older table format).
# --limits gives every user limits that the run never reaches (one limit check per request).
# --targets limits the runs to some of direct, nginx, base, piapi, piapi-t2, piapi+log (direct
# is always run: every ratio is against it).
# Needs: wrk, nginx, python3 (apt-get install -y wrk nginx python3), and a Swift toolchain.
# Prints medians over the rounds; direct, nginx and piapi runs alternate within a round so
# their ratios are comparable on a noisy machine.
set -euo pipefail
cd "$(dirname "$0")/.."

conns="32 256" secs=10 rounds=3 build=true compare="" only="" limits=false
while [ $# -gt 0 ]; do
    case "$1" in
        -c) conns=$2; shift 2 ;;
        -d) secs=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --no-build) build=false; shift ;;
        --compare) compare=$2; shift 2 ;;
        --targets) only=$2; shift 2 ;;
        --limits) limits=true; shift ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "gateway.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for tool in wrk nginx python3 curl; do
    command -v "$tool" >/dev/null || { echo "gateway.sh: $tool is missing (apt-get install -y wrk nginx python3 curl)" >&2; exit 2; }
done

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_setup "$build"

upstream_port=18181 nginx_port=18182 piapi_port=18183 logged_port=18184 mock_port=18185 base_port=18186 t2_port=18187
user_key=bench-user-key upstream_key=sk-bench-upstream

mkdir -p "$work/stub/tmp" "$work/proxy/tmp"
nginx_common() {
    cat <<CONF
daemon off;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $1/tmp;
    proxy_temp_path $1/tmp;
    fastcgi_temp_path $1/tmp;
    uwsgi_temp_path $1/tmp;
    scgi_temp_path $1/tmp;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
CONF
}
{
    nginx_common "$work/stub"
    cat <<CONF
    map \$http_authorization \$key_ok { "Bearer $upstream_key" 1; default 0; }
    server {
        listen 127.0.0.1:$upstream_port backlog=4096;
        default_type application/json;
        location / {
            if (\$key_ok = 0) { return 401 '{"error":"bad upstream key"}'; }
            return 200 '{"id":"chatcmpl-bench-000000000000","object":"chat.completion","created":1700000000,"model":"bench-stub","choices":[{"index":0,"message":{"role":"assistant","content":"This is a fixed answer from the benchmark upstream stub."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":11,"total_tokens":23}}';
        }
    }
}
CONF
} >"$work/stub/nginx.conf"
{
    nginx_common "$work/proxy"
    cat <<CONF
    upstream stub { server 127.0.0.1:$upstream_port; keepalive 512; keepalive_requests 10000000; }
    map \$http_authorization \$upstream_auth { "Bearer $user_key" "Bearer $upstream_key"; default ""; }
    server {
        listen 127.0.0.1:$nginx_port backlog=4096;
        location /piapi/codex/ {
            if (\$upstream_auth = "") { return 401; }
            proxy_pass http://stub/v1/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Authorization \$upstream_auth;
            proxy_buffering off;
            proxy_request_buffering off;
        }
    }
}
CONF
} >"$work/proxy/nginx.conf"
cat >"$work/config.yaml" <<CONF
providers:
  - name: bench-upstream
    apiKeys: { bench-key: $upstream_key }
    services:
      - type: codex
        baseUrl: http://127.0.0.1:$upstream_port/v1
      - type: stream
        baseUrl: http://127.0.0.1:$mock_port/v1
users:
  - name: bench-user
    apiKey: $user_key
    services:
      codex: { providerName: bench-upstream, providerKeyName: bench-key }
      stream: { providerName: bench-upstream, providerKeyName: bench-key }
CONF
base_table="$work/routes.bin"
if [ -n "$compare" ] && [ -x "$compare/piapi-compile" ]; then
    base_table="$work/base-routes.bin"
    "$compare/piapi-compile" "$work/config.yaml" -o "$base_table" 2>/dev/null
fi
if $limits; then
    # Configured but never reached: each request pays the check, none is refused.
    printf 'limits: { requestsPerMinute: 100000000, concurrentRequests: 100000, tokensPerDay: 1000000000000 }\n' >>"$work/config.yaml"
fi
"$bin/piapi-compile" "$work/config.yaml" -o "$work/routes.bin" 2>/dev/null

nginx -c "$work/stub/nginx.conf" -p "$work/stub" & pids+=($!)
nginx -c "$work/proxy/nginx.conf" -p "$work/proxy" & pids+=($!)
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$piapi_port" --log-level notice >/dev/null 2>&1 & piapi_pid=$!; pids+=("$piapi_pid")
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$logged_port" >"$work/requests.log" 2>&1 & pids+=($!)
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$t2_port" --log-level notice --threads 2 >/dev/null 2>&1 & pids+=($!)
"$bin/piapi-mock-upstream" --listen "127.0.0.1:$mock_port" --events 50 --delay-ms 20 >/dev/null 2>&1 & pids+=($!)
ports="$upstream_port $nginx_port $piapi_port $logged_port $mock_port $t2_port"
if [ -n "$compare" ]; then
    "$compare/piapi-serve" "$base_table" --listen "127.0.0.1:$base_port" --log-level notice >/dev/null 2>&1 & pids+=($!)
    ports="$ports $base_port"
fi

wait_for() {
    for _ in $(seq 100); do
        curl -s -o /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "gateway.sh: $1 did not come up" >&2
    exit 1
}
for port in $ports; do wait_for "http://127.0.0.1:$port/"; done

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
idle_rss=$(rss_kb "$piapi_pid")

cat >"$work/hooks.lua" <<'LUA'
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("BENCHLINE %.1f %.3f %.3f %d %d\n",
        summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
# One wrk run: prints "rps p50_ms p99_ms non2xx errors". The direct run presents the
# upstream key itself; every gateway presents the user key and must swap it.
load() {
    local key=$user_key
    case "$2" in *":$upstream_port/"*) key=$upstream_key ;; esac
    wrk -t1 -c"$1" -d"${secs}s" --latency -s "$work/hooks.lua" -H "Authorization: Bearer $key" "$2" 2>&1 |
        awk '/^BENCHLINE/ {print $2, $3, $4, $5, $6}'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A targets=(
    [direct]="http://127.0.0.1:$upstream_port/v1/chat"
    [nginx]="http://127.0.0.1:$nginx_port/piapi/codex/chat"
    [piapi]="http://127.0.0.1:$piapi_port/piapi/codex/chat"
    [piapi+log]="http://127.0.0.1:$logged_port/piapi/codex/chat"
    [piapi-t2]="http://127.0.0.1:$t2_port/piapi/codex/chat"
)
order="direct nginx piapi piapi-t2 piapi+log"
if [ -n "$compare" ]; then
    targets[base]="http://127.0.0.1:$base_port/piapi/codex/chat"
    order="direct nginx base piapi piapi-t2 piapi+log"
fi
if [ -n "$only" ]; then
    order="direct $(for name in $order; do case " $only " in *" $name "*) [ "$name" = direct ] || echo "$name" ;; esac; done | xargs)"
fi
for name in $order; do load 32 "${targets[$name]}" >/dev/null; done   # warm-up

printf '%-6s %-10s %10s %9s %9s %7s %7s %9s\n' conns target rps p50_ms p99_ms non2xx errors rps/direct
for c in $conns; do
    for _ in $(seq "$rounds"); do
        for name in $order; do echo "$name $(load "$c" "${targets[$name]}")" >>"$work/c$c"; done
    done
    direct_rps=$(awk '$1=="direct" {print $2}' "$work/c$c" | median)
    direct_p50=$(awk '$1=="direct" {print $3}' "$work/c$c" | median)
    direct_p99=$(awk '$1=="direct" {print $4}' "$work/c$c" | median)
    nginx_rps=$(awk '$1=="nginx" {print $2}' "$work/c$c" | median)
    for name in $order; do
        rps=$(awk -v n="$name" '$1==n {print $2}' "$work/c$c" | median)
        p50=$(awk -v n="$name" '$1==n {print $3}' "$work/c$c" | median)
        p99=$(awk -v n="$name" '$1==n {print $4}' "$work/c$c" | median)
        non2xx=$(awk -v n="$name" '$1==n {s+=$5} END {print s+0}' "$work/c$c")
        errors=$(awk -v n="$name" '$1==n {s+=$6} END {print s+0}' "$work/c$c")
        printf '%-6s %-10s %10.1f %9.3f %9.3f %7d %7d %9.3f   (added p50 %+.3f ms, p99 %+.3f ms%s)\n' \
            "$c" "$name" "$rps" "$p50" "$p99" "$non2xx" "$errors" \
            "$(echo "$rps $direct_rps" | awk '{print $1/$2}')" "$(echo "$p50 $direct_p50" | awk '{print $1-$2}')" \
            "$(echo "$p99 $direct_p99" | awk '{print $1-$2}')" \
            "$(if [ -n "$nginx_rps" ] && [ "$name" != direct ]; then echo "$rps $nginx_rps" | awk '{printf ", /nginx %.3f", $1/$2}'; fi)"
    done
done
echo "piapi-serve memory (VmRSS): idle $((idle_rss / 1024)) MiB, after load $(($(rss_kb "$piapi_pid") / 1024)) MiB, peak $(($(hwm_kb "$piapi_pid") / 1024)) MiB"
echo "request log lines written by piapi+log: $(wc -l <"$work/requests.log")"

echo "streaming (50 events, 20 ms apart):"
echo "  direct: $(python3 bench/sse_probe.py "http://127.0.0.1:$mock_port/v1/stream")"
echo "  piapi:  $(python3 bench/sse_probe.py "http://127.0.0.1:$piapi_port/piapi/stream/stream" -H "Authorization: Bearer $user_key")"
