"""Figures for bench/websocket.sh: echo round-trip latency through piapi vs direct at 1 and
100 concurrent tunnels, bytes/s through one tunnel vs direct, and piapi-serve's RSS per open
idle tunnel. Not a test: it prints what it measures.

    python websocket_probe.py ECHO_PORT GATEWAY_PORT SERVE_PID USER_KEY
"""

import asyncio
import os
import statistics
import sys
import time

from websockets.asyncio.client import connect

ECHO, GW, PID, KEY = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
HEADERS = {"Authorization": f"Bearer {KEY}"}


def url(through):
    return f"ws://127.0.0.1:{GW}/piapi/echo/x" if through else f"ws://127.0.0.1:{ECHO}/x"


def open_tunnel(through):
    return connect(url(through), additional_headers=HEADERS, max_size=None, ping_interval=None, compression=None,
                   open_timeout=60)


async def latency(through, tunnels, rounds):
    samples = []

    async def one():
        async with open_tunnel(through) as ws:
            for _ in range(20):
                await ws.send(b"w" * 64)
                await ws.recv()
            for _ in range(rounds):
                t = time.perf_counter()
                await ws.send(b"x" * 64)
                await ws.recv()
                samples.append(time.perf_counter() - t)
    await asyncio.gather(*(one() for _ in range(tunnels)))
    samples.sort()
    return samples[len(samples) // 2] * 1e6, samples[int(len(samples) * 0.99)] * 1e6


async def throughput(through, seconds=5, size=1 << 20, window=8):
    payload = os.urandom(size)
    async with open_tunnel(through) as ws:
        received = 0
        end = time.perf_counter() + seconds
        start = time.perf_counter()
        for _ in range(window):
            await ws.send(payload)
        while time.perf_counter() < end:
            received += len(await ws.recv())
            await ws.send(payload)
        elapsed = time.perf_counter() - start
        for _ in range(window):
            await ws.recv()
    return received / elapsed


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def idle_memory(count=1000):
    # Warm the gateway's allocator and pools with one batch first, then measure a second one.
    warm = [await open_tunnel(True) for _ in range(100)]
    for ws in warm:
        await ws.close()
    await asyncio.sleep(1)
    before = rss_kib(PID)
    tunnels = []
    for i in range(0, count, 50):
        tunnels += await asyncio.gather(*(open_tunnel(True) for _ in range(50)))
    await asyncio.sleep(2)
    after = rss_kib(PID)
    for ws in tunnels:
        await ws.close()
    return (after - before) * 1024 / count, before, after


async def main():
    for tunnels, rounds in ((1, 2000), (100, 100)):
        for through in (False, True):
            p50, p99 = await latency(through, tunnels, rounds)
            print(f"latency {tunnels:>3} tunnel(s) {'piapi ' if through else 'direct'}  p50 {p50:8.1f} µs  p99 {p99:8.1f} µs",
                  flush=True)
    for through in (False, True):
        rate = await throughput(through)
        print(f"throughput one tunnel {'piapi ' if through else 'direct'}  {rate / 1e6:8.1f} MB/s", flush=True)
    per, before, after = await idle_memory()
    print(f"idle tunnels: RSS {before} KiB -> {after} KiB for 1,000 tunnels: {per / 1024:.1f} KiB per tunnel", flush=True)


asyncio.run(main())
