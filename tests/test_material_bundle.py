"""hooks/material_bundle.py: finding Material's hashed bundle among the
theme's files, and the page naming it for expectedwrong.js to load."""

from __future__ import annotations

import sys

import pytest

from support import ROOT, SEED_POST, parse

sys.path.insert(0, str(ROOT / "hooks"))
from material_bundle import find_bundle  # noqa: E402


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["assets/javascripts/bundle.a5f9d56c.min.js"],
         "assets/javascripts/bundle.a5f9d56c.min.js"),
        (
            ["index.md", "assets/javascripts/bundle.0123abcd.min.js.map",
             "assets/javascripts/bundle.0123abcd.min.js"],
            "assets/javascripts/bundle.0123abcd.min.js",
        ),
        (["assets/javascripts/bundle.min.js"], None),
        (["assets/javascripts/workers/search.a7633da7.min.js"], None),
        (["docs/assets/javascripts/bundle.a5f9d56c.min.js"], None),
        ([], None),
    ],
)
def test_find_bundle_takes_only_materials_hashed_bundle(paths, expected):
    assert find_bundle(paths) == expected


def test_pages_name_the_bundle_that_the_build_wrote(site):
    script = parse(site, SEED_POST).select_one("script[data-material]")
    assert script["src"] == "../../assets/javascripts/expectedwrong.js"
    bundle = (site / SEED_POST).parent / script["data-material"]
    assert bundle.resolve().is_file(), script["data-material"]


def test_no_page_loads_materials_bundle_with_the_page(site):
    eager = []
    for path in site.rglob("*.html"):
        name = str(path.relative_to(site))
        if any("/bundle." in tag["src"] for tag in parse(site, name).select("script[src]")):
            eager.append(name)
    assert eager == []
