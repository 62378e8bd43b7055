#!/usr/bin/env python3
"""Upstream stub for bench/soak.sh and bench/streams.sh (asyncio, stdlib only).

Answers by the last path segment, whatever comes before it:
  .../plain          200 with a small JSON body
  .../sse?n=N&ms=M   200 text/event-stream, N events M ms apart (chunked), then [DONE]
  .../reset          200 SSE, two events, then the connection is reset mid-stream
  .../status429      429 with a JSON body
  .../status500      500 with a JSON body
Anything else is 404. Every request must carry `Authorization: Bearer <key>` with the key
given by --key, or it gets 401 (so a lost or wrong credential shows up as an error).

Usage: soak_upstream.py --port P --key K
"""
import argparse
import asyncio
import socket
import struct
from urllib.parse import parse_qs, urlsplit

BODY = b'{"id":"soak","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"}}]}'


def response(status, reason, body, ctype=b"application/json"):
    return (b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
            % (status, reason, ctype, len(body))) + body


def chunk(data):
    return b"%x\r\n%s\r\n" % (len(data), data)


async def handle(reader, writer, key):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            method, target, _ = lines[0].split(b" ", 2)
            headers = {}
            for line in lines[1:]:
                if b":" in line:
                    name, value = line.split(b":", 1)
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0"))
            if length:
                await reader.readexactly(length)
            url = urlsplit(target.decode("latin-1"))
            last = url.path.rsplit("/", 1)[-1]
            if headers.get(b"authorization") != b"Bearer " + key:
                writer.write(response(401, b"Unauthorized", b'{"error":"bad upstream key"}'))
            elif last == "plain":
                writer.write(response(200, b"OK", BODY))
            elif last in ("sse", "reset"):
                q = parse_qs(url.query)
                n = int(q.get("n", ["5"])[0]) if last == "sse" else 2
                ms = int(q.get("ms", ["20"])[0])
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n")
                for i in range(n):
                    writer.write(chunk(b'data: {"delta":"token %d"}\n\n' % i))
                    await writer.drain()
                    await asyncio.sleep(ms / 1000)
                if last == "reset":
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    writer.transport.abort()
                    return
                writer.write(chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n")
            elif last == "status429":
                writer.write(response(429, b"Too Many Requests", b'{"error":"slow down"}'))
            elif last == "status500":
                writer.write(response(500, b"Internal Server Error", b'{"error":"upstream broke"}'))
            else:
                writer.write(response(404, b"Not Found", b'{"error":"no such stub path"}'))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    a = p.parse_args()
    key = a.key.encode()
    server = await asyncio.start_server(lambda r, w: handle(r, w, key), "127.0.0.1", a.port, backlog=4096)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
