"""Random edits a writer makes to a blog, seeded and reproducible, for the
exactness test (tests/test_incremental.py) and its longer run in the
benchmark.

`Blog` keeps a model of the posts it wrote to a project and makes one edit
at a time (`Blog.edit`): a post's body, title, deck, date, tags, draft flag
or slug; a new post, a deleted one, a renamed or moved file; a link from
one post to another's file; an image added or removed; a change to
overrides/, hooks/ or mkdocs.yml; and, now and then, a broken post,
template, hook or mkdocs.yml that the next edit mends.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

WORDS = ("signal model market image price paper river light memory north early "
         "tape trade arena video world leader score code table stone glass").split()
TAGS = ["alpha", "beta", "gamma", "delta", "epsilon", "Zeta"]
# A 1x1 PNG and a 2x1 one: two different images.
PNGS = [
    bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                  "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"),
    bytes.fromhex("89504e470d0a1a0a0000000d49484452000000020000000108020000007b40e8dd"
                  "0000000f49444154789c63f8cfc0f09f8101000f8c03fd7f0d6a1d0000000049454e44ae426082"),
]
# Edits by kind, and how often each is drawn.
KINDS = {
    "body": 6, "title": 3, "deck": 2, "date": 3, "tags": 4, "draft": 2, "slug": 2,
    "new": 3, "delete": 2, "move": 2, "link": 2, "image-add": 2, "image-remove": 1,
    "override": 1, "hook": 1, "config": 1, "broken": 1,
}
FOOTER = "overrides/partials/ew-footer.html"
HOOK = "hooks/feeds.py"


@dataclass
class Post:
    path: str
    meta: dict
    body: str
    images: list[str] = field(default_factory=list)


class Blog:
    """A blog in `project`, and the edits made to it."""

    def __init__(self, project: Path, seed: int, posts: int = 10) -> None:
        self.project = project
        self.rng = random.Random(seed)
        self.posts: dict[str, Post] = {}
        self.count = 0
        self.mend: tuple[str, bytes] | None = None
        for _ in range(posts):
            self._new()
        self._write_config(per_page=3, section="hindsight")

    # -- What the test calls ------------------------------------------------

    def plan(self, count: int) -> list[str]:
        """`count` kinds of edit: each kind once, in a random order, then
        drawn by weight."""
        kinds = list(KINDS)
        self.rng.shuffle(kinds)
        drawn = self.rng.choices(list(KINDS), weights=list(KINDS.values()),
                                 k=max(0, count - len(kinds)))
        return (kinds + drawn)[:count]

    def edit(self, kind: str | None = None) -> str:
        """Make one edit (of `kind`, or drawn), having first mended what the
        last edit broke; returns what it did."""
        mended = ""
        if self.mend is not None:
            path, old = self.mend
            self.mend = None
            (self.project / path).write_bytes(old)
            mended = f" (and mended {path})"
        kind = kind or self.rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
        return f"{kind}: " + getattr(self, "_" + kind.replace("-", "_"))() + mended

    # -- Posts --------------------------------------------------------------

    def _post(self) -> Post:
        if not self.posts:
            self._new()
        return self.posts[self.rng.choice(sorted(self.posts))]

    def _words(self, count: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(count))

    def _random_tags(self) -> list[str]:
        return self.rng.sample(TAGS, self.rng.randint(0, 3))

    def _save(self, post: Post) -> None:
        path = self.project / "docs" / post.path
        path.parent.mkdir(parents=True, exist_ok=True)
        up = "../" * (post.path.count("/") - 1)
        images = "".join(f"\n\n![Image {name}]({up}{name})" for name in post.images)
        front = yaml.safe_dump(post.meta, sort_keys=False, allow_unicode=True)
        path.write_text(f"---\n{front}---\n\n{post.body}{images}\n", encoding="utf-8")
        self.posts[post.path] = post

    def _new(self) -> str:
        title = self._new_title()
        meta = {"title": title, "description": self._words(6).capitalize() + ".",
                "date": self._random_date(), "tags": self._random_tags()}
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        post = Post(f"posts/{slug}.md", meta, f"## {self._words(2)}\n\n{self._words(40)}")
        self._save(post)
        return post.path

    def _body(self) -> str:
        post = self._post()
        post.body += f"\n\n{self._words(self.rng.randint(5, 60))}"
        if self.rng.random() < 0.3:
            post.body += f"\n\n## {self._words(2)}"
        self._save(post)
        return post.path

    def _title(self) -> str:
        return self._set("title", self._new_title())

    def _new_title(self) -> str:
        self.count += 1
        return f"{self._words(2).title()} {self.count}"

    def _deck(self) -> str:
        return self._set("description", self._words(7).capitalize() + ".")

    def _date(self) -> str:
        return self._set("date", self._random_date())

    def _random_date(self) -> dt.date:
        if self.rng.random() < 0.1:
            return dt.date.today() + dt.timedelta(days=self.rng.randint(5, 300))
        return dt.date(2023, 1, 1) + dt.timedelta(days=self.rng.randint(0, 1400))

    def _tags(self) -> str:
        post = self._post()
        tags = list(post.meta.get("tags") or [])
        if tags and self.rng.random() < 0.4:
            tags.remove(self.rng.choice(tags))
        else:
            new = self.rng.choice([*TAGS, f"new-{self.count}"])
            self.count += 1
            if new not in tags:
                tags.append(new)
        post.meta["tags"] = tags
        self._save(post)
        return f"{post.path} {tags}"

    def _draft(self) -> str:
        post = self._post()
        if post.meta.pop("draft", None) is None:
            post.meta["draft"] = True
        self._save(post)
        return f"{post.path} draft={post.meta.get('draft')}"

    def _slug(self) -> str:
        post = self._post()
        if "slug" in post.meta and self.rng.random() < 0.5:
            del post.meta["slug"]
        else:
            self.count += 1
            post.meta["slug"] = f"slug-{self.count}"
        self._save(post)
        return f"{post.path} slug={post.meta.get('slug')}"

    def _set(self, key: str, value: object) -> str:
        post = self._post()
        post.meta[key] = value
        self._save(post)
        return f"{post.path} {key}={value}"

    def _delete(self) -> str:
        post = self._post()
        (self.project / "docs" / post.path).unlink()
        del self.posts[post.path]
        return post.path

    def _move(self) -> str:
        post = self._post()
        (self.project / "docs" / post.path).unlink()
        del self.posts[post.path]
        self.count += 1
        folder = self.rng.choice(["posts", "posts/moved", "posts/2025"])
        post.path = f"{folder}/renamed-{self.count}.md"
        self._save(post)
        return post.path

    def _link(self) -> str:
        """A link from one post to another's file, which later renames,
        moves, deletions and slug changes redirect or break."""
        source, target = self._post(), self._post()
        href = posixpath.relpath(target.path, posixpath.dirname(source.path))
        source.body += f"\n\nSee [{self._words(2)}]({href})."
        self._save(source)
        return f"{source.path} -> {target.path}"

    # -- Images -------------------------------------------------------------

    def _image_add(self) -> str:
        post = self._post()
        self.count += 1
        name = f"images/picture-{self.count}.png"
        target = self.project / "docs" / "posts" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.rng.choice(PNGS))
        post.images.append(name)
        self._save(post)
        return f"{post.path} + {name}"

    def _image_remove(self) -> str:
        with_images = [post for post in self.posts.values() if post.images]
        if not with_images:
            return self._image_add()
        post = self.rng.choice(with_images)
        name = post.images.pop(0)
        (self.project / "docs" / "posts" / name).unlink(missing_ok=True)
        self._save(post)
        return f"{post.path} - {name}"

    # -- The theme, the hooks, the settings ----------------------------------

    def _override(self) -> str:
        return self._mark(FOOTER, "<!-- edit {} -->")

    def _hook(self) -> str:
        return self._mark(HOOK, "# edit {}")

    def _mark(self, relative: str, comment: str) -> str:
        """A new comment line at the end of a file, in place of the last one."""
        path = self.project / relative
        self.count += 1
        pattern = "\n" + re.escape(comment).replace(r"\{\}", r"\d+") + "(?=\n|$)"
        text = re.sub(pattern, "", path.read_text(encoding="utf-8"))
        path.write_text(text.rstrip("\n") + "\n" + comment.format(self.count) + "\n",
                        encoding="utf-8")
        return relative

    def _config(self) -> str:
        per_page = self.rng.choice([2, 3, 4])
        section = self.rng.choice(["hindsight", "notes", "later"])
        self._write_config(per_page=per_page, section=section)
        return f"per_page={per_page} section={section}"

    def _write_config(self, *, per_page: int, section: str) -> None:
        path = self.project / "mkdocs.yml"
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^(    per_page: )\d+", rf"\g<1>{per_page}", text)
        text = re.sub(r"(?m)^(  section: ).*$", rf"\g<1>{section}", text)
        path.write_text(text, encoding="utf-8")

    def _broken(self) -> str:
        """A mistake the next edit mends: the site must stay as it was."""
        choice = self.rng.choice(["post", "template", "hook", "config"])
        if choice == "post":
            relative = "docs/" + self._post().path
            broken = lambda text: text.replace("date: ", "date: 2026-02-30 #", 1)  # noqa: E731
        elif choice == "template":
            relative, broken = FOOTER, lambda text: text + "\n{% if %}\n"  # noqa: E731
        elif choice == "hook":
            relative, broken = HOOK, lambda text: text + "\ndef broken(:\n"  # noqa: E731
        else:
            relative, broken = "mkdocs.yml", lambda text: text + "\nextra: [unclosed\n"  # noqa: E731
        path = self.project / relative
        old = path.read_bytes()
        path.write_text(broken(old.decode("utf-8")), encoding="utf-8")
        self.mend = (relative, old)
        return f"{choice} {relative}"
