"""`mkdocs build` writes only the site's files whose bytes change, and takes
out the ones no longer built: the same folder as MkDocs' emptying it and
writing every file again, without creating 2,000 files anew after a
one-post edit (hooks/site_files.py says how a file is known unchanged).

- `on_startup`, under `mkdocs build` without `--dirty`: MkDocs' own
  `clean_directory`, `write_file` and `copy_file` (which its build, Material's
  search index and the static files go through) are wrapped, for this
  process, by hooks/site_files.py's.
- `on_pre_build`, after every other hook's checks: the build's record of
  the site is read (and removed until the build ends).
- `on_post_build`, after every other hook has written: the files that are
  not this build's are taken out and the rest recorded.

Without a record (`.cache/` removed) the folder is not emptied either: a
file that holds the bytes the build writes is read and left as it is.

`mkdocs build --dirty` stops at `on_pre_build` with one line: MkDocs would
render only the posts whose files are newer than their pages, and the
listings, tag pages and feeds need every post (it was a traceback). Under
`mkdocs serve` (hooks/serve_build.py writes only what changed, in memory)
this hook does nothing, nor on Windows, whose `st_ctime` is a file's
creation time, not its last change: there MkDocs empties the folder. Writes no `page.meta` key.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import site_files
from mkdocs import utils
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

log = logging.getLogger("mkdocs.plugins.expectedwrong.keep_site")

DIRTY = ("mkdocs build --dirty: not supported by this blog, whose listings, tag pages "
         "and feeds need every post; expected mkdocs build without --dirty, which "
         "writes only the files whose bytes change")

_enabled = False
_dirty = False


def on_startup(*, command: str, dirty: bool) -> None:
    global _enabled, _dirty
    # Only where a file's change time is the time of its last write (POSIX:
    # Linux, macOS); Windows gives its creation time there.
    _enabled = command == "build" and not dirty and os.name == "posix"
    _dirty = command == "build" and dirty
    if _enabled and not hasattr(utils.write_file, "keeps_site"):
        for name in ("clean_directory", "write_file", "copy_file"):
            wrapper = functools.partial(getattr(site_files, name), getattr(utils, name))
            wrapper.keeps_site = True
            setattr(utils, name, wrapper)
    return None


@event_priority(-10000)
def on_pre_build(*, config: MkDocsConfig) -> None:
    if _dirty:
        raise PluginError(DIRTY)
    if _enabled:
        site_files.start(Path(config.config_file_path or ".").resolve().parent, config.site_dir)
    return None


@event_priority(-10000)
def on_post_build(*, config: MkDocsConfig) -> None:
    site = site_files.active()
    if site is None:
        return None
    try:
        kept, removed = site.finish()
    finally:
        site_files.stop()
    log.debug(f"{kept} files of the site kept as they were, {removed} taken out")
    return None


def on_build_error(*, error: Exception) -> None:
    site_files.stop()
    return None
