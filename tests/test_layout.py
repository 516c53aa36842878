"""How pages look at a phone's and a laptop's size, in both schemes and in
print, in a real Chromium: screenshots for people to look at (written to
test-output/screenshots/, kept by CI), and the measurements that hold
whatever the fonts: no sideways scrolling, body text size, line length."""

from __future__ import annotations

import pytest

from support import ROOT, SEED_URL

SHOTS = ROOT / "test-output" / "screenshots"
PAGES = {"home": "", "post": SEED_URL, "tag": "tags/openai/"}
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

# Characters per line of the post's body paragraphs, counted from where the
# browser broke the lines: the median over lines that are not a paragraph's last.
LINE_LENGTH = """() => {
  const lengths = [];
  for (const p of document.querySelectorAll("article > p")) {
    const text = p.textContent;
    const range = document.createRange();
    const tops = [];
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (rect) tops.push(Math.round(rect.top));
      }
    }
    const lines = new Map();
    for (const top of tops) lines.set(top, (lines.get(top) || 0) + 1);
    const counts = [...lines.values()];
    lengths.push(...counts.slice(0, -1));
  }
  lengths.sort((a, b) => a - b);
  return {median: lengths[Math.floor(lengths.length / 2)], lines: lengths.length};
}"""


def open_page(browser, url: str, viewport: dict, scheme: str = "light"):
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    return context, page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390x844", "1280x800"])
@pytest.mark.parametrize("name", PAGES)
def test_screenshot_of_each_page_size_and_scheme_is_written(
    browser, server, name, viewport, scheme
):
    context, page = open_page(browser, server.url + PAGES[name], viewport, scheme)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{viewport['width']}x{viewport['height']}-{scheme}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=path, full_page=True)
    expected = "rgb(23, 23, 26)" if scheme == "dark" else "rgb(255, 255, 255)"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    context.close()
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert background == expected


@pytest.mark.parametrize("name", PAGES)
def test_nothing_scrolls_sideways_on_a_390px_phone(browser, server, name):
    context, page = open_page(browser, server.url + PAGES[name], PHONE)
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    wide = page.evaluate("""() => [...document.querySelectorAll("body *")]
        .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5
                      && getComputedStyle(el).visibility !== "hidden")
        .map(el => el.tagName + "." + el.className).slice(0, 10)""")
    context.close()
    assert widths[0] <= widths[1], (widths, wide)


def test_post_body_text_is_at_least_16px_with_about_20px_margins_on_a_phone(browser, server):
    context, page = open_page(browser, server.url + SEED_URL, PHONE)
    found = page.evaluate("""() => [...document.querySelectorAll("article > p")].map(p => {
        const box = p.getBoundingClientRect();
        return {size: parseFloat(getComputedStyle(p).fontSize), left: box.left,
                right: document.documentElement.clientWidth - box.right};
    })""")
    context.close()
    assert len(found) >= 5
    assert all(p["size"] >= 16 for p in found), found
    assert all(16 <= p["left"] <= 24 and 16 <= p["right"] <= 24 for p in found), found


def test_post_column_is_60_to_75_characters_wide_at_1280px(browser, server):
    context, page = open_page(browser, server.url + SEED_URL, LAPTOP)
    measured = page.evaluate(LINE_LENGTH)
    context.close()
    assert measured["lines"] >= 10, measured
    assert 60 <= measured["median"] <= 75, measured


def test_printed_post_keeps_the_text_and_drops_header_buttons_and_footer_navigation(
    browser, server
):
    context, page = open_page(browser, server.url + SEED_URL, LAPTOP)
    page.emulate_media(media="print")
    shown = page.evaluate("""() => Object.fromEntries(Object.entries({
        title: "h1", deck: ".ew-post-header__deck", meta: ".ew-post-header .ew-meta",
        body: "article > p",
        scheme: "[data-md-component=palette]", search: ".ew-search-button",
        postNav: ".ew-post-nav", footerNav: ".ew-footer__nav", skip: ".ew-skip",
    }).map(([name, selector]) => {
        const el = document.querySelector(selector);
        return [name, !!el && el.checkVisibility() && el.getBoundingClientRect().height > 0];
    }))""")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "post-print.pdf").write_bytes(page.pdf())
    context.close()
    assert shown == {
        "title": True, "deck": True, "meta": True, "body": True,
        "scheme": False, "search": False, "postNav": False, "footerNav": False, "skip": False,
    }


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390x844", "1280x800"])
def test_header_buttons_stand_where_they_will_before_all_of_the_header_has_arrived(
        browser, server, viewport):
    # A browser may paint a page it has parsed only part of, and the scheme
    # toggle shows none of its options until its script runs. Without
    # scripts the toggle is never shown; taking out what follows it is a
    # paint before the search button arrived. Neither may move a button.
    selectors = (".ew-header__actions", "[data-md-component=palette]", ".ew-search-button")
    boxes = {}
    for scripts in (True, False):
        context = browser.new_context(viewport=viewport, java_script_enabled=scripts)
        page = context.new_page()
        page.goto(server.url + SEED_URL, wait_until="networkidle")
        boxes[scripts] = [page.locator(selector).bounding_box() for selector in selectors]
        if scripts:
            page.evaluate("""() => {
              const toggle = document.querySelector("[data-md-component=palette]");
              while (toggle.nextSibling) toggle.nextSibling.remove();
            }""")
            boxes["toggle only"] = [page.locator(selector).bounding_box()
                                    for selector in selectors[:2]]
        context.close()
    assert boxes[False] == boxes[True], boxes
    assert boxes["toggle only"] == boxes[True][:2], boxes
