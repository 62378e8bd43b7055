#!/usr/bin/env bash
# Drives the admin API with schemathesis against docs/admin-openapi.yaml: builds piapi, starts
# the mock upstream and piapi-serve with --admin-listen on 127.0.0.1 (configs/demo.yaml, a token
# from PIAPI_ADMIN_TOKEN), sends some traffic, then lets schemathesis generate requests from the
# document and check every answer against it (status codes, content types, schemas). Also runs
# it once without the token (every answer must be the documented 401). schemathesis comes from
# PyPI into a throwaway virtualenv; nothing is installed system-wide.
#
#   scripts/admin-schemathesis.sh [--max-examples N]     (default 50 per operation)
#   PIAPI_BUILD=release scripts/admin-schemathesis.sh    (default: debug, quicker to build)
#
# Needs Swift 6, libyaml-dev, curl and python3 with venv; pip must reach PyPI on the first run.
set -euo pipefail

examples=50
while [ $# -gt 0 ]; do
    case "$1" in
        --max-examples) examples=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "admin-schemathesis: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done

cd "$(dirname "$0")/.."
fail() { printf 'admin-schemathesis: %s\n' "$*" >&2; exit 1; }
command -v curl >/dev/null || fail "curl is not installed"
command -v python3 >/dev/null || fail "python3 is not installed"

work=$(mktemp -d "${TMPDIR:-/tmp}/piapi-schemathesis.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

venv=${PIAPI_SCHEMATHESIS_VENV:-${TMPDIR:-/tmp}/piapi-schemathesis-venv}
if [ ! -x "$venv/bin/st" ]; then
    echo "==> installing schemathesis into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q schemathesis
fi

build=${PIAPI_BUILD:-debug}
swift build -c "$build" >/dev/null
bin=$(swift build -c "$build" --show-bin-path)

"$bin/piapi-mock-upstream" --listen 127.0.0.1:0 --events 2 --delay-ms 10 >"$work/mock.log" 2>&1 &
pids+=($!)
mock_port=""
for _ in $(seq 1 100); do
    mock_port=$(sed -n 's/^piapi-mock-upstream listening on .*:\([0-9][0-9]*\)$/\1/p' "$work/mock.log")
    [ -n "$mock_port" ] && break
    sleep 0.1
done
[ -n "$mock_port" ] || fail "the mock upstream did not start"
sed "s/127\.0\.0\.1:9201/127.0.0.1:$mock_port/g" configs/demo.yaml >"$work/demo.yaml"
"$bin/piapi-compile" "$work/demo.yaml" -o "$work/routes.bin" >/dev/null

token=${PIAPI_ADMIN_TOKEN:-schemathesis-admin-token-0123456789}
PIAPI_ADMIN_TOKEN=$token "$bin/piapi-serve" "$work/routes.bin" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
    >"$work/gateway.log" 2>"$work/gateway.err" &
pids+=($!)
started=""
for _ in $(seq 1 150); do
    started=$(grep '"piapi-serve started"' "$work/gateway.log" || true)
    [ -n "$started" ] && break
    kill -0 "${pids[1]}" 2>/dev/null || { cat "$work/gateway.err" >&2; fail "piapi-serve did not start"; }
    sleep 0.1
done
[ -n "$started" ] || fail "piapi-serve did not log its start"
port_of() { sed -n "s/.*\"$1\":\"[^\"]*:\([0-9][0-9]*\)\".*/\1/p" <<<"$started"; }
gateway="http://127.0.0.1:$(port_of listen)"
admin="http://127.0.0.1:$(port_of admin)"
echo "==> gateway $gateway, admin $admin"

for key in piapi-demo-alice piapi-demo-bob unknown-key; do
    for service in codex claude_code nothing; do
        curl -s -o /dev/null -X POST "$gateway/piapi/$service/v1/x" -H "Authorization: Bearer $key" -d '{}' || true
    done
done

# Run from the scratch directory: schemathesis keeps its example database in ./.schemathesis.
spec=$PWD/docs/admin-openapi.yaml
status=0
echo "==> schemathesis with the token ($examples examples per operation)"
(cd "$work" && "$venv/bin/st" run "$spec" --url "$admin" -H "Authorization: Bearer $token" \
    --max-examples "$examples" --checks all --exclude-checks ignored_auth --workers 1) || status=1
echo "==> schemathesis without the token: every operation must answer the documented 401"
(cd "$work" && "$venv/bin/st" run "$spec" --url "$admin" --max-examples 5 --workers 1 \
    --checks status_code_conformance,content_type_conformance,response_headers_conformance) || status=1

for secret in piapi-demo-alice piapi-demo-bob sk-demo-openai-0001 sk-demo-anthropic-0002 "$token"; do
    if grep -q -- "$secret" "$work/gateway.log" "$work/gateway.err"; then
        echo "admin-schemathesis: the secret ${secret:0:8}… appears in piapi-serve's output" >&2
        status=1
    fi
done
exit $status
