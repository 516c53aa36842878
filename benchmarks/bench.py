"""The build benchmark behind `make bench`.

For each N, a temporary copy of the blog gets N synthetic posts
(benchmarks/generate.py) beside the real ones, and one run measures:

- cold `mkdocs build` time and peak memory (max RSS) of the project, of
  stock Material (blog and tags plugins, no hooks, no overrides) building the
  same docs/ with the same Markdown extensions, and of Pelican 4.12 building
  the same posts (benchmarks/pelican.py): fresh processes, alternating ours,
  stock, Pelican, ours, ...; medians and the ratios ours / stock and
  ours / Pelican. Above 3,000 posts (10,000: the scale goal) ours alone, once.
  Each variant's first build at a size goes into a new folder, the later
  ones into the folder the one before left (ours keeps the files there
  that hold its bytes, hooks/keep_site.py; stock and Pelican empty it):
  results.md gives the first builds too, and the scale goal compares the
  10,000-post build (into a new folder) with the first at 1,000;
- the share of a build spent in our hooks, from one cProfile run of ours;
- a warm build of ours after each cold one: one post changed, with the
  .cache/ the cold build left (cold builds start with none);
- save-to-served latency under `make serve` (its mkdocs command on a free
  127.0.0.1 port): a sentence appended to a post's body, a new tag, a new
  title (the post moves), each saved and the served page polled until it
  shows the change.

It writes results.md, results.json and build-time.png into --out.
`--quick` (N = 10, 100; one repeat; Pelican and serve at N = 10) only proves
that the bench works; the test suite runs it. Timings are never asserted.
`--builds-only` leaves out serve.

    .venv/bin/python benchmarks/bench.py [--quick] [--sizes 10,100] [--repeats 3]
        [--builds-only] [--profile N] [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import pstats
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pelican
import yaml
from generate import generate
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pymdownx.slugs import slugify

ROOT = Path(__file__).resolve().parent.parent
# The blog is copied the way the tests copy it: what a build reads
# (PROJECT_PARTS), with file times kept.
sys.path.insert(0, str(ROOT / "tests"))
import card_cost  # noqa: E402 - after tests/ is on the path
import image_cost  # noqa: E402

from support import PROJECT_PARTS, copy_project  # noqa: E402

STOCK_CONFIG = "mkdocs-stock.yml"
SIZES = (10, 100, 1000, 3000, 10000)
QUICK_SIZES = (10, 100)
REPEATS = 3
# Stock and Pelican are built at N up to here; above it ours alone, once
# (issue 11: 10,000 posts for this project alone).
PEERS_MAX = 3000
ALONE_REPEATS = 1
PEERS = ("stock", "pelican")
CONFIGS = {"ours": "mkdocs.yml", "stock": STOCK_CONFIG}
# The scale goal: from SCALE[0] to SCALE[1] posts our build grows at most
# SCALE_GROWTH times and peaks under SCALE_MIB.
SCALE = (1000, 10000)
SCALE_GROWTH = 10.5
SCALE_MIB = 1024
# Serve is measured at N up to here: its start and every save rebuild the
# blog, which at 3,000 posts would add many minutes to a run.
SERVE_MAX = 1000
# Edits of the longer exactness run (tests/test_incremental.py runs 50).
LONG_EDITS = 300
# Posts at which the cost of social cards and images is measured.
REACH_POSTS = 1000
RELOAD_TIMEOUT = 180  # seconds from save to the page showing the change
START_TIMEOUT = 600  # seconds for `mkdocs serve` to build and answer first
POLL = 0.05  # seconds between two requests for the edited page
# Material's blog plugin default post_slugify, which both configs use.
POST_SLUG = slugify(case="lower")
# Starts each timed build, so that its max RSS is its own.
MEASURE = Path(__file__).resolve().parent / "measure.py"


@dataclass
class Build:
    """One cold build: wall seconds of the process, its peak memory, and
    what mkdocs itself reported; its CPU seconds (user and system) and the
    peak memory of all its processes together (measure.py)."""

    seconds: float
    peak_mib: float
    reported_seconds: float | None
    warnings: int
    cpu_seconds: float | None = None
    peak_tree_mib: float | None = None


@dataclass
class Variant:
    """The cold builds of one configuration at one N."""

    runs: list[Build] = field(default_factory=list)

    def median(self, name: str) -> float:
        """The median of one measure (a field of Build) over the runs."""
        return statistics.median(getattr(run, name) for run in self.runs)

    median_seconds = property(lambda self: self.median("seconds"))
    median_peak_mib = property(lambda self: self.median("peak_mib"))
    median_cpu_seconds = property(lambda self: self.median("cpu_seconds"))
    median_peak_tree_mib = property(lambda self: self.median("peak_tree_mib"))

    def summary(self) -> dict:
        return {"median_seconds": self.median_seconds, "median_peak_mib": self.median_peak_mib,
                "median_cpu_seconds": self.median_cpu_seconds,
                "median_peak_tree_mib": self.median_peak_tree_mib,
                "runs": [asdict(run) for run in self.runs]}


@dataclass
class Reload:
    """One edit under `mkdocs serve`: seconds from save until the page showed
    it, and the rebuild time mkdocs printed for it."""

    seconds: float
    reported_seconds: list[float]


# -- The project and the stock configuration --------------------------------


def stock_config(ours: dict) -> dict:
    """Stock Material's blog for the same docs/: our address and Markdown,
    Material's own templates and plugin defaults, no hooks."""
    return {
        "site_name": ours["site_name"],
        "site_url": ours["site_url"],
        "theme": {"name": "material"},
        "plugins": [
            "search",
            {"blog": {"blog_dir": ".", "post_url_format": "posts/{slug}"}},
            "tags",
        ],
        "markdown_extensions": ours.get("markdown_extensions", []),
    }


def prepare(project: Path, count: int) -> list[Path]:
    """Copy the blog to `project`, add `count` posts and the stock config."""
    copy_project(project)
    posts = generate(project / "docs", count)
    ours = our_config(project)
    (project / STOCK_CONFIG).write_text(
        yaml.safe_dump(stock_config(ours), sort_keys=False), encoding="utf-8")
    return posts


def our_config(project: Path) -> dict:
    return yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))


def post_url(post: Path) -> str:
    """The address of a generated post under `posts/{slug}` (both configs)."""
    meta = yaml.safe_load(post.read_text(encoding="utf-8").split("---")[1])
    return f"posts/{POST_SLUG(meta['title'], '-')}/"


def site_path(project: Path) -> str:
    """The path the site is served under: that of site_url, as `mkdocs serve`
    and GitHub Pages do."""
    ours = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    return urllib.parse.urlparse(ours["site_url"]).path or "/"


def env() -> dict[str, str]:
    """The environment `make` gives mkdocs."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


# -- Cold builds --------------------------------------------------------------


def cold_build(project: Path, config: str, site: Path, log: Path) -> Build:
    """A fresh `mkdocs build` process with no cache of an earlier build
    (.cache/ removed): its wall time and max RSS (measure.py)."""
    shutil.rmtree(project / ".cache", ignore_errors=True)
    return timed_build(project, config, site, log)


def warm_build(project: Path, post: Path, site: Path, log: Path) -> Build:
    """A build of ours after one post changed, with the .cache/ the last
    build of ours left: what a deploy after one edit costs."""
    with post.open("a", encoding="utf-8") as text:
        text.write(f"\nA warm build's edit {uuid.uuid4().hex}.\n")
    return timed_build(project, CONFIGS["ours"], site, log)


def timed_build(project: Path, config: str, site: Path, log: Path) -> Build:
    command = [sys.executable, str(MEASURE), str(log),
               sys.executable, "-m", "mkdocs", "build", "--clean", "-f", config, "-d", str(site)]
    done = subprocess.run(command, cwd=project, env=env(), capture_output=True, text=True)
    text = log.read_text(encoding="utf-8")
    if done.returncode != 0 or json.loads(done.stdout)["returncode"] != 0:
        raise SystemExit(f"{config}: mkdocs build failed:\n{done.stderr}{text[-3000:]}")
    measured = json.loads(done.stdout)
    return Build(measured["seconds"], measured["peak_mib"], reported_seconds(text),
                 text.count("WARNING"), measured["cpu_seconds"], measured["peak_tree_mib"])


def reported_seconds(log: str) -> float | None:
    """The last "Documentation built in X seconds" time in a mkdocs log."""
    times = reported_all(log)
    return times[-1] if times else None


def reported_all(log: str) -> list[float]:
    """The build times a log reports: MkDocs' own line, or hooks/serve_build.py's."""
    found = re.findall(r"(?:Documentation built|Rebuilt) in ([0-9.]+) seconds", log)
    return [float(seconds) for seconds in found]


def check_pages(site: Path, urls: list[str], config: str) -> None:
    """Every generated post has its page: the build did the work measured."""
    missing = [url for url in urls if not (site / url / "index.html").is_file()]
    if missing:
        raise SystemExit(f"{config}: {len(missing)} post pages missing, e.g. {missing[0]}")


def pelican_build(folder: Path, site: Path, log: Path, posts: list[pelican.Post],
                  feed_length: int) -> Build:
    """A fresh `pelican` process (measure.py, as for mkdocs), its output checked."""
    measured = pelican.build(folder, site, log)
    pelican.check_site(site, posts, feed_length)
    return Build(measured["seconds"], measured["peak_mib"],
                 pelican.reported_seconds(measured["log"]), measured["log"].count("WARNING"),
                 measured["cpu_seconds"], measured["peak_tree_mib"])


def measure_builds(project: Path, posts: list[Path], urls: list[str], repeats: int,
                   names: tuple[str, ...]) -> dict[str, Variant]:
    """Cold builds alternating ours, stock, Pelican, ours, ... (those in `names`)."""
    variants = {name: Variant() for name in names}
    warm = Variant()
    if "pelican" in names:
        ours = our_config(project)
        converted = pelican.prepare(project.parent / "pelican", posts, ours)
    for repeat in range(repeats):
        for name, variant in variants.items():
            site = project.parent / f"site-{name}"
            log = project.parent / f"{name}.log"
            if name == "pelican":
                run = pelican_build(project.parent / "pelican", site, log, converted,
                                    ours["extra"]["feed"]["length"])
            else:
                run = cold_build(project, CONFIGS[name], site, log)
                check_pages(site, urls, CONFIGS[name])
            variant.runs.append(run)
            say(f"  {name} build {repeat + 1}/{repeats}: {run.seconds:.2f} s "
                f"({run.cpu_seconds:.2f} s CPU), {run.peak_mib:.0f} MiB, {run.warnings} warnings")
            if name == "ours":
                again = warm_build(project, posts[len(posts) // 3], site, log)
                check_pages(site, urls, CONFIGS[name])
                warm.runs.append(again)
                say(f"  ours warm build {repeat + 1}/{repeats}: {again.seconds:.2f} s "
                    f"({again.cpu_seconds:.2f} s CPU)")
    return {**variants, "warm": warm}


# -- Hook share ---------------------------------------------------------------


def profile(project: Path, work: Path) -> dict:
    """One build of ours under cProfile; the time spent in hooks/."""
    output = work / "build.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(output), "-m", "mkdocs", "build",
               "--clean", "-d", str(work / "site-profiled")]
    done = subprocess.run(command, cwd=project, env=env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"profiled build failed:\n{done.stderr[-3000:]}")
    return hook_share(pstats.Stats(str(output)), project / "hooks")


def hook_share(stats: pstats.Stats, hooks: Path) -> dict:
    """Share of the profiled time inside our hooks.

    Only the calls MkDocs' plugin manager (`PluginCollection.run_event`)
    makes into a function of hooks/ are summed, with the cumulative time of
    that call edge: helpers the events call are inside it already, and a
    helper called by something else (a sort key) is not counted again."""
    total = stats.total_tt
    ours = {func: row for func, row in stats.stats.items()
            if Path(func[0]).resolve().parent == hooks.resolve()}
    events = []
    for func, (_, _, _, _, callers) in ours.items():
        for caller, (_, calls, _, cumulative) in callers.items():
            if is_run_event(caller):
                events.append({"function": describe(func, hooks), "calls": calls,
                               "seconds": cumulative})
    hook_seconds = sum(event["seconds"] for event in events)
    top = sorted(ours.items(), key=lambda item: item[1][3], reverse=True)[:5]
    return {
        "total_seconds": total,
        "hook_seconds": hook_seconds,
        "share": hook_seconds / total,
        "nested_events": events_nest(stats),
        "events": sorted(events, key=lambda event: event["seconds"], reverse=True),
        "top": [{"function": describe(func, hooks), "calls": row[1], "seconds": row[3],
                 "event": any(map(is_run_event, row[4]))} for func, row in top],
    }


def is_run_event(func: tuple) -> bool:
    return func[2] == "run_event" and func[0].endswith(os.path.join("mkdocs", "plugins.py"))


def events_nest(stats: pstats.Stats) -> bool:
    """Whether an event handler (a hook's or a plugin's) set off another event
    while it ran: the plugin manager then ran inside itself, and an event of
    hooks/ may have been counted inside another. Reported, not expected."""
    return any(is_run_event(func) and row[1] > row[0] for func, row in stats.stats.items())


def describe(func: tuple, hooks: Path) -> str:
    return f"hooks/{Path(func[0]).name}:{func[1]}({func[2]})"


# -- Edit-to-reload under `make serve` ---------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, timeout: float) -> str:
    """The page, or "" while the server is not up. `mkdocs serve` holds a
    request until a rebuild in progress is done, hence the long timeout."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode("utf-8")
    except (OSError, urllib.error.URLError):
        return ""


class Server:
    """`make serve`'s command (mkdocs serve --dev-addr ... --livereload) for
    the temporary project, on a free 127.0.0.1 port, and what it prints."""

    def __init__(self, project: Path) -> None:
        port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}",
             "--livereload"],
            cwd=project, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )
        self.base = f"http://127.0.0.1:{port}{site_path(project)}"
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def count(self, needle: str) -> int:
        return sum(needle in line for line in list(self.lines))

    def settle(self) -> None:
        """Wait until every detected change has been rebuilt and a second
        passes with no new one, so that the next edit starts from rest."""
        deadline = time.monotonic() + RELOAD_TIMEOUT
        while time.monotonic() < deadline:
            changes = self.count("Detected file changes")
            if changes == self.count("Reloading browsers"):
                time.sleep(1)
                if self.count("Detected file changes") == changes:
                    return
            time.sleep(POLL)
        raise SystemExit("mkdocs serve never settled:\n" + "\n".join(self.lines[-30:]))

    def wait_for(self, url: str, needle: str, timeout: float) -> float:
        """Poll `url` every POLL seconds until it shows `needle`; the seconds."""
        start = time.perf_counter()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if needle in fetch(self.base + url, timeout=max(deadline - time.monotonic(), 1)):
                return time.perf_counter() - start
            time.sleep(POLL)
        raise SystemExit(f"{needle!r} never appeared at {self.base + url} (waited up to "
                         f"{timeout} s, or until mkdocs serve exited):\n"
                         + "\n".join(self.lines[-30:]))

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def body_edit(post: Path, number: int) -> tuple[str | None, str]:
    """A sentence added to the post's body: shown on its page."""
    marker = f"Benchmark marker {uuid.uuid4().hex} was saved here."
    with post.open("a", encoding="utf-8") as text:
        text.write(f"\n{marker}\n")
    return None, marker


def retag(post: Path, number: int) -> tuple[str | None, str]:
    """A new tag for the post: its meta line shows it, its listings and the
    new tag's page and feed change."""
    tag = f"retag-{number}"
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("tags: [", f"tags: [{tag}, ", 1), encoding="utf-8")
    return None, f"#{tag}"


def retitle(post: Path, number: int) -> tuple[str | None, str]:
    """A new title: the post moves to a new address, its neighbours, its
    listings, tag pages, feeds and the search index change."""
    title = f"Retitled Benchmark Post {number} {uuid.uuid4().hex[:8]}"
    text = post.read_text(encoding="utf-8")
    post.write_text(re.sub(r'(?m)^title: .*$', f'title: "{title}"', text, count=1),
                    encoding="utf-8")
    return f"posts/{POST_SLUG(title, '-')}/", title


# What a writer does between two looks at the preview, timed under `make serve`.
EDITS = {"body": body_edit, "retag": retag, "retitle": retitle}


def measure_reloads(project: Path, post: Path, url: str, repeats: int) -> dict[str, list]:
    """Save-to-served seconds of each kind of edit, `repeats` times, under
    one plain `make serve`."""
    server = Server(project)
    try:
        server.wait_for(url, "</html>", START_TIMEOUT)
        server.settle()
        results: dict[str, list] = {kind: [] for kind in EDITS}
        for number in range(repeats):
            for kind, edit in EDITS.items():
                before = len(server.lines)
                moved, needle = edit(post, number)
                url = moved or url
                seconds = server.wait_for(url, needle, RELOAD_TIMEOUT)
                server.settle()
                results[kind].append(
                    Reload(seconds, reported_all("\n".join(server.lines[before:]))))
        return results
    finally:
        server.close()


def measure_serve(project: Path, post: Path, url: str, repeats: int) -> dict[str, list[Reload]]:
    results = measure_reloads(project, post, url, repeats)
    for kind, runs in results.items():
        say(f"  serve {kind}: " + ", ".join(f"{r.seconds:.2f} s" for r in runs))
    return results


# -- One size, the whole run ---------------------------------------------------


def bench_size(count: int, repeats: int, serve: bool, profiled: bool,
               peers: tuple[str, ...] = PEERS) -> dict:
    say(f"N = {count}")
    with tempfile.TemporaryDirectory(prefix=f"ew-bench-{count}-") as folder:
        work = Path(folder)
        project = work / "blog"
        posts = prepare(project, count)
        urls = [post_url(post) for post in posts]
        variants = measure_builds(project, posts, urls, repeats, ("ours", *peers))
        ours = variants["ours"].median_seconds
        result = {
            "n": count,
            "ours": variants["ours"].summary(),
            "stock": variants["stock"].summary() if "stock" in peers else None,
            "ratio": ours / variants["stock"].median_seconds if "stock" in peers else None,
            "warm": variants["warm"].summary(),
            "warm_ratio": (variants["warm"].median_seconds / variants["stock"].median_seconds
                           if "stock" in peers else None),
            "pelican": variants["pelican"].summary() if "pelican" in peers else None,
            "pelican_ratio": (ours / variants["pelican"].median_seconds
                              if "pelican" in peers else None),
            "serve": None,
            "profile": None,
        }
        if profiled:
            result["profile"] = profile(project, work)
            say(f"  hooks: {result['profile']['share']:.1%} of a profiled build")
        if serve:
            middle = len(posts) // 2
            reloads = measure_serve(project, posts[middle], urls[middle], repeats)
            result["serve"] = {
                "post": posts[middle].relative_to(project).as_posix(),
                **{mode: {"median_seconds": statistics.median(r.seconds for r in runs),
                          "runs": [asdict(r) for r in runs]} for mode, runs in reloads.items()},
            }
        return result


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
    kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {
        "cpu": models[0] if models else platform.processor(),
        "cores": len(models) or os.cpu_count(),
        "ram_gib": round(kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "mkdocs": importlib.metadata.version("mkdocs"),
        "mkdocs-material": importlib.metadata.version("mkdocs-material"),
        "pelican": pelican.version(),
    }


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# -- Outputs --------------------------------------------------------------------


def two_places(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def seconds_cell(variant: dict | None) -> str:
    return two_places(variant and variant["median_seconds"])


def mib_cell(variant: dict | None) -> str:
    return f"{variant['median_peak_mib']:.0f}" if variant else "-"


def serve_cell(result: dict, mode: str) -> str:
    return two_places(result["serve"][mode]["median_seconds"]) if result["serve"] else "-"


def markdown(run: dict) -> str:
    """results.md: the header, the table, the hook share and top hooks."""
    box = run["machine"]
    lines = [
        "# Build benchmark",
        "",
        f"{run['date']}, {box['cpu']} ({box['cores']} cores), {box['ram_gib']} GiB RAM, "
        f"{box['os']}; Python {box['python']}, mkdocs {box['mkdocs']}, "
        f"mkdocs-material {box['mkdocs-material']}, pelican {box.get('pelican', '-')}; "
        f"commit {run['commit']}. Cold builds: median of {run['repeats']}, alternating "
        f"ours, stock Material and Pelican; where stock and Pelican are \"-\", ours alone, "
        f"{ALONE_REPEATS} build.",
        "",
        "| N | ours s | stock s | ours / stock | pelican s | ours / pelican | warm s "
        "| warm / stock | ours peak MiB | stock peak MiB | pelican peak MiB "
        "| serve body s | serve retag s | serve retitle s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | ---: |",
    ]
    for result in run["results"]:
        ours, stock, peer = result["ours"], result["stock"], result.get("pelican")
        lines.append(
            f"| {result['n']:,} | {ours['median_seconds']:.2f} | {seconds_cell(stock)} "
            f"| {two_places(result['ratio'])} | {seconds_cell(peer)} "
            f"| {two_places(result.get('pelican_ratio'))} | {seconds_cell(result.get('warm'))} "
            f"| {two_places(result.get('warm_ratio'))} | {mib_cell(ours)} "
            f"| {mib_cell(stock)} | {mib_cell(peer)} | {serve_cell(result, 'body')} "
            f"| {serve_cell(result, 'retag')} | {serve_cell(result, 'retitle')} |")
    lines += ["", *new_folder_lines(run), *scale_lines(run), *exactness_lines(run),
              *reach_lines(run), *profile_lines(run), ""]
    return "\n".join(lines)


def first_seconds(variant: dict | None) -> float | None:
    """The first build's time: each variant's first cold build at a size
    goes into a new folder, the next ones into the folder the last left."""
    runs = (variant or {}).get("runs") or []
    return runs[0]["seconds"] if runs else None


def new_folder_lines(run: dict) -> list[str]:
    """Cold builds into a new folder: the first of each size. Ours keeps
    the files of a folder an earlier build left that hold the bytes it
    writes (hooks/keep_site.py); stock Material and Pelican empty it."""
    cells = []
    for result in run["results"]:
        ours, stock = first_seconds(result["ours"]), first_seconds(result["stock"])
        peer = first_seconds(result.get("pelican"))
        if ours is None or stock is None:
            continue
        cell = f"{result['n']:,} posts: ours {ours:.2f} s, stock {stock:.2f} s ({ours / stock:.2f})"
        if peer:
            cell += f", Pelican {peer:.2f} s ({ours / peer:.2f})"
        cells.append(cell)
    if not cells:
        return []
    return ["Cold builds into a new folder (the first build of each size, no folder of an "
            "earlier build to keep files from): " + "; ".join(cells) + ".", ""]


def reach_lines(run: dict) -> list[str]:
    """The cost of social cards and images, when they were measured."""
    if "cards" not in run:
        return []
    return [f"Social cards at {REACH_POSTS:,} posts (benchmarks/card_cost.py):", "",
            card_cost.table(run["cards"]), "", image_cost.markdown(run["images"]), ""]


def exactness_lines(run: dict) -> list[str]:
    found = run.get("exactness")
    if not found:
        return []
    verdict = "every one served" if found["passed"] else "NOT every one served"
    return [f"Exactness: {found['edits']} seeded random edits under `make serve`; after "
            f"{verdict} byte for byte what a new server builds ({found['seconds']:.0f} s).", ""]


def scale_lines(run: dict) -> list[str]:
    """The scale goal, when both of its sizes were run."""
    by_n = {result["n"]: result["ours"] for result in run["results"]}
    small, large = SCALE
    if small not in by_n or large not in by_n:
        return []
    # Like for like: the larger size is built once, into a new folder, so
    # against the smaller size's first build, also into a new folder.
    growth = first_seconds(by_n[large]) / first_seconds(by_n[small])
    medians = by_n[large]["median_seconds"] / by_n[small]["median_seconds"]
    first_cpu = [variant["runs"][0]["cpu_seconds"] for variant in (by_n[large], by_n[small])]
    cpu = first_cpu[0] / first_cpu[1]
    peak, tree = by_n[large]["median_peak_mib"], by_n[large]["median_peak_tree_mib"]
    return [f"Scale: from {small:,} to {large:,} posts our build grows {growth:.2f} times "
            f"(goal: at most {SCALE_GROWTH}; its CPU time {cpu:.2f} times; both builds into a "
            f"new folder; {medians:.2f} times the median of {small:,}, whose later builds "
            f"went into the folder of the one before); at {large:,} "
            f"posts it peaks at {peak:.0f} MiB in its largest process and {tree:.0f} MiB in "
            f"all its processes together (goal: under {SCALE_MIB:,}).", ""]


def profile_lines(run: dict) -> list[str]:
    profiled = next((result for result in run["results"] if result["profile"]), None)
    if profiled is None:
        return []
    share = profiled["profile"]
    lines = [
        f"Hooks: {share['share']:.1%} of a build of ours at N = {profiled['n']:,} under "
        f"cProfile ({share['hook_seconds']:.2f} s of {share['total_seconds']:.2f} s; "
        "the calls MkDocs makes into hooks/, with all they call).",
    ]
    if share["nested_events"]:
        lines.append("An event ran inside another: nested hook time may be counted twice.")
    lines += ["", "Rows without \"(event)\" are called by MkDocs itself, not counted above: "
              "`render` of hooks/posts.py is MkDocs' rendering of a page (Markdown, as in "
              "stock) with one parser shared by the blog's pages."]
    lines += ["", "| Hook function (top 5 by cumulative time) | calls | cumulative s | share |",
              "| --- | ---: | ---: | ---: |"]
    for row in share["top"]:
        kind = " (event)" if row["event"] else ""
        lines.append(f"| `{row['function']}`{kind} | {row['calls']:,} | {row['seconds']:.2f} "
                     f"| {row['seconds'] / share['total_seconds']:.1%} |")
    return lines


def plot(run: dict, path: Path) -> None:
    """Median cold build time against N, ours, stock and Pelican, log-log."""
    figure = Figure(figsize=(7, 4.5), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    sizes = [result["n"] for result in run["results"]]
    for variant, label in (("ours", "expectedwrong (hooks + overrides)"),
                           ("stock", "stock Material blog + tags"),
                           ("pelican", "Pelican 4.12 (default theme)")):
        measured = [result for result in run["results"] if result.get(variant)]
        if measured:
            axes.plot([result["n"] for result in measured],
                      [result[variant]["median_seconds"] for result in measured],
                      marker="o", label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(sizes, [f"{size:,}" for size in sizes])
    axes.set_xlabel("posts (N)")
    axes.set_ylabel(f"cold mkdocs build, median of {run['repeats']} (s)")
    axes.set_title(f"Build time against N ({run['date']}, {run['machine']['cpu']})")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", *PROJECT_PARTS], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return (done.stdout.strip() or "unknown") + (" with uncommitted changes" if dirty else "")


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="N = 10, 100; one repeat; serve at N = 10 (proves the bench works)")
    parser.add_argument("--sizes", type=lambda text: [int(n) for n in text.split(",")],
                        help="comma-separated N (default 10,100,1000,3000,10000)")
    parser.add_argument("--repeats", type=int, help="cold builds of each per N (default 3)")
    parser.add_argument("--builds-only", action="store_true", help="no serve measurements")
    parser.add_argument("--profile", type=int, metavar="N",
                        help=f"the N to profile (default the largest up to {PEERS_MAX:,})")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    args.sizes = sorted(args.sizes or (QUICK_SIZES if args.quick else SIZES))
    args.repeats = args.repeats or (1 if args.quick else REPEATS)
    compared = [n for n in args.sizes if n <= PEERS_MAX] or args.sizes
    args.profile = args.profile or compared[-1]
    return args


def peers(count: int, args: argparse.Namespace) -> tuple[str, ...]:
    """Which peers are built beside ours at `count`: both up to PEERS_MAX;
    in quick mode Pelican at the smallest N only."""
    if count > PEERS_MAX:
        return ()
    if args.quick and count != args.sizes[0]:
        return ("stock",)
    return PEERS


def exactness(edits: int) -> dict:
    """tests/test_incremental.py's exactness test with a longer sequence of
    edits: whether every save served what a fresh server builds."""
    say(f"exactness: {edits} random edits under make serve")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(ROOT / "tests" / "test_incremental.py"), "-k", "fresh_server"],
        cwd=ROOT, env=env() | {"EW_EDITS": str(edits)}, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    say(f"  {'passed' if done.returncode == 0 else 'FAILED'} in {seconds:.0f} s")
    return {"edits": edits, "passed": done.returncode == 0, "seconds": seconds,
            "output": done.stdout[-3000:]}


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    serve_sizes = args.sizes[:1] if args.quick else [n for n in args.sizes if n <= SERVE_MAX]
    serve_sizes = [] if args.builds_only else serve_sizes
    started = time.perf_counter()
    run = {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "commit": commit(),
        "repeats": args.repeats,
        "quick": args.quick,
        "sizes": args.sizes,
        "results": [bench_size(count, args.repeats if peers(count, args) else ALONE_REPEATS,
                               count in serve_sizes, count == args.profile, peers(count, args))
                    for count in args.sizes],
    }
    if not args.quick and not args.builds_only:
        run["exactness"] = exactness(LONG_EDITS)
        # What cards and images cost at 1,000 posts, cold and warm
        # (benchmarks/card_cost.py, benchmarks/image_cost.py).
        run["cards"] = card_cost.measure_cards(REACH_POSTS, 1)
        run["images"] = image_cost.measure_images(posts=REACH_POSTS, repeats=1, say=say)
    run["bench_seconds"] = time.perf_counter() - started
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    (args.out / "results.md").write_text(markdown(run), encoding="utf-8")
    plot(run, args.out / "build-time.png")
    say(f"wrote {args.out}/results.md, results.json, build-time.png "
        f"in {run['bench_seconds']:.0f} s")


if __name__ == "__main__":
    main()
