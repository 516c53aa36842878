"""Run one command; print its wall time, CPU time, peak memory and exit code
as JSON.

    python benchmarks/measure.py LOG COMMAND...

The command's output goes to LOG. Peak memory is the command's max RSS from
wait4. Linux carries a process's max RSS across exec, and a child starts
from its parent's (fork copies it, vfork shares it), so a command started
straight from bench.py, which has numpy loaded for the plot, would report at
least bench.py's own memory. This launcher is a small Python process: what
the command reports is its own peak. CPU time (user and system, of the
command and every process it waited for) says how much work a build did
when other processes share the cores and stretch its wall time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

KIB_PER_MIB = 1024  # ru_maxrss is in KiB on Linux


def main(log: str, command: list[str]) -> None:
    with open(log, "w", encoding="utf-8") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=out)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    print(json.dumps({"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                      "peak_mib": usage.ru_maxrss / KIB_PER_MIB,
                      "returncode": process.returncode}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
