#!/usr/bin/env python3
"""Turns the raw measurements of one bench/run.sh run into results.json, a
Markdown summary (medians, min-max, ratios to the reference system) and
gnuplot scripts for bar charts with min-max error bars (run.sh runs gnuplot).
Standard library only."""
import argparse
import json
import os
import statistics
from collections import OrderedDict

# Reference system per suite: ratios are system median / reference median.
REFERENCE = {"script": "yastack", "flavors": "yastack", "stack": "direct"}
DEFAULT_REFERENCE = "nginx"

# The headline metric of a row: the first of these it has.
PRIMARY = ["rps", "handshakes_per_s", "gbit_per_s", "startup_ms", "rss_held_mib"]

# Columns shown in the summary, in this order, when a suite has them.
COLUMNS = ["rps", "handshakes_per_s", "gbit_per_s", "latency_p50_us", "latency_p99_us",
           "latency_p999_us", "cpu_us_per_req", "cpu_s_per_gbyte", "startup_ms",
           "rss_idle_mib", "rss_held_mib", "pss_idle_mib", "pss_held_mib", "kib_per_conn", "kib_per_conn_again", "held_conns", "upstream_conns_per_kreq", "proxy_core_busy_pct",
           "loadgen_core_busy_pct", "errors"]

LABELS = {
    "rps": "req/s", "handshakes_per_s": "handshakes/s", "gbit_per_s": "Gbit/s",
    "latency_p50_us": "p50 µs", "latency_p99_us": "p99 µs", "latency_p999_us": "p99.9 µs",
    "cpu_us_per_req": "CPU µs/req", "cpu_s_per_gbyte": "CPU s/GB", "startup_ms": "startup ms",
    "rss_idle_mib": "RSS idle MiB", "rss_held_mib": "RSS 10k conns MiB",
    "pss_idle_mib": "PSS idle MiB", "pss_held_mib": "PSS 10k conns MiB",
    "kib_per_conn": "KiB/conn", "kib_per_conn_again": "KiB/conn, 10k again", "held_conns": "conns held", "errors": "errors",
    "upstream_conns_per_kreq": "upstream conns/1k req", "proxy_core_busy_pct": "proxy core %", "loadgen_core_busy_pct": "client core %",
}

# Charts per suite: (metric, title). Every suite also gets a chart of any
# primary metric it has that is not listed here.
CHARTS = {
    "http-keepalive": [("rps", "requests/s"), ("latency_p99_us", "p99 latency (µs)"),
                       ("cpu_us_per_req", "proxy CPU µs per request")],
    "http-close": [("rps", "requests/s, one connection per request"),
                   ("cpu_us_per_req", "proxy CPU µs per request")],
    "tcp-proxy": [("gbit_per_s", "iperf3 throughput (Gbit/s)"),
                  ("cpu_s_per_gbyte", "proxy CPU seconds per GB")],
    "tls": [("handshakes_per_s", "full TLS handshakes/s"), ("rps", "requests/s over TLS keep-alive")],
    "h2c": [("rps", "requests/s, HTTP/2 without TLS (10 streams per connection)"),
            ("cpu_us_per_req", "proxy CPU µs per request")],
    "resources": [("startup_ms", "startup time (ms)"), ("rss_held_mib", "memory (RSS MiB) holding 10k idle keep-alive connections"),
                  ("kib_per_conn", "KiB per idle keep-alive connection"),
                  ("kib_per_conn_again", "KiB per idle keep-alive connection, 10k more on the same process")],
    "script": [("rps", "requests/s by router kind")],
    "flavors": [("rps", "requests/s by listener flavor")],
}

GAP = 1.5  # histogram gap between clusters, in bar widths
COLORS = {"yastack": "#e8710a", "nginx": "#1e8e3e", "haproxy": "#1a73e8", "direct": "#80868b"}
EXTRA_COLORS = ["#9334e6", "#d01884", "#12b5cb", "#f9ab00"]


def read_jsonl(path):
    if not path or not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def unique(seq):
    return list(OrderedDict.fromkeys(seq))


def fmt(v):
    if v is None:
        return "–"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def aggregate(raw):
    groups = OrderedDict()
    for m in raw:
        key = (m["suite"], m["workload"], m["workers"], m["system"], m["metric"])
        groups.setdefault(key, {"unit": m["unit"], "values": []})["values"].append(m["value"])
    out = []
    for (suite, workload, workers, system, metric), g in groups.items():
        vals = g["values"]
        out.append({"suite": suite, "workload": workload, "workers": workers, "system": system,
                    "metric": metric, "unit": g["unit"], "n": len(vals),
                    "median": statistics.median(vals), "min": min(vals), "max": max(vals)})
    by_key = {(s["suite"], s["workload"], s["workers"], s["system"], s["metric"]): s for s in out}
    for s in out:
        ref = REFERENCE.get(s["suite"], DEFAULT_REFERENCE)
        r = by_key.get((s["suite"], s["workload"], s["workers"], ref, s["metric"]))
        s["reference"] = ref
        s["ratio"] = round(s["median"] / r["median"], 3) if r and r["median"] else None
    return out


def client_bound(cells, wl, wk, system):
    lg = cells.get((wl, wk, system, "loadgen_core_busy_pct"))
    px = cells.get((wl, wk, system, "proxy_core_busy_pct"))
    return system != "direct" and lg and px and lg["median"] >= 95 and px["median"] < 85


def summary_markdown(meta, summary, skipped, notes, charts):
    cfg, host = meta["config"], meta["host"]
    lines = [f"# yastack benchmarks, {meta['started']}", ""]
    if meta.get("complete") is False:
        lines += ["**Partial run**: it stopped early (failure or interrupt); only what was measured "
                  "before that is here.", ""]
    if meta.get("smoke"):
        lines += ["**Smoke run**: seconds long, for checking the harness only; the numbers mean nothing.", ""]
    lines += [
        f"Host: {host['cpu_model']}, {host['cpus']} CPUs, Linux {host['kernel']}. "
        f"{cfg['rounds']} round{'s' if cfg['rounds'] != 1 else ''} of {cfg['duration_s']} s per system and "
        f"workload, systems in alternation "
        f"(A B C, A B C, ...) after a {cfg['warmup_s']} s warm-up each; {cfg['connections']} connections; "
        f"upstream: nginx with {cfg['upstream_workers']} worker{'s' if cfg['upstream_workers'] != 1 else ''} "
        f"serving static files.",
        "",
        "Cells are `median (min–max)` over the rounds. Ratios divide a system's median by the reference "
        "system's median for the same workload and worker count (nginx unless the suite says otherwise): "
        "above 1 is better for rates, worse for latency, CPU, memory and startup time.",
        "",
        "Versions: " + "; ".join(f"{k}: {v}" for k, v in meta["versions"].items() if v) + ".",
        "",
    ]
    pin = meta["pinning"]
    if pin["enabled"]:
        lines += [f"Pinning (taskset): load generator on CPU {pin['loadgen_cpus']}, upstream on CPU "
                  f"{pin['upstream_cpus']}, proxy under test on CPUs 1..N for N workers (all CPUs when there "
                  f"are not that many); see Notes for what had to share.", ""]
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    if skipped:
        lines += ["## Skipped", ""] + [f"- **{s['suite']} / {s['system']}**: {s['reason']}" for s in skipped] + [""]

    for suite in unique(s["suite"] for s in summary):
        rows = [s for s in summary if s["suite"] == suite]
        ref = REFERENCE.get(suite, DEFAULT_REFERENCE)
        lines += [f"## {suite}", ""]
        for png, title in charts.get(suite, []):
            lines += [f"![{suite}: {title}](charts/{png})", ""]
        metrics = [c for c in COLUMNS if any(r["metric"] == c for r in rows)]
        metrics += unique(r["metric"] for r in rows if r["metric"] not in metrics)
        header = ["workload", "workers", "system"] + [LABELS.get(m, m) for m in metrics] + [f"× {ref}"]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        cells = {(r["workload"], r["workers"], r["system"], r["metric"]): r for r in rows}
        flagged = False
        for wl, wk, system in unique((r["workload"], r["workers"], r["system"]) for r in rows):
            row = [wl, str(wk), system]
            for m in metrics:
                c = cells.get((wl, wk, system, m))
                if c is None:
                    row.append("")
                elif c["n"] == 1 or c["min"] == c["max"]:
                    row.append(fmt(c["median"]))
                else:
                    row.append(f"{fmt(c['median'])} ({fmt(c['min'])}–{fmt(c['max'])})")
            if client_bound(cells, wl, wk, system):
                row[2] += " †"
                flagged = True
            primary = next((cells[(wl, wk, system, p)] for p in PRIMARY if (wl, wk, system, p) in cells), None)
            ratio = primary["ratio"] if primary else None
            row.append(f"{ratio:.2f} ({LABELS.get(primary['metric'], primary['metric'])})" if ratio is not None else "")
            lines.append("| " + " | ".join(row) + " |")
        if flagged:
            lines += ["", "† the load generator's core was saturated while the proxy's core had time to spare: "
                          "the rate is the client's limit here; compare CPU per request instead."]
        lines.append("")
    return "\n".join(lines)


def write_charts(summary, out_dir):
    """One gnuplot script + data file per (suite, metric): clusters are
    workload/worker combinations, one bar per system, min-max error bars."""
    os.makedirs(out_dir, exist_ok=True)
    charts = {}
    for suite in unique(s["suite"] for s in summary):
        rows = [s for s in summary if s["suite"] == suite]
        wanted = list(CHARTS.get(suite, []))
        have = {r["metric"] for r in rows}
        for p in PRIMARY:
            if p in have and p not in [m for m, _ in wanted]:
                wanted.append((p, LABELS.get(p, p)))
        if suite == "stack":
            wanted = [(m, LABELS.get(m, m)) for m in unique(r["metric"] for r in rows)]
        for metric, title in wanted:
            mrows = [r for r in rows if r["metric"] == metric]
            if not mrows:
                continue
            systems = unique(r["system"] for r in mrows)
            clusters = unique((r["workload"], r["workers"]) for r in mrows)
            multi_workers = len({w for _, w in clusters}) > 1
            cell = {(r["workload"], r["workers"], r["system"]): r for r in mrows}
            base = f"{suite}-{metric}"
            with open(os.path.join(out_dir, base + ".dat"), "w") as f:
                f.write("# cluster\t" + "\t".join(f"{s}_median\t{s}_min\t{s}_max" for s in systems) + "\n")
                for wl, wk in clusters:
                    label = f"{wl} w{wk}" if multi_workers or wk != 1 else wl
                    vals = []
                    for s in systems:
                        c = cell.get((wl, wk, s))
                        vals += [repr(c["median"]), repr(c["min"]), repr(c["max"])] if c else ["?", "?", "?"]
                    f.write(f"\"{label}\"\t" + "\t".join(vals) + "\n")
            plots = []
            extra = iter(EXTRA_COLORS)
            for i, s in enumerate(systems):
                col = 2 + 3 * i
                color = COLORS.get(s) or next(extra, "#5f6368")
                src = f"'{base}.dat'" if i == 0 else "''"
                xt = ":xtic(1)" if i == 0 else ""
                plots.append(f"{src} using {col}:{col + 1}:{col + 2}{xt} title '{s}' lc rgb '{color}'")
            # Median printed upright inside each bar, from its base. Bar j of n in cluster i sits at
            # i + (j - (n-1)/2) / (n + gap) on a clustered histogram.
            n = len(systems)
            for i in range(n):
                col = 2 + 3 * i
                x = f"($0 + ({i} - {(n - 1) / 2}) / ({n} + {GAP}))"
                plots.append(f"'' using {x}:(valid({col}) ? 0 : NaN):(fmt(column({col}))) with labels "
                             f"rotate by 90 left offset 0,0.4 font ',9' tc rgb '#202020' notitle")
            unit = mrows[0]["unit"]
            gp = f"""set terminal pngcairo size 960,540 font 'DejaVu Sans,11' noenhanced
set output '{base}.png'
set title '{suite}: {title}  (bars: median, whiskers: min-max)'
set datafile separator '\\t'
set datafile missing '?'
set style data histogram
set style histogram errorbars gap {GAP} lw 1.5
set style fill solid 0.85 border rgb '#303030'
set boxwidth 0.9
set errorbars 1.2
set yrange [0:*]
fmt(v) = v >= 100 ? sprintf('%.0f', v) : sprintf('%.3g', v)
set grid ytics lc rgb '#d0d0d0'
set ylabel '{LABELS.get(metric, metric)}{" (" + unit + ")" if unit and unit not in ("1/s", "count") and unit not in LABELS.get(metric, metric) else ""}'
set key outside right top
set xtics nomirror
set ytics nomirror
set border 3
plot {", ".join(plots)}
"""
            with open(os.path.join(out_dir, base + ".gp"), "w") as f:
                f.write(gp)
            charts.setdefault(suite, []).append((base + ".png", title))
    return charts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meta", required=True)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--skipped")
    ap.add_argument("--notes")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    with open(args.meta) as f:
        meta = json.load(f)
    raw = read_jsonl(args.raw)
    skipped = unique(json.dumps(s, sort_keys=True) for s in read_jsonl(args.skipped))
    skipped = [json.loads(s) for s in skipped]
    notes = unique(read_jsonl(args.notes))
    summary = aggregate(raw)
    charts = write_charts(summary, os.path.join(args.out, "charts"))

    results = dict(meta)
    results.update({"schema": "yastack-bench/1", "notes": notes, "skipped": skipped,
                    "measurements": raw, "summary": summary,
                    "charts": [f"charts/{png}" for pngs in charts.values() for png, _ in pngs]})
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(summary_markdown(meta, summary, skipped, notes, charts))
        f.write("\n")


if __name__ == "__main__":
    main()
