"""Re-read the hooks from disk under `mkdocs serve` when they change.

MkDocs loads hook modules through `Hooks._load_hook`, which is wrapped in
`functools.lru_cache` on the class: `mkdocs serve` reloads mkdocs.yml on each
change but keeps the hook modules it imported first, so an edited hook has no
effect until the server is restarted. `reload_hooks` clears that cache, so
that the next build executes the hooks' current source; helper modules that
hooks import from their own folder are dropped from `sys.modules` too, so
they are re-read with them.

hooks/preview.py calls `hooks_read` when `mkdocs serve` starts and
`reload_if_changed` before each rebuild: the hooks are read again only when
the bytes of a file in their folder changed, so a save of a post keeps
every module (and what it holds for the life of the
process: loaded fonts, digests of font files) as it was. Without it (a
project that leaves preview.py out), `on_config` reads them again for
every build.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import cache
from mkdocs.config.config_options import Hooks
from mkdocs.config.defaults import MkDocsConfig

HOOKS_DIR = Path(__file__).resolve().parent


def on_config(config: MkDocsConfig) -> None:
    if not getattr(cache._holder(), "reloads_on_change", False):
        reload_hooks()
    return None


def hooks_read() -> None:
    """The hooks are as MkDocs has just read them (hooks/preview.py, at
    `mkdocs serve`'s start): `on_config` leaves them, and the first save
    reads them again only if a file of their folder changed since, instead
    of every save's first (which also dropped what the modules had loaded:
    fonts, caches; 0.07-0.1 s of the first save at 1,000 posts)."""
    holder = cache._holder()
    holder.reloads_on_change = True
    holder.hooks_source = source_digest(HOOKS_DIR)


def reload_if_changed() -> None:
    """Have the next build read the hooks again if their source changed
    since they were last read (and for the first rebuild of a server,
    whose hooks were read before this was first asked)."""
    holder = cache._holder()
    holder.reloads_on_change = True
    source = source_digest(HOOKS_DIR)
    if getattr(holder, "hooks_source", None) != source:
        reload_hooks()
        holder.hooks_source = source


def reload_hooks() -> None:
    Hooks._load_hook.cache_clear()
    for name in stale_modules(sys.modules, HOOKS_DIR):
        del sys.modules[name]


def source_digest(folder: Path) -> bytes:
    """A digest of the names and bytes of the files in `folder` (the hooks
    and any file they read beside them)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(path for path in folder.iterdir() if path.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def stale_modules(modules: dict, folder: Path) -> list[str]:
    """Names of imported modules whose source file lies in `folder`."""
    return [
        name for name, module in list(modules.items())
        if (path := getattr(module, "__file__", None)) and Path(path).parent == folder
    ]
