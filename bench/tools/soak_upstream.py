#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 upstream for bench/soak.sh.

  soak_upstream.py --port P --mode ok|slow|garbage [--delay-ms N]

ok: answers every request with 200 and a 100-byte body, keep-alive.
slow: the same after --delay-ms (default 200).
garbage: answers every request with bytes that are not HTTP and closes.
It counts the requests it answered and prints the count on SIGTERM, so the
soak can tell the faults it caused from requests the proxy lost.
"""
import argparse
import asyncio
import signal

BODY = b"a" * 100
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\n" + BODY
GARBAGE = b"HTTX/9.9 what\r\n\x00\x01 not a response\r\n\r\n"


async def serve(reader, writer, mode, delay):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip() or 0)
            if length:
                await reader.readexactly(length)
            if mode == "garbage":
                writer.write(GARBAGE)
                await writer.drain()
                break
            if mode == "slow":
                await asyncio.sleep(delay)
            writer.write(OK)
            await writer.drain()
            if b"connection: close" in head.lower():
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", choices=["ok", "slow", "garbage"], required=True)
    p.add_argument("--delay-ms", type=int, default=200)
    a = p.parse_args()
    server = await asyncio.start_server(lambda r, w: serve(r, w, a.mode, a.delay_ms / 1000),
                                        "127.0.0.1", a.port, backlog=1024, reuse_address=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
