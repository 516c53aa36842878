"""Every page of the built site is valid HTML by the Nu HTML Checker (vnu.jar
from npm's vnu-jar, run with Java): no error, none excused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from support import ROOT, build, copy_project, fixture_posts

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu(*paths: Path) -> list[dict]:
    """The checker's errors for `paths` (files or folders of .html)."""
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html",
         *map(str, paths)],
        capture_output=True, text=True, timeout=300,
    )
    return json.loads(result.stderr)["messages"]


def test_every_built_page_is_valid_html(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 10
    errors = [f"{m['url'].split(str(site))[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in vnu(site)]
    assert errors == []


def test_every_kind_of_page_of_a_larger_blog_is_valid_html(tmp_path):
    # Numbered listing pages, years, a plain page: more than the real site has.
    project = copy_project(tmp_path / "blog")
    fixture_posts(project)
    (project / "docs" / "about.md").write_text("# About\n\nA plain page.\n", encoding="utf-8")
    site = tmp_path / "site"
    done = build(project, site)
    assert done.returncode == 0, done.stderr
    for page in ("page/2/index.html", "archive/2024/page/2/index.html", "about/index.html"):
        assert (site / page).is_file(), page
    errors = [f"{m['url'].split(str(site))[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in vnu(site)]
    assert errors == []


def test_the_checker_reports_an_invalid_page(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><html lang=en><title>x</title><p><div></span></p>",
                    encoding="utf-8")
    errors = vnu(tmp_path)
    assert any("Stray end tag" in m["message"] for m in errors), errors


def test_the_checker_reports_autocomplete_on_a_checkbox(tmp_path):
    # As Material writes its toggles; hooks/toggles.py rewrites them.
    page = tmp_path / "toggles.html"
    page.write_text('<!doctype html><html lang=en><title>x</title>'
                    '<input type="checkbox" id="__search" autocomplete="off">', encoding="utf-8")
    assert any("autocomplete" in m["message"] for m in vnu(tmp_path))
