"""The build that `mkdocs serve` runs on every save: the whole site, every
event of every hook, but only the changed files written.

Not a hook itself: hooks/preview.py has `mkdocs serve` call `build` instead
of MkDocs' own (mkdocs.commands.build.build, 1.6.1), which this follows
event for event and step for step, so the hooks cannot tell the two apart.
It differs in what reaches the served folder:

- Nothing is written while the site is being built. Pages, the theme's
  templates (sitemap.xml, 404.html, ...) and static files are collected in
  an `Outputs`; what plugins and hooks write themselves (the search index,
  feeds) goes to a staging folder, because during the build
  `config.site_dir` is that folder.
- A build that logged an error or raised changes nothing: the last good
  site stays served, and the error is one line (`describe_error`).
- Otherwise `commit` writes to the served folder only the files whose bytes
  differ from what is there (each replaced atomically, so the server never
  sends half a file), and deletes the files the last build wrote and this
  one did not (a post that was renamed, a tag that is gone).

The speed comes from the memo tables of hooks/cache.py (hooks/build_cache.py
sets them up): unchanged posts are not converted from Markdown again,
unchanged pages not rendered again, unchanged search entries not parsed
again. What the served folder held after the last build is kept in memory
(`Served`), as the bytes of each file, so a save compares against memory,
not disk. Writes no `page.meta` key.
"""

from __future__ import annotations

import fnmatch
import gc
import gzip
import logging
import os
import shutil
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import cache
import jinja2
import yaml
from jinja2.exceptions import TemplateNotFound
from mkdocs import utils
from mkdocs.commands.build import _build_template, _populate_page, get_context
from mkdocs.exceptions import BuildError
from mkdocs.structure.files import File, InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation

log = logging.getLogger("mkdocs.plugins.expectedwrong.serve")
NOT_REBUILT = "Not rebuilt: the last good site is still served until this is fixed."


@dataclass
class Served:
    """What the served folder holds, as the last good build wrote it: each
    file's bytes, or for a file copied as it is, its source and stat."""

    files: dict[str, object] = field(default_factory=dict)


@dataclass
class Outputs:
    """What a build produced, by path relative to the site: bytes, or a
    source file to copy (`copy_of`)."""

    files: dict[str, object] = field(default_factory=dict)

    def add(self, rel: str, content: object) -> None:
        self.files[rel] = content


def placed_file(source: str) -> tuple:
    """A file of a cache placed into the site (hooks/cache.py `place`),
    known by its identity: a cache never rewrites a file, it replaces it."""
    stat = os.stat(source)
    return ("copy", source, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def copy_of(source: str) -> tuple:
    """A file copied into the site as it is, known by its path and stat. A
    plain tuple, equal across rebuilds (the hooks' classes are made anew
    each time hooks/serve_reload.py drops this module)."""
    stat = os.stat(source)
    return ("copy", source, stat.st_mtime_ns, stat.st_size)


def served_state(site_dir: str) -> Served:
    """The memory of what `site_dir` holds, kept for the life of the server
    (in hooks/cache.py's holder, which module reloads leave alone)."""
    holder = cache._holder()
    if not hasattr(holder, "served"):
        holder.served = {}
    return holder.served.setdefault(os.path.abspath(site_dir), Served())


def staging_folder(state: Served) -> str:
    """Where hooks write during a build: one folder for the life of the
    server, whose files are taken out after each build but whose folders
    stay (a blog has a folder per post, made again on every build else)."""
    folder = getattr(state, "staging", None)
    if folder is None or not os.path.isdir(folder):
        folder = state.staging = tempfile.mkdtemp(prefix="expectedwrong-staging-")
    return folder


def empty(folder: str) -> None:
    """Take every file out of `folder`, leaving its folders."""
    for parent, _, names in os.walk(folder):
        for name in names:
            os.unlink(os.path.join(parent, name))


def remove_staging() -> None:
    """Remove the staging folders (when the server stops)."""
    holder = cache._holder()
    for state in getattr(holder, "served", {}).values():
        folder = getattr(state, "staging", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


# -- The build ----------------------------------------------------------------


def build(config: MkDocsConfig, *, serve_url: str | None = None, dirty: bool = False) -> None:
    """Build the site for `mkdocs serve` and write what changed; never raises
    for a broken input (the server would hang until the next good build)."""
    live = config.site_dir
    state = served_state(live)
    staging = staging_folder(state)
    config.site_dir = staging
    errors = _ErrorCount()
    logging.getLogger("mkdocs").addHandler(errors)
    start = time.monotonic()
    # Python's collector of reference cycles would go through the build's
    # objects about once a build (0.1 s at 1,000 posts); it runs instead a
    # quarter of a second after the build, when the browser has the page
    # (`collect_later`).
    gc.disable()
    try:
        with cache.placing() as placed:
            outputs = _build(config, serve_url)
        if errors.count:
            if not errors.said_not_rebuilt:
                log.error(NOT_REBUILT)
            return
        for target, source in placed.items():
            outputs.add(_rel(target, staging),
                        source if isinstance(source, bytes) else placed_file(source))
        written, deleted = commit(outputs, Path(config.site_dir), Path(live), state)
        log.info(f"Rebuilt in {time.monotonic() - start:.2f} seconds: "
                 f"{written} files written, {deleted} deleted")
    except Exception as error:  # noqa: BLE001 - any failure keeps the last good site
        config.plugins.on_build_error(error=error)
        root = Path(config.config_file_path or ".").resolve().parent
        log.error(describe_error(error, root))
        log.error(NOT_REBUILT)
    finally:
        logging.getLogger("mkdocs").removeHandler(errors)
        empty(staging)
        config.site_dir = live
        collect_later()


def collect_later(seconds: float = 0.25) -> None:
    """Collect the cycles a build left (its pages, files and navigation)
    `seconds` from now, in a thread of its own."""
    timer = threading.Timer(seconds, gc.collect)
    timer.daemon = True
    timer.start()


def _build(config: MkDocsConfig, serve_url: str | None) -> Outputs:
    """mkdocs.commands.build.build (1.6.1), step for step, for serving and
    without writing: returns what it would have written."""
    inclusion = InclusionLevel.is_in_serve if serve_url else InclusionLevel.is_included
    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    files = get_files(config)
    env = config.theme.get_env()
    add_files_from_theme(files, config)
    files = config.plugins.on_files(files, config=config)
    set_exclusions(files, config)
    nav = get_navigation(files, config)
    nav = config.plugins.on_nav(nav, config=config, files=files)
    excluded = []
    for file in files.documentation_pages(inclusion=inclusion):
        if file.page is None and file.inclusion.is_not_in_nav():
            if serve_url and file.inclusion.is_excluded():
                excluded.append(urljoin(serve_url, file.url))
            Page(None, file, config)
        assert file.page is not None
        _populate_page(file.page, config, files)
    if excluded:
        log.info("The following pages are being built only for the preview "
                 "but will be excluded from `mkdocs build` per `draft_docs` config:\n  - "
                 + "\n  - ".join(excluded))
    env = config.plugins.on_env(env, config=config, files=files)
    outputs = Outputs()
    site = config.site_dir
    for file in files:
        if not file.is_documentation_page() and inclusion(file.inclusion):
            outputs.add(_rel(file.abs_dest_path, site), _static(file))
    for name in config.theme.static_templates:
        _theme_template(name, env, files, config, nav, outputs)
    for name in config.extra_templates:
        _extra_template(name, files, config, nav, outputs)
    doc_files = files.documentation_pages(inclusion=inclusion)
    for file in doc_files:
        assert file.page is not None
        _page(file.page, config, doc_files, nav, env, outputs,
              excluded=file.inclusion.is_excluded())
    for file in doc_files:
        assert file.page is not None
        file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
    config.plugins.on_post_build(config=config)
    return outputs


def add_files_from_theme(files: Files, config: MkDocsConfig) -> None:
    """Files.add_files_from_theme (mkdocs 1.6.1): the theme's static files,
    where the docs have none of the same path. Material's folders are walked
    once for the life of the server (`theme_files`), the writer's
    overrides/ on every build."""
    custom = config.theme.custom_dir
    found = [(folder, theme_files(folder, config.theme.static_templates, fresh=folder == custom))
             for folder in config.theme.dirs]
    for path in sorted(set().union(*(names for _, names in found))):
        if files.get_file_from_path(path) is None:
            folder = next(folder for folder, names in found if path in names)
            files.append(File(path, folder, config.site_dir, config.use_directory_urls))


def theme_files(folder: str, static_templates: Sequence[str], *, fresh: bool) -> frozenset[str]:
    """The static files of one theme folder, as MkDocs picks them (no
    templates, dot files, Python, translations or Markdown), by their paths
    in the folder; kept in hooks/cache.py unless `fresh`."""
    memo = cache.table("theme-files")
    key = (folder, tuple(static_templates))
    kept = None if fresh else memo.get(key)
    if kept is None:
        patterns = [".*", "*/.*", "*.py", "*.pyc", "*.html", "*readme*", "mkdocs_theme.yml",
                    "locales/*", *(f"*{x}" for x in utils.markdown_extensions), *static_templates]
        names = set()
        for parent, _, filenames in os.walk(folder, followlinks=False):
            for filename in filenames:
                path = os.path.join(parent, filename)
                name = os.path.relpath(path, folder).replace(os.sep, "/")
                lower = name.lower()
                if os.path.isfile(path) and not any(fnmatch.fnmatch(lower, pattern)
                                                    for pattern in patterns):
                    names.add(name)
        kept = frozenset(names)
        memo.put(key, kept)
    return kept


def _static(file: File) -> object:
    if file.generated_by is None and file.abs_src_path:
        return copy_of(file.abs_src_path)
    return file.content_bytes


def _theme_template(name: str, env: jinja2.Environment, files: Files, config: MkDocsConfig,
                    nav: Navigation, outputs: Outputs) -> None:
    try:
        template = env.get_template(name)
    except TemplateNotFound:
        log.warning(f"Template skipped: '{name}' not found in theme directories.")
        return
    output = _build_template(name, template, files, config, nav)
    if not output.strip():
        log.info(f"Template skipped: '{name}' generated empty output.")
        return
    outputs.add(name, output.encode("utf-8"))
    if name == "sitemap.xml":
        timestamp = utils.get_build_timestamp(
            pages=[f.page for f in files.documentation_pages() if f.page is not None])
        outputs.add(f"{name}.gz", gzip_bytes(output.encode("utf-8"), f"{name}.gz", timestamp))


def _extra_template(name: str, files: Files, config: MkDocsConfig, nav: Navigation,
                    outputs: Outputs) -> None:
    file = files.get_file_from_path(name)
    if file is None:
        log.warning(f"Template skipped: '{name}' not found in docs_dir.")
        return
    try:
        template = jinja2.Template(file.content_string)
    except Exception as e:  # noqa: BLE001 - as MkDocs does
        log.warning(f"Error reading template '{name}': {e}")
        return
    output = _build_template(name, template, files, config, nav)
    if output.strip():
        outputs.add(_rel(file.abs_dest_path, config.site_dir), output.encode("utf-8"))


def _page(page: Page, config: MkDocsConfig, doc_files: Sequence[File], nav: Navigation,
          env: jinja2.Environment, outputs: Outputs, *, excluded: bool) -> None:
    """mkdocs.commands.build._build_page, collecting instead of writing."""
    config._current_page = page
    try:
        page.active = True
        context = get_context(nav, doc_files, config, page)
        template = env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
        if excluded:
            page.content = (
                '<div class="mkdocs-draft-marker" title="This page will not be included '
                'into the built site.">DRAFT</div>' + (page.content or ""))
        output = template.render(context)
        output = config.plugins.on_post_page(output, page=page, config=config)
        if output and not output.isspace():
            outputs.add(_rel(page.file.abs_dest_path, config.site_dir), encoded(output))
        else:
            log.info(f"Page skipped: '{page.file.src_uri}'. Generated empty output.")
    except Exception as e:
        message = f"Error building page '{page.file.src_uri}':"
        if not isinstance(e, BuildError):
            message += f" {e}"
        log.debug(message)
        raise
    finally:
        page.active = False
        config._current_page = None


def encoded(output: str) -> bytes:
    """A page's text as MkDocs writes it, kept by the text: a page that did
    not change is the very text the last save rendered (the memo tables
    give it back), found by identity, so it is not encoded again (40 ms a
    save at 1,000 posts)."""
    memo = cache.table("page-bytes")
    data = memo.get(output)
    if data is None:
        data = output.encode("utf-8", errors="xmlcharrefreplace")
        memo.put(output, data)
    return data


class _ErrorCount(logging.Handler):
    """Errors logged during a build, and whether a hook already said that
    the site was not rebuilt (hooks/front_matter.py and hooks/images.py
    do, naming what to fix)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.said_not_rebuilt = False

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.said_not_rebuilt |= record.getMessage().startswith("Not rebuilt")


# -- Writing what changed -----------------------------------------------------


def commit(outputs: Outputs, staging: Path, live: Path, served: Served) -> tuple[int, int]:
    """Bring `live` to this build's files: `outputs`, and what hooks wrote
    to `staging`. Returns how many files were written and deleted."""
    produced = dict(outputs.files)
    for folder, _, names in os.walk(staging):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as file:
                produced[Path(os.path.relpath(path, staging)).as_posix()] = file.read()
    written = 0
    for rel, content in produced.items():
        if served.files.get(rel) == content and os.path.isfile(os.path.join(live, rel)):
            continue
        _write(live / rel, content)
        log.debug(f"Written: {rel}")
        written += 1
    gone = [rel for rel in served.files if rel not in produced]
    for rel in gone:
        (live / rel).unlink(missing_ok=True)
        _prune(live / rel, live)
    served.files = produced
    return written, len(gone)


def _write(path: Path, content: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    if isinstance(content, tuple):
        shutil.copyfile(content[1], partial)
    else:
        partial.write_bytes(content)
    os.replace(partial, path)


def _prune(path: Path, live: Path) -> None:
    """Remove the folders above `path` that are now empty, up to `live`."""
    folder = path.parent
    while folder != live and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _rel(path: str, site: str) -> str:
    """`path` relative to `site`, with forward slashes."""
    prefix = os.path.join(site, "")
    if path.startswith(prefix) and os.sep == "/" and "/./" not in path and "/../" not in path:
        return path[len(prefix):]
    return Path(os.path.relpath(path, site)).as_posix()


# -- Pure helpers -------------------------------------------------------------


def gzip_bytes(data: bytes, name: str, mtime: int) -> bytes:
    """`data` gzip-compressed as MkDocs writes sitemap.xml.gz."""
    with tempfile.SpooledTemporaryFile() as buffer:
        with gzip.GzipFile(fileobj=buffer, filename=name, mode="wb", mtime=mtime) as gz:
            gz.write(data)
        buffer.seek(0)
        return buffer.read()


def describe_error(error: BaseException, root: Path) -> str:
    """One line for a build that failed: the file and line where that can be
    known (a template, a hook, mkdocs.yml), and what went wrong."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        where = _shown(error.filename or error.name or "a template", root)
        return f"{where}:{error.lineno}: template syntax: {error.message}"
    if isinstance(error, SyntaxError):
        return f"{_shown(error.filename or '?', root)}:{error.lineno}: Python syntax: {error.msg}"
    cause = _yaml_cause(error)
    if cause is not None:
        mark = cause.problem_mark or cause.context_mark
        name = _shown(mark.name, root) if mark and mark.name else "mkdocs.yml"
        line = f":{mark.line + 1}" if mark else ""
        return f"{name}{line}: YAML that does not parse ({cause.problem or cause})"
    frame = _last_frame(error, root)
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if frame:
        return f"{frame}: {type(error).__name__}: {message}"
    return f"{type(error).__name__}: {message}"


def _yaml_cause(error: BaseException) -> yaml.MarkedYAMLError | None:
    seen = error
    while seen is not None:
        if isinstance(seen, yaml.MarkedYAMLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _last_frame(error: BaseException, root: Path) -> str | None:
    """The innermost traceback entry in the project (a template or a hook)."""
    for entry in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(entry.filename)
        if path.is_absolute() and path.is_relative_to(root):
            return f"{_shown(entry.filename, root)}:{entry.lineno}"
    return None


def _shown(filename: str, root: Path) -> str:
    path = Path(filename)
    try:
        return path.resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return filename
