"""Social cards and cover images in real `mkdocs build --strict` builds: the
head tags a shared link is drawn from, the PNGs they point at, and the
cards' text read back with OCR (Tesseract, installed by scripts/ensure-ocr)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageColor
from test_html_valid import vnu

from card_layout import ACCENT, INK, MUTED, PAPER
from cards import INLINE_MISSES, card_workers
from front_matter import check_image, check_image_file
from support import (
    ROOT,
    SEED_POST,
    SITE_PATH,
    StaticServer,
    add_hook,
    build,
    built_site,
    copy_project,
    env,
    parse,
    write_post,
)

SITE_URL = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]
CONFIG = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
SEED_TITLE = "OpenAI's Tape Models and the Sora Trade"
CJK_TITLE = "模型的记忆与视频生成"
EMOJI_TITLE = "Shipping 🚀 with emoji 🎉 and ✨"
LONG_TITLE = ("Everything we expected about the video models turned out wrong in ways "
              "that nobody predicted, and then the market moved on to the next thing "
              "before anyone had time to write down the lesson")
COVER_ALT = "A grey gradient, dark on the left"
# Enough posts that, with the site's card, some cards are drawn by workers.
MORE = [f"Another ordinary post number {number}" for number in range(INLINE_MISSES)]


def meta(soup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    return tag["content"] if tag else None


def local(site: Path, url: str) -> Path:
    """The built file an absolute URL of the site points at."""
    assert url.startswith(SITE_URL), url
    return site / url[len(SITE_URL):]


def ocr(png: Path, language: str = "eng") -> str:
    """The text Tesseract reads on `png`, with white space collapsed."""
    result = subprocess.run(["tesseract", str(png), "stdout", "-l", language],
                            capture_output=True, text=True, timeout=120, check=True)
    return " ".join(result.stdout.split())


def plain(text: str) -> str:
    """Text as OCR compares: ASCII quotes, no space between CJK characters."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"(?<=[\u3000-\u9fff])\s+(?=[\u3000-\u9fff])", "", text)


def post_pages(site: Path) -> list[Path]:
    return sorted((site / "posts").glob("*/index.html"))


# -- The real site ------------------------------------------------------------


def test_every_post_and_the_home_page_share_a_1200x630_card_that_resolves(site):
    pages = [site / "index.html", *post_pages(site)]
    assert len(pages) >= 2
    for page in pages:
        soup = parse(site, str(page.relative_to(site)))
        url = meta(soup, "og:image")
        assert url and url.startswith(SITE_URL), page
        card = local(site, url)
        with Image.open(card) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630)), card
        assert (meta(soup, "og:image:width"), meta(soup, "og:image:height")) == ("1200", "630")
        assert meta(soup, "og:image:type") == "image/png"
        assert meta(soup, "og:image:alt")
        assert meta(soup, "twitter:card") == "summary_large_image"
        assert meta(soup, "twitter:image") == url


def test_a_post_card_is_its_own_and_the_home_card_is_the_sites(site):
    post = meta(parse(site, SEED_POST), "og:image")
    home = meta(parse(site, "index.html"), "og:image")
    assert post == SITE_URL + "posts/openais-tape-models-and-the-sora-trade/card.png"
    assert home == SITE_URL + "card.png"


def test_the_blog_posting_json_ld_carries_the_card(site):
    soup = parse(site, SEED_POST)
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["image"] == {"@type": "ImageObject", "url": meta(soup, "og:image"),
                             "width": 1200, "height": 630}


def test_the_seed_card_reads_back_its_title_wordmark_and_read_time(site):
    text = plain(ocr(local(site, meta(parse(site, SEED_POST), "og:image"))))
    assert SEED_TITLE in text
    assert "expectedwrong" in text
    assert "hindsight" in text
    assert "2 min read" in text


def test_the_seed_card_is_saved_in_the_light_schemes_colours(site):
    with Image.open(local(site, meta(parse(site, SEED_POST), "og:image"))) as png:
        image = png.convert("RGB")
    assert image.getpixel((600, 0)) == ImageColor.getrgb(ACCENT)
    assert image.getpixel((1199, 629)) == ImageColor.getrgb(PAPER)
    colours = {colour for _, colour in image.getcolors(maxcolors=1200 * 630)}
    assert {ImageColor.getrgb(INK), ImageColor.getrgb(MUTED)} <= colours


def test_the_home_card_reads_back_the_site_description(site):
    text = ocr(local(site, meta(parse(site, "index.html"), "og:image")))
    assert CONFIG["site_description"] in text


# -- Fixture posts: CJK, emoji, long titles, a cover --------------------------


@pytest.fixture(scope="module")
def blog(tmp_path_factory):
    """A copy of the blog with posts whose cards are hard to draw, and one
    with a cover image; built once."""
    project = copy_project(tmp_path_factory.mktemp("cards") / "blog")
    write_post(project, "cjk", f"title: {CJK_TITLE}\ndescription: 一篇中文文章。\n"
               "date: 2025-01-02\nslug: cjk", "正文。")
    write_post(project, "emoji", f'title: "{EMOJI_TITLE}"\ndescription: Fun.\n'
               "date: 2025-01-03\nslug: emoji", "Body.")
    write_post(project, "long", f'title: "{LONG_TITLE}"\ndescription: Long.\n'
               "date: 2025-01-04\nslug: long", "Body.")
    images = project / "docs" / "posts" / "images"
    images.mkdir()
    Image.linear_gradient("L").resize((1600, 900)).save(images / "cover.png")
    write_post(project, "covered", "title: A post with a cover\ndescription: Covered.\n"
               f"date: 2025-01-05\nimage: images/cover.png\nimage_alt: {COVER_ALT}",
               "The first paragraph of the body.")
    for number, title in enumerate(MORE):
        write_post(project, f"more-{number}", f"title: {title}\ndescription: More.\n"
                   f"date: 2024-06-{number + 1:02d}\nslug: more-{number}", "Body.")
    site = project / "site"
    built_site(project, site)
    return project, site


def card_of(site: Path, slug: str) -> Path:
    return local(site, meta(parse(site, f"posts/{slug}/index.html"), "og:image"))


def test_a_chinese_title_is_drawn_with_real_glyphs(blog):
    _, site = blog
    assert CJK_TITLE in plain(ocr(card_of(site, "cjk"), "chi_sim+eng"))


def test_an_emoji_title_keeps_its_words_around_the_emoji(blog):
    _, site = blog
    text = ocr(card_of(site, "emoji"))
    assert "Shipping" in text
    assert "with emoji" in text


def test_a_long_title_is_cut_with_an_ellipsis_not_overflowing(blog):
    _, site = blog
    text = ocr(card_of(site, "long"))
    assert "Everything we expected about the video models" in text
    assert "write down the lesson" not in text
    assert re.search(r"(…|\.\.\.)", text), text


def test_cards_drawn_by_worker_processes_carry_their_own_titles(blog):
    _, site = blog
    for number, title in enumerate(MORE):
        card = card_of(site, f"more-{number}")
        with Image.open(card) as image:
            assert image.size == (1200, 630)
        assert title in ocr(card)


def test_a_cover_image_is_the_posts_card_with_its_real_size(blog):
    _, site = blog
    soup = parse(site, "posts/a-post-with-a-cover/index.html")
    # Published where hooks/blog.py puts images beside posts (no posts/).
    assert meta(soup, "og:image") == SITE_URL + "images/cover.png"
    assert (meta(soup, "og:image:width"), meta(soup, "og:image:height")) == ("1600", "900")
    assert meta(soup, "og:image:alt") == COVER_ALT
    assert local(site, meta(soup, "og:image")).is_file()
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["image"]["url"] == meta(soup, "og:image")
    assert not (site / "posts" / "a-post-with-a-cover" / "card.png").exists()


def test_a_cover_image_stands_between_the_header_and_the_body(blog):
    _, site = blog
    soup = parse(site, "posts/a-post-with-a-cover/index.html")
    cover = soup.select_one("img.ew-post-cover")
    assert (cover["width"], cover["height"], cover["alt"]) == ("1600", "900", COVER_ALT)
    assert cover.find_previous_sibling("header")["class"] == ["ew-post-header"]
    assert cover.find_next_sibling("p").get_text() == "The first paragraph of the body."
    assert cover["src"] == "../../images/cover.png"


def test_a_post_with_a_cover_is_valid_html(blog):
    _, site = blog
    page = site / "posts" / "a-post-with-a-cover" / "index.html"
    assert vnu(page) == []


def test_an_unchanged_post_reuses_its_cached_card_and_a_changed_one_replaces_its_old(blog):
    project, site = blog
    cache = project / ".cache" / "cards"
    before = {path.name: path.stat().st_mtime_ns for path in cache.glob("*.png")}
    assert len(before) == 5 + len(MORE)
    post = project / "docs" / "posts" / "emoji.md"
    post.write_text(post.read_text(encoding="utf-8").replace("Shipping", "Sailing"),
                    encoding="utf-8")
    again = project / "site-again"
    result = build(project, again)
    assert result.returncode == 0, result.stderr
    after = {path.name: path.stat().st_mtime_ns for path in cache.glob("*.png")}
    kept = set(before) & set(after)
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}
    # The edited post's old card is gone from the cache, its new one there.
    assert len(set(before) - set(after)) == 1 and len(set(after) - set(before)) == 1
    assert (again / "posts" / "cjk" / "card.png").read_bytes() == \
        (site / "posts" / "cjk" / "card.png").read_bytes()
    assert "Sailing" in ocr(card_of(again, "emoji"))


# A hook for the test below: before hooks/cards.py copies the cached cards
# into the site, a folder takes the place of one of them.
BLOCKING_HOOK = """
from pathlib import Path
from mkdocs.plugins import event_priority

@event_priority(50)
def on_env(env, config, files):
    (Path(config.site_dir) / "posts" / "ordinary-post-07" / "card.png" / "x").mkdir(parents=True)
"""


def test_a_card_the_copying_process_cannot_copy_stops_the_build_with_one_line(tmp_path):
    project = copy_project(tmp_path / "blog")
    for number in range(40):
        write_post(project, f"ordinary-post-{number:02d}",
                   f"title: Ordinary post {number:02d}\ndescription: Post {number}.\n"
                   f"date: 2021-03-{number % 28 + 1:02d}", "Some words.\n")
    first = build(project, project / "site")
    assert first.returncode == 0, first.stderr
    # Every card to copy again (a build keeps the site's files that are
    # still right: hooks/keep_site.py).
    shutil.rmtree(project / "site")
    add_hook(project, "block_card.py", BLOCKING_HOOK)
    result = build(project, project / "site")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "could not be copied" in line]
    assert len(lines) == 1, result.stderr
    assert "posts/ordinary-post-07/card.png: card: could not be copied into the site" in lines[0]


# A hook for the test below: card tasks of three cards, each of which takes
# the worker half a second longer (another job on its CPU), so that the
# pages are rendered while most tasks wait for it.
SLOW_WORKER_HOOK = """
import functools
import os
import sys
import time

import card_layout

BUILD = os.getpid()
save_all = card_layout.save_all


@functools.wraps(save_all)
def slow(*args):
    if os.getpid() != BUILD:
        time.sleep(0.5)
    return save_all(*args)


def on_config(config):
    sys.modules["hooks/cards.py"].BATCH = 3
    card_layout.save_all = slow
"""


def test_card_tasks_no_worker_has_started_are_drawn_by_the_build_the_same(tmp_path):
    sites = {}
    for name in ("slow", "plain"):
        project = copy_project(tmp_path / name)
        for number in range(40):
            write_post(project, f"ordinary-post-{number:02d}",
                       f"title: Ordinary post {number:02d}\ndescription: Post {number}.\n"
                       f"date: 2021-03-{number % 28 + 1:02d}", "Some words.\n")
        if name == "slow":
            add_hook(project, "slow_worker.py", SLOW_WORKER_HOOK)
        site = tmp_path / f"site-{name}"
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-v", "-d", str(site)],
            cwd=project, env=env(), capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        drawn_here = sum(int(count) for count in re.findall(
            r"(\d+) cards drawn here instead of by a worker", result.stderr))
        sites[name] = (site, drawn_here)
    (slow, drawn_slow), (plain, _) = sites["slow"], sites["plain"]
    # 40 posts and the seed post: eight drawn first, the rest in tasks of
    # three, all but the two the worker took before it was ready.
    assert drawn_slow >= 20
    cards_of = {site: {path.relative_to(site).as_posix(): path.read_bytes()
                       for path in site.rglob("card.png")} for site in (slow, plain)}
    assert len(cards_of[slow]) == 42
    assert cards_of[slow] == cards_of[plain]


# -- Broken covers: one line naming the file, the key and what is expected ----


@pytest.mark.parametrize(("front_matter", "line"), [
    ("image: images/cover.png",
     "docs/posts/broken.md: image_alt: found nothing; expected what the image shows"),
    ("image: images/missing.png\nimage_alt: Gone",
     'docs/posts/broken.md:4: image: found "images/missing.png", which is not a file '
     "beside the post; expected a PNG, JPEG, GIF or WebP file beside the post"),
    ("image: https://example.com/a.png\nimage_alt: Far",
     'docs/posts/broken.md:4: image: found "https://example.com/a.png", which is not a '
     "path beside the post"),
    ("image: notes.txt\nimage_alt: Text",
     'docs/posts/broken.md:4: image: found "notes.txt", which is not a PNG, JPEG, GIF or '
     "WebP file"),
])
def test_a_broken_cover_stops_the_build_with_one_line(tmp_path, front_matter, line):
    project = copy_project(tmp_path / "blog")
    images = project / "docs" / "posts" / "images"
    images.mkdir()
    Image.new("RGB", (40, 20)).save(images / "cover.png")
    write_post(project, "broken", f"title: Broken\ndate: 2025-01-01\n{front_matter}",
               "Body.")
    result = build(project, tmp_path / "site")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [text for text in result.stderr.splitlines() if text.startswith("ERROR")]
    assert len(errors) == 1, result.stderr
    assert line in errors[0]


@pytest.mark.parametrize(("image", "alt", "found"), [
    (None, None, []),
    ("images/a.png", "A chart", []),
    ("a.JPG", "A photo", []),
    ("images/a.png", None, [("image_alt", True)]),
    ("images/a.png", "  ", [("image_alt", True)]),
    ("images/a.png", 5, [("image_alt", True)]),
    ("/images/a.png", "A chart", [("image", True)]),
    ("https://example.com/a.png", "A chart", [("image", True)]),
    ("images/a.svg", "A drawing", [("image", True)]),
    (42, "A chart", [("image", True)]),
    ("", "A chart", [("image", True)]),
    (None, "Alt without an image", [("image_alt", False)]),
])
def test_cover_keys_are_checked_like_every_other_key(image, alt, found):
    problems = check_image(image, alt)
    assert [(problem.key, problem.error) for problem in problems] == found


def test_a_cover_file_must_be_an_image_beside_the_post(tmp_path):
    Image.new("RGB", (4, 4)).save(tmp_path / "real.png")
    (tmp_path / "fake.png").write_text("not a picture", encoding="utf-8")
    assert check_image_file("real.png", tmp_path) == []
    [missing] = check_image_file("missing.png", tmp_path)
    assert "not a file beside the post" in missing.found
    [fake] = check_image_file("fake.png", tmp_path)
    assert "not an image" in fake.found


def test_a_cover_leaves_the_reading_order_of_the_post_as_it_was(blog, page):
    _, site = blog
    served = StaticServer(site, SITE_PATH)
    try:
        page.goto(served.url + "posts/a-post-with-a-cover/")
        rendered = " ".join(page.evaluate("document.body.innerText").split())
        box = page.locator("img.ew-post-cover").bounding_box()
    finally:
        served.close()
    assert ("expectedwrong hindsight A post with a cover Covered. 1 min read 6 words "
            "The first paragraph of the body.") in rendered
    # Drawn at the column's width, in its own proportions.
    assert box and abs(box["width"] / box["height"] - 1600 / 900) < 0.01


def test_cards_are_drawn_by_one_worker_per_cpu_but_the_builds_own():
    assert [card_workers(cpus) for cpus in (None, 1, 2, 4)] == [1, 1, 1, 3]
