"""Re-read every hook from disk on each rebuild under `mkdocs serve`.

MkDocs loads hook modules through `Hooks._load_hook`, which is wrapped in
`functools.lru_cache` on the class: `mkdocs serve` reloads mkdocs.yml on each
change but keeps the hook modules it imported first, so an edited hook has no
effect until the server is restarted. Clearing that cache once per build
makes the next build execute the hooks' current source.
"""

from __future__ import annotations

from mkdocs.config.config_options import Hooks
from mkdocs.config.defaults import MkDocsConfig


def on_config(config: MkDocsConfig) -> None:
    Hooks._load_hook.cache_clear()
    return None
