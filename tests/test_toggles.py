"""hooks/toggles.py: Material's drawer and search toggles are owned by a form
with autocomplete="off" instead of carrying the attribute, which HTML does not
allow on a checkbox; a browser still does not restore them."""

from __future__ import annotations

import sys

import pytest
from playwright.sync_api import expect

from support import CHROME_ARGS, ROOT, SEED_URL, chrome_path, parse

sys.path.insert(0, str(ROOT / "hooks"))
from toggles import FORM, owned_by_form  # noqa: E402

MATERIAL = (
    '<body>\n<input class="md-toggle" data-md-toggle="drawer" type="checkbox" '
    'id="__drawer" autocomplete="off">\n<input class="md-toggle" data-md-toggle="search" '
    'type="checkbox" id="__search" autocomplete="off">\n'
)


def test_both_toggles_lose_autocomplete_and_gain_the_form():
    assert owned_by_form(MATERIAL) == MATERIAL.replace('autocomplete="off"', f'form="{FORM}"')


@pytest.mark.parametrize("html", [
    '<input type="text" id="q" autocomplete="off">',
    '<input type="checkbox" id="__palette_0" autocomplete="off">',
    "<p>no toggles</p>",
])
def test_other_inputs_are_left_as_they_are(html):
    assert owned_by_form(html) == html


@pytest.mark.parametrize("path", ["index.html", "404.html", "tags/index.html"])
def test_built_toggles_belong_to_a_form_that_turns_autocomplete_off(site, path):
    soup = parse(site, path)
    form = soup.find("form", id=FORM)
    assert form is not None and form.get("autocomplete") == "off"
    for toggle in ("__drawer", "__search"):
        element = soup.find("input", id=toggle)
        assert element.get("form") == FORM and not element.has_attr("autocomplete")


@pytest.fixture
def no_page_cache_browser(browser):
    """Chromium without its back-forward cache, so that going back reloads
    the page and restores form state, as Firefox does too."""
    launched = browser.browser_type.launch(
        executable_path=chrome_path(), headless=True,
        args=[*CHROME_ARGS, "--disable-features=BackForwardCache"],
    )
    yield launched
    launched.close()


def test_search_is_closed_again_after_coming_back_to_a_page(no_page_cache_browser, server):
    page = no_page_cache_browser.new_page()
    page.goto(server.url + SEED_URL)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("textbox", name="Search")).to_be_visible()
    page.goto(server.url + "tags/")
    page.go_back()
    page.wait_for_load_state()
    assert page.url.endswith(SEED_URL)
    assert page.evaluate("document.getElementById('__search').checked") is False
    expect(page.get_by_role("textbox", name="Search")).to_be_hidden()
