"""Fixtures: one strict build of the real site per session, its server, and
a real headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from support import CHROME_ARGS, ROOT, SITE_PATH, StaticServer, build, chrome_path


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> tuple[Path, str]:
    """The real site, built strictly; returns the site directory and the log."""
    site = tmp_path_factory.mktemp("site")
    result = build(ROOT, site)
    assert result.returncode == 0, result.stderr
    return site, result.stderr + result.stdout


@pytest.fixture(scope="session")
def site(built) -> Path:
    return built[0]


@pytest.fixture(scope="session")
def server(site):
    served = StaticServer(site, SITE_PATH)
    yield served
    served.close()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        # A missing Chrome is a setup error, not a reason to skip:
        # `make test` runs scripts/ensure-chromium first.
        executable = chrome_path()
        launched = playwright.chromium.launch(
            executable_path=executable, args=CHROME_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    yield opened
    context.close()
