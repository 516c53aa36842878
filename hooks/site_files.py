"""What `mkdocs build` finds in the site folder from its own last build, so
that it writes only the files whose bytes change (hooks/keep_site.py sets
this up; MkDocs would empty the folder and write all of it again).

A file of the site is known by its identity, what `os.lstat` says of it:
device, inode, size, modification and change times. Any write to a file
sets its change time (ctime) to now, and no tool can set it back, so a file
whose identity is still the one recorded holds what it held. The record,
`.cache/site/<digest of the site's path>.pickle`, gives each file of the
site its identity and what it holds: the SHA-256 of its bytes, or the
identity of the file it is a copy of (a static file, a cached card).

A build (`Site`) then, for every file it would write:

- leaves it as it is if the record says it holds those bytes (or is a copy
  of that very source) and its identity is the recorded one (`keep`);
- leaves it as it is too if the record does not know it (no record: a
  build after .cache/ was removed; or a file new to it) and the file holds
  those very bytes, read and compared (`holds_now`, `same_copy`);
- otherwise writes it and notes what it now holds (`wrote`), into the file
  that is there if it is a plain file of one name (a new file costs the
  file system an inode: about a third of a cold build's system time on
  this ext4, which looks through its recently freed ones each time), or a
  new file in place of a symbolic or hard link (`detach`), so that nothing
  outside the site is written through one.

After the build (`finish`), every file of the folder that this build did
not write or keep is taken out, as MkDocs' emptying would have (which
leaves the folder's own hidden entries, and so does this): a file is
this build's if it was kept, written through `write_file`/`copy_file`, or
changed since the build began (a plugin's own writes, such as Material's
search index). What was recorded is removed when a build begins and written
again only when it ends, so a build that stops half way leaves none, and
the next one reads every file it would keep.

Only the build's own process keeps files by the record: a forked worker
copies a card into the site unless the file there holds its bytes already
(hooks/cache.py's `place`), and the build notes what it handed over
(`expect_copy`).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import stat as stat_kinds
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

FORMAT = 1
# Where the records are, under the project's .cache/ (hooks/cache.py).
RECORDS = Path(".cache") / "site"
# Made and removed at once in the site when a build begins: its change time
# is the build's start as the file system's own clock gives it.
START_MARK = ".expectedwrong-build-start"

Identity = tuple[int, int, int, int, int]


def identity(stat: os.stat_result) -> Identity:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def holds_bytes(content: bytes) -> tuple:
    return ("bytes", hashlib.sha256(content).digest())


def holds_copy(source: str | os.PathLike) -> tuple | None:
    """A copy of `source` as it is now; None if it cannot be read."""
    path = os.path.abspath(source)
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return ("copy", path, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def record_path(root: Path, site_dir: str) -> Path:
    name = hashlib.sha256(os.path.abspath(site_dir).encode("utf-8")).hexdigest()[:24]
    return root / RECORDS / f"{name}.pickle"


def read_record(path: Path, site_dir: str) -> dict[str, tuple[Identity, tuple]] | None:
    """The files the last build recorded for `site_dir`; None if there is no
    record or it cannot be read."""
    try:
        with open(path, "rb") as file:
            record = pickle.load(file)  # noqa: S301 - the project's own cache
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError,
            ValueError):
        return None
    if not (isinstance(record, dict) and record.get("format") == FORMAT
            and record.get("site") == os.path.abspath(site_dir)
            and isinstance(record.get("files"), dict)):
        return None
    return record["files"]


def write_record(path: Path, site_dir: str, files: dict[str, tuple[Identity, tuple]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    with open(partial, "wb") as file:
        pickle.dump({"format": FORMAT, "site": os.path.abspath(site_dir), "files": files},
                    file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)


def is_stale(rel: str, stat: os.stat_result, done: dict, known: dict, start: int) -> bool:
    """Whether a file found in the site after a build is not this build's:
    neither kept nor written by it, and either older than the build's start
    or exactly as the last build left it."""
    if rel in done:
        return False
    before = known.get(rel)
    return stat.st_ctime_ns < start or (before is not None and before[0] == identity(stat))


@dataclass
class Site:
    """One `mkdocs build` into `site_dir`: what the last build recorded
    (`known`), and what this one kept or wrote (`done`: identity, or None
    for a file a worker writes, and what it holds)."""

    site_dir: str
    record: Path
    known: dict[str, tuple[Identity, tuple]]
    start: int = 0
    pid: int = field(default_factory=os.getpid)
    done: dict[str, tuple[Identity | None, object]] = field(default_factory=dict)

    def rel(self, path: str | os.PathLike) -> str | None:
        """`path` relative to the site, with forward slashes; None outside it."""
        full = os.path.abspath(path)
        prefix = os.path.join(self.site_dir, "")
        if not full.startswith(prefix):
            return None
        return full[len(prefix):].replace(os.sep, "/")

    def begin(self) -> bool:
        """Start the build; False if the record is of no use (none, or a
        clock that has not moved past it), when every file is read before
        it is kept."""
        os.makedirs(self.site_dir, exist_ok=True)
        mark = os.path.join(self.site_dir, START_MARK)
        with open(mark, "wb") as file:
            self.start = os.fstat(file.fileno()).st_ctime_ns
        os.unlink(mark)
        latest = max((entry[0][4] for entry in self.known.values()), default=0)
        return bool(self.known) and self.start > latest

    def keep(self, rel: str, holds: tuple | None) -> bool:
        """Whether the file at `rel` already holds `holds` (then it is this
        build's as it is)."""
        before = self.known.get(rel)
        if holds is None or before is None or before[1] != holds:
            return False
        try:
            stat = os.lstat(os.path.join(self.site_dir, rel))
        except OSError:
            return False
        if identity(stat) != before[0]:
            return False
        self.done[rel] = before
        return True

    def kept_as_read(self, rel: str, holds: tuple | None) -> None:
        """The file at `rel`, not in the record, was read and holds `holds`."""
        self.wrote(rel, holds)

    def wrote(self, rel: str, holds: tuple | None) -> None:
        try:
            stat = os.lstat(os.path.join(self.site_dir, rel))
        except OSError:
            return
        self.done[rel] = (identity(stat), holds)

    def expect_copy(self, source: str | os.PathLike, target: str | os.PathLike) -> None:
        """`target` will be a copy of `source`, made by another process."""
        rel = self.rel(target)
        if rel is not None:
            self.done[rel] = (None, os.path.abspath(source))

    def finish(self) -> tuple[int, int]:
        """Take out the files that are not this build's and record the rest;
        returns how many files were kept and how many taken out. What
        MkDocs' emptying leaves is left too: the folder's own hidden
        entries (a `.git` of a site deployed by hand, `.nojekyll`)."""
        files: dict[str, tuple[Identity, tuple]] = {}
        removed = 0
        for entry in os.scandir(self.site_dir):
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                walked = os.walk(entry.path, topdown=False)
            else:
                walked = [(self.site_dir, [], [entry.name])]
            for parent, _, names in walked:
                for name in names:
                    removed += self.sweep(os.path.join(parent, name), files)
                if parent != self.site_dir:
                    try:
                        os.rmdir(parent)  # only if it is empty now
                    except OSError:
                        pass
        write_record(self.record, self.site_dir, files)
        kept = sum(1 for rel, entry in self.done.items() if self.known.get(rel) == entry)
        return kept, removed

    def sweep(self, path: str, files: dict) -> int:
        """Take out the file at `path` if it is not this build's (1), or
        note what to record of it (0)."""
        rel = path[len(self.site_dir) + 1:].replace(os.sep, "/")
        try:
            stat = os.lstat(path)
        except OSError:
            return 0
        if is_stale(rel, stat, self.done, self.known, self.start):
            os.unlink(path)
            return 1
        entry = self.recorded(rel, stat)
        if entry is not None:
            files[rel] = entry
        return 0

    def recorded(self, rel: str, stat: os.stat_result) -> tuple[Identity, tuple] | None:
        """What to record of a file of this build: its identity and what it
        holds, if that is known and no one wrote over it since."""
        done = self.done.get(rel)
        if done is None:
            return None
        seen, holds = done
        if seen is None:
            holds = holds_copy(holds)
        elif seen != identity(stat):
            return None
        return None if holds is None else (identity(stat), holds)


# The build under way in this process, if files are kept.
_site: Site | None = None


def active() -> Site | None:
    """The build that keeps files, in its own process only."""
    if _site is not None and _site.pid == os.getpid():
        return _site
    return None


def start(root: Path, site_dir: str) -> None:
    """Ready a build into `site_dir` of the project at `root`: the last
    build's record is read and removed."""
    global _site
    path = record_path(root, site_dir)
    known = read_record(path, site_dir) or {}
    path.unlink(missing_ok=True)
    _site = Site(os.path.abspath(site_dir), path, known)


def stop() -> None:
    global _site
    _site = None


def clean_directory(original: Callable[[str], None], directory: str) -> None:
    """MkDocs' emptying of the site, left out: `finish` takes out what the
    build did not write or keep."""
    site = active()
    if site is not None and os.path.abspath(directory) == site.site_dir:
        if not site.begin():
            site.known = {}
        return
    original(directory)


def write_file(original: Callable[[bytes, str], None], content: bytes, output_path: str) -> None:
    put(output_path, lambda: holds_bytes(content), lambda: holds_now(output_path, content),
        lambda: original(content, output_path))


def copy_file(original: Callable[[str, str], None], source_path: str, output_path: str) -> None:
    if os.path.isdir(output_path):  # MkDocs copies into a folder: left to it
        original(source_path, output_path)
        return
    put(output_path, lambda: holds_copy(source_path),
        lambda: same_copy(source_path, output_path), lambda: original(source_path, output_path))


def put(output_path: str, holds: Callable[[], tuple | None], holds_already: Callable[[], bool],
        write: Callable[[], None]) -> None:
    """`write` the file at `output_path`, unless the build keeps it as it is:
    what it `holds` is what the record says, or, for a file the record does
    not know, it `holds_already` the bytes; outside a kept site, just
    `write`."""
    site = active()
    rel = site.rel(output_path) if site is not None else None
    if rel is None:
        write()
        return
    made = holds()
    if site.keep(rel, made):
        return
    if rel not in site.known and holds_already():
        site.kept_as_read(rel, made)
        return
    detach(output_path)
    with_room(output_path, write)
    site.wrote(rel, made)


def plain(path: str | os.PathLike) -> os.stat_result | None:
    """The file at `path`, if it is a plain file of one name (not a link of
    either kind); None if not, or if there is none."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return found if stat_kinds.S_ISREG(found.st_mode) and found.st_nlink == 1 else None


def detach(path: str | os.PathLike) -> None:
    """Take out a symbolic link or a file of more than one name at `path`,
    so that a write there makes a file of the site's own instead of writing
    through it."""
    try:
        found = os.lstat(path)
    except OSError:
        return
    if stat_kinds.S_ISLNK(found.st_mode) or (stat_kinds.S_ISREG(found.st_mode)
                                             and found.st_nlink > 1):
        os.unlink(path)


def holds_now(path: str | os.PathLike, content: bytes) -> bool:
    """Whether the plain file at `path` holds exactly `content`."""
    found = plain(path)
    if found is None or found.st_size != len(content):
        return False
    try:
        with open(path, "rb") as file:
            return file.read(len(content) + 1) == content
    except OSError:
        return False


def same_copy(source: str | os.PathLike, target: str | os.PathLike) -> bool:
    """Whether the plain file at `target` holds exactly the bytes of `source`."""
    found = plain(target)
    if found is None:
        return False
    try:
        if os.stat(source).st_size != found.st_size:
            return False
        with open(source, "rb") as original, open(target, "rb") as copy:
            return original.read() == copy.read()
    except OSError:
        return False


# What writing a file says when something of another kind is in its way.
IN_THE_WAY = (FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError)


def with_room(path: str | os.PathLike, write: Callable[[], None]) -> None:
    """`write` the file at `path`; if a file an earlier build left is where
    one of its folders goes, or a folder where it goes (a file renamed to a
    folder since, or the other way round; MkDocs' emptying would have taken
    it out), take that out and write again."""
    try:
        write()
    except IN_THE_WAY:
        site = active()
        if site is None or not make_room(site.site_dir, os.path.abspath(path)):
            raise
        write()


def make_room(site_dir: str, path: str) -> bool:
    """Take out, within `site_dir`, a file where a folder of `path` goes or a
    folder where `path` goes; whether there was one. Nothing reached
    through a symbolic link to outside the site is touched."""
    real_site = os.path.realpath(site_dir)

    def inside(folder: str) -> bool:
        real = os.path.realpath(folder)
        return real == real_site or real.startswith(os.path.join(real_site, ""))

    parent = os.path.dirname(path)
    while parent.startswith(os.path.join(site_dir, "")):
        if os.path.lexists(parent) and (os.path.islink(parent) or not os.path.isdir(parent)):
            if not inside(os.path.dirname(parent)):
                return False
            os.unlink(parent)
            return True
        parent = os.path.dirname(parent)
    if os.path.isdir(path) and not os.path.islink(path) and inside(path):
        shutil.rmtree(path)
        return True
    return False


def kept_copy(source: str | os.PathLike, target: str | os.PathLike) -> bool:
    """Whether `target` in the site is already a copy of `source` as it is
    (then this build keeps it): as recorded, or, if the record does not
    know it, as read."""
    site = active()
    rel = site.rel(target) if site is not None else None
    if rel is None:
        return False
    holds = holds_copy(source)
    if site.keep(rel, holds):
        return True
    if rel not in site.known and same_copy(source, target):
        site.kept_as_read(rel, holds)
        return True
    return False


def copied(source: str | os.PathLike, target: str | os.PathLike) -> None:
    site = active()
    rel = site.rel(target) if site is not None else None
    if rel is not None:
        site.wrote(rel, holds_copy(source))


def expect_copy(source: str | os.PathLike, target: str | os.PathLike) -> None:
    site = active()
    if site is not None:
        site.expect_copy(source, target)
