"""A light page: what the seed post's first load transfers, measured in a real
Chromium against the site served gzip-compressed on 127.0.0.1, and Material's
JavaScript arriving only when the reader opens search."""

from __future__ import annotations

import pytest

from support import SEED_URL, search_for

# The budget for the seed post's first load (stock Material: ~77 KB).
BUDGET = 40 * 1024

# What Material loads for search: its bundle, the search worker, the index.
SEARCH_ONLY = ("/bundle.", "/workers/search.", "/search_index.json")


def first_load(page, url: str) -> dict[str, int]:
    """Open `url` in a fresh page and return, by URL, the bytes each response
    took on the wire (headers plus the encoded body) until the network is idle."""
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="networkidle")
    sizes = {}
    for request in finished:
        size = request.sizes()
        sizes[request.url] = size["responseHeadersSize"] + size["responseBodySize"]
    return sizes


def kb(sizes: dict[str, int]) -> str:
    return "\n".join(f"{size / 1024:6.1f} KB  {url}" for url, size in sorted(sizes.items()))


def test_seed_post_first_load_transfers_at_most_40_kb(page, server):
    sizes = first_load(page, server.url + SEED_URL)
    total = sum(sizes.values())
    assert total <= BUDGET, f"{total / 1024:.1f} KB in all:\n{kb(sizes)}"


def test_first_load_is_compressed_as_a_host_would_send_it(page, server):
    encodings = []
    page.on("response", lambda response: encodings.append(
        (response.url, response.headers.get("content-encoding"))))
    page.goto(server.url + SEED_URL, wait_until="networkidle")
    text = [(url, encoding) for url, encoding in encodings if url.endswith((".css", ".js", "/"))]
    assert text and all(encoding == "gzip" for _, encoding in text), text


@pytest.mark.parametrize("url", ["", SEED_URL, "tags/openai/"])
def test_material_javascript_and_search_index_wait_until_search_opens(page, server, url):
    sizes = first_load(page, server.url + url)
    assert not [u for u in sizes if any(part in u for part in SEARCH_ONLY)], kb(sizes)
    search_for(page, "tape")
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    for part in SEARCH_ONLY:
        assert any(part in name for name in loaded), (part, loaded)


def test_page_opened_from_a_search_result_loads_material_to_highlight_the_terms(page, server):
    page.goto(server.url + SEED_URL + "?h=tape", wait_until="networkidle")
    marks = page.locator("article mark")
    marks.first.wait_for(state="visible")
    assert marks.first.inner_text().lower() == "tape"


@pytest.mark.parametrize("url", ["", "tags/openai/"])
def test_opening_search_makes_no_failing_request_or_console_error(page, server, url):
    failed, errors = [], []
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(server.url + url, wait_until="networkidle")
    search_for(page, "tape")
    page.wait_for_load_state("networkidle")
    assert (failed, errors) == ([], [])
