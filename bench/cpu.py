#!/usr/bin/env python3
"""CPU time for WORKLOADS.md's "CPU milliseconds per success", from /proc/<pid>/stat (utime + stime).

usage: cpu.py postgres POSTMASTER_PID   prints the ms used so far by PostgreSQL: the postmaster, its living
                                        children (backends, workers) and the children it has reaped
                                        (cutime + cstime: a pgbench backend that ended during the run)
       cpu.py run OUT_FILE -- CMD ...   runs CMD, writes the ms CMD used (it and its reaped children) to
                                        OUT_FILE, exits with CMD's status
Boxoffice's load generator takes the same readings itself (LoadGenerator/ProcessCPU.swift), at the common
start and the end of the run, which a script cannot see from outside.
"""
import os, resource, subprocess, sys

TICKS = os.sysconf("SC_CLK_TCK")


def fields(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()  # index 0 is field 3 (state); the name may hold spaces


def millis(pid):
    f = fields(pid)
    return sum(int(f[i]) for i in (11, 12, 13, 14)) * 1000 / TICKS if f else 0.0


def postgres(postmaster):
    total = millis(postmaster)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            f = fields(entry)
            if f and f[1] == str(postmaster):
                total += millis(entry)
    return total


if sys.argv[1] == "postgres":
    print(f"{postgres(int(sys.argv[2])):.0f}")
elif sys.argv[1] == "run":
    out, command = sys.argv[2], sys.argv[sys.argv.index("--") + 1:]
    status = subprocess.call(command)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "w") as f:
        f.write(f"{(usage.ru_utime + usage.ru_stime) * 1000:.0f}\n")
    sys.exit(status)
else:
    sys.exit(__doc__)
