"""WebSocket pass-through checked against a WebSocket implementation nobody here wrote: the
`websockets` package from PyPI is every upstream (echo, a Responses event stream with usage,
refusals, TLS) and every client, through a real piapi-serve (contract §11).

Run by scripts/websocket-check.sh, which makes the virtualenv; not meant to be run by hand.

    python websocket_check.py BIN_DIR WORK_DIR

Prints one row per check, then `N passed, M failed`; exits 1 on any failure. Never prints a key.
"""

import asyncio
import atexit
import hashlib
import http
import json
import os
import re
import secrets
import signal
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.request

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed, InvalidStatus

BIN, WORK = sys.argv[1], sys.argv[2]
USER_KEY = "piapi-ws-" + secrets.token_hex(16)
LIMITED_KEY = "piapi-ws-limited-" + secrets.token_hex(16)
PROVIDER_KEY = "sk-ws-" + secrets.token_hex(16)
BAD_KEY = "sk-ws-bad-" + secrets.token_hex(16)
SECRETS = (USER_KEY, LIMITED_KEY, PROVIDER_KEY, BAD_KEY)
AUTH = {"Authorization": f"Bearer {USER_KEY}"}
MODEL = "gpt-5-2025-08-07"


class Check:
    def __init__(self):
        self.passed = self.failed = 0

    def record(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'ok  ' if ok else 'FAIL'}  {name:<44} {detail}", flush=True)


check = Check()
# Everything the clients got from piapi: 101 headers and frames, searched for keys at the end.
client_saw = []
# What the upstreams received: request heads by path.
upstream_saw = []


# ---------------------------------------------------------------- upstreams (websockets servers)

async def echo(ws):
    """Echoes every message; `close-me` makes it close with 4000, `auth?` sends back whether
    the credential arrived (never the credential itself)."""
    try:
        async for message in ws:
            if message == "close-me":
                await ws.close(4000, "asked to")
                return
            await ws.send(message)
    except ConnectionClosed:
        pass


def responses_events(i):
    usage = {"input_tokens": 100 + i, "input_tokens_details": {"cached_tokens": 20},
             "output_tokens": 50 + i, "output_tokens_details": {"reasoning_tokens": 10}, "total_tokens": 150 + 2 * i}
    rid = f"resp_{i}"
    yield {"type": "response.created", "response": {"id": rid, "model": MODEL, "status": "in_progress"}}
    for word in ("Hello", " world", "!" * 3000):
        yield {"type": "response.output_text.delta", "delta": word}
    yield {"type": "response.completed", "response": {"id": rid, "model": MODEL, "status": "completed", "usage": usage}}


async def responses(ws):
    """The Responses WebSocket mode: each `response.create` message is answered with the
    events of one response, the last `response.completed` with its usage."""
    n = 0
    try:
        async for message in ws:
            request = json.loads(message)
            assert request["type"] == "response.create"
            for event in responses_events(n):
                await ws.send(json.dumps(event))
            n += 1
    except ConnectionClosed:
        pass


def recording(status_for_path=None):
    def process_request(connection, request):
        upstream_saw.append((request.path, dict(request.headers.raw_items())))
        if status_for_path:
            for suffix, status in status_for_path.items():
                if request.path.split("?")[0].rstrip("/").endswith(suffix):
                    return connection.respond(http.HTTPStatus(status), f"refused with {status}\n")
        return None
    return process_request


def echo_credential(connection, request, response):
    # An upstream that hands the credential back in its 101 headers: piapi must filter it.
    response.headers["X-Echo-Authorization"] = request.headers.get("Authorization", "")
    return response


async def start_upstreams(tls_context):
    servers = {}
    kw = dict(host="127.0.0.1", port=0, max_size=None, ping_interval=None)
    servers["echo"] = await serve(echo, process_request=recording(), process_response=echo_credential, **kw)
    servers["responses"] = await serve(responses, process_request=recording(), **kw)
    servers["refuse"] = await serve(echo, process_request=recording({"/401": 401, "/404": 404, "/426": 426, "/503": 503}), **kw)
    servers["tls"] = await serve(echo, process_request=recording(), ssl=tls_context, **kw)
    return servers, {name: s.sockets[0].getsockname()[1] for name, s in servers.items()}


# ---------------------------------------------------------------- piapi-serve

def write_config(ports):
    up = f"http://127.0.0.1:{ports['echo']}"
    config = f"""
providers:
  - name: up
    apiKeys: {{ main: "{PROVIDER_KEY}" }}
    services:
      - {{ type: echo, baseUrl: "{up}/v1" }}
      - {{ type: responses, baseUrl: "http://127.0.0.1:{ports['responses']}/v1" }}
      - {{ type: refuse, baseUrl: "http://127.0.0.1:{ports['refuse']}/r" }}
      - {{ type: tls, baseUrl: "https://localhost:{ports['tls']}/v1" }}
      - type: query
        baseUrl: "{up}/q?fixed=1"
        auth: {{ mode: query, name: api_key }}
  - name: bad
    apiKeys: {{ main: "{BAD_KEY}" }}
    services:
      - {{ type: echo, baseUrl: "http://127.0.0.1:{ports['refuse']}/503" }}
users:
  - name: ws-user
    apiKey: "{USER_KEY}"
    services:
      echo: {{ providerName: up, providerKeyName: main }}
      responses: {{ providerName: up, providerKeyName: main }}
      refuse: {{ providerName: up, providerKeyName: main }}
      tls: {{ providerName: up, providerKeyName: main }}
      query: {{ providerName: up, providerKeyName: main }}
  - name: ws-limited
    apiKey: "{LIMITED_KEY}"
    limits: {{ concurrentRequests: 1 }}
    services:
      echo:
        strategy: failover
        candidates:
          - {{ providerName: bad, providerKeyName: main }}
          - {{ providerName: up, providerKeyName: main }}
prices: {{ "{MODEL}": {{ input: 1.25, output: 10, cacheRead: 0.125 }} }}
"""
    path = os.path.join(WORK, "config.yaml")
    with open(path, "w") as f:
        f.write(config)
    subprocess.run([os.path.join(BIN, "piapi-compile"), path, "-o", os.path.join(WORK, "routes.bin")], check=True,
                   capture_output=True)


RUNNING = []
# A check that dies halfway must not leave a gateway behind.
atexit.register(lambda: [p.kill() for p in RUNNING if p.poll() is None])


class Serve:
    def __init__(self, name, *args):
        self.log_path = os.path.join(WORK, f"{name}.log")
        self.ledger = os.path.join(WORK, f"{name}.db")
        self.proc = subprocess.Popen(
            [os.path.join(BIN, "piapi-serve"), os.path.join(WORK, "routes.bin"), "--listen", "127.0.0.1:0",
             "--ledger", f"sqlite:{self.ledger}", "--upstream-ca-file", os.path.join(WORK, "cert.pem"), *args],
            stdout=open(self.log_path, "w"), stderr=open(os.path.join(WORK, f"{name}.err"), "w"))
        RUNNING.append(self.proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            m = re.search(r'"piapi-serve started".*"listen":"[^"]*:(\d+)"', open(self.log_path).read())
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit(f"piapi-serve ({name}) did not start: {open(os.path.join(WORK, name + '.err')).read()[-500:]}")

    def url(self, service, rest="", query=""):
        return f"ws://127.0.0.1:{self.port}/piapi/{service}/{rest}" + (f"?{query}" if query else "")

    def lines(self, message):
        out = []
        for line in open(self.log_path, encoding="utf-8", errors="replace"):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("message") == message:
                out.append(entry)
        return out

    async def session(self, request_id, timeout=10):
        """The session's log line; waits on the event loop, where the upstreams run too."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.lines("websocket") if e.get("request_id") == request_id]
            if found:
                return found[0]
            await asyncio.sleep(0.05)
        return None

    def metrics(self):
        return urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=10).read().decode()

    def metric(self, name, **labels):
        total = 0.0
        for line in self.metrics().splitlines():
            if not line.startswith(name + "{") and not line.startswith(name + " "):
                continue
            if all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def stop(self, timeout=30):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)


def rid():
    return "ws-" + secrets.token_hex(6)


def client(url, request_id=None, headers=None, **kw):
    h = dict(AUTH)
    h.update(headers or {})
    if request_id:
        h["X-Request-ID"] = request_id
    kw.setdefault("compression", None)
    return connect(url, additional_headers=h, max_size=None, ping_interval=None, open_timeout=20, close_timeout=10, **kw)


def saw_101(ws):
    client_saw.append(str(ws.response.headers))


# ---------------------------------------------------------------- cases

async def case_echo_sizes(gw):
    sizes = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20]
    for compression in (None, "deflate"):
        request_id = rid()
        async with client(gw.url("echo", "responses"), request_id, compression=compression) as ws:
            saw_101(ws)
            ok = True
            for n in sizes if compression is None else sizes[:-1]:
                payload = os.urandom(n)
                text = payload.hex()[:n]
                for message in (payload, text):
                    await ws.send(message)
                    back = await ws.recv()
                    client_saw.append(back[:4096] if isinstance(back, str) else back[:4096].hex())
                    a = hashlib.sha256(message if isinstance(message, bytes) else message.encode()).hexdigest()
                    b = hashlib.sha256(back if isinstance(back, bytes) else back.encode()).hexdigest()
                    if a != b or type(back) is not type(message):
                        ok = False
        session = await gw.session(request_id)
        check.record(f"echo 0 B-16 MB text+binary ({compression or 'plain'})", ok and session is not None,
                     f"close_reason={session and session.get('close_reason')}")


async def case_order(gw):
    async with client(gw.url("echo")) as ws:
        saw_101(ws)
        for i in range(1000):
            await ws.send(f"message {i}")
        got = [await ws.recv() for _ in range(1000)]
    check.record("1,000 messages in order", got == [f"message {i}" for i in range(1000)])


async def case_closes(gw):
    request_id = rid()
    async with client(gw.url("echo"), request_id) as ws:
        saw_101(ws)
        await ws.send("x")
        await ws.recv()
    # The context manager did the close handshake from the client's side.
    session = await gw.session(request_id)
    check.record("close handshake from the client", session is not None and session["close_reason"] == "client_closed"
                 and ws.close_code == 1000, f"{session and session.get('close_reason')} code={ws.close_code}")
    request_id = rid()
    async with client(gw.url("echo"), request_id) as ws:
        saw_101(ws)
        await ws.send("close-me")
        try:
            await ws.recv()
            code = None
        except ConnectionClosed as e:
            code = e.rcvd.code if e.rcvd else None
    session = await gw.session(request_id)
    check.record("close handshake from the upstream", code == 4000 and session is not None
                 and session["close_reason"] == "upstream_closed" and session.get("close_code") == 4000,
                 f"client code={code} log={session and (session.get('close_reason'), session.get('close_code'))}")


async def case_refusals(gw):
    for status in (401, 404, 426):
        try:
            async with client(gw.url("refuse", str(status))):
                got, body = 101, ""
        except InvalidStatus as e:
            got, body = e.response.status_code, e.response.body.decode(errors="replace")
            client_saw.append(str(e.response.headers) + body)
        check.record(f"upstream refuses with {status}", got == status and f"refused with {status}" in body, f"client got {got}")


async def case_failover(gw):
    request_id = rid()
    headers = {"Authorization": f"Bearer {LIMITED_KEY}", "X-Request-ID": request_id}
    async with connect(gw.url("echo"), additional_headers=headers, ping_interval=None, compression=None) as ws:
        saw_101(ws)
        await ws.send("after failover")
        back = await ws.recv()
    handshakes = [e for e in gw.lines("request") if e.get("request_id") == request_id]
    attempts = handshakes[0]["attempts"] if handshakes else []
    check.record("failover before 101", back == "after failover" and [a["outcome"] for a in attempts] == ["server_error", "ok"],
                 f"attempts={[(a['provider'], a['outcome']) for a in attempts]}")


async def case_concurrency_slot(gw):
    """An open tunnel holds its user's concurrency slot (limit 1) until it closes."""
    headers = {"Authorization": f"Bearer {LIMITED_KEY}"}
    async with connect(gw.url("echo"), additional_headers=headers, ping_interval=None, compression=None) as ws:
        await ws.send("hold")
        await ws.recv()
        try:
            async with connect(gw.url("echo"), additional_headers=headers, ping_interval=None):
                second = 101
        except InvalidStatus as e:
            second = e.response.status_code
    await asyncio.sleep(0.3)
    async with connect(gw.url("echo"), additional_headers=headers, ping_interval=None, compression=None) as ws:
        third = 101
    check.record("an open tunnel holds the concurrency slot", second == 429 and third == 101, f"second={second} third={third}")


async def case_tls(gw):
    async with client(gw.url("tls", "x")) as ws:
        saw_101(ws)
        await ws.send("over tls")
        back = await ws.recv()
    check.record("TLS upstream", back == "over tls")


async def case_headers_and_query(gw):
    async with client(gw.url("query", "a", "api_key=client-sent&x=1"), headers={"OpenAI-Beta": "responses_websockets=2026-02-06"},
                      compression="deflate") as ws:
        saw_101(ws)
        await ws.send("q")
        await ws.recv()
    path, headers = next(((p, h) for p, h in reversed(upstream_saw) if p.startswith("/q")), ("", {}))
    lower = {k.lower(): v for k, v in headers.items()}
    ok = (f"api_key={PROVIDER_KEY}" in path and "client-sent" not in path and "fixed=1" in path and "x=1" in path
          and lower.get("openai-beta") == "responses_websockets=2026-02-06" and "sec-websocket-key" in lower
          and "permessage-deflate" in lower.get("sec-websocket-extensions", "") and "authorization" not in lower)
    check.record("handshake upstream: query key, Sec-WebSocket-*, OpenAI-Beta", ok)
    path, headers = next(((p, h) for p, h in reversed(upstream_saw) if p.startswith("/v1/responses")), ("", {}))
    lower = {k.lower(): v for k, v in headers.items()}
    check.record("handshake upstream: header key injected", lower.get("authorization") == f"Bearer {PROVIDER_KEY}"
                 and lower.get("upgrade", "").lower() == "websocket")


async def case_usage(gw):
    results = []
    for compression in ("deflate", None):
        request_id = rid()
        async with client(gw.url("responses", "responses"), request_id, compression=compression) as ws:
            saw_101(ws)
            negotiated = "permessage-deflate" in ws.response.headers.get("Sec-WebSocket-Extensions", "")
            for i in range(3):
                await ws.send(json.dumps({"type": "response.create", "model": MODEL, "input": "hi"}))
                while True:
                    event = json.loads(await ws.recv())
                    if event["type"] == "response.completed":
                        break
        session = await gw.session(request_id)
        want_in = sum(100 + i - 20 for i in range(3))
        want_out = sum(50 + i for i in range(3))
        ok = (session is not None and session.get("responses") == 3 and session.get("input_tokens") == want_in
              and session.get("output_tokens") == want_out and session.get("cache_read_tokens") == 60
              and session.get("reasoning_tokens") == 30 and session.get("model") == MODEL and "cost_usd" in session
              and negotiated == (compression is not None))
        check.record(f"usage read from the tunnel ({'permessage-deflate' if compression else 'plain'})", ok,
                     f"in={session and session.get('input_tokens')} out={session and session.get('output_tokens')} "
                     f"responses={session and session.get('responses')}")
        results.append(request_id)
    tokens = gw.metric("piapi_tokens_total", service_type="responses", kind="output")
    check.record("usage in /metrics (piapi_tokens_total)", tokens == 2 * sum(50 + i for i in range(3)), f"output={tokens}")
    return results


async def case_metrics(gw):
    metrics = gw.metrics()
    ok = all(name in metrics for name in ("piapi_websocket_sessions{", "piapi_websocket_sessions_total{",
                                          "piapi_websocket_bytes_total{"))
    open_now = gw.metric("piapi_websocket_sessions", service_type="echo")
    up = gw.metric("piapi_websocket_bytes_total", service_type="echo", direction="client_to_upstream")
    down = gw.metric("piapi_websocket_bytes_total", service_type="echo", direction="upstream_to_client")
    check.record("§11 metrics", ok and open_now == 0 and up > 32 << 20 and down > 32 << 20,
                 f"open={open_now} up={int(up)} down={int(down)}")


async def case_concurrent(gw, n=500):
    async def one(i):
        async with client(gw.url("echo")) as ws:
            await ws.send(f"tunnel {i}")
            back = await ws.recv()
            await asyncio.sleep(0.5)
            return back == f"tunnel {i}"
    results = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    good = sum(1 for r in results if r is True)
    await asyncio.sleep(0.5)
    open_now = gw.metric("piapi_websocket_sessions", service_type="echo")
    check.record(f"{n} concurrent tunnels", good == n and open_now == 0, f"{good}/{n} echoed, open after={open_now}")


async def case_client_vanishes(gw):
    """A client that sends half a frame and disconnects: the tunnel ends cleanly, the upstream
    connection is closed, and the gateway serves on."""
    # asyncio streams: the upstreams run on this same event loop.
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
    request_id = rid()
    writer.write((f"GET /piapi/echo/raw HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {USER_KEY}\r\n"
                  f"X-Request-ID: {request_id}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
    client_saw.append(head.decode(errors="replace"))
    # A masked binary frame announcing 1 MiB, of which 1,000 bytes are sent.
    writer.write(bytes([0x82, 0xFF]) + (1 << 20).to_bytes(8, "big") + b"\x01\x02\x03\x04" + os.urandom(1000))
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.transport.abort()
    session = await gw.session(request_id)
    async with client(gw.url("echo")) as ws:
        await ws.send("still serving")
        back = await ws.recv()
    check.record("client disconnects mid-message", head.startswith(b"HTTP/1.1 101") and session is not None
                 and session["close_reason"] == "client_closed" and back == "still serving",
                 f"log={session and session.get('close_reason')}")


async def case_idle_and_drain():
    gw = Serve("short", "--idle-timeout", "1", "--drain-timeout", "2")
    request_id = rid()
    async with client(gw.url("echo"), request_id) as ws:
        await ws.send("a")
        await ws.recv()
        started = time.monotonic()
        try:
            await asyncio.wait_for(ws.recv(), 10)
            closed_after = None
        except (ConnectionClosed, asyncio.TimeoutError):
            closed_after = time.monotonic() - started
    session = await gw.session(request_id)
    check.record("idle timeout closes a silent tunnel", closed_after is not None and 0.8 < closed_after < 5
                 and session is not None and session["close_reason"] == "idle_timeout",
                 f"closed after {closed_after and round(closed_after, 2)} s, log={session and session.get('close_reason')}")

    # SIGTERM with open tunnels: they keep working through the drain, then are closed.
    tunnels = [await client(gw.url("echo"), compression=None) for _ in range(3)]
    # keep them from idling out during the drain: idle 1 s < drain 2 s, so chat every 0.3 s
    gw.proc.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    worked = True
    closed_at = []

    async def chat(ws):
        nonlocal worked
        try:
            for i in range(100):
                await ws.send(f"during drain {i}")
                if await ws.recv() != f"during drain {i}":
                    worked = False
                await asyncio.sleep(0.3)
        except ConnectionClosed:
            closed_at.append(time.monotonic() - signalled)
    await asyncio.gather(*(chat(ws) for ws in tunnels))
    code = gw.proc.wait(15)
    reasons = [e["close_reason"] for e in gw.lines("websocket")][-3:]
    check.record("SIGTERM: tunnels drain, then close", worked and len(closed_at) == 3 and all(1.5 < t < 6 for t in closed_at)
                 and code == 0 and reasons == ["drain"] * 3,
                 f"closed after {[round(t, 1) for t in closed_at]} s, exit {code}, reasons={reasons}")


def case_ledger(gw, usage_ids):
    code = gw.stop()
    rows = sqlite3.connect(gw.ledger).execute(
        "SELECT request_id, status, input_tokens, output_tokens, cache_read_tokens, model FROM requests").fetchall()
    per_response = [r for r in rows if any(r[0].startswith(i + ".") for i in usage_ids)]
    handshakes = [r for r in rows if r[0] in usage_ids]
    ok = (code == 0 and len(per_response) == 6 and all(r[5] == MODEL for r in per_response)
          and sum(r[3] for r in per_response) == 2 * sum(50 + i for i in range(3)) and [r[1] for r in handshakes] == [101, 101])
    check.record("a ledger row per completed response", ok, f"{len(per_response)} rows, handshakes {[r[1] for r in handshakes]}")


def case_no_secret(gw):
    leaked = [s for s in SECRETS if any(s in str(seen) for seen in client_saw)]
    logs = open(gw.log_path).read() + open(os.path.join(WORK, "main.err")).read()
    check.record("no key in any 101, answer or frame a client got", not leaked and len(client_saw) > 10, f"{len(client_saw)} items")
    check.record("no key in piapi-serve's output", not any(s in logs for s in SECRETS))


async def main():
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", os.path.join(WORK, "key.pem"),
                    "-out", os.path.join(WORK, "cert.pem"), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(os.path.join(WORK, "cert.pem"), os.path.join(WORK, "key.pem"))
    servers, ports = await start_upstreams(tls)
    write_config(ports)
    gw = Serve("main")
    for case in (case_echo_sizes, case_order, case_closes, case_refusals, case_failover, case_concurrency_slot,
                 case_tls, case_headers_and_query, case_client_vanishes):
        try:
            await case(gw)
        except Exception as e:  # one broken case must not hide the others
            check.record(case.__name__, False, f"{type(e).__name__}: {e}"[:300])
    usage_ids = []
    try:
        usage_ids = await case_usage(gw)
    except Exception as e:
        check.record("case_usage", False, f"{type(e).__name__}: {e}"[:300])
    for case in (case_metrics, case_concurrent):
        try:
            await case(gw)
        except Exception as e:
            check.record(case.__name__, False, f"{type(e).__name__}: {e}"[:300])
    try:
        await case_idle_and_drain()
    except Exception as e:
        check.record("case_idle_and_drain", False, f"{type(e).__name__}: {e}"[:300])
    case_no_secret(gw)
    case_ledger(gw, usage_ids)
    for s in servers.values():
        s.close()
    print(f"{check.passed} passed, {check.failed} failed")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
