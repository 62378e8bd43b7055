"""Drives the official openai and anthropic Python SDKs through piapi-serve to
piapi-mock-upstream and checks that the usage piapi records equals the usage each SDK
reports: per request in the log line, summed in /metrics (piapi_tokens_total,
piapi_cost_usd_total, piapi_usage_unknown_total) and in the ledger (piapi-usage report).

Run by scripts/sdk-check.sh, which sets everything up; not meant to be run by hand.

    python sdk_check.py GATEWAY_URL GATEWAY_LOG SERVE_PID USAGE_BIN LEDGER_URL PRICES_JSON
    (the user's key in PIAPI_SDK_USER_KEY, the user's name in PIAPI_SDK_USER)

Prints one row per call and per aggregate check, then `N passed, M failed`; exits 1 on any
failure. Never prints a key.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import types
import uuid
import warnings

import anthropic
import openai

KINDS = ("input", "cache_read", "cache_write", "output", "reasoning")
LOG_FIELDS = {k: f"{k}_tokens" for k in KINDS}

# The models requested (the mock echoes the request's model; prices are set for these).
CHAT_MODEL = "gpt-5-mini-2025-08-07"
RESPONSES_MODEL = "gpt-5-2025-08-07"
MESSAGES_MODEL = "claude-sonnet-4-5-20250929"
# The SDK warns about a model it knows to be deprecated; the mock answers any model.
warnings.filterwarnings("ignore", message=r"The model .* is deprecated")


class Check:
    def __init__(self, prices):
        self.passed = 0
        self.failed = 0
        self.prices = prices

    def record(self, name, ok, detail):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'ok  ' if ok else 'FAIL'}  {name:<34} {detail}", flush=True)


def attr(obj, *path):
    """obj.a.b… or None when any step is missing/None (SDK objects and dicts alike)."""
    for name in path:
        if obj is None:
            return None
        obj = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
    return obj


# --- The contract's normalisation (shared/contract.md §8), from the SDKs' own usage objects.

def norm_chat(u):
    if u is None:
        return None
    cached = attr(u, "prompt_tokens_details", "cached_tokens")
    return {
        "input": u.prompt_tokens - (cached or 0),
        "cache_read": cached,
        "cache_write": None,
        "output": u.completion_tokens,
        "reasoning": attr(u, "completion_tokens_details", "reasoning_tokens"),
    }


def norm_responses(u):
    if u is None:
        return None
    cached = attr(u, "input_tokens_details", "cached_tokens")
    return {
        "input": u.input_tokens - (cached or 0),
        "cache_read": cached,
        "cache_write": None,
        "output": u.output_tokens,
        "reasoning": attr(u, "output_tokens_details", "reasoning_tokens"),
    }


def norm_messages(u):
    if u is None:
        return None
    return {
        "input": u.input_tokens,
        "cache_read": u.cache_read_input_tokens,
        "cache_write": u.cache_creation_input_tokens,
        "output": u.output_tokens,
        "reasoning": None,
    }


# --- The calls. Each returns (model the SDK saw, normalised usage or None).

def chat_plain(oa, rid):
    r = oa.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": "hello"}],
        extra_headers={"X-Request-ID": rid})
    assert r.choices[0].message.content, "no text in the completion"
    return r.model, norm_chat(r.usage)


def chat_stream(oa, rid, include_usage=True):
    kwargs = {"stream_options": {"include_usage": True}} if include_usage else {}
    stream = oa.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": "hello"}], stream=True,
        extra_headers={"X-Request-ID": rid}, **kwargs)
    usage, model, text = None, None, ""
    for chunk in stream:
        model = chunk.model or model
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
    assert text, "no text in the stream"
    return model, norm_chat(usage)


def chat_stream_no_usage(oa, rid):
    return chat_stream(oa, rid, include_usage=False)


def chat_stream_helper(oa, rid):
    # The SDK's own accumulating helper: the final completion carries the usage chunk's usage.
    with oa.chat.completions.stream(
            model=CHAT_MODEL, messages=[{"role": "user", "content": "hello"}],
            stream_options={"include_usage": True}, extra_headers={"X-Request-ID": rid}) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    return final.model, norm_chat(final.usage)


def responses_plain(oa, rid, gzip=False):
    r = oa.responses.create(
        model=RESPONSES_MODEL, input="hello", extra_headers={"X-Request-ID": rid},
        extra_query={"gzip": "1"} if gzip else None)
    assert r.output_text, "no output_text"
    return r.model, norm_responses(r.usage)


def responses_plain_gzip(oa, rid):
    return responses_plain(oa, rid, gzip=True)


def responses_stream(oa, rid):
    stream = oa.responses.create(
        model=RESPONSES_MODEL, input="hello", stream=True, extra_headers={"X-Request-ID": rid})
    usage, model, text = None, None, ""
    for event in stream:
        if event.type == "response.output_text.delta":
            text += event.delta
        elif event.type in ("response.completed", "response.incomplete", "response.failed"):
            usage, model = event.response.usage, event.response.model
    assert text, "no text deltas"
    return model, norm_responses(usage)


def responses_stream_helper(oa, rid):
    with oa.responses.stream(
            model=RESPONSES_MODEL, input="hello", extra_headers={"X-Request-ID": rid}) as stream:
        for _ in stream:
            pass
        final = stream.get_final_response()
    return final.model, norm_responses(final.usage)


def messages_plain(an, rid):
    m = an.messages.create(
        model=MESSAGES_MODEL, max_tokens=512, messages=[{"role": "user", "content": "hello"}],
        extra_headers={"X-Request-ID": rid})
    assert m.content and m.content[0].text, "no text block"
    return m.model, norm_messages(m.usage)


def messages_stream(an, rid, gzip=False):
    # The SDK's helper accumulates message_start's usage and each message_delta's.
    with an.messages.stream(
            model=MESSAGES_MODEL, max_tokens=512, messages=[{"role": "user", "content": "hello"}],
            extra_headers={"X-Request-ID": rid},
            extra_query={"gzip": "1"} if gzip else None) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text, "no text deltas"
    return final.model, norm_messages(final.usage)


def messages_stream_gzip(an, rid):
    return messages_stream(an, rid, gzip=True)


def messages_stream_raw(an, rid):
    # The raw events, folded as the API reference says: message_start, then cumulative deltas.
    stream = an.messages.create(
        model=MESSAGES_MODEL, max_tokens=512, messages=[{"role": "user", "content": "hello"}],
        stream=True, extra_headers={"X-Request-ID": rid})
    usage, model = {}, None
    fields = ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "output_tokens")
    for event in stream:
        if event.type == "message_start":
            model = event.message.model
            usage = {f: getattr(event.message.usage, f, None) for f in fields}
        elif event.type == "message_delta":
            for f in fields:
                value = getattr(event.usage, f, None)
                if value is not None:
                    usage[f] = value
    return model, norm_messages(types.SimpleNamespace(**usage)) if usage else None


CALLS = [
    # (name, service type, sdk, function)
    ("chat plain", "chat", "openai", chat_plain),
    ("chat stream include_usage", "chat", "openai", chat_stream),
    ("chat stream helper", "chat", "openai", chat_stream_helper),
    ("chat stream without usage", "chat", "openai", chat_stream_no_usage),
    ("responses plain", "responses", "openai", responses_plain),
    ("responses plain gzip", "responses", "openai", responses_plain_gzip),
    ("responses stream", "responses", "openai", responses_stream),
    ("responses stream helper", "responses", "openai", responses_stream_helper),
    ("messages plain", "messages", "anthropic", messages_plain),
    ("messages stream helper", "messages", "anthropic", messages_stream),
    ("messages stream helper gzip", "messages", "anthropic", messages_stream_gzip),
    ("messages stream raw events", "messages", "anthropic", messages_stream_raw),
]


def read_log(path):
    lines = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if obj.get("message") == "request" and "request_id" in obj:
                lines[obj["request_id"]] = obj
    return lines


def wait_for_log(path, rid, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        line = read_log(path).get(rid)
        if line is not None or time.monotonic() > deadline:
            return line
        time.sleep(0.05)


def cost_of(model, usage, prices):
    price = prices.get(model)
    if price is None or usage is None:
        return None
    rate = {"input": price["input"], "output": price["output"],
            "cache_read": price.get("cacheRead", price["input"]),
            "cache_write": price.get("cacheWrite", price["input"])}
    return sum((usage[k] or 0) * rate[k] for k in rate) / 1e6


def fmt(usage):
    if usage is None:
        return "no usage"
    return "/".join("-" if usage[k] is None else str(usage[k]) for k in KINDS)


def compare_call(check, name, service, model, usage, line):
    """The log line against the SDK's usage; returns a list of differences."""
    problems = []
    if line is None:
        return ["no log line with this X-Request-ID"]
    if line.get("status") != 200:
        problems.append(f"status {line.get('status')}")
    if line.get("service_type") != service:
        problems.append(f"service_type {line.get('service_type')!r}")
    if line.get("user") != os.environ["PIAPI_SDK_USER"]:
        problems.append(f"user {line.get('user')!r}")
    if usage is None:
        # The SDK saw no usage (a chat stream without include_usage): piapi must not invent one.
        if line.get("usage_unknown") != "no_usage":
            problems.append(f"usage_unknown {line.get('usage_unknown')!r}, want 'no_usage'")
        for k in KINDS:
            if LOG_FIELDS[k] in line:
                problems.append(f"{LOG_FIELDS[k]}={line[LOG_FIELDS[k]]} but the SDK saw no usage")
        return problems
    if line.get("model") != model:
        problems.append(f"model {line.get('model')!r}, SDK {model!r}")
    for k in KINDS:
        got = line.get(LOG_FIELDS[k])
        if got != usage[k]:
            problems.append(f"{k}: log {got}, SDK {usage[k]}")
    for field in ("usage_unknown", "usage_partial"):
        if field in line:
            problems.append(f"log {field}={line[field]!r}")
    want_cost = cost_of(model, usage, check.prices)
    got_cost = line.get("cost_usd")
    if want_cost is None or got_cost is None or abs(got_cost - want_cost) > 1.5e-6:
        problems.append(f"cost_usd: log {got_cost}, from prices {want_cost}")
    return problems


METRIC_LINE = re.compile(r'^(\w+)\{([^}]*)\}\s+(\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(url):
    import urllib.request
    with urllib.request.urlopen(url + "/metrics", timeout=10) as resp:
        text = resp.read().decode()
    series = []
    for line in text.splitlines():
        m = METRIC_LINE.match(line)
        if m:
            series.append((m.group(1), dict(LABEL.findall(m.group(2))), float(m.group(3))))
    return series


def main():
    gateway, log_path, serve_pid, usage_bin, ledger_url, prices_json = sys.argv[1:7]
    user_key = os.environ["PIAPI_SDK_USER_KEY"]
    user = os.environ["PIAPI_SDK_USER"]
    prices = json.loads(prices_json)
    check = Check(prices)

    common = {"api_key": user_key, "max_retries": 0, "timeout": 30.0}
    clients = {
        # The OpenAI SDK appends /chat/completions or /responses; the services' baseUrl ends in /v1.
        "openai-chat": openai.OpenAI(base_url=f"{gateway}/piapi/chat", **common),
        "openai-responses": openai.OpenAI(base_url=f"{gateway}/piapi/responses", **common),
        # The Anthropic SDK appends /v1/messages itself and sends the key as x-api-key.
        "anthropic": anthropic.Anthropic(base_url=f"{gateway}/piapi/messages", **common),
    }
    print(f"openai {openai.__version__}, anthropic {anthropic.__version__}; "
          "usage as input/cache_read/cache_write/output/reasoning")
    print(f"{'':4}  {'call':<34} SDK usage = log line (model)")

    # Totals per (service type, model, kind), and per model for the ledger.
    expected = {}
    requests = {}
    costs = {}
    unknown = {}
    for name, service, sdk, fn in CALLS:
        client = clients["anthropic" if sdk == "anthropic" else f"openai-{service}"]
        rid = f"sdk-check-{uuid.uuid4().hex[:16]}"
        started = time.monotonic()
        try:
            model, usage = fn(client, rid)
        except Exception as error:  # noqa: BLE001 - any SDK error is a failed check
            check.record(name, False, f"the SDK call failed: {type(error).__name__}: {str(error)[:200]}")
            continue
        elapsed = (time.monotonic() - started) * 1000
        line = wait_for_log(log_path, rid)
        problems = compare_call(check, name, service, model, usage, line)
        detail = f"{fmt(usage)} ({model}, {elapsed:.0f} ms)"
        if line is not None and "error" in line:
            # Not a usage field: e.g. "client disconnected" when the SDK closed the
            # connection after the stream's last event but before the body's end.
            detail += f" [log error: {line['error']}]"
        if problems:
            detail += ": " + "; ".join(problems)
        check.record(name, not problems, detail)
        if line is None:
            continue
        requests[line.get("model")] = requests.get(line.get("model"), 0) + 1
        if usage is None:
            unknown[service] = unknown.get(service, 0) + 1
            continue
        for k in KINDS:
            if usage[k] is not None:
                key = (service, model, k)
                expected[key] = expected.get(key, 0) + usage[k]
        costs[(service, model)] = costs.get((service, model), 0.0) + (cost_of(model, usage, prices) or 0.0)

    # /metrics: piapi_tokens_total per (service_type, model, kind) must equal the SDKs' sums,
    # with no other series for this user; cost and usage-unknown counters likewise.
    try:
        series = scrape(gateway)
    except Exception as error:  # noqa: BLE001
        check.record("metrics", False, f"cannot read /metrics: {error}")
        series = []
    if series:
        got = {}
        for metric, labels, value in series:
            if metric == "piapi_tokens_total" and labels.get("user") == user:
                if labels.get("provider") != ("anthropic" if labels.get("service_type") == "messages" else "openai"):
                    check.record("metrics provider label", False, f"{labels}")
                key = (labels.get("service_type"), labels.get("model"), labels.get("kind"))
                got[key] = got.get(key, 0) + value
        diffs = [f"{k}: metrics {got.get(k)}, SDK {expected.get(k)}"
                 for k in sorted(set(got) | set(expected), key=str) if got.get(k) != expected.get(k)]
        check.record("metrics piapi_tokens_total", not diffs,
                     f"{len(got)} series, {int(sum(got.values()))} tokens" + (": " + "; ".join(diffs) if diffs else ""))

        got_cost = {}
        for metric, labels, value in series:
            if metric == "piapi_cost_usd_total" and labels.get("user") == user:
                key = (labels.get("service_type"), labels.get("model"))
                got_cost[key] = got_cost.get(key, 0.0) + value
        diffs = [f"{k}: metrics {got_cost.get(k)}, prices {costs.get(k)}"
                 for k in sorted(set(got_cost) | set(costs), key=str)
                 if abs(got_cost.get(k, -1.0) - costs.get(k, -2.0)) > 1e-6 * max(1, len(CALLS))]
        check.record("metrics piapi_cost_usd_total", not diffs,
                     f"${sum(got_cost.values()):.6f}" + (": " + "; ".join(diffs) if diffs else ""))

        got_unknown = {}
        for metric, labels, value in series:
            if metric == "piapi_usage_unknown_total":
                got_unknown[(labels.get("service_type"), labels.get("reason"))] = value
        want_unknown = {(s, "no_usage"): float(n) for s, n in unknown.items()}
        check.record("metrics piapi_usage_unknown_total", got_unknown == want_unknown,
                     f"{got_unknown}" + ("" if got_unknown == want_unknown else f", want {want_unknown}"))

    # The ledger: stop piapi-serve with SIGTERM (it flushes the ledger before it logs that it
    # stopped), then read it back with piapi-usage report.
    os.kill(int(serve_pid), signal.SIGTERM)
    deadline = time.monotonic() + 30
    stopped = False
    while time.monotonic() < deadline:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            if '"piapi-serve stopped"' in f.read():
                stopped = True
                break
        time.sleep(0.1)
    if not stopped:
        check.record("ledger", False, "piapi-serve did not log 'piapi-serve stopped' within 30 s of SIGTERM")
    else:
        report = subprocess.run(
            [os.path.join(usage_bin, "piapi-usage"), "report", "--ledger", ledger_url,
             "--by", "user,model", "--format", "json"],
            capture_output=True, text=True, timeout=60)
        if report.returncode != 0:
            check.record("ledger report", False, f"piapi-usage exited {report.returncode}: {report.stderr.strip()[:300]}")
        else:
            data = json.loads(report.stdout)
            want = {}
            for (service, model, kind), n in expected.items():
                want.setdefault(model, {}).setdefault(kind, 0)
                want[model][kind] += n
            want_cost = {}
            for (service, model), c in costs.items():
                want_cost[model] = want_cost.get(model, 0.0) + c
            diffs = []
            seen = set()
            # /piapi requests without a user (refused before one was known); the ledger keeps no
            # /healthz or /metrics rows.
            anonymous = sum(1 for line in read_log(log_path).values()
                            if line.get("user") is None and str(line.get("path", "")).startswith("/piapi"))
            for group in data.get("groups", []):
                model = group.get("model")
                if group.get("user") is None:
                    tokens = [group.get(LOG_FIELDS[k]) for k in KINDS]
                    if group.get("requests") != anonymous or any(tokens):
                        diffs.append(f"(none) group: {group.get('requests')} requests, tokens {tokens}; "
                                     f"want {anonymous}, none")
                    continue
                seen.add(model)
                if group.get("user") != user:
                    diffs.append(f"a group for user {group.get('user')!r}")
                    continue
                if group.get("requests") != requests.get(model) or group.get("errors") != 0:
                    diffs.append(f"{model}: {group.get('requests')} requests ({group.get('errors')} errors), "
                                 f"want {requests.get(model)} (0)")
                for k in KINDS:
                    if group.get(LOG_FIELDS[k]) != want.get(model, {}).get(k, 0):
                        diffs.append(f"{model} {k}: ledger {group.get(LOG_FIELDS[k])}, SDK {want.get(model, {}).get(k, 0)}")
                if model in want_cost and abs((group.get("cost_usd") or -1.0) - want_cost[model]) > 1e-5:
                    diffs.append(f"{model} cost: ledger {group.get('cost_usd')}, prices {want_cost[model]:.6f}")
            for model in set(requests) - seen:
                diffs.append(f"no ledger group for {model}")
            total = data.get("total", {})
            check.record("ledger piapi-usage report", not diffs,
                         f"{total.get('requests')} requests, "
                         + "/".join(str(total.get(LOG_FIELDS[k])) for k in KINDS)
                         + (": " + "; ".join(diffs) if diffs else ""))

    print(f"{check.passed} passed, {check.failed} failed")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
