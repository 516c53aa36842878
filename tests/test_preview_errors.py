"""A broken template, hook or mkdocs.yml never leaves `make serve` hanging:
a real `mkdocs serve` prints one line naming the file and the line, keeps
serving the last good site at once, and the save that fixes the file
rebuilds it. (The exactness test, tests/test_incremental.py, also breaks
each of them at random and compares every file served.)"""

from __future__ import annotations

import time

import pytest

from support import SEED_URL, copy_project, fetch, serving

# What each break writes, the file, and the start of its one line.
BREAKS = {
    "template": ("overrides/partials/ew-footer.html", "\n{% for post in %}\n",
                 "overrides/partials/ew-footer.html:", "template syntax"),
    "hook": ("hooks/feeds.py", "\ndef broken(:\n", "hooks/feeds.py:", "Python syntax"),
    "config": ("mkdocs.yml", "\nextra: [unclosed\n", "mkdocs.yml:", "YAML that does not parse"),
}


def answered_at_once(url: str) -> str:
    """The page, at once, without the live-reload script the server adds to
    every response (it names the request)."""
    start = time.monotonic()
    body = fetch(url)
    assert time.monotonic() - start < 2, "the server held the request"
    return body[:body.rindex("<script>")] if "<script>" in body else body


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_a_broken_file_is_one_line_and_the_last_good_site_stays_served(kind, tmp_path):
    project = copy_project(tmp_path / "blog")
    path, broken, where, what = BREAKS[kind]
    target = project / path
    good = target.read_text(encoding="utf-8")
    with serving(project) as served:
        page = served.base + SEED_URL
        before = answered_at_once(page)
        target.write_text(good + broken, encoding="utf-8")
        line = served.wait_for_line(what)
        assert where in line and line.split(where)[1].split(":")[0].isdigit(), line
        served.wait_for_line("Not rebuilt: the last good site is still served")
        assert not any("Traceback" in text for text in served.lines), served.lines
        assert answered_at_once(page) == before
        seen = len(served.lines)
        target.write_text(good.replace("Written by", "Now written by"), encoding="utf-8")
        wait_for_line_after(served, "Rebuilt in", seen)
        if kind == "config":
            assert "Now written by" in answered_at_once(page)


def wait_for_line_after(served, needle: str, seen: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(needle in text for text in served.lines[seen:]):
            return
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never printed after the fix:\n"
                         + "\n".join(served.lines[seen:]))
