"""Shared helpers for the tests: the project, real builds, parsing, serving."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gzip
import http.server
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
# The seed text as given (shared/seeds/000_ae6f05f97adae66f.txt), byte for byte.
SEED = ROOT / "tests" / "fixtures" / "seed-000_ae6f05f97adae66f.txt"
SEED_POST = "posts/openais-tape-models-and-the-sora-trade/index.html"
SEED_URL = "posts/openais-tape-models-and-the-sora-trade/"
PROJECT_PARTS = ("mkdocs.yml", "docs", "overrides", "hooks")
# Where GitHub Pages serves the site: the path of site_url in mkdocs.yml.
SITE_PATH = urllib.parse.urlparse(
    yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]
).path
# What `make` needs besides: the Makefile, its scripts and the lock files.
MAKE_PARTS = ("Makefile", "scripts", "requirements.txt", "requirements-dev.txt")


def env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def copy_project(target: Path, parts: tuple[str, ...] = PROJECT_PARTS) -> Path:
    """A copy of the blog (config, posts, theme, hooks) that a test may change.
    Copies keep their times, so `make` in a copy finds .venv up to date."""
    target.mkdir(parents=True, exist_ok=True)
    for part in parts:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


def build(project: Path, site: Path) -> subprocess.CompletedProcess:
    """A real `mkdocs build --strict` of `project` into `site`."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-d", str(site)],
        cwd=project, env=env(), capture_output=True, text=True, timeout=300,
    )


def verbose_build(project: Path, site: Path, fan_out: str = "1") -> subprocess.CompletedProcess:
    """A real `mkdocs build --strict -v` (whose debug lines say what ran beside
    the build) with EW_FAN_OUT set to `fan_out`."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-v", "-d", str(site)],
        cwd=project, env=env() | {"EW_FAN_OUT": fan_out}, capture_output=True, text=True,
        timeout=300,
    )


def files_of(site: Path) -> dict[str, bytes]:
    """Every file of a built site, by its path in the site."""
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


def add_hook(project: Path, name: str, text: str) -> None:
    """A hook of the test's own, `hooks/<name>`, listed first in mkdocs.yml."""
    (project / "hooks" / name).write_text(text, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "hooks:\n", f"hooks:\n  - hooks/{name}\n", 1), encoding="utf-8")


def built_site(project: Path, site: Path) -> Path:
    """`site`, built from `project` by a real strict build that succeeded."""
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    return site


def failed_line(result: subprocess.CompletedProcess, needle: str) -> str:
    """The one line of a build that stopped (exit 1, no traceback) which
    names `needle`."""
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output
    found = [line for line in output.splitlines() if needle in line]
    assert len(found) == 1, output
    return found[0]


def parse(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def write_post(project: Path, slug: str, front_matter: str, body: str) -> Path:
    path = project / "docs" / "posts" / f"{slug}.md"
    path.write_text(f"---\n{front_matter.strip()}\n---\n\n{body}\n", encoding="utf-8")
    return path


# A 1x1 PNG (a transparent pixel), whole: browsers and Pillow read it.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)
def fixture_posts(project: Path) -> None:
    """A blog of 38 posts in `project`: 2023-2025 (three share a date), a
    pinned one, a draft, one dated in the future, an image beside them."""
    for number in range(34):
        day = dt.date(2023, 1, 3) + dt.timedelta(days=29 * number)
        if number in (20, 21):
            day = dt.date(2024, 8, 1)
        write_post(project, f"fixture-{number:02d}",
                   f"title: Fixture post {number:02d}\ndescription: Number {number}.\n"
                   f"date: {day.isoformat()}\ntags: [fixtures, group-{number % 3}]",
                   f"Post number {number}.\n\n![A dot](images/dot.png)")
    write_post(project, "tie-first", "title: Tie first\ndescription: D.\ndate: 2024-08-01",
               "Same date as two others.")
    write_post(project, "pinned-old", "title: Pinned old\ndescription: D.\ndate: 2023-02-01\n"
               "pin: true", "Pinned.")
    write_post(project, "a-draft", "title: A draft\ndescription: D.\ndate: 2024-03-03\n"
               "draft: true", "Not yet.")
    later = dt.date.today() + dt.timedelta(days=30)
    write_post(project, "from-the-future", "title: From the future\ndescription: D.\n"
               f"date: {later.isoformat()}", "Not yet either.")
    images = project / "docs" / "posts" / "images"
    images.mkdir()
    (images / "dot.png").write_bytes(PNG)


# Text files a host such as GitHub Pages sends gzip-compressed.
COMPRESSED = {".html", ".css", ".js", ".json", ".xml", ".txt", ".svg", ".map"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files as GitHub Pages serves a project site: under the path of
    `site_url`, text gzip-compressed (zlib's default level) to browsers that
    accept it, and the site's own 404.html for a missing page."""

    def __init__(self, *args, base: str, **kwargs) -> None:
        self.base = base
        super().__init__(*args, **kwargs)

    def log_message(self, *args) -> None:
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.base):
            # Another site's address (a project site's host serves its
            # owner's site at the root): nothing here, so a 404.
            return str(Path(self.directory) / "-outside-the-site-" / path.lstrip("/"))
        return super().translate_path("/" + path[len(self.base) :])

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

    def send_error(self, code: int, message=None, explain=None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


class StaticServer:
    """The built site served on 127.0.0.1, as a reader's browser would get it:
    at `base`, the path of the site's address (SITE_PATH for the real site)."""

    def __init__(self, site: Path, base: str = "/") -> None:
        handler = functools.partial(_QuietHandler, directory=str(site), base=base)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.root = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.url = self.root.rstrip("/") + base
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def chrome_path() -> str | None:
    """A Chrome or Chromium on this machine, as scripts/ensure-chromium finds it."""
    if os.environ.get("CHROME_PATH"):
        return os.environ["CHROME_PATH"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        if found := shutil.which(name):
            return found
    return None


# Flags that keep Chromium on this machine: no background traffic, and no
# name lookup for any host but 127.0.0.1, so a page that needs one fails.
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


# -- mkdocs serve ------------------------------------------------------------


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


class Served:
    """A real `mkdocs serve` of `project` on 127.0.0.1, and what it prints."""

    def __init__(self, project: Path, extra_env: dict[str, str] | None = None) -> None:
        port = free_port()
        self.addr = f"127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--livereload", "--dev-addr", self.addr],
            cwd=project, env=env() | (extra_env or {}), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        # Served under the path of site_url, as on GitHub Pages.
        self.base = f"http://127.0.0.1:{port}/expectedwrong/"

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, needle: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if needle in line:
                    return line
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never printed:\n" + "\n".join(self.lines))

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@contextlib.contextmanager
def serving(project: Path, ready: str = SEED_URL, needle: str = "354 words"):
    served = Served(project)
    try:
        wait_for(served.base + ready, needle)
        yield served
    finally:
        served.close()


def search_for(page, query: str):
    """Open Material's search from the header button, type `query` as a reader
    would, and return the first result once it shows."""
    page.get_by_title("Search", exact=True).click()
    field = page.locator(".md-search__input")
    field.wait_for(state="visible")
    field.press_sequentially(query)
    result = page.locator(".md-search-result__link").first
    result.wait_for(state="visible")
    return result
