"""Start a post: `make post TITLE="Some Title"`.

Writes docs/posts/<slug>.md with front matter that passes the checks in
hooks/front_matter.py (today's date, `draft: true`, no tags yet, an empty
description to fill in) and prints its path. The slug is the one hooks/blog.py
gives the post, so the file name matches the post's address. Never
overwrites a file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

# The blog's own slug rule (hooks/posts.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hooks"))
from posts import post_slug  # noqa: E402

USAGE = 'usage: make post TITLE="Some Title"'


def front_matter(title: str, today: dt.date) -> str:
    """The new post's text. JSON strings are valid YAML, so any title is safe."""
    return (
        "---\n"
        f"title: {json.dumps(title, ensure_ascii=False)}\n"
        'description: ""\n'
        f"date: {today.isoformat()}\n"
        "tags: []\n"
        "draft: true\n"
        "---\n\n"
    )


def post_slugify(title: str) -> str:
    """The slug hooks/blog.py gives a post with this title."""
    return post_slug({"title": title})


def main(argv: list[str]) -> int:
    title = (argv[1] if len(argv) > 1 else os.environ.get("TITLE", "")).strip()
    if not title:
        print(USAGE, file=sys.stderr)
        return 2
    slug = post_slugify(title)
    if not slug:
        print(f"{USAGE}\nTITLE {json.dumps(title, ensure_ascii=False)} gives an empty "
              "file name: use letters or digits", file=sys.stderr)
        return 1
    path = Path("docs/posts") / f"{slug}.md"
    try:
        with path.open("x", encoding="utf-8") as new:
            new.write(front_matter(title, dt.date.today()))
    except FileExistsError:
        print(f"{path} already exists: not overwritten; choose another title", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
