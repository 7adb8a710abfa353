#!/usr/bin/env python3
"""Medians of a benchmark's results.jsonl as a Markdown table, Boxoffice against P2, and the targets.

usage: summarize.py RESULTS_JSONL
Each metric's median is taken separately over the runs of a cell (WORKLOADS.md).
"""
import json, statistics, sys
from collections import defaultdict

cells = defaultdict(list)
extras = defaultdict(list)
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    row = json.loads(line)
    if row.get("kind") == "rss":
        extras["rss"].append(row["rssMiB"])
    if row.get("kind"):
        continue
    cells[(row["workload"], row["clients"], row["system"])].append(row)

def median(rows, key):
    values = [r.get(key) for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None

def lag_p99(rows):
    values = [r["projectionLag"]["p99Ms"] for r in rows if r.get("projectionLag")]
    return statistics.median(values) if values else None

order = {"w1": 0, "w2": 1, "w3": 2, "w3-tiny": 3}
keys = sorted({(w, c) for (w, c, _) in cells}, key=lambda k: (order.get(k[0], 9), k[1]))
print("| workload | C | P2 succ/s | P2 p99 ms | Boxoffice succ/s | attempts/s | conflicts/success | p50 ms | p99 ms | request p99 ms | lag p99 ms | Boxoffice / P2 | checks |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
fmt = lambda v, d=0: "–" if v is None else f"{v:,.{d}f}"
verdicts = []
for workload, clients in keys:
    p2 = cells.get((workload, clients, "p2"), [])
    bo = cells.get((workload, clients, "boxoffice"), [])
    p2_succ, bo_succ = median(p2, "successesPerSecond"), median(bo, "successesPerSecond")
    ratio = (bo_succ / p2_succ) if p2_succ and bo_succ is not None else None
    runs = p2 + bo
    ok = all(r["ok"] for r in runs)
    checks = f"{sum(r['ok'] for r in runs)}/{len(runs)} runs ok"
    if workload == "w3-tiny":
        booked = [r["successes"] for r in bo]
        checks += f"; booked {booked}"
    print(f"| {workload} | {clients} | {fmt(p2_succ)} | {fmt(median(p2, 'p99Ms'), 1)} | {fmt(bo_succ)} | "
          f"{fmt(median(bo, 'attemptsPerSecond'))} | {fmt(median(bo, 'conflictsPerSuccess'), 2)} | "
          f"{fmt(median(bo, 'p50Ms'), 1)} | {fmt(median(bo, 'p99Ms'), 1)} | {fmt(median(bo, 'requestP99Ms'), 1)} | "
          f"{fmt(lag_p99(bo))} | {fmt(ratio, 2)}{'' if ratio is None else '×'} | {checks} |")
    if clients == 64 or workload == "w3-tiny":
        bo_p99 = median(bo, "p99Ms")
        if workload == "w1" and ratio is not None:
            verdicts.append(f"W1: {ratio:.2f}× P2 (target ≥ 5×) {'met' if ratio >= 5 else 'NOT met'}; "
                            f"p99 {bo_p99:.1f} ms (target < 50) {'met' if bo_p99 < 50 else 'NOT met'}")
        if workload == "w2" and ratio is not None:
            lag = lag_p99(bo)
            verdicts.append(f"W2: {ratio:.2f}× P2 (target ≥ 1.5×) {'met' if ratio >= 1.5 else 'NOT met'}; "
                            f"projection lag p99 {fmt(lag)} ms (target < 100) {'met' if lag is not None and lag < 100 else 'NOT met'}")
        if workload == "w3" and ratio is not None:
            verdicts.append(f"W3: {ratio:.2f}× P2 (target ≥ 2×) {'met' if ratio >= 2 else 'NOT met'}")
        if workload == "w3-tiny" and bo:
            exact = all(r["successes"] == 5 and r["ok"] for r in bo)
            verdicts.append(f"W3 tiny: exactly 5/15/0 in every run {'met' if exact else 'NOT met'}; "
                            f"p99 {bo_p99:.1f} ms (target < 20) {'met' if bo_p99 < 20 else 'NOT met'}")
all_ok = all(r["ok"] for rows in cells.values() for r in rows)
verdicts.append(f"correctness checks: {'all hold' if all_ok else 'SOME FAILED'} "
                f"({sum(len(v) for v in cells.values())} runs)")
if extras["rss"]:
    verdicts.append(f"RSS of boxoffice serve --with-workers after W2 (200 sessions cached): "
                    f"median {statistics.median(extras['rss']):.0f} MiB ({', '.join(f'{v:.0f}' for v in extras['rss'])})")
print()
for verdict in verdicts:
    print(f"- {verdict}")
sys.exit(0 if all_ok else 1)
