"""`mkdocs serve` on 127.0.0.1 rebuilds on a saved change to a post, to the
theme override, to mkdocs.yml and to a hook, without a restart."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from support import copy_project, env

POST = "posts/openais-tape-models-and-the-sora-trade/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(url: str, needle: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = fetch(url)
        if needle in body:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared at {url}")


@pytest.fixture
def serve(tmp_path):
    project = copy_project(tmp_path / "blog")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--livereload",
         "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    # Served under the path of site_url, as on GitHub Pages.
    base = f"http://127.0.0.1:{port}/expectedwrong/"
    try:
        wait_for(base + POST, "354 words")
        yield project, base
    finally:
        process.terminate()
        process.wait(timeout=10)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_saved_changes_to_post_theme_config_and_hook_show_without_restart(serve):
    project, base = serve
    edit(project / "docs/posts/openais-tape-models-and-the-sora-trade.md",
         "I'm going with isn't.", "I'm going with isn't. Edited while serving.")
    wait_for(base + POST, "Edited while serving.")

    edit(project / "overrides/partials/ew-post-footer.html", "Published", "First published")
    wait_for(base + POST, "First published")

    edit(project / "mkdocs.yml", "section: hindsight", "section: foresight")
    wait_for(base + POST, "foresight")

    edit(project / "hooks/blog_pages.py", '"timeRequired"', '"timeRequiredEdited"')
    wait_for(base + POST, "timeRequiredEdited")
