"""Template fragments that many pages render alike, rendered once a build.

Every page renders the site header (wordmark, scheme toggle, Material's
search dialog) and Material's settings for its bundle (translations, the
search worker's address): about 7% of a 1,000-post build, for text that
differs from page to page only by how deep the page is (their links go to
the home page and to assets/, relative to the page). `on_env` gives
templates `memo`, used as

    {% call memo("header", base_url) %}...{% endcall %}

which renders the block's body the first time a key is seen in a build and
returns that text for the same key after. A template keys a fragment by
everything the fragment depends on; main.html keys both by `base_url`.
tests/test_memo.py builds a site with and without the memo and compares
every file. Writes no `page.meta` key.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files


def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
    # A new environment, and so a new memo, for every build.
    env.globals["memo"] = Memo()
    return None


class Memo:
    """Rendered fragments by key: `memo(*key, caller=body)`, where Jinja
    passes the body of a `{% call %}` block as `caller`."""

    def __init__(self) -> None:
        self.fragments: dict[tuple, str] = {}

    def __call__(self, *key: Hashable, caller: Callable[[], str]) -> str:
        if key not in self.fragments:
            self.fragments[key] = caller()
        return self.fragments[key]
