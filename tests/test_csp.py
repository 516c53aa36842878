"""hooks/csp.py: a Content Security Policy on every page, as a <meta> element
before any script, allowing the site's own files and each inline script,
style and style attribute by its hash. Its pure helpers; the built pages,
read with a parser; what a real Chromium reports (securitypolicyviolation
events, console errors) on every kind of page with search used, under
`mkdocs serve`, and on a page where the policy must block an injected
script and style, an outside image and an outside frame."""

from __future__ import annotations

import base64
import hashlib
import random
import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from support import (
    ROOT,
    SEED_URL,
    SITE_PATH,
    StaticServer,
    build,
    copy_project,
    fixture_posts,
    parse,
    serving,
)

sys.path.insert(0, str(ROOT / "hooks"))
from csp import (  # noqa: E402
    BASE,
    ELEMENT,
    END_TAG,
    STYLE_ATTRIBUTE,
    Inline,
    applies,
    check_extra,
    elements,
    inline_code,
    page_hashes,
    policy,
    runs,
    sha256_source,
    style_attribute_matches,
    widened,
    with_policy,
)

# -- Pure helpers -------------------------------------------------------------

# Pieces of pages that scanning for inline code can get wrong: tags in any
# case (and in the letters Unicode case folding takes for ASCII ones),
# unclosed and nested ones, comments, quotes, style attributes.
PIECES = ["<script>", "</script>", "<SCRIPT type='x'>", "</ScR\u0130pt>", "</scr\u0131pt >",
          "<\u017fcript>", "</\u017fcript>", "<style>", "</STYLE>", "</style", "<!--", "-->",
          "<!-->", '"', "'", ">", "<", "/", " ", "\n", "a", "style=", "STYLE = 'x'", "sTyLe=y",
          "<scriptx>", "<script/>", "</script/>", "<styl\u00e9>", "\u0130", "x</script>y",
          "\u6a21", "\u00b7"]


def scrambled_pages(count: int) -> list[str]:
    rng = random.Random(7)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14))) for _ in range(count)]


def test_elements_are_what_the_element_pattern_finds_in_the_page():
    for html in scrambled_pages(4000):
        assert list(elements(html)) == [(match.start(), match.end(), *match.groups())
                                         for match in ELEMENT.finditer(html)], html


def test_style_attributes_are_found_where_the_pattern_finds_them():
    for html in scrambled_pages(4000):
        assert [match.span() for match in style_attribute_matches(html)] == [
            match.span() for match in STYLE_ATTRIBUTE.finditer(html)], html


def test_an_end_tag_is_spelt_in_the_letters_ignorecase_takes_for_the_start_tags():
    """END_TAG's letters are those Python's IGNORECASE takes for each letter
    of the name in a back-reference, found by trying every character of the
    Basic Multilingual Plane (no character past it has a case mapping to or
    from ASCII)."""
    characters = [chr(code) for code in range(0x10000)
                  if not 0xD800 <= code < 0xE000 and chr(code) != "\n"]
    for name, pattern in END_TAG.items():
        for at, letter in enumerate(name):
            text = "\n".join(letter + character for character in characters)
            taken = {match.group(0)[1] for match in
                     re.finditer(rf"(?im)^({letter})\1$", text)}
            tags = "\n".join(f"</{name[:at]}{character}{name[at + 1:]}>"
                             for character in characters)
            spelt = {tags[match.start() + 2 + at] for match in pattern.finditer(tags)}
            assert spelt == taken, (name, letter)


@pytest.mark.parametrize(("attributes", "expected"), [
    ("", True),
    (' type="text/javascript"', True),
    (" type='module'", True),
    (' type="TEXT/JavaScript "', True),
    (' type=""', True),
    (' type="importmap"', True),
    (' language="javascript"', True),
    (' id="__config" type="application/json"', False),
    (' type="application/ld+json"', False),
    (' type="text/javascript; charset=utf-8"', False),
    (' type=" "', False),
    (' src="x.js"', False),
    (' src="x.js" type="module"', False),
    (' type="text/x-template" data-x="a>b"', False),
    (' type="&#x6d;odule"', True),
])
def test_only_scripts_a_browser_runs_from_their_own_text_count(attributes, expected):
    assert runs(attributes) is expected


@pytest.mark.parametrize(("attributes", "expected"), [
    ("", True), (' type="text/css"', True), (" type=''", True), (' media="print"', True),
    (' type="text/plain"', False),
])
def test_only_style_elements_of_css_count(attributes, expected):
    assert applies(attributes) is expected


def test_inline_scripts_are_found_in_order_and_data_blocks_and_comments_skipped():
    html = ("<head><script>a()</script><script type=application/json>{}</script>"
            "<!-- <script>not()</script> --><script src=x.js></script>"
            "<SCRIPT data-x='>'>b()\r\nc()</SCRIPT ></head>"
            "<svg><script>d()</script></svg>")
    assert inline_code(html).scripts == ("a()", "b()\nc()", "d()")


def test_style_elements_and_attributes_are_found_outside_scripts_and_comments():
    html = ('<style>p { color: red }</style><style type="text/plain">x</style>'
            '<p style="text-align: center;">a</p><td STYLE=\'a: &quot;B&quot;\'>'
            '<p/style=c:d><p class=style="no"><p data-style="nor">'
            '<script>x = \' style="no"\'</script><!-- <p style="nor"> -->'
            '<style>q { }</style>')
    found = inline_code(html)
    assert found.styles == ("p { color: red }", "q { }")
    assert found.style_attributes == ("text-align: center;", 'a: "B"', "c:d")


def test_a_style_attribute_is_named_in_any_ascii_case_and_only_in_ascii():
    # "ſ" (long s) folds to "s" in Unicode; an HTML parser compares
    # attribute names in ASCII only.
    html = '<p StYlE="a:b"><p \u017ftyle="c:d"><p STYLE="e:f">'
    assert inline_code(html).style_attributes == ("a:b", "e:f")


def test_a_script_is_hashed_as_the_csp_spec_hashes_it():
    # The example of CSP Level 3, 2.3.1 (hash-source), and the empty script.
    assert sha256_source("alert('Hello, world.');") == \
        "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
    assert sha256_source("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


def test_the_same_script_or_style_twice_is_hashed_once():
    hashes = page_hashes('<script>x()</script><p style="a"><script>x()</script><b style="a">')
    assert hashes == Inline((sha256_source("x()"),), (), (sha256_source("a"),))


def test_policy_lists_the_sites_own_sources_and_the_hashes_in_script_src():
    text = policy(BASE, Inline(("'sha256-a='", "'sha256-b='")))
    directives = dict(part.split(" ", 1) for part in text.split("; "))
    assert directives["script-src"] == "'self' 'sha256-a=' 'sha256-b='"
    assert directives["default-src"] == "'self'"
    for name in ("style-src", "font-src", "connect-src", "worker-src", "base-uri"):
        assert directives[name] == "'self'"
    assert directives["object-src"] == directives["form-action"] == "'none'"
    assert "unsafe" not in text and "style-src-attr" not in text


def test_styles_are_allowed_by_hash_and_style_attributes_beside_unsafe_hashes():
    text = policy(BASE, Inline((), ("'sha256-s='",), ("'sha256-a='",)))
    assert "; style-src 'self' 'sha256-s=';" in text
    assert text.endswith("; style-src-attr 'unsafe-hashes' 'sha256-a='")
    assert "unsafe-inline" not in text


def test_under_serve_inline_scripts_are_allowed_without_hashes():
    text = policy(BASE, Inline(("'sha256-a='",)), serving=True)
    assert "script-src 'self' 'unsafe-inline';" in text and "sha256" not in text


@pytest.mark.parametrize(("extra", "name", "expected"), [
    ({"frame-src": ("https://www.youtube-nocookie.com",)}, "frame-src",
     ("'self'", "https://www.youtube-nocookie.com")),
    ({"img-src": ("https://images.example.com",)}, "img-src",
     ("'self'", "data:", "https://images.example.com")),
    ({"object-src": ("https://player.example.com",)}, "object-src",
     ("https://player.example.com",)),
    ({"img-src": ("'self'",)}, "img-src", ("'self'", "data:")),
])
def test_a_writers_sources_are_added_to_the_sites_own(extra, name, expected):
    assert widened(BASE, extra)[name] == expected


def test_a_writers_script_src_elem_gets_the_hashes_too():
    directives = widened(BASE, {"script-src-elem": ("https://platform.example.com",)})
    assert "script-src-elem 'self' https://platform.example.com 'sha256-a='" in policy(
        directives, Inline(("'sha256-a='",)))


@pytest.mark.parametrize("value", [
    None,
    {},
    {"frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]},
    {"img-src": ["https:", "*.example.com", "https://example.com:8443/images/"]},
    {"media-src": ["'self'", "https://cdn.example.com"]},
])
def test_good_extra_csp_is_taken(value):
    assert check_extra(value) == {name: tuple(sources) for name, sources in (value or {}).items()}


@pytest.mark.parametrize(("value", "message"), [
    (["frame-src"], "extra.csp: found ['frame-src']; expected a mapping of directive to"),
    ({"frame-scr": ["https://a.example"]}, "extra.csp.frame-scr: found a directive that "
                                           "extra.csp does not widen; expected `frame-src`"),
    ({"default-src": ["https://a.example"]}, "extra.csp.default-src: found a directive that "
                                             "extra.csp does not widen; expected one of"),
    ({"frame-ancestors": ["'none'"]}, "extra.csp.frame-ancestors: found a directive that a "
                                      "<meta> policy cannot set"),
    ({"frame-src": "https://a.example"}, "extra.csp.frame-src: found 'https://a.example'; "
                                         "expected a list of sources"),
    ({"frame-src": []}, "extra.csp.frame-src: found []; expected a list of sources"),
    ({"frame-src": ["https://a.example https://b.example"]}, "found 'https://a.example "
                                                             "https://b.example'; expected"),
    ({"frame-src": ["https://a.example;script-src *"]}, "extra.csp.frame-src: found"),
    ({"img-src": [42]}, "extra.csp.img-src: found 42; expected a list of sources"),
    ({"img-src": ["self"]}, "extra.csp.img-src: found 'self'; expected it in single quotes"),
    ({"style-src": ["'unsafe-inline'"]}, "extra.csp.style-src: found \"'unsafe-inline'\", "
                                         "which a page's hashes turn off"),
    ({"img-src": ['https://a.example/"><script>']}, "extra.csp.img-src: found"),
])
def test_bad_extra_csp_is_named_with_what_was_expected(value, message):
    with pytest.raises(ValueError) as raised:
        check_extra(value)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_the_policy_goes_right_after_meta_charset_and_before_any_script():
    page = '<html><head>\n<meta charset="utf-8">\n<script>x()</script></head><body></body></html>'
    written = with_policy(page, "default-src 'self'")
    assert written.startswith('<html><head>\n<meta charset="utf-8">\n<meta http-equiv='
                              '"Content-Security-Policy" content="default-src \'self\'">')
    assert with_policy("<head><script>x()</script><meta charset=utf-8>", "p").startswith(
        '<head>\n<meta http-equiv="Content-Security-Policy" content="p"><script>')


def test_a_page_without_head_is_an_error():
    with pytest.raises(ValueError, match="no <head>"):
        with_policy("<p>just text</p>", "default-src 'self'")


# -- The built site -----------------------------------------------------------


def policy_of(soup: BeautifulSoup) -> dict[str, list[str]]:
    meta = soup.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert len(meta) == 1, meta
    return {name: sources for name, *sources in
            (part.split() for part in meta[0]["content"].split(";"))}


def executed_scripts(soup: BeautifulSoup) -> list[str]:
    """Inline scripts as a parser reads them, that a browser runs (a type
    this site uses for data is application/json or application/ld+json)."""
    return [script.string or "" for script in soup.find_all("script")
            if not script.has_attr("src")
            and script.get("type", "text/javascript") in ("text/javascript", "module")]


def hashed(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def unique_hashes(texts) -> list[str]:
    return list(dict.fromkeys(map(hashed, texts)))


@pytest.mark.parametrize("which", ["site", "csp_site"])
def test_every_page_allows_exactly_its_own_inline_scripts_and_styles(request, which):
    site = request.getfixturevalue(which)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 10
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        if path.parent.name == "blocked":
            # Injected after the build.
            soup.find_all("script")[-1].decompose()
            soup.find(id="injected-style").decompose()
        scripts = executed_scripts(soup)
        assert scripts, path
        directives = policy_of(soup)
        assert directives["script-src"] == ["'self'", *unique_hashes(scripts)], path
        styles = [style.string or "" for style in soup.find_all("style")]
        assert directives["style-src"] == ["'self'", *unique_hashes(styles)], path
        attributes = [element["style"] for element in soup.find_all(style=True)]
        expected = ["'unsafe-hashes'", *unique_hashes(attributes)] if attributes else None
        assert directives.get("style-src-attr") == expected, path
    if which == "csp_site":
        about = policy_of(parse(site, "about/index.html"))
        assert len(about["style-src"]) == 2 and len(about["style-src-attr"]) == 5


def test_every_page_has_the_policy_before_anything_it_governs(site):
    for path in sorted(site.rglob("*.html")):
        head = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").head
        elements = head.find_all(True)
        assert elements[0].get("charset") == "utf-8", path
        assert elements[1].get("http-equiv") == "Content-Security-Policy", path


def test_the_site_allows_its_own_files_no_plugins_and_no_form_submissions(site):
    directives = policy_of(parse(site, "index.html"))
    own = {name: sources for name, sources in directives.items() if name != "script-src"}
    assert own == {
        "default-src": ["'self'"], "style-src": ["'self'"], "img-src": ["'self'", "data:"],
        "font-src": ["'self'"], "connect-src": ["'self'"], "worker-src": ["'self'"],
        "object-src": ["'none'"], "base-uri": ["'self'"], "form-action": ["'none'"],
    }


def test_a_bad_extra_csp_stops_the_build_with_one_line(tmp_path):
    project = copy_project(tmp_path / "blog")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "extra:\n", "extra:\n  csp:\n    frame-src: https://www.youtube-nocookie.com\n", 1),
        encoding="utf-8")
    errors = error_lines(build(project, tmp_path / "site"))
    assert errors == ["ERROR   -  extra.csp.frame-src: found 'https://www.youtube-nocookie.com';"
                      " expected a list of sources such as [https://www.youtube-nocookie.com]"]


def error_lines(done) -> list[str]:
    """The ERROR lines of a build that stopped, with no traceback."""
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    return [line for line in done.stderr.splitlines() if line.startswith("ERROR")]


# -- A blog with every kind of page, an embed and a page the policy blocks ----

EMBED = "https://www.youtube-nocookie.com/embed/x"
INJECTED = ('<p id="injected-style" style="color: rgb(255, 0, 0)">Injected.</p>'
            "<script>window.injected = true; document.title = 'injected';</script>")
BLOCKED = """# Blocked

An image from another host: ![outside](https://example.com/x.png)

<iframe title="Another host" src="https://example.com/frame"></iframe>
"""
PLAIN = f"""# About

A plain page with a video the writer allowed in mkdocs.yml.

<iframe title="A video" src="{EMBED}"></iframe>

A table with aligned columns, which Python-Markdown aligns with style
attributes, and the writer's own styles:

| Left | Centre | Right |
| :--- | :----: | ----: |
| a    | b      | c     |

<p class="ew-own" style="border-inline-start: 4px solid currentcolor">Bordered.</p>

<style>.ew-own {{ outline: 2px dotted currentcolor; }}</style>
"""


@pytest.fixture(scope="module")
def csp_site(tmp_path_factory) -> Path:
    """The blog with 38 fixture posts (so numbered pages and years), a plain
    page with an embed allowed by extra.csp, and a page with an outside image
    and frame into which a script is injected after the build."""
    project = copy_project(tmp_path_factory.mktemp("csp"))
    fixture_posts(project)
    (project / "docs" / "about.md").write_text(PLAIN, encoding="utf-8")
    (project / "docs" / "blocked.md").write_text(BLOCKED, encoding="utf-8")
    config = project / "mkdocs.yml"
    settings = config.read_text(encoding="utf-8").replace(
        "extra:\n", f"extra:\n  csp:\n    frame-src: [{EMBED.rsplit('/', 2)[0]}]\n", 1)
    config.write_text(settings, encoding="utf-8")
    site = tmp_path_factory.mktemp("csp-site")
    done = build(project, site)
    assert done.returncode == 0, done.stderr
    blocked = site / "blocked" / "index.html"
    blocked.write_text(blocked.read_text(encoding="utf-8").replace(
        "</body>", INJECTED + "</body>", 1), encoding="utf-8")
    return site


def test_the_frame_src_from_mkdocs_yml_is_in_every_pages_policy(csp_site):
    for path in sorted(csp_site.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert policy_of(soup)["frame-src"] == ["'self'", "https://www.youtube-nocookie.com"]


@pytest.fixture(scope="module")
def csp_server(csp_site):
    served = StaticServer(csp_site, SITE_PATH)
    yield served
    served.close()


# Every violation and console error, reported to the test from the page
# before any of the page's own scripts run.
LISTEN = """document.addEventListener('securitypolicyviolation', event => {
  window.reportViolation({directive: event.effectiveDirective, blocked: event.blockedURI,
                          source: event.sourceFile, line: event.lineNumber,
                          sample: event.sample});
});"""


def watch(browser, scheme: str):
    """A context of the given scheme, and a page in it, with the violations
    and console errors of everything the page opens."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    seen: dict[str, list] = {"violations": [], "errors": []}
    context.expose_function("reportViolation", lambda found: seen["violations"].append(found))
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and seen["errors"].append(
        message.text))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    return context, page, seen


@pytest.fixture(params=["light", "dark"])
def watched(request, browser):
    context, page, seen = watch(browser, request.param)
    yield page, seen
    context.close()


PAGES = {
    "home": "",
    "numbered listing page": "page/2/",
    "seed post": SEED_URL,
    "fixture post": "posts/fixture-post-07/",
    "tag page": "tags/fixtures/",
    "tags index": "tags/",
    "archive index": "archive/",
    "archive year": "archive/2024/",
    "archive year page": "archive/2024/page/2/",
    "404": "404.html",
    "plain page": "about/",
}


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    # Violation events are dispatched as a task after the blocked load.
    page.evaluate("() => new Promise(resolve => setTimeout(resolve, 100))")


@pytest.mark.parametrize("name", PAGES)
def test_no_page_violates_the_policy_with_search_used(watched, csp_server, name):
    page, seen = watched
    page.goto(csp_server.url + PAGES[name])
    settle(page)
    assert seen == {"violations": [], "errors": []}
    page.get_by_role("button", name="Search").click()
    page.locator(".md-search__input").press_sequentially("fixture")
    page.locator(".md-search-result__link").first.wait_for(state="visible")
    settle(page)
    assert seen == {"violations": [], "errors": []}


def test_opening_a_search_result_violates_nothing(watched, csp_server):
    page, seen = watched
    page.goto(csp_server.url)
    page.get_by_role("button", name="Search").click()
    page.locator(".md-search__input").press_sequentially("sora")
    page.locator(".md-search-result__link").first.click()
    page.wait_for_url("**/posts/openais-tape-models-and-the-sora-trade/?h=sora")
    settle(page)
    assert page.locator("mark").count() > 0, "search terms are not highlighted"
    assert seen == {"violations": [], "errors": []}


def test_the_policy_blocks_an_injected_script_an_outside_image_and_frame(watched, csp_server):
    page, seen = watched
    page.goto(csp_server.url + "blocked/")
    settle(page)
    blocked = {(v["directive"], v["blocked"]) for v in seen["violations"]}
    assert ("img-src", "https://example.com/x.png") in blocked, seen
    # A frame from another origin is reported by its origin only.
    assert ("frame-src", "https://example.com") in blocked, seen
    assert ("script-src-elem", "inline") in blocked, seen
    assert ("style-src-attr", "inline") in blocked, seen
    assert page.evaluate("getComputedStyle(document.getElementById('injected-style')).color") \
        != "rgb(255, 0, 0)"
    assert page.evaluate("window.injected") is None
    assert page.title() != "injected"
    assert page.evaluate("document.querySelector('img[alt=outside]').naturalWidth") == 0


def test_the_embed_allowed_in_mkdocs_yml_and_the_pages_own_styles_apply(watched, csp_server):
    page, seen = watched
    page.goto(csp_server.url + "about/")
    settle(page)
    assert page.locator(f"iframe[src='{EMBED}']").count() == 1
    style = "([selector, property]) => getComputedStyle(document.querySelector(selector))[property]"
    assert page.evaluate(style, ["th:nth-child(2)", "textAlign"]) == "center"
    assert page.evaluate(style, [".ew-own", "borderInlineStartWidth"]) == "4px"
    assert page.evaluate(style, [".ew-own", "outlineStyle"]) == "dotted"
    assert seen["violations"] == []



def test_under_serve_live_reload_runs_and_nothing_else_is_allowed(browser, tmp_path):
    """MkDocs adds its live-reload script to every page it serves, after the
    hooks; the preview's policy lets it run, and reloads the page on a save."""
    context, page, seen = watch(browser, "light")
    project = copy_project(tmp_path / "blog")
    with serving(project) as served:
        # Live reload keeps a request open: the network is never idle.
        page.goto(served.base + SEED_URL, wait_until="load")
        directives = policy_of(BeautifulSoup(page.content(), "html.parser"))
        assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
        assert directives["img-src"] == ["'self'", "data:"]
        post = project / "docs" / "posts" / "openais-tape-models-and-the-sora-trade.md"
        post.write_text(post.read_text(encoding="utf-8").replace(
            "I'm going with isn't.", "I'm going with isn't. Saved while open."), encoding="utf-8")
        page.get_by_text("Saved while open.").wait_for(timeout=30_000)
        # Closed while the server runs: its open poll would fail after.
        context.close()
    assert seen == {"violations": [], "errors": []}


def test_a_page_whose_template_has_no_head_stops_the_build_with_one_line(tmp_path):
    project = copy_project(tmp_path / "blog")
    (project / "overrides" / "bare.html").write_text("<p>{{ page.content }}</p>\n",
                                                     encoding="utf-8")
    (project / "docs" / "bare.md").write_text("---\ntemplate: bare.html\n---\n\n# Bare\n",
                                              encoding="utf-8")
    errors = error_lines(build(project, tmp_path / "site"))
    assert errors == ["ERROR   -  bare.md: found no <head> to put the Content Security Policy "
                      "in; expected a page extending Material's base.html"]
