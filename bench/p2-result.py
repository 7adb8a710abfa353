#!/usr/bin/env python3
"""One P2 or P2s (pgbench) run as a JSON line with the same fields as `boxoffice load --json`.

usage: p2-result.py WORKLOAD CLIENTS LOG_PREFIX CHECK_CSV PGBENCH_STDERR [system=p2s] [run=N]
                    [client_cpu_ms=N] [postgres_cpu_ms=N]
The CPU figures (bench/cpu.py) become `cpuMs` {"client": pgbench, "postgres": all its processes}, as in
Boxoffice's report; a baseline has no server.
Elapsed is first logged transaction start to last logged transaction end (WORKLOADS.md). pgbench's log
cannot tell a success from a conflict, so P2's p50/p99 are over every attempt, not successful ones only.
"""
import glob, json, math, sys

workload, clients, prefix, check_csv, stderr_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
options = dict(arg.split("=", 1) for arg in sys.argv[6:])
cpu = {name: float(options[key]) for name, key in (("client", "client_cpu_ms"), ("postgres", "postgres_cpu_ms")) if key in options}

latencies, starts, ends = [], [], []
for path in glob.glob(prefix + ".*"):
    with open(path) as log:
        for line in log:
            fields = line.split()
            if len(fields) < 6 or fields[2] in ("skipped", "failed"):
                continue
            micros = int(fields[2])
            end = int(fields[4]) + int(fields[5]) / 1e6
            latencies.append(micros)
            ends.append(end)
            starts.append(end - micros / 1e6)
latencies.sort()

def rank(p):
    return latencies[max(0, math.ceil(p / 100 * len(latencies)) - 1)] / 1000 if latencies else 0.0

names = ["bookings", "seats_sold", "orphan_seats", "bookings_not_two_seats", "tickets_booked", "ga_bookings",
         "remaining", "capacity", "view_attempts"]
db = dict(zip(names, (int(v) for v in open(check_csv).read().strip().split(","))))
stderr = open(stderr_file).read().splitlines()
sold_out = sum("expected one row, got 0" in line for line in stderr)
unexpected = [l for l in stderr if "error" in l and "expected one row, got 0" not in l and "Run was aborted" not in l]

seated = workload in ("w1", "w2")
successes = db["bookings"] if seated else db["ga_bookings"]
attempts = len(latencies) if workload == "w2" else db["view_attempts"]
elapsed = (max(ends) - min(starts)) if ends else 0.0
checks = [{"name": "no unexpected pgbench errors", "ok": not unexpected, "detail": "; ".join(unexpected[:3])}]
if seated:
    checks += [
        {"name": "seats sold == 2 x successes", "ok": db["seats_sold"] == 2 * successes, "detail": f"{db['seats_sold']} sold"},
        {"name": "every sold seat belongs to a booking", "ok": db["orphan_seats"] == 0, "detail": str(db["orphan_seats"])},
        {"name": "every booking has two seats", "ok": db["bookings_not_two_seats"] == 0, "detail": str(db["bookings_not_two_seats"])},
    ]
else:
    checks += [
        {"name": "remaining never below 0", "ok": db["remaining"] >= 0, "detail": str(db["remaining"])},
        {"name": "booked + remaining == capacity", "ok": db["tickets_booked"] + db["remaining"] == db["capacity"],
         "detail": f"{db['tickets_booked']} + {db['remaining']}"},
    ]
if workload == "w3-tiny":
    checks.append({"name": "exactly 5 booked, 15 rejected, remaining 0",
                   "ok": successes == 5 and clients - successes == 15 and db["remaining"] == 0,
                   "detail": f"{successes} booked, remaining {db['remaining']}"})
print(json.dumps({
    "system": options.get("system", "p2"), **({"run": int(options["run"])} if "run" in options else {}), "workload": workload, "clients": clients, "elapsedSeconds": elapsed,
    "successes": successes, "attempts": attempts,
    "successesPerSecond": successes / elapsed if elapsed else 0.0,
    "attemptsPerSecond": attempts / elapsed if elapsed else 0.0,
    "conflictsPerSuccess": (attempts - successes) / successes if successes else 0.0,
    "p50Ms": rank(50), "p99Ms": rank(99), "soldOut": sold_out > 0, **({"cpuMs": cpu} if cpu else {}),
    "facts": db, "checks": checks, "ok": all(c["ok"] for c in checks),
}, sort_keys=True))
