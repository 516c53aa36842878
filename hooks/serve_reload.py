"""Re-read every hook from disk on each rebuild under `mkdocs serve`.

MkDocs loads hook modules through `Hooks._load_hook`, which is wrapped in
`functools.lru_cache` on the class: `mkdocs serve` reloads mkdocs.yml on each
change but keeps the hook modules it imported first, so an edited hook has no
effect until the server is restarted. Clearing that cache once per build
makes the next build execute the hooks' current source. Helper modules that
hooks import from their own folder are dropped from `sys.modules` too, so
they are re-read with them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.config.config_options import Hooks
from mkdocs.config.defaults import MkDocsConfig

HOOKS_DIR = Path(__file__).resolve().parent


def on_config(config: MkDocsConfig) -> None:
    Hooks._load_hook.cache_clear()
    for name in stale_modules(sys.modules, HOOKS_DIR):
        del sys.modules[name]
    return None


def stale_modules(modules: dict, folder: Path) -> list[str]:
    """Names of imported modules whose source file lies in `folder`."""
    return [
        name for name, module in list(modules.items())
        if (path := getattr(module, "__file__", None)) and Path(path).parent == folder
    ]
