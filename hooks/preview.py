"""`mkdocs serve` (`make serve`): every save rebuilds the whole site, fast,
and a broken file never leaves the server hanging.

- `on_startup` (once, before the first build) has `mkdocs serve` build with
  hooks/serve_build.py's `build` instead of MkDocs' own: the same events,
  but only the files whose bytes changed are written, and a build that
  fails changes nothing.
- `on_serve` (once, after the first build) swaps MkDocs' file watcher,
  which looks for changes every half second, for the operating system's
  own notifications (inotify, FSEvents, ...; watchdog's `Observer`), so a
  save starts a rebuild at once; and wraps the server's builder so that an
  error before the build starts (invalid YAML in mkdocs.yml, a syntax error
  in a hook) is one line too, instead of a traceback and a server whose
  requests wait until the file is fixed. Before each rebuild the builder
  has hooks/serve_reload.py read the hooks again if their source changed;
  otherwise every module stays loaded.

Under `mkdocs build` this hook does nothing. Writes no `page.meta` key.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import mkdocs.commands.serve
import serve_build
from watchdog.events import (
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
)
from watchdog.observers import Observer

from serve_reload import hooks_read, reload_if_changed

if TYPE_CHECKING:
    from collections.abc import Callable

    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer

log = logging.getLogger("mkdocs.plugins.expectedwrong.preview")

# What a save is. The operating system also reports files being opened and
# read, which every build does to the files it watches.
CHANGES = [FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileDeletedEvent,
           FileMovedEvent]
# Seconds without a change before a build starts: an editor's save (write,
# or write and rename) reports its events within a millisecond or two.
QUIET_SECONDS = 0.01


def on_startup(*, command: str, dirty: bool) -> None:
    if command == "serve":
        # The module global that serve()'s builder calls.
        mkdocs.commands.serve.build = build
        hooks_read()
    return None


def on_serve(server: LiveReloadServer, /, *, config: MkDocsConfig,
             builder: Callable) -> LiveReloadServer | None:
    server.builder = SafeBuilder(server.builder, config)
    # How long MkDocs waits for a burst of changes to end before it builds
    # (0.1 s): the OS notifications arrive within a millisecond of a save.
    server.build_delay = QUIET_SECONDS
    watched = dict(getattr(server, "_watched_paths", {}))
    for path, count in watched.items():
        for _ in range(count):
            server.unwatch(path)
    server.observer = ChangeObserver()
    for path, count in watched.items():
        for _ in range(count):
            server.watch(path)
    return server


class ChangeObserver(Observer):
    """The platform's file watcher, reporting changes only."""

    def schedule(self, handler, path, *, recursive=False, event_filter=None):
        return super().schedule(handler, path, recursive=recursive,
                                event_filter=event_filter or CHANGES)


def on_shutdown() -> None:
    current().remove_staging()
    return None


def build(config: MkDocsConfig, **options) -> None:
    """hooks/serve_build.py's build, as the hooks folder has it now: hooks
    are re-read whenever mkdocs.yml is (hooks/serve_reload.py), which the
    server's builder does just before it calls this."""
    current().build(config, **options)


def current():
    """hooks/serve_build.py as last read (MkDocs puts the hooks' folder on
    sys.path only while it reads a hook, so it is not imported here)."""
    return sys.modules.get("serve_build", serve_build)


class SafeBuilder:
    """The server's builder, with any error before the build (loading
    mkdocs.yml and the hooks) logged as one line instead of raised."""

    def __init__(self, builder: Callable, config: MkDocsConfig) -> None:
        self.builder = builder
        self.root = Path(config.config_file_path or ".").resolve().parent

    def __call__(self, *args, **kwargs) -> None:
        try:
            reload_if_changed()
            self.builder(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - the server must go on
            log.error(current().describe_error(error, self.root))
            log.error("Not rebuilt: the last good site is still served until this is fixed.")
