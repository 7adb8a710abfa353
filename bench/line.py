#!/usr/bin/env python3
"""One result (a JSON line on stdin) as a short progress line."""
import json, sys

r = json.loads(sys.stdin.read())
status = "ok" if r.get("ok") else "CHECKS FAILED"
# CPU milliseconds per success of the load client, the server and PostgreSQL (WORKLOADS.md).
cpu = "".join(f"{name} {ms / r['successes']:.2f} " for name, ms in sorted((r.get("cpuMs") or {}).items())
              if r.get("successes"))
cpu = f"CPU ms/succ: {cpu} " if cpu else ""
print(f"   {r['system']:9} {r['workload']:7} C={r['clients']:<3} {r.get('successesPerSecond', 0):8.0f} succ/s "
      f"{r.get('attemptsPerSecond', 0):8.0f} att/s  p99 {r.get('p99Ms', 0):7.1f} ms  "
      f"elapsed {r.get('elapsedSeconds', 0):5.2f} s  {cpu}{status}")
