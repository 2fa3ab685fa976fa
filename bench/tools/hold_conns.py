#!/usr/bin/env python3
"""Opens COUNT keep-alive HTTP/1.1 connections to a proxy, makes one request on
each (so every connection is a real, idle keep-alive connection the proxy has
parsed a request on), then holds them all open so the harness can read the
proxy's memory. Bounded: connecting stops at --connect-timeout seconds, holding
at --hold seconds or when the harness sends SIGTERM.

Prints one JSON line to stdout once everything is held:
  {"held": N, "failed": M, "connect_seconds": S}
and also writes it to --ready-file, which the harness polls for.
"""
import argparse
import asyncio
import json
import os
import resource
import signal
import sys
import time


async def open_one(host, port, path, sem, timeout):
    async with sem:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
            status = head.split(b" ", 2)[1]
            if status != b"200":
                raise OSError(f"status {status.decode(errors='replace')}")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await asyncio.wait_for(reader.readexactly(length), timeout)
        except BaseException:
            writer.close()
            raise
        return writer


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/100b")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--concurrency", type=int, default=256)
    ap.add_argument("--connect-timeout", type=float, default=60.0)
    ap.add_argument("--hold", type=float, default=60.0)
    ap.add_argument("--ready-file", required=True)
    args = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.count + 64 > hard:
        print(f"hold_conns: fd limit {hard} too low for {args.count} connections", file=sys.stderr)
        return 2

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)

    sem = asyncio.Semaphore(args.concurrency)
    started = time.monotonic()
    tasks = [asyncio.create_task(open_one(args.host, args.port, args.path, sem, 10.0))
             for _ in range(args.count)]
    done, pending = await asyncio.wait(tasks, timeout=args.connect_timeout)
    for t in pending:
        t.cancel()
    writers, errors = [], {}
    for t in done:
        if t.exception() is None:
            writers.append(t.result())
        else:
            key = type(t.exception()).__name__ + ": " + str(t.exception())[:80]
            errors[key] = errors.get(key, 0) + 1
    report = {"held": len(writers), "failed": args.count - len(writers),
              "connect_seconds": round(time.monotonic() - started, 3),
              "errors": dict(sorted(errors.items(), key=lambda kv: -kv[1])[:5])}
    line = json.dumps(report)
    print(line, flush=True)
    # Written then renamed, so the harness never reads half a line.
    with open(args.ready_file + ".tmp", "w") as f:
        f.write(line + "\n")
    os.replace(args.ready_file + ".tmp", args.ready_file)

    try:
        await asyncio.wait_for(stop.wait(), args.hold)
    except asyncio.TimeoutError:
        pass
    for w in writers:
        w.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
