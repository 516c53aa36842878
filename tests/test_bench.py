"""`make bench` works: its quick mode (N = 10 and 100, one repeat, serve at
N = 10) runs real builds of ours and of stock Material, a profiled build and
a real `mkdocs serve`, and writes its table, raw numbers and plot. Timings
are never asserted: they belong to the machine, not to the code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, env

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench-results")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--out", str(out)],
        cwd=ROOT, env=env(), capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return out


def table_rows(markdown: str) -> dict[int, list[str]]:
    """The results table's rows by N: the cells after the N."""
    rows = {}
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].replace(",", "").isdigit():
            rows[int(cells[0].replace(",", ""))] = cells[1:]
    return rows


def test_quick_bench_writes_a_row_per_size_with_both_build_times(results):
    rows = table_rows((results / "results.md").read_text(encoding="utf-8"))
    assert sorted(rows) == [10, 100]
    for cells in rows.values():
        ours, stock, ratio, ours_mib, stock_mib = (float(cell) for cell in cells[:5])
        assert min(ours, stock, ratio, ours_mib, stock_mib) > 0
    # Serve is measured at N = 10 only, in both modes.
    assert float(rows[10][5]) > 0 and float(rows[10][6]) > 0
    assert rows[100][5:] == ["-", "-"]


def test_quick_bench_reports_the_hook_share_and_top_hook_functions(results):
    markdown = (results / "results.md").read_text(encoding="utf-8")
    assert "Hooks: " in markdown and "at N = 100 under cProfile" in markdown
    assert "`hooks/" in markdown


def test_quick_bench_keeps_every_run_in_its_raw_numbers(results):
    run = json.loads((results / "results.json").read_text(encoding="utf-8"))
    assert {"date", "machine", "commit", "repeats", "sizes", "results"} <= run.keys()
    assert run["quick"] is True and run["sizes"] == [10, 100] and run["repeats"] == 1
    machine = {"cpu", "cores", "ram_gib", "python", "mkdocs", "mkdocs-material"}
    assert machine <= run["machine"].keys()
    small, large = run["results"]
    for result in (small, large):
        for variant in ("ours", "stock"):
            assert len(result[variant]["runs"]) == 1
            assert result[variant]["median_seconds"] > 0
            assert result[variant]["median_peak_mib"] > 0
    assert set(small["serve"]) == {"post", "full", "focus"}
    assert all(len(small["serve"][mode]["runs"]) == 1 for mode in ("full", "focus"))
    assert large["serve"] is None and small["profile"] is None
    assert 0 < large["profile"]["share"] < 1 and large["profile"]["events"]
    assert len(large["profile"]["top"]) == 5


def test_quick_bench_draws_a_real_png(results):
    png = (results / "build-time.png").read_bytes()
    assert png.startswith(PNG_MAGIC)
    assert len(png) > 10_000
