#!/usr/bin/env bash
# The one-command demo: builds piapi, starts the mock upstream and the gateway on free ports
# in a temporary directory, sends a normal request and a streaming request through the
# gateway, shows what each side saw, and stops everything it started (on exit and on Ctrl-C).
#
#   scripts/demo.sh            run the demo and exit
#   scripts/demo.sh --keep     leave gateway and mock running afterwards until Ctrl-C
#   PIAPI_DEMO_BUILD=debug scripts/demo.sh     use a debug build (quicker to build)
#
# Needs Swift 6, libyaml-dev (for piapi-compile) and curl. Works offline; talks to 127.0.0.1 only.
set -euo pipefail

keep=false
case "${1:-}" in
    "") ;;
    --keep) keep=true ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."

if [ -t 1 ]; then bold=$'\e[1m'; reset=$'\e[0m'; else bold=""; reset=""; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
indent() { sed 's/^/    /'; }
fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }

command -v swift >/dev/null || fail "swift is not installed (Swift 6: https://www.swift.org/install)"
command -v curl >/dev/null || fail "curl is not installed (Debian/Ubuntu: apt-get install curl)"
if command -v pkg-config >/dev/null && ! pkg-config --exists yaml-0.1; then
    fail "libyaml is missing (Debian/Ubuntu: apt-get install libyaml-dev)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/piapi-demo.XXXXXX")
pids=()
problems=()
# shellcheck disable=SC2329 # called by the EXIT trap
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
    [ "${#pids[@]}" -eq 0 ] || echo "demo: stopped the gateway and the mock upstream"
}
trap cleanup EXIT
trap 'echo; exit 130' INT TERM

# Milliseconds on a monotonic-enough clock, for showing when stream events arrive.
now_ms() {
    if [ -n "${EPOCHREALTIME:-}" ]; then
        local t=${EPOCHREALTIME/[.,]/}
        echo $((10#$t / 1000))
    else
        echo $(($(date +%s) * 1000))
    fi
}

# A TCP port on 127.0.0.1 that nothing answers on right now.
free_port() {
    local port
    for _ in $(seq 1 20); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    fail "could not find a free port"
}

# The lines a log file gained since it had $2 lines.
new_lines() { tail -n "+$(($2 + 1))" "$1"; }
line_count() { wc -l <"$1" | tr -d ' '; }

build=${PIAPI_DEMO_BUILD:-release}
case "$build" in release|debug) ;; *) fail "PIAPI_DEMO_BUILD must be release or debug" ;; esac
step "Building piapi (swift build -c $build; the first build takes a while)"
swift build -c "$build"
bin=$(swift build -c "$build" --show-bin-path)

step "Starting the mock upstream (it prints what it receives, credentials redacted)"
"$bin/piapi-mock-upstream" --listen 127.0.0.1:0 --events 5 --delay-ms 300 >"$work/mock.log" 2>&1 &
pids+=($!)
mock_port=""
for _ in $(seq 1 100); do
    mock_port=$(sed -n 's/^piapi-mock-upstream listening on .*:\([0-9][0-9]*\)$/\1/p' "$work/mock.log")
    [ -n "$mock_port" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/mock.log" >&2; fail "the mock upstream did not start"; }
    sleep 0.1
done
[ -n "$mock_port" ] || fail "the mock upstream did not report its port"
echo "    mock upstream on 127.0.0.1:$mock_port"

step "Compiling configs/demo.yaml (users alice and bob, services codex and claude_code)"
sed "s/127\.0\.0\.1:9201/127.0.0.1:$mock_port/g" configs/demo.yaml >"$work/demo.yaml"
"$bin/piapi-compile" "$work/demo.yaml" -o "$work/routes.bin" 2>&1 | indent || fail "piapi-compile rejected the demo config"
[ -s "$work/routes.bin" ] || fail "piapi-compile wrote no table"
"$bin/piapi-compile" inspect "$work/routes.bin" 2>&1 | indent || fail "piapi-compile inspect failed"

step "Starting the gateway"
gateway_port=$(free_port)
gateway="http://127.0.0.1:$gateway_port"
"$bin/piapi-serve" "$work/routes.bin" --listen "127.0.0.1:$gateway_port" --ledger "sqlite:$work/ledger.db" \
    >"$work/gateway.log" 2>"$work/gateway.err" &
pids+=($!)
healthy=false
for _ in $(seq 1 150); do
    if curl -fsS "$gateway/healthz" >/dev/null 2>&1; then healthy=true; break; fi
    kill -0 "${pids[1]}" 2>/dev/null || break
    sleep 0.1
done
$healthy || { indent <"$work/gateway.err" >&2; fail "the gateway did not become healthy on $gateway/healthz"; }
echo "    piapi-serve on $gateway ($gateway/healthz answers ok)"

step "1. alice calls codex (header auth upstream)"
echo "    client sends: POST $gateway/piapi/codex/chat/completions?model=demo"
echo "                  Authorization: Bearer piapi-demo-alice   (alice's piapi key)"
before=$(line_count "$work/mock.log")
status=$(curl -sS -o "$work/answer.json" -w '%{http_code}' -X POST \
    "$gateway/piapi/codex/chat/completions?model=demo" \
    -H "Authorization: Bearer piapi-demo-alice" \
    -H "Content-Type: application/json" \
    -d '{"model":"demo","messages":[{"role":"user","content":"hello"}]}') || fail "the request to the gateway failed"
[ "$status" = 200 ] || problems+=("alice's codex request answered HTTP $status, not 200")
echo "    mock upstream received:"
new_lines "$work/mock.log" "$before" | indent | indent
echo "    gateway answered: HTTP $status"
indent <"$work/answer.json" | indent

step "2. bob streams from claude_code (query auth upstream)"
echo "    client sends: POST $gateway/piapi/claude_code/v1/messages/stream"
echo "                  x-api-key: piapi-demo-bob   (bob's piapi key)"
before=$(line_count "$work/mock.log")
echo "    events as they arrive:"
start=$(now_ms)
curl -sS -N -D "$work/stream.headers" -X POST \
    "$gateway/piapi/claude_code/v1/messages/stream" \
    -H "x-api-key: piapi-demo-bob" \
    -H "Content-Type: application/json" \
    -d '{"model":"claude-demo","stream":true,"messages":[{"role":"user","content":"hello"}]}' |
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        printf '        +%5d ms  %s\n' "$(($(now_ms) - start))" "$line"
        echo "$line" >>"$work/events.txt"
    done || fail "the streaming request to the gateway failed"
grep -q 'message_stop' "$work/events.txt" 2>/dev/null || problems+=("bob's stream did not end with message_stop")
echo "    gateway answered: $(head -n 1 "$work/stream.headers" | tr -d '\r')"
echo "    mock upstream received:"
new_lines "$work/mock.log" "$before" | indent | indent

step "One request log line from piapi-serve (JSON on stdout)"
{ grep '"request_id"' "$work/gateway.log" || cat "$work/gateway.log"; } | tail -n 1 | indent

step "Secret check"
leaked=false
for secret in piapi-demo-alice piapi-demo-bob sk-demo-openai-0001 sk-demo-anthropic-0002; do
    if grep -q -- "$secret" "$work/gateway.log" "$work/gateway.err" "$work/mock.log"; then
        problems+=("the secret '$secret' appears in a log")
        leaked=true
    fi
done
$leaked || echo "    no user key or provider key appears in the gateway's logs or in what the mock printed"

if ! $keep; then
    step "Usage report from the ledger (piapi-usage report --by user,model)"
    kill -TERM "${pids[1]}" 2>/dev/null && wait "${pids[1]}" 2>/dev/null || true  # SIGTERM writes the ledger's queue
    "$bin/piapi-usage" report --ledger "sqlite:$work/ledger.db" --by user,model 2>&1 | indent ||
        problems+=("piapi-usage report failed")
fi

if $keep; then
    step "Still running (Ctrl-C stops both)"
    echo "    curl -H 'Authorization: Bearer piapi-demo-alice' $gateway/piapi/codex/models"
    echo "    curl -N -H 'x-api-key: piapi-demo-bob' $gateway/piapi/claude_code/v1/stream"
    echo "    curl $gateway/metrics"
    wait
fi

if [ "${#problems[@]}" -gt 0 ]; then
    step "Something went wrong"
    printf '    %s\n' "${problems[@]}"
    exit 1
fi
step "Done: both requests went through piapi, each with its upstream's credential"
