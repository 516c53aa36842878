"""What images cost a build (hooks/images.py): cold and warm, at N posts.

A temporary copy of the blog gets N synthetic posts (benchmarks/generate.py)
and, in every `every`-th of them, a photo of its own (tests/image_fixture.py:
photo-like JPEGs of 2400x1600, about a megabyte each). Fresh `mkdocs build`
processes (benchmarks/measure.py: wall time and peak memory) then build it

- without the images hook (the same config less `hooks/images.py`),
- cold: with the hook and an empty `.cache/images/`, so every photo is
  resized and encoded,
- warm: with the hook again, the cache left from the cold build,

alternating, `repeats` times each; medians. The costs are the differences
from the build without the hook. One more warm build under cProfile gives
the seconds the hook's own events take, which the load of a shared machine
blurs less than the difference of two wall times.

    .venv/bin/python benchmarks/image_cost.py [--posts 1000] [--every 10] [--repeats 3]

`measure_images(posts, every, repeats)` returns the numbers as a dict, for
benchmarks/bench.py to add to its results.
"""

from __future__ import annotations

import argparse
import json
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from image_fixture import photo  # noqa: E402
from support import copy_project, env  # noqa: E402

MEASURE = Path(__file__).resolve().parent / "measure.py"
WITHOUT = "mkdocs-no-images.yml"
HOOK_LINE = "  - hooks/images.py\n"
# A photo as a phone or a camera's "large" JPEG export makes it, smaller than
# the tests' 4000x3000 so that a 1,000-post run stays in minutes.
PHOTO_SIZE = (2400, 1600)
POSTS = 1000
EVERY = 10
REPEATS = 3
HOOK_EVENTS = ("on_pre_build", "on_files", "on_page_content", "on_post_build")


def prepare(project: Path, posts: int, every: int) -> int:
    """The blog, `posts` posts and a photo in every `every`-th; returns how
    many photos."""
    copy_project(project)
    written = generate(project / "docs", posts)
    folder = project / "docs" / "posts" / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    photos = 0
    for number, post in enumerate(written):
        if number % every:
            continue
        photo(*PHOTO_SIZE, seed=number).save(folder / f"photo-{number}.jpg", quality=90)
        with post.open("a", encoding="utf-8") as text:
            text.write(f"\n![A photograph for post {number}](photos/photo-{number}.jpg)\n")
        photos += 1
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    if HOOK_LINE not in config:
        raise SystemExit(f"mkdocs.yml has no `{HOOK_LINE.strip()}` line to leave out")
    (project / WITHOUT).write_text(config.replace(HOOK_LINE, ""), encoding="utf-8")
    return photos


def timed_build(project: Path, config: str, log: Path) -> dict:
    """One fresh `mkdocs build` process: seconds and peak MiB."""
    site = project.parent / "site"
    command = [sys.executable, str(MEASURE), str(log), sys.executable, "-m", "mkdocs",
               "build", "--clean", "-f", config, "-d", str(site)]
    done = subprocess.run(command, cwd=project, env=env(), capture_output=True, text=True)
    measured = json.loads(done.stdout) if done.stdout else {}
    if done.returncode != 0 or measured.get("returncode") != 0:
        raise SystemExit(f"{config}: mkdocs build failed:\n{done.stderr}"
                         f"{log.read_text(encoding='utf-8')[-3000:]}")
    return {"seconds": measured["seconds"], "peak_mib": measured["peak_mib"]}


def hook_seconds(project: Path, log: Path) -> dict[str, float]:
    """One build under cProfile: the seconds spent in each event of
    hooks/images.py, which machine load inflates less than wall time."""
    stats_file = log.with_suffix(".prof")
    command = [sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m", "mkdocs",
               "build", "--clean", "-d", str(project.parent / "site")]
    with log.open("w", encoding="utf-8") as out:
        subprocess.run(command, cwd=project, env=env(), stdout=out, stderr=out, check=True)
    stats = pstats.Stats(str(stats_file)).stats
    return {name: sum(row[3] for func, row in stats.items()
                      if func[0].endswith("hooks/images.py") and func[2] == name)
            for name in HOOK_EVENTS}


def size_mib(folder: Path, pattern: str = "*") -> float:
    return sum(path.stat().st_size for path in folder.rglob(pattern) if path.is_file()) / 2**20


def measure_images(posts: int = POSTS, every: int = EVERY, repeats: int = REPEATS,
                   say=print) -> dict:
    """Cold and warm image cost at `posts` posts with a photo in every
    `every`-th: medians of `repeats` builds of each kind."""
    with tempfile.TemporaryDirectory(prefix=f"ew-images-{posts}-") as folder:
        project = Path(folder) / "blog"
        start = time.perf_counter()
        photos = prepare(project, posts, every)
        say(f"images: {posts} posts, {photos} photos of {PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} "
            f"({size_mib(project / 'docs' / 'posts' / 'photos'):.0f} MiB) made in "
            f"{time.perf_counter() - start:.0f} s")
        cache = project / ".cache" / "images"
        runs: dict[str, list[dict]] = {"without": [], "cold": [], "warm": []}
        # Untimed, once with each config: the first build of each fills the
        # other memo tables of its version (hooks/cache.py) and draws the
        # cards, so that the timed builds differ by the images alone.
        for config in (WITHOUT, "mkdocs.yml"):
            timed_build(project, config, Path(folder) / "warm-up.log")
        for repeat in range(repeats):
            for kind in runs:
                if kind == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                config = WITHOUT if kind == "without" else "mkdocs.yml"
                run = timed_build(project, config, Path(folder) / f"{kind}.log")
                runs[kind].append(run)
                say(f"  {kind} {repeat + 1}/{repeats}: {run['seconds']:.2f} s, "
                    f"{run['peak_mib']:.0f} MiB")
        # The cache is full now: what the hook itself takes in a warm build.
        warm_hook = hook_seconds(project, Path(folder) / "profile.log")
        say("  warm, profiled: " + ", ".join(f"{k} {v:.2f} s" for k, v in warm_hook.items()))
        median = {kind: statistics.median(r["seconds"] for r in done)
                  for kind, done in runs.items()}
        return {
            "posts": posts,
            "photos": photos,
            "photo_size": list(PHOTO_SIZE),
            "without_seconds": median["without"],
            "cold_seconds": median["cold"],
            "warm_seconds": median["warm"],
            "cold_cost_seconds": median["cold"] - median["without"],
            "warm_cost_seconds": median["warm"] - median["without"],
            "cold_seconds_per_photo": (median["cold"] - median["without"]) / max(photos, 1),
            "warm_hook_seconds": warm_hook,
            "peak_mib": {kind: max(r["peak_mib"] for r in done) for kind, done in runs.items()},
            "cache_mib": size_mib(cache),
            "derived_mib": size_mib(project.parent / "site" / "posts", "*w.*"),
            "runs": runs,
        }


def markdown(result: dict) -> str:
    """The result as a table, for results.md or a terminal."""
    return "\n".join([
        f"Images at {result['posts']:,} posts, {result['photos']} photos of "
        f"{result['photo_size'][0]}x{result['photo_size'][1]} (median of "
        f"{len(result['runs']['cold'])}):",
        "",
        "| build | s | cost s | peak MiB |",
        "| --- | ---: | ---: | ---: |",
        f"| without the images hook | {result['without_seconds']:.2f} | - | "
        f"{result['peak_mib']['without']:.0f} |",
        f"| cold (empty .cache/images/) | {result['cold_seconds']:.2f} | "
        f"{result['cold_cost_seconds']:.2f} | {result['peak_mib']['cold']:.0f} |",
        f"| warm (cache kept) | {result['warm_seconds']:.2f} | "
        f"{result['warm_cost_seconds']:.2f} | {result['peak_mib']['warm']:.0f} |",
        "",
        f"Cold: {result['cold_seconds_per_photo']:.2f} s a photo. Warm, the hook's events "
        f"take {sum(result['warm_hook_seconds'].values()):.2f} s of a profiled build "
        f"({', '.join(f'{k} {v:.2f}' for k, v in result['warm_hook_seconds'].items())}). "
        f"Cache {result['cache_mib']:.0f} MiB.",
    ])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=POSTS)
    parser.add_argument("--every", type=int, default=EVERY,
                        help="a photo in every EVERY-th post")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)
    result = measure_images(args.posts, args.every, args.repeats)
    print(markdown(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
