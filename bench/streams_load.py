#!/usr/bin/env python3
"""Client side of bench/streams.sh (asyncio, stdlib only): opens N SSE streams through the
gateway at once and reads each to its end. Prints one JSON object: how many streams got their
head, how many ended with [DONE], and failures by type. Writes "open" to --ready-file once
every stream has its response head.

Usage: streams_load.py --port P --key K --streams N --events E --ms M --ready-file F
"""
import argparse
import asyncio
import json
from collections import Counter


async def stream(port, key, path, started, total, ready_file, stats):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write((f"GET /piapi/streams/v1/{path} HTTP/1.1\r\nHost: gateway\r\n"
                      f"Authorization: Bearer {key}\r\nAccept: text/event-stream\r\n\r\n").encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n")[0]:
            stats["failed:" + head.split(b"\r\n")[0].decode(errors="replace")] += 1
            writer.close()
            return
        started.append(1)
        if len(started) == total:
            open(ready_file, "w").write("open\n")
        body = await reader.read(-1) if b"chunked" not in head.lower() else await read_chunked(reader)
        stats["done" if b"[DONE]" in body else "truncated"] += 1
        writer.close()
    except Exception as e:  # noqa: BLE001 - counted by type
        stats["failed:" + type(e).__name__] += 1


async def read_chunked(reader):
    body = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return body
        body += (await reader.readexactly(size + 2))[:-2]


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--streams", type=int, required=True)
    p.add_argument("--events", type=int, required=True)
    p.add_argument("--ms", type=int, required=True)
    p.add_argument("--ready-file", required=True)
    a = p.parse_args()
    stats, started = Counter(), []
    path = f"sse?n={a.events}&ms={a.ms}"
    tasks = []
    for _ in range(a.streams):
        tasks.append(asyncio.create_task(stream(a.port, a.key, path, started, a.streams, a.ready_file, stats)))
        await asyncio.sleep(0.002)
    await asyncio.gather(*tasks)
    print(json.dumps({"streams": a.streams, "opened": len(started), "outcome": dict(stats)}))


if __name__ == "__main__":
    asyncio.run(main())
