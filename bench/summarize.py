#!/usr/bin/env python3
"""A benchmark's results.jsonl as a Markdown table: Boxoffice, P2 and P2s per cell, and the targets.

usage: summarize.py RESULTS_JSONL
Each metric is summarised separately over the runs of a cell as "median (min–max)" (WORKLOADS.md). Ratios
are taken between figures of the same run (the n-th Boxoffice run of a cell against the n-th P2 / P2s run,
which scripts/bench interleaves), then summarised the same way. CPU is milliseconds per success of the load
client (pgbench or `boxoffice load`), the server (Boxoffice only) and PostgreSQL (all its processes).
Older results (P2 only, no CPU) print with dashes where a figure is missing.
"""
import json, statistics, sys
from collections import defaultdict

SYSTEMS = ["p2", "p2s", "boxoffice"]
NAMES = {"p2": "P2", "p2s": "P2s", "boxoffice": "Boxoffice"}

cells = defaultdict(list)
rss = []
documents = defaultdict(list)
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    row = json.loads(line)
    if row.get("kind") == "rss":
        rss.append(row)
    if row.get("kind") == "documents":
        documents[row["workload"]].append(sum(row["bytes"].values()))
    if row.get("kind"):
        continue
    cells[(row["workload"], row["clients"], row["system"])].append(row)


def lag_p99(r):
    return (r.get("projectionLag") or {}).get("p99Ms")


def cpu_per_success(name):
    def value(r):
        ms = (r.get("cpuMs") or {}).get(name)
        return ms / r["successes"] if ms is not None and r.get("successes") else None
    return value


def values(rows, metric):
    picked = [metric(r) if callable(metric) else r.get(metric) for r in rows]
    return [v for v in picked if v is not None]


def summary(vs):
    return (statistics.median(vs), min(vs), max(vs)) if vs else None


def fmt(s, digits=0, suffix=""):
    if s is None:
        return "–"
    median, low, high = s
    one = lambda v: f"{v:,.{digits}f}"
    spread = "" if one(low) == one(high) else f" ({one(low)}–{one(high)})"
    return f"{one(median)}{suffix}{spread}"


def ratios(bo, base, metric="successesPerSecond"):
    """Per-run ratios Boxoffice / baseline, runs paired by their run number (else by order)."""
    by_run = {r.get("run", i): r for i, r in enumerate(base)}
    out = []
    for i, r in enumerate(bo):
        other = by_run.get(r.get("run", i))
        if other and other.get(metric) and r.get(metric) is not None:
            out.append(r[metric] / other[metric])
    return out


order = {"w1": 0, "w2": 1, "w3": 2, "w3-tiny": 3}
keys = sorted({(w, c) for (w, c, _) in cells}, key=lambda k: (order.get(k[0], 9), k[1]))
print("| workload | C | system | succ/s | attempts/s | conflicts/success | p50 ms | p99 ms | lag p99 ms "
      "| CPU ms/success: client | server | PostgreSQL | ÷ P2 | ÷ P2s | checks |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
verdicts = []
for workload, clients in keys:
    rows = {s: cells.get((workload, clients, s), []) for s in SYSTEMS}
    bo = rows["boxoffice"]
    for system in SYSTEMS + sorted({s for (w, c, s) in cells if (w, c) == (workload, clients)} - set(SYSTEMS)):
        runs = cells.get((workload, clients, system), [])
        if not runs:
            continue
        ok = sum(bool(r.get("ok")) for r in runs)
        checks = f"{ok}/{len(runs)} ok"
        if workload == "w3-tiny":
            checks += f"; booked {[r.get('successes') for r in runs]}"
        if system == "boxoffice" and any(r.get("errors") for r in runs):
            checks += f"; {sum(r.get('errors', 0) for r in runs)} unanswered/unexpected"
        to_p2 = fmt(summary(ratios(runs, rows["p2"])), 2, "×") if system == "boxoffice" else ""
        to_p2s = fmt(summary(ratios(runs, rows["p2s"])), 2, "×") if system == "boxoffice" else ""
        print(f"| {workload} | {clients} | {NAMES.get(system, system)} "
              f"| {fmt(summary(values(runs, 'successesPerSecond')))} | {fmt(summary(values(runs, 'attemptsPerSecond')))} "
              f"| {fmt(summary(values(runs, 'conflictsPerSuccess')), 2)} | {fmt(summary(values(runs, 'p50Ms')), 1)} "
              f"| {fmt(summary(values(runs, 'p99Ms')), 1)} | {fmt(summary(values(runs, lag_p99)))} "
              f"| {fmt(summary(values(runs, cpu_per_success('client'))), 2)} "
              f"| {fmt(summary(values(runs, cpu_per_success('server'))), 2)} "
              f"| {fmt(summary(values(runs, cpu_per_success('postgres'))), 2)} | {to_p2} | {to_p2s} | {checks} |")


def median_of(vs):
    return statistics.median(vs) if vs else None


def met(value, test):
    return "not measured" if value is None else ("met" if test(value) else "NOT met")


def ratio_verdict(name, bo, base, target):
    r = median_of(ratios(bo, base))
    shown = "–" if r is None else f"{r:.2f}×"
    return f"{shown} {name} (target ≥ {target}×) {met(r, lambda v: v >= target)}"


def cell(workload, clients, system):
    return cells.get((workload, clients, system), [])


# Targets (WORKLOADS.md): at C = 64 against the same run's P2 and P2s.
p2, p2s, bo = (cell("w1", 64, s) for s in SYSTEMS)
if bo:
    p99, conflicts, p2_conflicts = median_of(values(bo, "p99Ms")), median_of(values(bo, "conflictsPerSuccess")), \
        median_of(values(p2, "conflictsPerSuccess"))
    verdicts.append(f"W1 (C = 64): {ratio_verdict('P2', bo, p2, 5)}; {ratio_verdict('P2s', bo, p2s, 2)}; "
                    f"p99 {fmt(summary(values(bo, 'p99Ms')), 1)} ms (target < 50) {met(p99, lambda v: v < 50)}; "
                    f"conflicts/success {fmt(summary(values(bo, 'conflictsPerSuccess')), 2)} against P2's "
                    f"{fmt(summary(values(p2, 'conflictsPerSuccess')), 2)} (target ≤) "
                    f"{met(None if p2_conflicts is None else conflicts, lambda v: v <= p2_conflicts)}")
p2, p2s, bo = (cell("w2", 64, s) for s in SYSTEMS)
if bo:
    lag = median_of(values(bo, lag_p99))
    verdicts.append(f"W2 (C = 64): {ratio_verdict('P2', bo, p2, 1.5)}; {ratio_verdict('P2s', bo, p2s, 1)}; "
                    f"projection lag p99 {fmt(summary(values(bo, lag_p99)))} ms (target < 100) {met(lag, lambda v: v < 100)}")
p2, p2s, bo = (cell("w3", 64, s) for s in SYSTEMS)
if bo:
    verdicts.append(f"W3 (C = 64): {ratio_verdict('P2', bo, p2, 2)}; {ratio_verdict('P2s', bo, p2s, 1)}")
if not any(cell(w, 64, "boxoffice") for w in ("w1", "w2", "w3")):
    verdicts.append("W1/W2/W3 throughput targets: not measured (they are defined at C = 64, which this run did not include)")
for workload in ("w1", "w3"):
    for clients in sorted(c for (w, c, s) in cells if w == workload and s == "boxoffice" and c >= 1000):
        bo = cell(workload, clients, "boxoffice")
        unanswered = sum(r.get("errors", 0) for r in bo)
        everything = all(r.get("ok") for r in bo) and unanswered == 0
        verdicts.append(f"{workload.upper()} at C = {clients:,}: every request answered and correct in every run "
                        f"{'met' if everything else 'NOT met'} ({unanswered} unanswered/unexpected); "
                        f"p99 {fmt(summary(values(bo, 'p99Ms')), 1)} ms")
bo = cell("w3-tiny", 20, "boxoffice")
if bo:
    exact = all(r.get("successes") == 5 and r.get("ok") for r in bo)
    p99 = median_of(values(bo, "p99Ms"))
    verdicts.append(f"W3 tiny: exactly 5/15/0 in every run {'met' if exact else 'NOT met'}; "
                    f"p99 {fmt(summary(values(bo, 'p99Ms')), 1)} ms (target < 20) {met(p99, lambda v: v < 20)}")
all_ok = all(r.get("ok") for rows in cells.values() for r in rows)
failed = sorted({f"{s} {w} C={c}" for (w, c, s), rows in cells.items() for r in rows if not r.get("ok")})
verdicts.append(f"correctness checks: {'all hold' if all_ok else 'SOME FAILED: ' + ', '.join(failed)} "
                f"({sum(len(v) for v in cells.values())} runs)")
for clients in sorted({r["clients"] for r in rss}):
    figures = [r["rssMiB"] for r in rss if r["clients"] == clients]
    sessions = rss[0].get("sessions", 200)
    verdicts.append(f"RSS of boxoffice serve --with-workers after W2 (C = {clients}, {sessions} sessions): "
                    f"{fmt(summary(figures))} MiB")
if documents.get("w1") and documents.get("w2"):
    w1, w2 = median_of(documents["w1"]), median_of(documents["w2"])
    ratio = max(w1, w2) / min(w1, w2)
    verdicts.append(f"bytes the projectors rewrite per booking event, at most (the documents it touches, whole): "
                    f"W1 {w1:,.0f}, W2 {w2:,.0f}: {ratio:.2f}× apart (target within 2×) {'met' if ratio <= 2 else 'NOT met'}")
print()
for verdict in verdicts:
    print(f"- {verdict}")
sys.exit(0 if all_ok else 1)
