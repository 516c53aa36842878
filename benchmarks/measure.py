"""Run one command; print its wall time, CPU time, peak memory and exit code
as JSON.

    python benchmarks/measure.py LOG COMMAND...

The command's output goes to LOG. Peak memory is the command's max RSS from
wait4. Linux carries a process's max RSS across exec, and a child starts
from its parent's (fork copies it, vfork shares it), so a command started
straight from bench.py, which has numpy loaded for the plot, would report at
least bench.py's own memory. This launcher is a small Python process: what
the command reports is its own peak.

Max RSS is that of one process. A build that fans out to worker processes
uses the memory of all of them at once, so the launcher also samples, every
SAMPLE seconds, the proportional set size (PSS: each shared page split among
the processes sharing it) of the command and all its descendants, from
/proc; the largest sum is `peak_tree_mib`. Sampling can miss a short peak,
so for one process `peak_mib` is the exact figure and `peak_tree_mib` a
little below it.

CPU time (user and system, of the command and every process it waited for)
says how much work a build did when other processes share the cores and
stretch its wall time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

KIB_PER_MIB = 1024  # ru_maxrss is in KiB on Linux
SAMPLE = 0.2  # seconds between two samples of the process tree's memory
PROC = Path("/proc")


def descendants(root: int) -> list[int]:
    """`root` and every process under it, from each process's parent in /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text(encoding="utf-8")
            except OSError:  # gone meanwhile
                continue
            # pid (comm) state ppid ...; comm may hold spaces and parentheses.
            children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def pss_kib(pid: int) -> int:
    """A process's proportional set size in KiB (0 once it is gone)."""
    try:
        rollup = (PROC / str(pid) / "smaps_rollup").read_text(encoding="utf-8")
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in rollup.splitlines()
                 if line.startswith("Pss:")), 0)


def sample_tree(root: int, done: threading.Event, peak: list[int]) -> None:
    """Until `done`, keep in peak[0] the largest summed PSS of root's tree
    (sampled at once, then every SAMPLE seconds)."""
    while True:
        peak[0] = max(peak[0], sum(pss_kib(pid) for pid in descendants(root)))
        if done.wait(SAMPLE):
            return


def main(log: str, command: list[str]) -> None:
    with open(log, "w", encoding="utf-8") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=out)
        done, peak = threading.Event(), [0]
        sampler = threading.Thread(target=sample_tree, args=(process.pid, done, peak))
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    print(json.dumps({"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                      "peak_mib": usage.ru_maxrss / KIB_PER_MIB,
                      "peak_tree_mib": peak[0] / KIB_PER_MIB,
                      "returncode": process.returncode}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
