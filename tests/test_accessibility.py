"""Accessibility as axe-core (the engine behind Lighthouse's and most
browsers' audits) finds it in a real Chromium: WCAG 2.2 A and AA rules and
axe's best practices, in the light and the dark scheme, on every kind of
page and with the search dialog open."""

from __future__ import annotations

import pytest

from support import ROOT, SEED_URL, StaticServer, search_for

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# axe-core's tags for WCAG 2.0, 2.1 and 2.2 levels A and AA, and its best
# practices (https://github.com/dequelabs/axe-core/blob/develop/doc/API.md).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]

PAGES = {
    "home": "",
    "seed post": SEED_URL,
    "tag page": "tags/openai/",
    "tags index": "tags/",
    "archive": "archive/",
    "404": "no-such-post/",
}


def axe(page) -> list[dict]:
    """Run axe-core on the page as it is now; return its violations."""
    # Evaluated by the test runner, not added as an inline <script>, which
    # the page's Content Security Policy would block (hooks/csp.py).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        TAGS,
    )
    return results["violations"]


def report(violations: list[dict]) -> str:
    """One line per failing element: rule, what it wants, where, and why."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            why = " ".join(node.get("failureSummary", "").split())
            lines.append(f"{violation['id']}: {violation['help']} at {node['target']}: {why}")
    return "\n".join(lines)


@pytest.fixture(params=["light", "dark"])
def scheme_page(request, browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, color_scheme=request.param
    )
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_axe_violations_in_either_scheme(scheme_page, server, name):
    scheme_page.goto(server.url + PAGES[name], wait_until="networkidle")
    violations = axe(scheme_page)
    assert violations == [], report(violations)


def test_open_search_dialog_has_no_axe_violations_in_either_scheme(scheme_page, server):
    scheme_page.goto(server.url + SEED_URL, wait_until="networkidle")
    search_for(scheme_page, "tape")
    violations = axe(scheme_page)
    assert violations == [], report(violations)


BROKEN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Broken</title></head>
<body><main>
<h1>Broken</h1>
<p style="color:#bbb;background:#fff">Grey on white is too faint to read.</p>
<p>An image without alt text: <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">.</p>
<div role="dialog"><p>A dialog with no name.</p></div>
</main></body></html>
"""


def test_axe_reports_a_deliberately_broken_page(page, tmp_path):
    (tmp_path / "index.html").write_text(BROKEN, encoding="utf-8")
    served = StaticServer(tmp_path)
    try:
        page.goto(served.url)
        found = {violation["id"] for violation in axe(page)}
    finally:
        served.close()
    assert {"color-contrast", "image-alt", "aria-dialog-name"} <= found, found
