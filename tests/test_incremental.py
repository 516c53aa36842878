"""`make serve` rebuilds only what a save changes, and what it serves is
always what a fresh server would: a real `mkdocs serve` of a small blog
takes a seeded, random sequence of a writer's edits (tests/edits.py: every
kind, broken files included), and after each one every file it serves is
compared, byte for byte, with the first build of a new server over the same
docs (tests/fresh_serve.py). After a broken file, the server must still
serve the last good site. The benchmark runs a longer sequence
(`make bench`, benchmarks/bench.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from edits import KINDS, Blog

from support import ROOT, Served, copy_project, env, fetch

# EW_EDIT_SEED=<n> replays another sequence; the failure message names it.
SEED = int(os.environ.get("EW_EDIT_SEED", "20261201"))
EDITS = int(os.environ.get("EW_EDITS", "50"))
# Build dates are the same in both builds (sitemap.xml.gz carries one).
FIXED_TIME = {"SOURCE_DATE_EPOCH": "1764547200"}


class FreshBuilds:
    """tests/fresh_serve.py, running: a new server's first build on request."""

    def __init__(self, log: Path) -> None:
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "fresh_serve.py")],
            env=env() | FIXED_TIME, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.log, text=True)

    def start(self, project: Path, site: Path, addr: str) -> None:
        self.process.stdin.write(f"{project}\t{site}\t{addr}\n")
        self.process.stdin.flush()

    def result(self) -> bool:
        """Whether the build started last wrote a site."""
        answer = self.process.stdout.readline().strip()
        assert answer in ("built", "failed"), f"the fresh build {answer}"
        return answer == "built"

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.log.close()


def files_of(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


def differences(served: dict[str, bytes], fresh: dict[str, bytes]) -> list[str]:
    return sorted(
        [f"only served: {path}" for path in served.keys() - fresh.keys()]
        + [f"only fresh: {path}" for path in fresh.keys() - served.keys()]
        + [f"differs: {path}" for path in served.keys() & fresh.keys()
           if served[path] != fresh[path]])


def settle(server: Served, reloads: int, timeout: float = 60) -> None:
    """Wait until the server has finished the rebuilds a save started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = list(server.lines)
        done = sum("Reloading browsers" in line for line in lines)
        pending = [i for i, line in enumerate(lines) if "Detected file changes" in line]
        finished = [i for i, line in enumerate(lines) if "Reloading browsers" in line]
        if done > reloads and (not pending or pending[-1] < finished[-1]):
            time.sleep(0.3)
            if len(server.lines) == len(lines):
                return
        time.sleep(0.05)
    raise AssertionError("the server never finished rebuilding:\n" + "\n".join(server.lines[-30:]))


@pytest.fixture
def blog(tmp_path):
    project = copy_project(tmp_path / "blog")
    return Blog(project, SEED)


def test_every_save_serves_what_a_fresh_server_builds(blog, tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    fresh = FreshBuilds(tmp_path / "fresh.log")
    server = Served(blog.project, {"TMPDIR": str(temp), **FIXED_TIME})
    try:
        server.wait_for_line("Serving on", timeout=120)
        (live,) = temp.glob("mkdocs_*")
        good = tmp_path / "fresh-0"
        fresh.start(blog.project, good, server.addr)
        assert fresh.result()
        assert differences(files_of(live), files_of(good)) == []
        kinds = set()
        for step, kind in enumerate(blog.plan(EDITS), start=1):
            reloads = sum("Reloading browsers" in line for line in server.lines)
            what = blog.edit(kind)
            kinds.add(kind)
            # The fresh build runs while the server rebuilds.
            site = tmp_path / f"fresh-{step}"
            fresh.start(blog.project, site, server.addr)
            settle(server, reloads)
            if fresh.result():
                good = site
            # Never hangs: a request is answered at once, broken file or not.
            assert "expectedwrong" in fetch(server.base)
            wrong = differences(files_of(live), files_of(good))
            assert wrong == [], (f"after edit {step} ({what}), seed {SEED}: {wrong[:10]}\n"
                                 + "\n".join(server.lines[-15:]))
    finally:
        server.close()
        fresh.close()
    assert kinds >= set(KINDS), f"kinds never drawn: {set(KINDS) - kinds}"


def test_a_save_rewrites_only_the_files_it_changes(blog, tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    server = Served(blog.project, {"TMPDIR": str(temp), **FIXED_TIME})
    try:
        server.wait_for_line("Serving on", timeout=120)
        (live,) = temp.glob("mkdocs_*")
        before = {path: path.stat().st_mtime_ns for path in live.rglob("*") if path.is_file()}
        reloads = sum("Reloading browsers" in line for line in server.lines)
        what = blog.edit("body")
        settle(server, reloads)
        changed = sorted(path.relative_to(live).as_posix() for path, mtime in before.items()
                         if path.stat().st_mtime_ns != mtime)
    finally:
        server.close()
    post = what.split()[1].removeprefix("posts/").removesuffix(".md")
    assert any(post in path for path in changed), changed
    # The theme's files, the other posts' pages and the images stay as they were.
    assert not any(path.startswith("assets/") for path in changed), changed
    assert len(changed) < len(before) / 4, changed


def test_cold_and_warm_builds_of_the_same_posts_are_byte_identical(tmp_path):
    # A warm build takes what it can from .cache/ (hooks/cache.py); after an
    # edit and its undoing, it must still give the cold build's bytes.
    project = copy_project(tmp_path / "blog")
    blog = Blog(project, SEED)
    post = project / "docs" / next(iter(sorted(blog.posts)))
    original = post.read_bytes()
    sites = {}
    for name in ("cold", "warm", "edited", "undone"):
        if name == "edited":
            post.write_bytes(original + b"\nA sentence added, and then taken out.\n")
        if name == "undone":
            post.write_bytes(original)
        sites[name] = tmp_path / name
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(sites[name])],
                              cwd=project, env=env() | FIXED_TIME, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        if name == "cold":
            assert (project / ".cache" / "build.pickle").is_file()
    cold = files_of(sites["cold"])
    assert differences(files_of(sites["warm"]), cold) == []
    assert differences(files_of(sites["undone"]), cold) == []
    assert differences(files_of(sites["edited"]), cold) != []
