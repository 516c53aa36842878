"""The theme's templates compiled beside a cold `mkdocs build`, while the
build's own process reads the posts.

Not a hook itself. Compiling the templates a blog renders (overrides/ and
the Material templates they reach, about 45) takes the build's own process
about 0.2 s (0.34 s on a slower machine) at its first pages, and the other
CPU is idle until the posts are read. So `start`, called by
hooks/build_cache.py at `on_pre_build` when `.cache/jinja/` holds no
compiled template (a cold build), forks a process that makes the theme's
Jinja environment as MkDocs does (`Theme.get_env`), compiles every template
of the custom folder, the theme's static templates and all they name
(`reachable`), and sends back each as Jinja's bytecode cache writes it.
`Precompiled`, the environment's bytecode cache from `on_env` on, gives a
template that code when Jinja loads it (and writes it to `.cache/jinja/`
for the next build) if it was compiled from the same source (Jinja's
checksum), with the same settings (`settings`: delimiters, whitespace
rules, extensions, policies, autoescape) and the same filters and tests as
the build's own environment has by then (`lookups_hold`: a hook adds the
blog's `date` filter at `on_env`, after the fork; a template that looked a
name up that is missing or another function there is compiled again by
the build). Otherwise, or if the process failed, Jinja compiles the
template as always.

Only under `mkdocs build` on Linux, not with `EW_FAN_OUT=0`. Writes no
`page.meta` key.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from jinja2 import FileSystemBytecodeCache, meta
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.utils import _PassArg

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig

log = logging.getLogger("mkdocs.plugins.expectedwrong.precompile")

# Template files the theme renders or includes.
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".svg")
# How long the build waits at its first template for the compiled ones: the
# process is done in about half a second, long before the build needs them.
WAIT_SECONDS = 10.0

# The build's own process: the compiling process and its pipe.
_started: tuple | None = None


def start(config: MkDocsConfig) -> None:
    """Fork the compiling process (see the module's docstring)."""
    global _started
    stop()
    names = first_templates(config)
    # A forked process flushes what it inherited of these when it ends.
    sys.stdout.flush()
    sys.stderr.flush()
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=work, args=(config, names, sending), daemon=True)
    process.start()
    sending.close()
    _started = (process, receiving)


def take(wait: float = WAIT_SECONDS) -> tuple | None:
    """What the process sent: (its settings, {bucket key: (bytecode,
    lookups)}), or None if it failed or is still at work after `wait`."""
    global _started
    if _started is None:
        return None
    process, receiving = _started
    _started = None
    made = None
    try:
        if receiving.poll(wait):
            made = receiving.recv()
    except (EOFError, OSError):
        made = None
    finally:
        receiving.close()
        process.terminate()
        process.join()
    return made


def stop() -> None:
    global _started
    if _started is not None:
        process, receiving = _started
        _started = None
        process.terminate()
        process.join()
        receiving.close()


class Precompiled(FileSystemBytecodeCache):
    """.cache/jinja/, which first gives a template the code the compiling
    process made of it, where that is what the build would compile."""

    def __init__(self, directory: str, environment: Environment) -> None:
        super().__init__(directory)
        self.environment = environment
        self.made: dict[str, tuple[bytes, dict]] | None = None
        self.used = 0

    def load_bytecode(self, bucket: Bucket) -> None:
        if self.made is None:
            self.made = usable(take(), self.environment)
        found = self.made.pop(bucket.key, None)
        if found is not None and lookups_hold(found[1], self.environment):
            bucket.bytecode_from_string(found[0])
            if bucket.code is not None:
                self.used += 1
                self.dump_bytecode(bucket)
                return
        super().load_bytecode(bucket)


def usable(made: tuple | None, environment: Environment) -> dict:
    """The compiled templates of `made` if they were compiled with the
    settings `environment` has."""
    if made is None:
        return {}
    compiled_with, templates = made
    if compiled_with != settings(environment):
        log.debug("The templates were compiled with other settings; compiled again here")
        return {}
    log.debug(f"{len(templates)} templates compiled beside the build")
    return dict(templates)


# -- In the compiling process -------------------------------------------------


def work(config: MkDocsConfig, names: list[str], sending: Connection) -> None:
    made = None
    try:
        quiet()
        environment = config.theme.get_env()
        made = (settings(environment), compile_all(environment, names))
    except Exception:  # noqa: BLE001 - the build compiles its templates itself
        made = None
    try:
        sending.send(made)
    except Exception:  # noqa: BLE001 - a value that does not pickle: as a failure
        sending.send(None)
    sending.close()


def quiet() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def compile_all(environment: Environment, names: Iterable[str]) -> dict[str, tuple[bytes, dict]]:
    """Every template `reachable` from `names` that compiles here, by its
    bucket key: its bytecode cache bytes and the filters and tests its
    compiling looked up (`describe`d)."""
    made = {}
    keys = BytecodeCache()
    for name, source, filename, tree in reachable(environment, names):
        filters = Recording(environment.filters)
        tests = Recording(environment.tests)
        environment.filters, environment.tests = filters, tests
        try:
            code = environment.compile(tree, name, filename)
        except Exception:  # noqa: BLE001, S112 - one the build compiles (or reports) itself
            continue
        finally:
            environment.filters, environment.tests = dict(filters), dict(tests)
        bucket = Bucket(environment, keys.get_cache_key(name, filename),
                        keys.get_source_checksum(source))
        bucket.code = code
        made[bucket.key] = (bucket.bytecode_to_string(),
                            {"filters": filters.seen, "tests": tests.seen})
    return made


def reachable(environment: Environment, names: Iterable[str]):
    """(name, source, filename, parsed tree) of each template of `names`
    and of every template they extend, include or import by a constant
    name, each once, in that order."""
    todo, seen = list(names), set()
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        try:
            source, filename, _ = environment.loader.get_source(environment, name)
            tree = environment.parse(source, name, filename)
        except Exception:  # noqa: BLE001, S112 - missing or broken: the build reports it
            continue
        todo += [found for found in meta.find_referenced_templates(tree) if found]
        yield name, source, filename, tree


class Recording(dict):
    """Filters or tests, noting each name the compiler looks up."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.seen: dict[str, tuple | None] = {}

    def get(self, name, default=None):
        found = super().get(name, default)
        self.seen[name] = describe(found)
        return found

    def __getitem__(self, name):
        self.seen[name] = describe(super().get(name))
        return super().__getitem__(name)

    def __contains__(self, name) -> bool:
        self.seen[name] = describe(super().get(name))
        return super().__contains__(name)


# -- Pure helpers -----------------------------------------------------------------


def first_templates(config: MkDocsConfig) -> list[str]:
    """The templates to start from: those of the theme's custom folder, the
    page templates of each theme folder (those at its top: `main.html`,
    Material's `blog.html`) and the theme's static templates."""
    names = []
    custom = config.theme.custom_dir
    if custom and os.path.isdir(custom):
        for parent, folders, files in os.walk(custom):
            folders[:] = sorted(name for name in folders if not name.startswith("."))
            rel = os.path.relpath(parent, custom)
            names += [name if rel == os.curdir else f"{rel}/{name}".replace(os.sep, "/")
                      for name in sorted(files) if name.endswith(TEMPLATE_SUFFIXES)]
    for folder in config.theme.dirs:
        try:
            names += sorted(name for name in os.listdir(folder)
                            if name.endswith(TEMPLATE_SUFFIXES)
                            and os.path.isfile(os.path.join(folder, name)))
        except OSError:
            continue
    names += ["main.html", *config.theme.static_templates]
    return list(dict.fromkeys(names))


def describe(function) -> tuple | None:
    """What compiled code depends on of a filter or test: whether it is
    there, what Jinja passes it (context, environment) and which function
    it is (constant arguments are folded at compile time)."""
    if function is None:
        return None
    pass_arg = _PassArg.from_obj(function)
    if isinstance(function, functools.partial):
        return (pass_arg and pass_arg.name, "partial", repr(function))
    return (pass_arg and pass_arg.name, getattr(function, "__module__", None),
            getattr(function, "__qualname__", type(function).__qualname__))


def lookups_hold(lookups: dict, environment: Environment) -> bool:
    """Whether `environment` has the filters and tests a compiling looked
    up, as they were."""
    return (all(describe(environment.filters.get(name)) == was
                for name, was in lookups["filters"].items())
            and all(describe(environment.tests.get(name)) == was
                    for name, was in lookups["tests"].items()))


def settings(environment: Environment) -> tuple:
    """What compiling a template depends on besides its source and the
    filters and tests (`lookups_hold`)."""
    env = environment
    return (
        env.block_start_string, env.block_end_string, env.variable_start_string,
        env.variable_end_string, env.comment_start_string, env.comment_end_string,
        env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
        env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
        env.is_async, getattr(env, "sandboxed", False), describe(env.finalize),
        describe(env.autoescape) if callable(env.autoescape) else env.autoescape,
        type(env).__qualname__, env.code_generator_class.__qualname__,
        tuple(sorted(env.extensions)), tuple(sorted((k, repr(v)) for k, v in env.policies.items())),
        getattr(env, "newstyle_gettext", None),
    )
