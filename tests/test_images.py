"""Images in posts (hooks/images.py): the helpers on tables of cases, then
real strict builds of a post with four large photos, an animated GIF and an
SVG (tests/image_fixture.py), read with an HTML parser and Pillow."""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from PIL import Image
from test_html_valid import vnu
from test_lighthouse import (
    FULL_MARKS,
    OUTPUT,
    RUNS,
    describe,
    full_marks_problems,
    lighthouse,
    performance_problems,
)
from test_page_weight import BUDGET, first_load, kb

import image_fixture
import images
from image_fixture import GIF, PHOTOS, SVG, URL, image_post
from images import (
    Column,
    Settings,
    cache_key,
    column_from_css,
    image_targets,
    lazy,
    missing_images,
    parse_attributes,
    post_body,
    sizes,
    svg_size,
    widths,
    with_size,
)
from reading_stats import read_seconds, reading_stats, whole_minutes
from support import (
    ROOT,
    SEED_POST,
    SEED_URL,
    SITE_PATH,
    StaticServer,
    build,
    copy_project,
    failed_line,
    fetch,
    parse,
    serving,
    wait_for,
    write_post,
)

STYLESHEET = ROOT / "overrides" / "assets" / "stylesheets" / "expectedwrong.css"
COLUMN = Column(34, 1)
# Twice the 680 px column.
LARGEST = 1360
FORMATS = {"image/avif": "AVIF", "image/webp": "WEBP"}
PILLOW_FORMAT = {".jpg": "JPEG", ".png": "PNG"}


# -- Helpers ------------------------------------------------------------------


def test_the_column_is_read_from_the_stylesheet_tokens():
    column = column_from_css(STYLESHEET.read_text(encoding="utf-8"))
    assert column == COLUMN and column.width() == 680


def test_a_stylesheet_without_the_measure_token_is_refused():
    with pytest.raises(ValueError, match="--ew-measure"):
        column_from_css(":root { --ew-gutter: 1rem; }")


@pytest.mark.parametrize(("display", "expected"), [
    (1360, "(min-width: 125em) 816px, (min-width: 100em) 748px, (min-width: 720px) 680px, "
           "calc(100vw - 40px)"),
    (700, "(min-width: 100em) 700px, (min-width: 720px) 680px, calc(100vw - 40px)"),
    (680, "(min-width: 720px) 680px, calc(100vw - 40px)"),
    (500, "(min-width: 540px) 500px, calc(100vw - 40px)"),
])
def test_sizes_follow_the_column_at_each_root_font_size(display, expected):
    assert sizes(display, COLUMN) == expected


@pytest.mark.parametrize(("source", "expected"), [
    (4000, [480, 680, 1024, 1360]),
    (1360, [480, 680, 1024, 1360]),
    (1100, [480, 680, 1100]),
    (700, [480, 700]),
    (500, [500]),
    (1, [1]),
])
def test_widths_stop_at_twice_the_column_and_never_exceed_the_source(source, expected):
    chosen = widths(source, Settings(max_width=LARGEST))
    assert chosen == expected and max(chosen) <= source


MARKDOWN = """Intro ![Inline](images/a.png "title") and ![Angled](<images/b c.png>).

![Reference][pic] and ![pic][]

[pic]: images/ref.png

<img alt="Raw" src="images/raw.png">

```markdown
![In a fence](images/fenced.png)
```

Code `![in a span](images/span.png)` and ![Far](https://example.org/far.png).
"""


def test_images_are_looked_for_in_the_body_at_its_file_lines_not_in_front_matter(tmp_path):
    text = '---\ntitle: T\ndescription: "<img src=x>"\n---\n\nWords.\n\n![A](gone.png)\n'
    body, first_line = post_body(text)
    assert missing_images(body, tmp_path, tmp_path, first_line) == [(8, "gone.png")]


def test_image_targets_are_found_with_their_lines_outside_code():
    assert image_targets(MARKDOWN) == [
        (1, "images/a.png"), (1, "images/b c.png"), (3, "images/ref.png"),
        (3, "images/ref.png"), (7, "images/raw.png"), (13, "https://example.org/far.png"),
    ]


def test_missing_images_are_local_targets_without_a_file(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(b"x")
    text = ("![A](images/a.png) ![B](images/b.png) ![C](https://example.org/c.png)\n"
            "![D](../../outside.png) ![E](images/a.png#frag)")
    assert missing_images(text, tmp_path, tmp_path) == [
        (1, "images/b.png"), (2, "../../outside.png")]


@pytest.mark.parametrize(("tag", "expected"), [
    ('<img alt="A &amp; B" src="a.png" />', {"alt": "A & B", "src": "a.png"}),
    ("<img src='a.png' alt=\"\" title=x>", {"src": "a.png", "alt": "", "title": "x"}),
    ('<IMG SRC="a.png" hidden>', {"src": "a.png", "hidden": None}),
])
def test_img_attributes_are_parsed_and_unescaped(tag, expected):
    assert parse_attributes(tag) == expected


@pytest.mark.parametrize(("attrs", "expected"), [
    ({}, {"width": "1360", "height": "1020"}),
    ({"width": "300"}, {"width": "300", "height": "225"}),
    ({"height": "510"}, {"height": "510", "width": "680"}),
    ({"width": "10", "height": "20"}, {"width": "10", "height": "20"}),
])
def test_width_and_height_keep_the_writers_and_the_aspect_ratio(attrs, expected):
    assert with_size(attrs, (1360, 1020)) == expected


def test_only_the_first_image_loads_eagerly_and_a_writers_choice_stays():
    assert lazy({}, first=True) == {"decoding": "async"}
    assert lazy({}, first=False) == {"decoding": "async", "loading": "lazy"}
    assert lazy({"loading": "eager"}, first=False)["loading"] == "eager"


@pytest.mark.parametrize(("svg", "expected"), [
    ('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200"/>', (320, 200)),
    ('<svg xmlns="http://www.w3.org/2000/svg" width="32.4px" height="20px"/>', (32, 20)),
    ('<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="200"/>', None),
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>', None),
    ("not xml", None),
])
def test_an_svg_gets_the_size_it_declares(svg, expected):
    assert svg_size(svg.encode()) == expected


def test_the_cache_key_changes_with_the_bytes_the_settings_and_the_code(monkeypatch):
    settings = Settings(max_width=LARGEST)
    key = cache_key(b"image", settings)
    assert key == cache_key(b"image", Settings(max_width=LARGEST))
    assert key != cache_key(b"imagf", settings)
    assert key != cache_key(b"image", Settings(max_width=1000))
    monkeypatch.setattr(images, "CODE_VERSION", images.CODE_VERSION + "x")
    assert key != cache_key(b"image", settings)


# -- Real builds --------------------------------------------------------------


@pytest.fixture(scope="module")
def photo_project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("photos") / "blog")
    image_post(project)
    return project


@pytest.fixture(scope="module")
def photo_site(photo_project) -> Path:
    site = photo_project / "site"
    result = build(photo_project, site)
    assert result.returncode == 0, result.stderr
    return site


def body_images(site: Path) -> list:
    return parse(site, URL + "index.html").select("article img")


def site_file(site: Path, page: str, url: str) -> Path:
    """The built file an address on the page at `page` points to."""
    path = urlparse(urljoin("http://site/" + page, url)).path
    return site / path.removeprefix("/")


def candidates(srcset: str) -> list[tuple[str, int]]:
    return [(url, int(width[:-1])) for url, width in
            (candidate.split() for candidate in srcset.split(","))]


def test_every_image_has_the_width_and_height_of_the_file_it_shows(photo_site):
    found = body_images(photo_site)
    assert len(found) == len(PHOTOS) + 2
    for img in found:
        shown = site_file(photo_site, URL, img["src"])
        if shown.suffix == ".svg":
            root = ET.parse(shown).getroot()
            size = int(root.get("width")), int(root.get("height"))
        else:
            with Image.open(shown) as opened:
                size = opened.size
        assert (int(img["width"]), int(img["height"])) == size, img


def test_images_decode_async_and_all_but_the_first_load_lazily(photo_site):
    found = body_images(photo_site)
    assert all(img["decoding"] == "async" for img in found)
    assert found[0].get("loading") is None
    assert all(img.get("loading") == "lazy" for img in found[1:])


def test_photos_are_offered_in_avif_and_webp_at_the_widths_they_declare(photo_site):
    for (name, width, height), img in zip(PHOTOS, body_images(photo_site), strict=False):
        picture = img.parent
        assert picture.name == "picture", name
        sources = picture.find_all("source")
        assert [source["type"] for source in sources] == ["image/avif", "image/webp"]
        for source in sources:
            assert source["sizes"] == img.get("sizes", source["sizes"])
            offered = candidates(source["srcset"])
            assert [w for _, w in offered] == widths(width, Settings(max_width=LARGEST))
            for url, declared in offered:
                with Image.open(site_file(photo_site, URL, url)) as made:
                    assert made.format == FORMATS[source["type"]], url
                    assert made.size == (declared, round(declared * height / width)), url


def test_the_fallback_is_the_original_format_resized_only_when_too_wide(photo_site):
    for (name, width, _), img in zip(PHOTOS, body_images(photo_site), strict=False):
        fallback = site_file(photo_site, URL, img["src"])
        with Image.open(fallback) as shown:
            assert shown.format == PILLOW_FORMAT[Path(name).suffix], name
            assert shown.size[0] == min(width, LARGEST), name
        if width <= LARGEST:
            assert fallback.name == name  # the original, as it was
        else:
            assert [w for _, w in candidates(img["srcset"])] == [480, 680, 1024, 1360]


def test_a_small_photo_is_never_upscaled(photo_site):
    small = body_images(photo_site)[PHOTOS.index(("small.jpg", 500, 375))]
    for source in small.parent.find_all("source"):
        assert candidates(source["srcset"])[-1][1] == 500
    assert small["src"].endswith("/small.jpg") and "srcset" not in small.attrs


def test_sizes_match_the_reading_column(photo_site):
    harbour = body_images(photo_site)[0]
    assert harbour["sizes"] == ("(min-width: 125em) 816px, (min-width: 100em) 748px, "
                                "(min-width: 720px) 680px, calc(100vw - 40px)")


def test_the_animated_gif_and_the_svg_are_published_untouched(photo_site, photo_project):
    found = body_images(photo_site)
    for (name, width, height), img in zip((GIF, SVG), found[-2:], strict=True):
        assert img.parent.name != "picture" and img["src"].endswith("/" + name)
        assert (img["width"], img["height"]) == (str(width), str(height))
        source = photo_project / "docs" / "posts" / "images" / name
        assert site_file(photo_site, URL, img["src"]).read_bytes() == source.read_bytes()


def reading_numbers(site: Path, page: str) -> tuple[str, str, str]:
    """The meta line's read time and word count, and the JSON-LD's."""
    soup = parse(site, page)
    shown = [" ".join(item.get_text().split())
             for item in soup.select(".ew-post-header .ew-meta__item")[:2]]
    data = json.loads(soup.find("script", type="application/ld+json").string)
    return *shown, f"{data['wordCount']} {data['timeRequired']}"


def published_body(site: Path, page: str) -> str:
    """The post's body as the page carries it: the article less the post
    header and footer."""
    article = parse(site, page).select_one("article")
    for part in article.select(".ew-post-header, .ew-post-footer"):
        part.decompose()
    return article.decode_contents()


def test_word_count_and_read_time_are_the_same_with_and_without_the_hook(
        photo_project, photo_site, tmp_path):
    without = copy_project(tmp_path / "without")
    image_post(without)
    config = without / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - hooks/images.py\n", ""),
                      encoding="utf-8")
    result = build(without, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "site" / URL).joinpath("index.html").read_text().count("<picture")
    for page in (URL + "index.html", SEED_POST):
        assert reading_numbers(photo_site, page) == reading_numbers(tmp_path / "site", page), page
    # The rule gives the same numbers on the body as published, <picture> and all.
    published = reading_stats(published_body(photo_site, URL + "index.html"))
    assert published.words > 600
    assert published == reading_stats(published_body(tmp_path / "site", URL + "index.html"))
    # Both count the six images: words at 238 a minute plus 12 + 11 + ... + 7 s.
    minutes, words, _ = reading_numbers(photo_site, URL + "index.html")
    count = int(words.split()[0].replace(",", ""))
    expected = whole_minutes(read_seconds(count, 0, len(PHOTOS) + 2, 238))
    assert minutes == f"{expected} min read" and expected > whole_minutes(
        read_seconds(count, 0, 0, 238))


def test_feed_entries_carry_absolute_srcset_addresses_that_exist(photo_site):
    feed = ET.parse(photo_site / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    entry = next(e for e in feed.iter(f"{atom}entry")
                 if e.find(f"{atom}id").text.endswith("/" + URL))
    content = entry.find(f"{atom}content").text
    urls = [url for srcset in re.findall(r'srcset="([^"]+)"', content)
            for url, _ in candidates(srcset)]
    urls += re.findall(r'src="([^"]+)"', content)
    assert len(urls) > 20
    for url in urls:
        assert url.startswith("https://expectedwrong.github.io" + SITE_PATH), url
        assert (photo_site / url.split(SITE_PATH, 1)[1]).is_file(), url


def test_an_unchanged_image_is_taken_from_the_cache_not_encoded_again(photo_project,
                                                                      photo_site, tmp_path):
    cache = photo_project / ".cache" / "images"
    entries = {path: path.stat().st_mtime_ns for path in cache.rglob("*")}
    written = cache.stat().st_mtime_ns
    assert entries
    # A derived file changed in the cache shows up in the next build's site:
    # the build copied it, it did not encode the image again.
    harbour = body_images(photo_site)[0]
    avif = candidates(harbour.parent.source["srcset"])[1][0]
    # harbour-680w.<key>.avif is 680.avif in the entry named by the key.
    key = Path(avif).name.split(".")[1]
    [entry] = [path for path in cache.iterdir() if path.name.startswith(key)]
    cached = entry / "680.avif"
    cached.write_bytes(b"from the cache")
    result = build(photo_project, tmp_path / "again")
    assert result.returncode == 0, result.stderr
    assert site_file(tmp_path / "again", URL, avif).read_bytes() == b"from the cache"
    # Nothing was written in the cache, not even a scratch folder.
    assert {path: path.stat().st_mtime_ns for path in cache.rglob("*")} == {
        **entries, cached: cached.stat().st_mtime_ns}
    assert cache.stat().st_mtime_ns == written


def test_a_changed_image_gets_a_new_cache_entry_and_new_addresses(tmp_path):
    project = copy_project(tmp_path / "blog")
    folder = project / "docs" / "posts" / "images"
    folder.mkdir()
    image_fixture.photo(900, 600, seed=1).save(folder / "a.jpg")
    write_post(project, "one", "title: One\ndescription: D.\ndate: 2026-01-02",
               "![A photo](images/a.jpg)")
    assert build(project, tmp_path / "first").returncode == 0
    first = parse(tmp_path / "first", "posts/one/index.html").select_one("article source")
    image_fixture.photo(900, 600, seed=2).save(folder / "a.jpg")
    assert build(project, tmp_path / "second").returncode == 0
    second = parse(tmp_path / "second", "posts/one/index.html").select_one("article source")
    assert first["srcset"] != second["srcset"]
    assert len(list((project / ".cache" / "images").iterdir())) == 2


# -- Mistakes -----------------------------------------------------------------


def line_naming_post(project: Path, tmp_path: Path, slug: str, title: str, body: str) -> str:
    """The one line a build gives for the post `slug`, written with `body`."""
    write_post(project, slug, f"title: {title}\ndescription: D.\ndate: 2026-01-02", body)
    return failed_line(build(project, tmp_path / "site"), f"docs/posts/{slug}.md")


def test_an_image_without_alt_text_is_a_warning_naming_post_and_image(tmp_path):
    project = copy_project(tmp_path / "blog")
    image_fixture.write_images(project / "docs" / "posts" / "images")
    line = line_naming_post(project, tmp_path, "no-alt", "No alt",
                            "Words.\n\n![](images/spinner.gif)")
    assert re.fullmatch(r"WARNING +- +docs/posts/no-alt\.md: image: found images/spinner\.gif "
                        r"without alt text; expected .+", line), line


def test_a_missing_image_stops_the_build_with_one_line_naming_post_and_image(tmp_path):
    project = copy_project(tmp_path / "blog")
    write_post(project, "gone", "title: Gone\ndescription: D.\ndate: 2026-01-02",
               "Words.\n\n![A photo that is not there](images/gone.jpg)")
    result = build(project, tmp_path / "site")
    line = failed_line(result, "gone")
    assert line == ("ERROR   -  docs/posts/gone.md:9: image: found images/gone.jpg, but there "
                    "is no file docs/posts/images/gone.jpg; expected an image file at that "
                    "path, beside the post")
    assert not (tmp_path / "site" / "index.html").exists()


def wait_until(condition, timeout: float = 30, shown: object = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out: {shown}"
        time.sleep(0.1)


def test_under_serve_a_missing_image_prints_one_line_and_the_last_good_site_stays(tmp_path):
    project = copy_project(tmp_path / "blog")
    with serving(project) as served:
        post = write_post(project, "gone", "title: Gone\ndescription: D.\ndate: 2026-01-02",
                          "Words.\n\n![A photo](images/gone.jpg)")
        line = served.wait_for_line("docs/posts/gone.md:9: image: found images/gone.jpg")
        assert line.startswith("ERROR")
        served.wait_for_line("Not rebuilt: the last good site is still served")
        # The rebuild (into a scratch folder) is over.
        wait_until(lambda: any("Reloading browsers" in text for text in served.lines),
                   shown=served.lines)
        # One line per rebuild (a save may start more than one).
        named = [text for text in served.lines if "docs/posts/gone.md" in text]
        rebuilds = [text for text in served.lines if "Not rebuilt" in text]
        assert named == [line] * len(rebuilds), served.lines
        # The failed rebuild wrote nothing over the last good site.
        assert "354 words" in fetch(served.base + SEED_URL)
        assert "Words." not in fetch(served.base + "posts/gone/")
        assert not any("Traceback" in line for line in served.lines), served.lines

        folder = post.parent / "images"
        folder.mkdir()
        image_fixture.photo(800, 600).save(folder / "gone.jpg")
        page = wait_for(served.base + "posts/gone/", "<picture>")
        assert "gone-800w." in page


# -- In a browser, Lighthouse and the Nu checker ------------------------------


IMAGE_FILES = re.compile(r"\.(avif|webp|jpe?g|png|gif|svg)(\?|$)")
# Audits of the issue: "properly size images", "serve images in modern formats".
IMAGE_AUDITS = ("uses-responsive-images", "modern-image-formats")


@pytest.fixture(scope="module")
def photo_server(photo_site):
    served = StaticServer(photo_site, SITE_PATH)
    yield served
    served.close()


def test_image_boxes_have_their_size_before_the_images_arrive(browser, photo_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    # Image requests are held unanswered (an aborted one would show its alt
    # text instead of its box).
    held = []
    page.route(IMAGE_FILES, lambda route: held.append(route))
    page.goto(photo_server.url + URL, wait_until="domcontentloaded")
    page.wait_for_function("document.querySelectorAll('article img').length > 0")
    boxes = page.eval_on_selector_all(
        "article img", "imgs => imgs.map(i => [i.getBoundingClientRect().width, "
        "i.getBoundingClientRect().height, +i.getAttribute('width'), +i.getAttribute('height'),"
        " i.naturalWidth])")
    for route in held:
        route.abort()
    context.close()
    assert held
    assert len(boxes) == len(PHOTOS) + 2
    for width, height, declared_width, declared_height, natural in boxes:
        assert natural == 0  # nothing arrived
        assert width == min(declared_width, 350)
        assert height == pytest.approx(width * declared_height / declared_width, abs=1)


def test_the_first_load_of_the_photo_post_images_aside_is_at_most_40_kb(page, photo_server):
    sizes_by_url = first_load(page, photo_server.url + URL)
    text = {url: size for url, size in sizes_by_url.items() if not IMAGE_FILES.search(url)}
    total = sum(text.values())
    assert total <= BUDGET, f"{total / 1024:.1f} KB besides images:\n{kb(text)}"
    # The first photo came as AVIF, at the width its column needs.
    assert any(re.search(r"/harbour-\d+w\.\w+\.avif$", url) for url in sizes_by_url), \
        kb(sizes_by_url)


def test_the_photo_post_scores_in_lighthouse_with_no_layout_shift_and_no_image_advice(
        photo_server):
    reports = [lighthouse(photo_server.url + URL, OUTPUT / f"photos-{run}.json")
               for run in range(1, RUNS + 1)]
    problems = [line for category in FULL_MARKS
                for line in full_marks_problems("photos", reports, category)]
    problems += performance_problems("photos", reports)
    for run, report in enumerate(reports, start=1):
        shift = report["audits"]["cumulative-layout-shift"]["numericValue"]
        if shift != 0:
            problems.append(f"photos-{run}: cumulative layout shift {shift}")
        problems += [f"photos-{run}: " + describe(report["audits"][audit])
                     for audit in IMAGE_AUDITS if report["audits"][audit]["score"] != 1]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_the_photo_post_is_valid_html(photo_site):
    errors = [f"{m.get('lastLine')}: {m['message']}"
              for m in vnu(photo_site / URL / "index.html")]
    assert errors == []


def test_a_damaged_image_is_a_warning_naming_post_and_image_not_a_traceback(tmp_path):
    project = copy_project(tmp_path / "blog")
    folder = project / "docs" / "posts" / "images"
    folder.mkdir()
    (folder / "cut.jpg").write_bytes(b"\xff\xd8\xff\xe0 not the rest of a JPEG")
    line = line_naming_post(project, tmp_path, "cut", "Cut", "![A cut photo](images/cut.jpg)")
    assert re.fullmatch(r"WARNING +- +docs/posts/cut\.md: image: found images/cut\.jpg, which "
                        r"cannot be read as an image \(.+\); expected .+", line), line


def test_a_turned_camera_photo_is_sized_upright_and_its_copies_lose_its_location(tmp_path):
    # Stored 1600x1200 with EXIF orientation 6 (turn a quarter) and a GPS tag.
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {2: (52.0, 22.0, 0.0)}
    image_fixture.photo(1600, 1200).save(tmp_path / "turned.jpg", exif=exif)
    derived = images.derive(tmp_path / "turned.jpg", tmp_path / "entry",
                            Settings(max_width=LARGEST))
    assert (derived.kind, derived.width, derived.height) == ("raster", 1200, 1600)
    # Stored left half dark, right half light: upright, the top half is dark.
    upright = Image.new("L", (1600, 1200), 230)
    upright.paste(20, (0, 0, 800, 1200))
    upright.save(tmp_path / "halves.jpg", exif=exif)
    halves = images.derive(tmp_path / "halves.jpg", tmp_path / "halves",
                           Settings(max_width=LARGEST))
    for variant in [variant for variant in halves.variants if variant.name]:
        with Image.open(tmp_path / "halves" / variant.name) as made:
            grey = made.convert("L")
            width, height = grey.size
            assert grey.getpixel((3 * width // 4, height // 4)) < 100, variant
            assert grey.getpixel((width // 4, 3 * height // 4)) > 150, variant
    # The fallback at full width is the photo itself (browsers turn it).
    assert [v.name for v in derived.variants if v.width == 1200] == ["1200.avif", "1200.webp",
                                                                     None]
    for variant in [variant for variant in derived.variants if variant.name]:
        with Image.open(tmp_path / "entry" / variant.name) as made:
            assert made.size == (variant.width, variant.height)
            assert made.size[0] < made.size[1] and dict(made.getexif()) == {}, variant
