#!/usr/bin/env python3
"""Load driver for bench/soak.sh (asyncio, stdlib only).

Several workers per user send a steady mix through the gateway on keep-alive connections:
plain requests, SSE streams read to the end, SSE streams the client drops mid-stream, and
requests the upstream answers with a reset, 429 or 500. Each request's outcome is checked
against what that request should produce; anything else is counted as an error not caused
by the upstream. Prints one JSON object of counts at the end.

Usage: soak_load.py --port P --keys K1,K2,K3 --seconds S [--workers-per-user 2]
"""
import argparse
import asyncio
import json
import random
import time
from collections import Counter

# (kind, path, weight)
MIX = [
    ("plain", "plain", 45),
    ("sse", "sse?n=8&ms=15", 20),
    ("abort", "sse?n=40&ms=25", 10),
    ("reset", "reset?ms=10", 10),
    ("429", "status429", 8),
    ("500", "status500", 7),
]


class Conn:
    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def open(self):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def drop(self):
        if self.writer is not None:
            self.writer.transport.abort()
        self.reader = self.writer = None


async def read_head(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            n, v = line.split(b":", 1)
            headers[n.strip().lower()] = v.strip()
    return status, headers


async def read_body(reader, headers, stop_after=None):
    """Reads the body; returns (bytes, complete). stop_after: stop after that many bytes."""
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return body, True
            body += (await reader.readexactly(size + 2))[:-2]
            if stop_after is not None and len(body) >= stop_after:
                return body, False
    length = int(headers.get(b"content-length", b"0"))
    return await reader.readexactly(length), True


async def one(conn, key, kind, path, stats):
    await conn.open()
    req = (f"POST /piapi/soak/v1/{path} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {key}\r\n"
           f"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}").encode()
    conn.writer.write(req)
    await conn.writer.drain()
    status, headers = await read_head(conn.reader)
    close = headers.get(b"connection", b"").lower() == b"close"
    outcome = f"{kind}:{status}"
    if kind == "abort" and status == 200:
        await read_body(conn.reader, headers, stop_after=100)
        conn.drop()
        stats["outcome"][outcome + ":aborted"] += 1
        return
    try:
        body, complete = await read_body(conn.reader, headers)
    except (asyncio.IncompleteReadError, ConnectionError):
        conn.drop()
        stats["outcome"][outcome + ":truncated"] += 1
        if kind != "reset":
            stats["unexpected"][outcome + ":truncated"] += 1
        return
    stats["outcome"][outcome] += 1
    expected = {"plain": 200, "sse": 200, "429": 429, "500": 500}.get(kind)
    if kind == "reset":
        # The reset comes after the head: the gateway can only cut the stream short.
        if status != 200 or b"[DONE]" in body:
            stats["unexpected"][outcome] += 1
    elif status != expected or (kind == "sse" and b"[DONE]" not in body):
        stats["unexpected"][outcome] += 1
    if close:
        conn.drop()


async def worker(port, key, deadline, stats, rng):
    conn = Conn(port)
    kinds = [m for m in MIX]
    weights = [m[2] for m in MIX]
    while time.monotonic() < deadline:
        kind, path, _ = rng.choices(kinds, weights)[0]
        try:
            await asyncio.wait_for(one(conn, key, kind, path, stats), 30)
        except Exception as e:  # noqa: BLE001 - every failure is counted, by type
            conn.drop()
            stats["outcome"][f"{kind}:error:{type(e).__name__}"] += 1
            if kind != "reset":
                stats["unexpected"][f"{kind}:error:{type(e).__name__}"] += 1
        await asyncio.sleep(rng.uniform(0.005, 0.02))
    conn.drop()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--keys", required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--workers-per-user", type=int, default=2)
    a = p.parse_args()
    stats = {"outcome": Counter(), "unexpected": Counter()}
    deadline = time.monotonic() + a.seconds
    rng = random.Random(5)
    tasks = [worker(a.port, key, deadline, stats, random.Random(rng.random()))
             for key in a.keys.split(",") for _ in range(a.workers_per_user)]
    await asyncio.gather(*tasks)
    print(json.dumps({"requests": sum(stats["outcome"].values()),
                      "outcome": dict(sorted(stats["outcome"].items())),
                      "unexpected": dict(sorted(stats["unexpected"].items()))}))


if __name__ == "__main__":
    asyncio.run(main())
