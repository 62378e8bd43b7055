#!/usr/bin/env bash
# Real clients: drives the official `openai` and `anthropic` Python SDKs (from PyPI, in a
# throwaway virtualenv) through piapi-serve to piapi-mock-upstream, and checks that the tokens
# piapi records equal the usage each SDK reports — per request in the log line (matched by the
# X-Request-ID each call sends), summed in /metrics and in the ledger (`piapi-usage report`).
# Calls: Chat Completions plain, streamed with include_usage (raw and the SDK's helper) and
# without it; Responses plain (also gzip) and streamed (raw events and the helper); Messages
# plain and streamed (helper, helper with gzip, raw events). The checks are in sdk_check.py.
#
#   scripts/sdk-check.sh [BIN_DIR]     BIN_DIR holds piapi-compile, piapi-serve,
#                                      piapi-mock-upstream and piapi-usage (default .build/debug);
#                                      it builds nothing: run `swift build` first.
#
# Prints one row per call and per aggregate check, then `N passed, M failed`; exits 1 on any
# failure. Needs python3 with venv; pip must reach PyPI. Talks to 127.0.0.1 only; never
# prints a key.
set -euo pipefail

case "${1:-}" in
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
[ $# -le 1 ] || { echo "sdk-check: too many arguments (try --help)" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../.build/debug}
bin=$(cd "$bin" 2>/dev/null && pwd) || { echo "sdk-check: no directory $1" >&2; exit 2; }
fail() { printf 'sdk-check: %s\n' "$*" >&2; exit 1; }
for tool in piapi-compile piapi-serve piapi-mock-upstream piapi-usage; do
    [ -x "$bin/$tool" ] || fail "$bin/$tool is missing (run swift build first)"
done
command -v python3 >/dev/null || fail "python3 is not installed"

# The SDKs' major versions this check is written against.
openai_pin='openai>=3,<4'
anthropic_pin='anthropic>=2,<3'

work=$(mktemp -d "${TMPDIR:-/tmp}/piapi-sdk-check.XXXXXX")
pids=()
# shellcheck disable=SC2329 # called by the EXIT trap
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    # Give each 5 s to stop, then SIGKILL it: a wedged child must not hang CI.
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "${PIAPI_SDK_CHECK_KEEP:-}" ]; then echo "sdk-check: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$SECONDS
echo "==> installing $openai_pin and $anthropic_pin into a throwaway virtualenv"
python3 -m venv "$work/venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
installed=false
for attempt in 1 2; do
    if "$work/venv/bin/pip" install -q --disable-pip-version-check "$openai_pin" "$anthropic_pin"; then
        installed=true
        break
    fi
    [ "$attempt" = 2 ] || { echo "    pip failed; trying once more in 5 s"; sleep 5; }
done
$installed || fail "pip could not install the SDKs from PyPI"
echo "    done in $((SECONDS - t0)) s"

"$bin/piapi-mock-upstream" --listen 127.0.0.1:0 --events 3 --delay-ms 5 >"$work/mock.log" 2>&1 &
pids+=($!)
mock_port=""
for _ in $(seq 1 300); do
    mock_port=$(sed -n 's/^piapi-mock-upstream listening on .*:\([0-9][0-9]*\)$/\1/p' "$work/mock.log")
    [ -n "$mock_port" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/mock.log" >&2; fail "the mock upstream did not start"; }
    sleep 0.1
done
[ -n "$mock_port" ] || fail "the mock upstream did not report its port"

# Keys made for this run only; they are written to the scratch directory, never printed.
random_hex() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
user=sdk-user
user_key="piapi-sdk-$(random_hex)"
openai_key="sk-sdk-openai-$(random_hex)"
anthropic_key="sk-ant-sdk-$(random_hex)"
mock="http://127.0.0.1:$mock_port"
# USD per million tokens for the models sdk_check.py asks for. JSON is also YAML: the same
# text goes into the config and to the checker.
prices='{"gpt-5-mini-2025-08-07": {"input": 0.25, "output": 2, "cacheRead": 0.025}, '\
'"gpt-5-2025-08-07": {"input": 1.25, "output": 10, "cacheRead": 0.125}, '\
'"claude-sonnet-4-5-20250929": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75}}'
cat >"$work/config.yaml" <<EOF
providers:
  - name: openai
    apiKeys: { main: "$openai_key" }
    services:
      - { type: chat, baseUrl: "$mock/dialect/chat/v1" }             # as https://api.openai.com/v1
      - { type: responses, baseUrl: "$mock/dialect/responses/v1" }
  - name: anthropic
    apiKeys: { main: "$anthropic_key" }
    services:
      - type: messages
        baseUrl: "$mock/dialect/messages"                             # as https://api.anthropic.com
        auth: { mode: header, name: x-api-key, prefix: "" }
users:
  - name: $user
    apiKey: "$user_key"
    services:
      chat: { providerName: openai, providerKeyName: main }
      responses: { providerName: openai, providerKeyName: main }
      messages: { providerName: anthropic, providerKeyName: main }
prices: $prices
EOF
"$bin/piapi-compile" "$work/config.yaml" -o "$work/routes.bin" >"$work/compile.log" 2>&1 ||
    { cat "$work/compile.log" >&2; fail "piapi-compile rejected the config"; }

ledger="sqlite:$work/ledger.db"
"$bin/piapi-serve" "$work/routes.bin" --listen 127.0.0.1:0 --ledger "$ledger" \
    >"$work/gateway.log" 2>"$work/gateway.err" &
serve_pid=$!
pids+=("$serve_pid")
started=""
for _ in $(seq 1 300); do
    started=$(grep '"piapi-serve started"' "$work/gateway.log" || true)
    [ -n "$started" ] && break
    kill -0 "$serve_pid" 2>/dev/null || { cat "$work/gateway.err" >&2; fail "piapi-serve did not start"; }
    sleep 0.1
done
[ -n "$started" ] || fail "piapi-serve did not log its start"
gateway_port=$(sed -n 's/.*"listen":"[^"]*:\([0-9][0-9]*\)".*/\1/p' <<<"$started")
gateway="http://127.0.0.1:$gateway_port"
echo "==> mock upstream on $mock, piapi-serve on $gateway (ledger $ledger)"

status=0
# No proxy for 127.0.0.1, whatever the environment says; the key goes by environment, not argv.
env -u OPENAI_BASE_URL -u ANTHROPIC_BASE_URL -u OPENAI_API_KEY -u ANTHROPIC_API_KEY \
    NO_PROXY=127.0.0.1 no_proxy=127.0.0.1 PIAPI_SDK_USER="$user" PIAPI_SDK_USER_KEY="$user_key" \
    "$work/venv/bin/python" "$here/sdk_check.py" "$gateway" "$work/gateway.log" "$serve_pid" \
    "$bin" "$ledger" "$prices" || status=1

# Nothing piapi printed may carry a key (the SDKs' own output never reaches these files).
for secret in "$user_key" "$openai_key" "$anthropic_key"; do
    if grep -qF -- "$secret" "$work/gateway.log" "$work/gateway.err" "$work/mock.log"; then
        echo "sdk-check: a key appears in piapi-serve's or the mock's output" >&2
        status=1
    fi
done
if [ $status -ne 0 ]; then
    echo "==> piapi-serve's stderr, if any:" >&2
    tail -n 20 "$work/gateway.err" >&2 || true
fi
echo "==> finished in $((SECONDS - t0)) s"
exit $status
