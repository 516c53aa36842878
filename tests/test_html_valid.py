"""Every page of the built site is valid HTML by the Nu HTML Checker (vnu.jar
from npm's vnu-jar, run with Java), less one message on Material's markup."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from support import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Material's base.html writes its two hidden toggles as
# <input type="checkbox" autocomplete="off"> (drawer, search): the attribute
# keeps Firefox from restoring their state, but HTML allows it on text-like
# inputs only. They sit outside any block an override can replace, so this
# one message, on these two elements only, is not counted.
MATERIAL_TOGGLES = ('id="__drawer" autocomplete="off"', 'id="__search" autocomplete="off"')
AUTOCOMPLETE = "Attribute “autocomplete” is only allowed when the input type is"


def vnu(*paths: Path) -> list[dict]:
    """The checker's errors for `paths` (files or folders of .html)."""
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html",
         *map(str, paths)],
        capture_output=True, text=True, timeout=300,
    )
    return json.loads(result.stderr)["messages"]


def counted(message: dict) -> bool:
    return not (message["message"].startswith(AUTOCOMPLETE)
                and any(toggle in message.get("extract", "") for toggle in MATERIAL_TOGGLES))


def test_every_built_page_is_valid_html(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 10
    errors = [f"{m['url'].split(str(site))[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in vnu(site) if counted(m)]
    assert errors == []


def test_the_checker_reports_an_invalid_page(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><html lang=en><title>x</title><p><div></span></p>",
                    encoding="utf-8")
    errors = [m for m in vnu(tmp_path) if counted(m)]
    assert any("Stray end tag" in m["message"] for m in errors), errors


def test_only_materials_toggles_are_excused(tmp_path):
    page = tmp_path / "ours.html"
    page.write_text('<!doctype html><html lang=en><title>x</title>'
                    '<input type="checkbox" id="mine" autocomplete="off">', encoding="utf-8")
    assert [m for m in vnu(tmp_path) if counted(m)] != []
