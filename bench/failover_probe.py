#!/usr/bin/env python3
"""Sequential requests over one keep-alive connection, alternating three kinds per round:
a single-candidate route, a route whose dead first candidate is tried (one failover), and the
same route again while that candidate cools down. Prints latency percentiles per kind and
what the failover adds over the single route."""
import http.client
import statistics
import sys
import time

port, n = int(sys.argv[1]), int(sys.argv[2])
connection = http.client.HTTPConnection("127.0.0.1", port)


def timed(key):
    start = time.perf_counter()
    connection.request("GET", "/piapi/codex/chat", headers={"Authorization": f"Bearer {key}"})
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        sys.exit(f"failover_probe: {key} got status {response.status}")
    return elapsed


for i in range(50):  # warm-up on the single route (connections, caches)
    timed(f"single-key-{i}")
kinds = {"single": [], "failover": [], "cooling": []}
for i in range(n):
    kinds["single"].append(timed(f"single-key-{i}"))
    kinds["failover"].append(timed(f"fail-key-{i}"))
    kinds["cooling"].append(timed(f"fail-key-{i}"))


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


print(f"{'route':<34} {'p50_ms':>8} {'p90_ms':>8} {'p99_ms':>8}")
labels = {"single": "single candidate", "failover": "failover (first refuses)",
          "cooling": "failover route, first cooling"}
for kind, values in kinds.items():
    print(f"{labels[kind]:<34} {pct(values, 50):8.3f} {pct(values, 90):8.3f} {pct(values, 99):8.3f}")
added = [f - s for f, s in zip(kinds["failover"], kinds["single"])]
skipped = [c - s for c, s in zip(kinds["cooling"], kinds["single"])]
print(f"added by one failover (median of paired differences): {statistics.median(added):+.3f} ms")
print(f"added while the dead candidate is skipped:             {statistics.median(skipped):+.3f} ms")
