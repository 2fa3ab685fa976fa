#!/usr/bin/env python3
"""Where a yastack process spends its CPU during one load run.

  profile_report.py threads PID...
      prints a JSON snapshot of every thread's CPU ticks (user, system) from /proc
  profile_report.py report --system S --samples FILE --before A.json --after B.json
                           --requests N --seconds T --clk-tck HZ [--window FROM TO]
      prints a Markdown section: process CPU split user/kernel per request, the
      busiest threads, and JFR CPU-time samples (text of `jfr print --events
      jdk.CPUTimeSample`) grouped by the part of the system they were in, plus
      the hottest methods.

Standard library only (the bench harness runs it with the system python3).
"""
import argparse
import json
import os
import re
import sys
import time
from collections import Counter

# A sample belongs to the first frame, from the top of the stack, that one of
# these prefixes claims; JDK frames above it (ByteBuffer.get, a method handle
# of an FFM downcall, ...) count for the code that called them.
CATEGORIES = [
    ("yastack.kernel.io.dpdk.", "DPDK burst calls (FFM; af_packet ring, sendto kick)"),
    ("yastack.kernel.io.tap.", "TAP read/write"),
    ("io.netty.channel.epoll.Native", "epoll_wait and socket syscalls (host sockets)"),
    ("io.netty.channel.unix.", "epoll_wait and socket syscalls (host sockets)"),
    ("io.netty.channel.epoll.", "Netty epoll transport"),
    ("yastack.stack.", "userspace TCP/IP (yastack.stack)"),
    ("yastack.kernel.transport.", "userspace Netty channels (yastack.kernel.transport)"),
    ("yastack.kernel.dataplane.", "data plane: pollers, rings, flow table"),
    ("yastack.kernel.io.", "packet I/O: frames, batches"),
    ("io.netty.handler.codec.http", "HTTP/1.1 codec (Netty)"),
    ("yastack.kernel.proxy.", "proxy: routing, upstream pools, filters, stats"),
    ("yastack.kernel.route.", "proxy: routing, upstream pools, filters, stats"),
    ("yastack.kernel.cluster.", "proxy: routing, upstream pools, filters, stats"),
    ("yastack.kernel.stats.", "proxy: routing, upstream pools, filters, stats"),
    ("yastack.kernel.plugin.", "proxy: routing, upstream pools, filters, stats"),
    ("yastack.kernel.loop.", "worker loop and idle strategy"),
    ("io.netty.buffer.", "Netty buffers"),
    ("io.netty.", "Netty pipeline and event loop"),
    ("yastack.", "other yastack"),
    ("jdk.internal.misc.Unsafe.park", "parked (idle)"),
]
JDK = ("java.", "jdk.", "sun.", "javax.", "com.sun.")


def threads(pids):
    out = {}
    for pid in pids:
        task = f"/proc/{pid}/task"
        try:
            tids = os.listdir(task)
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"{task}/{tid}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            out[tid] = {"name": name, "user": int(fields[11]), "sys": int(fields[12])}
    json.dump(out, sys.stdout)


def parse_samples(path):
    """Yields (epoch seconds, thread, period_ms, frames top first) per jdk.CPUTimeSample."""
    when, thread, period, frames, in_stack = 0.0, None, 0.0, [], False
    with open(path) as f:
        for line in f:
            s = line.strip()
            if s.startswith("jdk.CPUTimeSample {"):
                when, thread, period, frames, in_stack = 0.0, None, 0.0, [], False
            elif s.startswith("startTime ="):
                # "startTime = 10:45:14.610 (2026-11-26)", in this machine's local time
                m = re.match(r"startTime = (\d+:\d+:\d+)\.(\d+) \((\d+-\d+-\d+)\)", s)
                if m:
                    t = time.mktime(time.strptime(m.group(3) + " " + m.group(1), "%Y-%m-%d %H:%M:%S"))
                    when = t + float("0." + m.group(2))
            elif s.startswith("samplingPeriod ="):
                m = re.match(r"samplingPeriod = ([\d.]+) (ms|us|s|ns)", s)
                if m:
                    scale = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[m.group(2)]
                    period = float(m.group(1)) * scale
            elif s.startswith("eventThread ="):
                m = re.match(r'eventThread = "([^"]*)"', s)
                thread = m.group(1) if m else "?"
            elif s == "stackTrace = [":
                in_stack = True
            elif in_stack and s == "]":
                in_stack = False
            elif in_stack and s != "...":
                frames.append(s.split("(")[0])
            elif s == "}":
                yield when, thread or "?", period or 1.0, frames


def category(frames):
    for fr in frames:
        for prefix, name in CATEGORIES:
            if fr.startswith(prefix):
                return name
        if not fr.startswith(JDK):
            return "other"
    return "JDK only (no yastack or Netty frame)"


def thread_group(name):
    # Thread names end in a per-instance number; group them by what they are.
    return re.sub(r"[-#]?\d+$", "", name) or name


def report(a):
    before, after = json.load(open(a.before)), json.load(open(a.after))
    hz = a.clk_tck
    per_thread = []
    user = system = 0
    for tid, t1 in after.items():
        t0 = before.get(tid, {"user": 0, "sys": 0})
        du, ds = t1["user"] - t0["user"], t1["sys"] - t0["sys"]
        user += du
        system += ds
        if du + ds:
            per_thread.append((t1["name"], du, ds))
    total = user + system
    lines = [f"## {a.system}", ""]
    reqs = a.requests
    lines.append(f"Profiled run: {reqs:,} requests in {a.seconds} s "
                 f"({reqs / a.seconds:,.0f} req/s with the sampler on).")
    lines.append("")
    if total:
        per_req = (lambda ticks: f"{ticks / hz * 1e6 / reqs:.1f} µs" if reqs else "n/a")
        lines.append(f"Process CPU (all threads, /proc): {total / hz:.2f} s, of which user {user / hz:.2f} s and "
                     f"kernel {system / hz:.2f} s ({100 * system / total:.0f}% in the kernel); per request "
                     f"{per_req(total)} = {per_req(user)} user + {per_req(system)} kernel.")
        lines += ["", "| thread | user s | kernel s | share of process CPU |", "|---|---:|---:|---:|"]
        for name, du, ds in sorted(per_thread, key=lambda t: -(t[1] + t[2]))[:8]:
            lines.append(f"| {name} | {du / hz:.2f} | {ds / hz:.2f} | {100 * (du + ds) / total:.1f}% |")
        lines.append("")

    by_cat, by_method, by_thread = Counter(), Counter(), Counter()
    weight = 0.0
    lo, hi = a.window
    for when, thread, period, frames in parse_samples(a.samples):
        if not frames or not lo <= when <= hi:
            continue
        weight += period
        by_cat[category(frames)] += period
        by_method[frames[0]] += period
        by_thread[thread_group(thread)] += period
    if not weight:
        lines += ["No CPU-time samples were recorded.", ""]
        print("\n".join(lines))
        return
    lines.append(f"JFR CPU-time samples (Java threads, weighted by sampling period; {weight / 1000:.1f} s of "
                 "CPU sampled), by the part of the system the sample was in (the first yastack or Netty "
                 "frame from the top of the stack; time inside a system call counts for its caller):")
    lines += ["", "| part | share |", "|---|---:|"]
    for name, w in by_cat.most_common():
        if w / weight >= 0.005:
            lines.append(f"| {name} | {100 * w / weight:.1f}% |")
    lines += ["", "Hottest methods (top frame):", "", "| method | share |", "|---|---:|"]
    for name, w in by_method.most_common(15):
        lines.append(f"| `{name}` | {100 * w / weight:.1f}% |")
    lines += ["", "Sampled threads: " + ", ".join(f"{n} {100 * w / weight:.0f}%" for n, w in by_thread.most_common(5)), ""]
    print("\n".join(lines))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("threads")
    t.add_argument("pids", type=int, nargs="+")
    r = sub.add_parser("report")
    r.add_argument("--system", required=True)
    r.add_argument("--samples", required=True)
    r.add_argument("--before", required=True)
    r.add_argument("--after", required=True)
    r.add_argument("--requests", type=int, default=0)
    r.add_argument("--seconds", type=float, required=True)
    r.add_argument("--clk-tck", type=int, default=100)
    r.add_argument("--window", type=float, nargs=2, default=[0, float("inf")], metavar=("FROM", "TO"),
                   help="only samples taken between these epoch times (the measured run)")
    a = p.parse_args()
    if a.cmd == "threads":
        threads(a.pids)
    else:
        report(a)


if __name__ == "__main__":
    main()
