#!/usr/bin/env python3
"""Judges a bench/soak.sh run from its samples.csv.

  soak_verdict.py samples.csv verdict.txt soak.gp

Growth: after the first fifth of the run (warm-up), the median of the last
third of the samples of each resource is compared with the median of the
first third; more than the allowance below means it grows without bound
(a leak of memory, descriptors or threads, or latency creeping up). Heap
after GC, direct memory, descriptors and threads also fail when every late
sample lies above every early one (a slow leak in a short run).
Loss: every failed request that no fault explains. Requests to /garbage must
all be 502 and to /slow all 200; on the main route only the interval in which
the flapping endpoint was killed may show failures (retries should hide even
those; they are reported). Writes PASS or FAIL with the reasons, and a
gnuplot script charting every resource over time.
"""
import csv
import statistics
import sys

# resource -> (relative allowance, absolute allowance, unit)
ALLOWANCE = {
    "rss_kib": (0.20, 32 * 1024, "KiB"),
    "heap_after_gc_kib": (0.30, 16 * 1024, "KiB"),
    "direct_kib": (0.30, 16 * 1024, "KiB"),
    "fds": (0.20, 50, ""),
    "threads": (0.10, 10, ""),
    "p99_us": (2.0, 5000, "us"),
}

# resources that settle after warm-up: any steady climb counts
STEADY = {"heap_after_gc_kib", "direct_kib", "fds", "threads"}


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def main(samples, verdict, gp):
    rows = list(csv.DictReader(open(samples)))
    problems, notes = [], []
    if len(rows) < 6:
        problems.append(f"only {len(rows)} samples: run at least 2 minutes")
    steady = rows[len(rows) // 5:]
    third = max(1, len(steady) // 3)
    for name, (rel, absolute, unit) in ALLOWANCE.items():
        values = [num(r[name]) for r in steady]
        values = [v for v in values if v is not None]
        if len(values) < 3:
            notes.append(f"{name}: not sampled")
            continue
        first, last = statistics.median(values[:third]), statistics.median(values[-third:])
        limit = first * (1 + rel) + absolute
        line = f"{name}: first third {first:.0f}{unit}, last third {last:.0f}{unit} (limit {limit:.0f}{unit})"
        # A leak too slow to pass the limit in a short run still never comes back down: every late
        # sample above every early one, by a quarter of the allowance. RSS and p99 wander too much for that.
        creeping = (name in STEADY and min(values[-third:]) > max(values[:third])
                    and last - first > absolute / 4)
        if last > limit:
            problems.append("grows: " + line)
        elif creeping:
            problems.append("grows steadily: " + line)
        else:
            notes.append(line)
    lost = explained = 0
    for r in rows:
        killed = r["flap_event"] == "killed"
        ok_failed = int(r["ok_failed"]) + int(r["close_failed"])
        if killed:
            explained += ok_failed
        else:
            lost += ok_failed
        lost += int(r["slow_failed"]) + int(r["garbage_not_502"])
    total = sum(int(r[k]) for r in rows for k in ("ok_requests", "close_requests", "slow_requests", "garbage_requests"))
    notes.append(f"requests {total}, failures during an endpoint kill {explained}")
    if lost:
        problems.append(f"lost {lost} requests no fault explains (see samples.csv)")
    with open(verdict, "w") as out:
        out.write(("FAIL" if problems else "PASS") + "\n")
        for p in problems:
            out.write(f"  {p}\n")
        for n in notes:
            out.write(f"  {n}\n")
    with open(gp, "w") as out:
        out.write("set terminal pngcairo size 1200,900\nset output 'soak.png'\nset datafile separator ','\n"
                  "set key autotitle columnhead\nset multiplot layout 3,2 title 'yastack soak'\n"
                  "set xlabel 'seconds'\n")
        for col, title in [(2, "RSS KiB"), (3, "heap after GC KiB"), (4, "direct KiB"), (5, "file descriptors"),
                           (6, "threads"), (7, "p99 us")]:
            out.write(f"set title '{title}'\nplot 'samples.csv' using 1:{col} with linespoints notitle\n")
        out.write("unset multiplot\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
