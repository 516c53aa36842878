"""Fresh `mkdocs serve` first builds, on request, for the exactness test.

Run as `python tests/fresh_serve.py`: reads lines `<project>\\t<site>\\t<addr>`
on standard input and, for each, builds the project as a new `mkdocs serve
--dev-addr <addr>` would before serving (mkdocs.commands.serve.serve: the
config with that address, `on_startup(command="serve")`, the serve URL as
site_url, then the server's build), into <site>. Each build runs in a child
forked from this process, which has imported MkDocs, Material and Markdown
but never the project's config or hooks, so each child starts as a new
server does, with nothing kept from any earlier build. Answers one line per
request: `built` when the site was written, `failed` when the build logged
an error or could not start (a broken mkdocs.yml or hook: a new server
would not start), and so wrote nothing.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import markdown  # noqa: F401 - imported once, before forking
import material  # noqa: F401
import mkdocs.commands.serve
import pymdownx  # noqa: F401
from mkdocs.config import load_config
from mkdocs.livereload import _serve_url


def first_build(project: Path, site: Path, addr: str) -> bool:
    """What `mkdocs serve` does before it serves; whether it wrote the site."""
    os.chdir(project)
    errors = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = errors.append
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site),
                         dev_addr=addr)
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    config.site_url = serve_url = _serve_url(host, port, urlsplit(config.site_url or "/").path)
    mkdocs.commands.serve.build(config, serve_url=serve_url, dirty=False)
    return not errors


def main() -> None:
    for line in sys.stdin:
        project, site, addr = line.rstrip("\n").split("\t")
        child = os.fork()
        if child == 0:
            try:
                code = 0 if first_build(Path(project), Path(site), addr) else 3
            except Exception:  # noqa: BLE001 - mkdocs.yml or a hook that does not load
                logging.exception("a new server would not start")
                code = 3
            os._exit(code)
        _, status = os.waitpid(child, 0)
        code = os.waitstatus_to_exitcode(status)
        print({0: "built", 3: "failed"}.get(code, f"crashed {code}"), flush=True)


if __name__ == "__main__":
    main()
