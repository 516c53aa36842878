"""What the social cards (hooks/cards.py) cost a build, cold and warm.

`measure_cards(count)` adds `count` synthetic posts (benchmarks/generate.py)
to a temporary copy of the blog and times fresh `mkdocs build` processes,
after one untimed build, alternating, per repeat:

- `without`: mkdocs.yml without hooks/cards.py (no card is drawn or copied);
- `cold`: with cards and an empty `.cache/cards/`: every card is drawn;
- `warm`: with cards and the cache the cold build filled: every card is a
  hash and a file copy.

The costs are the medians' differences from `without`, in wall seconds and
in CPU seconds (the build's and its card workers', which other load on the
machine does not inflate). `draw_ms` is the median time to draw and save one
card in this process (no workers), over the posts' first cards. bench.py
can call `measure_cards` and put the returned dict in its results; run
alone it prints a table:

    .venv/bin/python benchmarks/card_cost.py [--posts 1000] [--repeats 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from generate import generate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "hooks"))
from card_layout import Card, save  # noqa: E402
from cards import FONTS  # noqa: E402
from support import copy_project  # noqa: E402

WITHOUT_CONFIG = "mkdocs-without-cards.yml"
CARDS_HOOK = "hooks/cards.py"
# Cards drawn in process for `draw_ms`.
DRAWN = 50


def without_cards(config: dict) -> dict:
    """The blog's config with the cards hook left out."""
    return {**config, "hooks": [hook for hook in config["hooks"] if hook != CARDS_HOOK]}


def timed_build(project: Path, config: str, site: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh `mkdocs build` process; CPU with its
    card workers, and not slowed by other load on the machine."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--clean", "-f", config, "-d", str(site)],
        cwd=project, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{config}: mkdocs build failed:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def front_matter(post: Path) -> dict:
    return yaml.safe_load(post.read_text(encoding="utf-8").split("---")[1])


def draw_ms(posts: list[Path], folder: Path) -> float:
    """Median milliseconds to draw one post's card and save it as PNG."""
    times = []
    for post in posts[:DRAWN]:
        meta = front_matter(post)
        card = Card("expectedwrong", "hindsight", meta["title"], meta["description"],
                    "4 min read \u00b7 900 words", "expectedwrong.github.io")
        start = time.perf_counter()
        save(card, FONTS, folder / "card.png")
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times[1:] or times)


def measure_cards(count: int = 1000, repeats: int = 1) -> dict:
    """Seconds of builds without cards, with every card drawn (cold) and with
    every card cached (warm), at `count` posts; medians over `repeats`."""
    with tempfile.TemporaryDirectory(prefix="expectedwrong-cards-") as folder:
        project = copy_project(Path(folder) / "blog")
        posts = generate(project / "docs", count)
        config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
        (project / WITHOUT_CONFIG).write_text(
            yaml.safe_dump(without_cards(config), sort_keys=False), encoding="utf-8")
        cache = project / ".cache" / "cards"
        site = project / "site"
        runs: dict[str, list[float]] = {"without": [], "cold": [], "warm": []}
        # Untimed, once with each config: the first build of a fresh copy
        # also reads it from disk and fills the other memo tables of that
        # config's version (hooks/cache.py), so that the timed builds differ
        # by the cards alone.
        timed_build(project, WITHOUT_CONFIG, site)
        timed_build(project, "mkdocs.yml", site)
        for _ in range(repeats):
            runs["without"].append(timed_build(project, WITHOUT_CONFIG, site))
            shutil.rmtree(cache, ignore_errors=True)
            runs["cold"].append(timed_build(project, "mkdocs.yml", site))
            cards = len(list(cache.glob("*.png")))
            runs["warm"].append(timed_build(project, "mkdocs.yml", site))
        drawn = draw_ms(posts, Path(folder))
    seconds = {name: statistics.median(wall for wall, _ in times)
               for name, times in runs.items()}
    cpu = {name: statistics.median(used for _, used in times) for name, times in runs.items()}
    return {
        "posts": count,
        "cards": cards,
        "repeats": repeats,
        "without_s": seconds["without"],
        "cold_s": seconds["cold"],
        "warm_s": seconds["warm"],
        "cold_cost_s": seconds["cold"] - seconds["without"],
        "warm_cost_s": seconds["warm"] - seconds["without"],
        "without_cpu_s": cpu["without"],
        "cold_cpu_cost_s": cpu["cold"] - cpu["without"],
        "warm_cpu_cost_s": cpu["warm"] - cpu["without"],
        "draw_ms": drawn,
        "cpus": os.cpu_count(),
        "runs": runs,
    }


def table(result: dict) -> str:
    """The result as a Markdown table."""
    return "\n".join([
        "| posts | cards | without cards s | cold s | warm s | cold cost s | warm cost s "
        "| cold CPU cost s | warm CPU cost s | one card ms |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {result['posts']:,} | {result['cards']:,} | {result['without_s']:.2f} "
        f"| {result['cold_s']:.2f} | {result['warm_s']:.2f} | {result['cold_cost_s']:.2f} "
        f"| {result['warm_cost_s']:.2f} | {result['cold_cpu_cost_s']:.2f} "
        f"| {result['warm_cpu_cost_s']:.2f} | {result['draw_ms']:.1f} |",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    print(table(measure_cards(args.posts, args.repeats)))


if __name__ == "__main__":
    main()
