"""A reader with only a keyboard, in a real Chromium: the skip link, a visible
focus at every stop, search opened and closed, the scheme toggle."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from support import SEED_URL

ACTIVE = """() => {
  const el = document.activeElement;
  return el && el !== document.body ? {
    tag: el.tagName, id: el.id, text: el.innerText || "", label: el.getAttribute("aria-label"),
    inMain: !!el.closest("main"), inDialog: !!el.closest(".md-search")
  } : null;
}"""

# The box that shows an element's focus: its own, or, for Material's
# visually hidden scheme radios, that of the button drawn next to it.
FOCUS_BOX = """() => {
  let el = document.activeElement;
  let box = el.getBoundingClientRect();
  if (box.width < 2 || box.height < 2) box = el.nextElementSibling.getBoundingClientRect();
  return {x: box.x, y: box.y, width: box.width, height: box.height};
}"""


def tab_stops(page, limit: int = 80) -> list[dict]:
    """Press Tab from the top of the page until focus leaves it; return each stop."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if active is None or active in stops[:1]:
            break
        stops.append(active)
    return stops


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, server):
    page.goto(server.url + SEED_URL)
    page.keyboard.press("Tab")
    skip = page.locator(".ew-skip")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to content")
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["x"] >= 0, box  # on screen once focused
    page.keyboard.press("Enter")
    assert page.evaluate(ACTIVE)["id"] == "ew-content"
    page.keyboard.press("Tab")
    after = page.evaluate(ACTIVE)
    # The next stop is the first link of the post (its meta line), not the header.
    assert after["inMain"] and after["text"] == "#openai", after


@pytest.mark.parametrize("url", ["", SEED_URL])
def test_every_tab_stop_shows_where_focus_is(page, server, url):
    """At each stop the focused area looks different once focus is taken
    away (blur, after which Tab goes on from the same place), in a
    screenshot of that area."""
    page.goto(server.url + url)
    unseen = []
    for number in range(60):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if active is None or (number and active["text"] == "Skip to content"):
            break
        box = page.evaluate(FOCUS_BOX)
        area = {"x": max(box["x"] - 6, 0), "y": max(box["y"] - 6, 0),
                "width": box["width"] + 12, "height": box["height"] + 12}
        focused = page.screenshot(clip=area)
        page.evaluate("document.activeElement.blur()")
        unfocused = page.screenshot(clip=area)
        if focused == unfocused:
            unseen.append(active)
    assert number > 5, "too few tab stops"
    assert unseen == [], unseen


def test_search_opens_from_its_button_and_closes_with_escape(page, server):
    page.goto(server.url + SEED_URL)
    stops = tab_stops(page)
    assert any(stop["label"] == "Search" and stop["tag"] == "BUTTON" for stop in stops), stops
    page.goto(server.url + SEED_URL)
    button = page.get_by_role("button", name="Search")
    while not page.evaluate("document.activeElement.getAttribute('aria-label') === 'Search'"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    field = page.get_by_role("textbox", name="Search")
    expect(field).to_be_visible()
    expect(field).to_be_focused()
    page.keyboard.type("sora")
    expect(page.locator(".md-search-result__link").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(field).to_be_hidden()
    expect(button).to_be_focused()


@pytest.mark.parametrize("key", ["/", "s", "f"])
def test_search_opens_with_materials_shortcut_keys(page, server, key):
    page.goto(server.url + SEED_URL)
    page.keyboard.press(key)
    field = page.get_by_role("textbox", name="Search")
    expect(field).to_be_focused()
    expect(field).to_have_value("")
    page.keyboard.type("tape")
    expect(page.locator(".md-search-result__link").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(field).to_be_hidden()


def test_scheme_toggle_is_reached_named_and_switched_by_keyboard(browser, server):
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(server.url + SEED_URL)
    scheme = lambda: page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    # Auto (following the light system) -> light -> dark -> auto, as the
    # palette in mkdocs.yml says; each option's name says what Enter does.
    steps = [
        ("Switch to light mode", "default"),
        ("Switch to dark mode", "default"),
        ("Switch to system preference", "slate"),
        ("Switch to light mode", "default"),
    ]
    while page.evaluate("document.activeElement.type !== 'radio'"):
        page.keyboard.press("Tab")
    for number, (name, colours) in enumerate(steps):
        if number:
            page.keyboard.press("Enter")
        expect(page.get_by_role("radio", name=name)).to_be_focused()
        expect(page.get_by_role("radio", name=name)).to_be_checked()
        assert scheme() == colours, (name, scheme())
    context.close()
