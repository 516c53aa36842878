"""Where Material's JavaScript bundle is, for the page to load it on demand.

Material's `base.html` loads `assets/javascripts/bundle.<hash>.min.js` on
every page (about 35 KB gzip, which then starts the search worker and fetches
the search index). Our `main.html` replaces that `scripts` block with
`assets/javascripts/expectedwrong.js`, which loads the bundle the first time
a reader opens search. This hook finds the bundle's hashed name among the
theme's files (`on_env`) and gives templates its path as the Jinja global
`material_bundle`. Writes no `page.meta` key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mkdocs.exceptions import PluginError

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

# Material's build names its bundle after a content hash (material/templates/
# assets/javascripts/bundle.a5f9d56c.min.js in 9.8).
BUNDLE = re.compile(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js")


def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
    bundle = find_bundle(file.src_uri for file in files)
    if bundle is None:
        raise PluginError(
            "hooks/material_bundle.py: Material's assets/javascripts/bundle.*.min.js "
            "is not among the theme files; expected Material for MkDocs 9"
        )
    env.globals["material_bundle"] = bundle
    return None


def find_bundle(paths: Iterable[str]) -> str | None:
    """The one path among `paths` that is Material's bundle, or None."""
    found = sorted(path for path in paths if BUNDLE.fullmatch(path))
    return found[0] if found else None
