#!/usr/bin/env python3
"""Send one SSE request and report how its events arrived, as one line of key=value.

A streaming proxy delivers the first event after about one event interval and keeps the
gaps between events; a buffering one delivers everything at the end in a few reads.

Usage: sse_probe.py URL [-H 'Name: value']...
"""
import http.client
import sys
import time
from urllib.parse import urlsplit


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    url, headers = args[0], {"Accept": "text/event-stream", "Content-Type": "application/json"}
    rest = args[1:]
    while rest:
        if rest[0] != "-H" or len(rest) < 2:
            print("sse_probe: expected -H 'Name: value'", file=sys.stderr)
            return 2
        name, value = rest[1].split(":", 1)
        headers[name.strip()] = value.strip()
        rest = rest[2:]

    u = urlsplit(url)
    start = time.perf_counter()
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("POST", u.path + ("?" + u.query if u.query else ""), body=b'{"stream":true}', headers=headers)
    resp = conn.getresponse()
    if resp.status != 200:
        print(f"sse_probe: HTTP {resp.status}", file=sys.stderr)
        return 1
    arrivals, buf, reads = [], b"", 0
    while True:
        data = resp.read1(65536)
        if not data:
            break
        now = time.perf_counter() - start
        buf += data.replace(b"\r\n", b"\n")
        *events, buf = buf.split(b"\n\n")
        got = [e for e in events if e.startswith(b"data:") and b"[DONE]" not in e]
        arrivals += [now] * len(got)
        reads += bool(got)
    total = time.perf_counter() - start
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    ms = lambda s: f"{s * 1000:.2f}"
    print(f"events={len(arrivals)} reads_with_events={reads} first_event_ms={ms(arrivals[0]) if arrivals else 'none'} "
          f"max_gap_ms={ms(max(gaps)) if gaps else 'none'} mean_gap_ms={ms(sum(gaps) / len(gaps)) if gaps else 'none'} "
          f"total_ms={ms(total)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
