"""Pelican 4.12, the pure-Python peer `make bench` builds the same posts with.

The posts benchmarks/generate.py writes for our build are converted, body
unchanged, to Pelican's Markdown metadata (Title, Date, Tags, Summary, Slug;
the one shared image linked as Pelican links static files, `{static}`), and
built with a pelicanconf that asks for what our blog makes:

- Pelican's default theme (notmyidea), absolute URLs (RELATIVE_URLS off),
  no content cache (CACHE_CONTENT and LOAD_CONTENT_CACHE off): a cold build;
- the Markdown extensions of our mkdocs.yml, with their settings, plus the
  ones MkDocs always adds (toc, tables, fenced_code), as MARKDOWN's
  extension_configs;
- posts at posts/<slug>/ (the slug ours gets from the title), the index
  paginated by 10 (DEFAULT_PAGINATION, page/2/, ...), a page per tag
  (tags/<tag>/, paginated the same way), the tags index, the archive and a
  page per year;
- an Atom feed of the site (feed.xml) and one per tag (tags/<tag>/feed.xml),
  each of the newest `extra.feed.length` posts (20) with their full text.

What our blog does not make is turned off, which only spares Pelican work:
category and author pages and feeds (every post would be in the one default
category, a second paginated copy of the index) and translation feeds. The
default theme still names each post's category ("posts"), with no page.

After a build, `check_site` makes sure the output has what was asked for
(every post page, page 2 of the index, every tag's page and feed, with the
right number of entries), so that the comparison is of equal work.

Pelican runs in its own environment, .venv/pelican (`make bench` and
`make test` install it; requirements-pelican.in says why it is separate).

    .venv/bin/python benchmarks/pelican.py N [--keep DIR]   # one build, checked
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import yaml
from pymdownx.slugs import slugify

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "pelican" / "bin" / "python"
MEASURE = Path(__file__).resolve().parent / "measure.py"
CONTENT = "content"
SETTINGS = "pelicanconf.py"
# MkDocs adds these to every config's markdown_extensions (its "builtins").
MKDOCS_BUILTINS = ("toc", "tables", "fenced_code")
# generate.py links its one image from docs/posts/ as ../images/bench.png.
IMAGE_LINK = "](../images/"
PER_PAGE = 10
# Our slugs: Material's default post_slugify, as bench.py's post_url.
SLUG = slugify(case="lower")
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class Post:
    """What the checks need of a converted post."""

    slug: str
    tags: tuple[str, ...]


def split_front_matter(text: str) -> tuple[dict, str]:
    """The YAML front matter and the body of a post generate.py wrote."""
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def convert(text: str) -> tuple[str, Post]:
    """A post in Pelican's Markdown metadata format, and what it is.

    The body is kept byte for byte but for the image link, which Pelican
    resolves as `{static}/images/...`."""
    meta, body = split_front_matter(text)
    slug = SLUG(meta["title"], "-")
    tags = tuple(meta.get("tags") or ())
    header = [
        f"Title: {meta['title']}",
        f"Date: {meta['date'].isoformat()}",
        f"Tags: {', '.join(tags)}",
        f"Summary: {meta['description']}",
        f"Slug: {slug}",
    ]
    body = body.replace(IMAGE_LINK, "]({static}/images/")
    return "\n".join(header) + "\n" + body, Post(slug, tags)


def markdown_settings(mkdocs: dict) -> dict:
    """Pelican's MARKDOWN setting for the Markdown extensions of mkdocs.yml."""
    configs: dict[str, dict] = {name: {} for name in MKDOCS_BUILTINS}
    for entry in mkdocs.get("markdown_extensions", []):
        name, config = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        configs[name] = dict(config or {})
    return {"extension_configs": configs, "output_format": "html5"}


def settings(mkdocs: dict) -> dict:
    """The pelicanconf for our blog's config (site name, address, feeds)."""
    site_url = mkdocs["site_url"].rstrip("/")
    feed_length = mkdocs.get("extra", {}).get("feed", {}).get("length", 20)
    return {
        "SITENAME": mkdocs["site_name"],
        "SITEURL": site_url,
        "FEED_DOMAIN": site_url,
        "RELATIVE_URLS": False,
        "TIMEZONE": "UTC",
        "DEFAULT_LANG": "en",
        "PATH": CONTENT,
        "ARTICLE_PATHS": ["posts"],
        "PAGE_PATHS": [],
        "STATIC_PATHS": ["images"],
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        "DELETE_OUTPUT_DIRECTORY": True,
        "MARKDOWN": markdown_settings(mkdocs),
        "ARTICLE_URL": "posts/{slug}/",
        "ARTICLE_SAVE_AS": "posts/{slug}/index.html",
        "DEFAULT_PAGINATION": PER_PAGE,
        "PAGINATION_PATTERNS": [
            (1, "{url}", "{save_as}"),
            (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
        ],
        "TAG_URL": "tags/{slug}/",
        "TAG_SAVE_AS": "tags/{slug}/index.html",
        "TAGS_SAVE_AS": "tags/index.html",
        "ARCHIVES_SAVE_AS": "archive/index.html",
        "YEAR_ARCHIVE_URL": "archive/{date:%Y}/",
        "YEAR_ARCHIVE_SAVE_AS": "archive/{date:%Y}/index.html",
        "DIRECT_TEMPLATES": ["index", "tags", "archives"],
        "FEED_ALL_ATOM": "feed.xml",
        "TAG_FEED_ATOM": "tags/{slug}/feed.xml",
        "FEED_MAX_ITEMS": feed_length,
        # The default theme names each post's category: one for all, no page.
        "DEFAULT_METADATA": {"category": "posts"},
        "CATEGORY_SAVE_AS": "",
        "CATEGORY_FEED_ATOM": None,
        "AUTHOR_SAVE_AS": "",
        "AUTHOR_FEED_ATOM": None,
        "AUTHOR_FEED_RSS": None,
        "TRANSLATION_FEED_ATOM": None,
    }


def prepare(folder: Path, posts: list[Path], mkdocs: dict) -> list[Post]:
    """Pelican's project in `folder`: the converted posts, the image and the
    pelicanconf; what was converted."""
    content = folder / CONTENT
    (content / "posts").mkdir(parents=True)
    (content / "images").mkdir()
    converted = []
    for source in posts:
        text, post = convert(source.read_text(encoding="utf-8"))
        (content / "posts" / source.name).write_text(text, encoding="utf-8")
        converted.append(post)
    image = posts[0].parent.parent / "images" / "bench.png" if posts else None
    if image and image.is_file():
        (content / "images" / image.name).write_bytes(image.read_bytes())
    lines = [f"{key} = {value!r}" for key, value in settings(mkdocs).items()]
    (folder / SETTINGS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return converted


def command(output: Path) -> list[str]:
    """A cold `pelican` build into `output`, run in the project folder.
    Any warning fails it, so no post can be skipped unnoticed."""
    if not PYTHON.is_file():
        raise SystemExit(f"{PYTHON} is missing: run `make .venv/pelican/.installed`")
    return [str(PYTHON), "-m", "pelican", CONTENT, "-s", SETTINGS, "-o", str(output),
            "--fatal", "warnings"]


def version() -> str | None:
    """Pelican's version in its environment, if that is installed."""
    if not PYTHON.is_file():
        return None
    done = subprocess.run([str(PYTHON), "-m", "pelican", "--version"], capture_output=True,
                          text=True, check=True)
    return done.stdout.strip()


def reported_seconds(log: str) -> float | None:
    """The time Pelican printed ("Done: Processed ... in X seconds.")."""
    words = log.split()
    for index in range(len(words) - 1, 0, -1):
        if words[index].startswith("seconds") and words[index - 2] == "in":
            try:
                return float(words[index - 1])
            except ValueError:
                return None
    return None


def check_site(output: Path, posts: list[Post], feed_length: int = 20) -> None:
    """The build made what our blog makes; SystemExit naming what is missing."""
    problems = []

    def need(path: str) -> Path:
        if not (output / path).is_file():
            problems.append(f"{path} is missing")
        return output / path

    def entries(path: str, expected: int) -> None:
        feed = need(path)
        if feed.is_file():
            found = len(ET.parse(feed).getroot().findall(f"{ATOM}entry"))
            if found != expected:
                problems.append(f"{path} has {found} entries, expected {expected}")

    for post in posts:
        need(f"posts/{post.slug}/index.html")
    pages = math.ceil(len(posts) / PER_PAGE)
    for number in range(2, pages + 1):
        need(f"page/{number}/index.html")
    need("tags/index.html")
    entries("feed.xml", min(feed_length, len(posts)))
    counts: dict[str, int] = {}
    for post in posts:
        for tag in post.tags:
            counts[tag] = counts.get(tag, 0) + 1
    for tag, count in counts.items():
        slug = SLUG(tag, "-")
        need(f"tags/{slug}/index.html")
        if count > PER_PAGE:
            need(f"tags/{slug}/page/2/index.html")
        entries(f"tags/{slug}/feed.xml", min(feed_length, count))
    if problems:
        raise SystemExit(f"pelican: {len(problems)} problems in {output}, e.g. "
                         + "; ".join(problems[:3]))


def build(folder: Path, output: Path, log: Path) -> dict:
    """One cold build, timed by measure.py: seconds, cpu_seconds, peak_mib,
    returncode, and the log's text."""
    done = subprocess.run([sys.executable, str(MEASURE), str(log), *command(output)],
                          cwd=folder, capture_output=True, text=True)
    text = log.read_text(encoding="utf-8")
    measured = json.loads(done.stdout) if done.returncode == 0 else {"returncode": None}
    if measured["returncode"] != 0:
        raise SystemExit(f"pelican build failed:\n{done.stderr}{text[-3000:]}")
    return measured | {"log": text}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="synthetic posts to build")
    parser.add_argument("--keep", type=Path, help="build here (a new folder) and keep it")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from generate import generate

    with tempfile.TemporaryDirectory(prefix="ew-pelican-") as scratch:
        work = args.keep or Path(scratch)
        mkdocs = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
        posts = generate(work / "docs", args.count)
        folder = work / "pelican"
        converted = prepare(folder, posts, mkdocs)
        measured = build(folder, work / "pelican-site", work / "pelican.log")
        check_site(work / "pelican-site", converted, mkdocs["extra"]["feed"]["length"])
        print(json.dumps({"seconds": measured["seconds"], "cpu_seconds": measured["cpu_seconds"],
                          "peak_tree_mib": measured["peak_tree_mib"],
                          "peak_mib": measured["peak_mib"],
                          "reported_seconds": reported_seconds(measured["log"])}))


if __name__ == "__main__":
    main()
