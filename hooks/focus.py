"""Focus mode: `make serve POST=docs/posts/x.md` previews one post at once.

A full rebuild of a long blog takes seconds on every save. With the
environment variable EW_FOCUS naming a post (the Makefile sets it from
`POST`), this hook leaves every other post out of the build (`on_files`,
before hooks/front_matter.py and hooks/blog.py read the posts), so
a save rebuilds that post and the pages that list it: the home page, the
archive and its tags' pages, where it is then the only post. Other pages
(about, the tags index) are built as usual. hooks/front_matter.py checks
only the focused post. MkDocs compiles the theme's templates afresh for
every rebuild (about 0.2 s); in focus mode `on_env` keeps the compiled
templates in a cache on disk, which Jinja checks against each template's
source. Writes no `page.meta` key.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import FileSystemBytecodeCache
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from posts import POSTS_DIR

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

ENV = "EW_FOCUS"
log = logging.getLogger("mkdocs.plugins.expectedwrong.focus")


def on_config(config: MkDocsConfig) -> MkDocsConfig | None:
    post = focused_post(os.environ.get(ENV), project_root(config), posts_dir(config))
    if post is not None:
        log.info(f"Focus mode: building {os.environ[ENV]} and the pages that list it only.")
    return None


# Before hooks/front_matter.py (100) and hooks/blog.py (-50).
@event_priority(110)
def on_files(files: Files, /, *, config: MkDocsConfig) -> Files | None:
    post = focused_post(os.environ.get(ENV), project_root(config), posts_dir(config))
    if post is None:
        return None
    posts = posts_dir(config)
    for file in [file for file in files if left_out(file.abs_src_path, post, posts)]:
        files.remove(file)
    return None


def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
    if focused_post(os.environ.get(ENV), project_root(config), posts_dir(config)) is None:
        return None
    cache = Path(tempfile.gettempdir(), f"expectedwrong-templates-{os.getuid()}")
    cache.mkdir(exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(cache))
    return None


def project_root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path or ".").resolve().parent


def posts_dir(config: MkDocsConfig) -> Path:
    return (Path(config.docs_dir) / POSTS_DIR).resolve()


# -- Pure helpers -------------------------------------------------------------


def focused_post(value: str | None, root: Path, posts: Path) -> Path | None:
    """The post EW_FOCUS names (relative to the project), or None when it is
    unset or empty; a clear error when it names no post."""
    if not value:
        return None
    path = (root / value).resolve()
    if path.suffix != ".md" or not path.is_relative_to(posts) or not path.is_file():
        where = posts.relative_to(root) if posts.is_relative_to(root) else posts
        raise PluginError(
            f"{ENV}={value}: not a post; expected a Markdown file under {where}/, "
            f"such as make serve POST={where}/my-post.md"
        )
    return path


def left_out(src: str | None, post: Path, posts: Path) -> bool:
    """Whether the file at `src` is another post than `post`."""
    if src is None:
        return False
    path = Path(src).resolve()
    return path.is_relative_to(posts) and path.suffix == ".md" and path != post
