"""Results of the build's pure steps, kept from one build to the next.

Not a hook itself (not listed under `hooks:`). Hooks ask it for a table
(`table("markdown")`) and keep in it what a step computed from its inputs:
a post's rendered HTML by its Markdown, a page's rendered template by the
data the template sees, a page's search entries by its content. Every table
belongs to one *version* of the build: a hash of the hooks' source, the
theme's files (overrides/), mkdocs.yml, the effective site address and
command, and the versions of the packages that render (`version_of`). A
change to any of them starts every table afresh, so no result can outlive
the code or settings that made it.

Where the tables live:

- in memory, for the life of the process: `mkdocs serve` rebuilds in the
  same process, and the tables sit in a module object registered in
  `sys.modules` under a name no file has (HOLDER), which
  hooks/serve_reload.py, dropping the hooks' own modules on every rebuild,
  leaves alone;
- on disk, in `.cache/build.pickle` beside mkdocs.yml, between processes:
  `mkdocs build` loads it at the start (`load`) and saves it at the end of
  a build that succeeded (`save`). Deleting `.cache/` is always safe.

Each build keeps only the entries it used (`end_build`), so the tables never
grow past one site's worth. Writes no `page.meta` key.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
import shutil
import sys
import time
import types
from pathlib import Path

import site_files
import zstandard

# The sys.modules key of the holder: not a module name any file can have.
HOLDER = "expectedwrong:cache"
# Where the tables are saved, relative to mkdocs.yml's folder.
CACHE_DIR = ".cache"
CACHE_FILE = "build.pickle"
# The packages whose code shapes the output.
PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "pygments",
            "jinja2", "pyyaml", "babel", "paginate", "pillow", "zstandard")
# Bump when the layout of the saved file changes.
FORMAT = 3
# Tables whose values are objects of a hook's own classes, which a pickle
# names by their module: under `mkdocs serve`, after hooks/serve_reload.py
# has read an edited hook again, the objects kept are of a class no module
# has any more, and the table is not saved.
HOOK_CLASS_TABLES = frozenset({"front-matter"})
# Tables kept whole from build to build, used or not: a few entries each
# (one per font file), costly to make again when a later build needs them.
STICKY = frozenset({"character-maps", "file-digests"})


def _holder() -> types.ModuleType:
    holder = sys.modules.get(HOLDER)
    if holder is None:
        holder = types.ModuleType(HOLDER)
        holder.version = None
        holder.tables = {}
        holder.used = {}
        sys.modules[HOLDER] = holder
    return holder


def begin_build(version: str) -> None:
    """Start a build of `version`: the tables of another version are dropped."""
    holder = _holder()
    if holder.version != version:
        holder.version = version
        holder.tables = {}
    holder.used = {}
    holder.read_now = {}


def table(name: str) -> Memo:
    """The memo table `name` of the current version."""
    holder = _holder()
    if name not in holder.tables:
        holder.tables[name] = {}
        holder.used[name] = set()
    holder.used.setdefault(name, set())
    return Memo(holder.tables[name], holder.used[name])


def end_build() -> None:
    """Keep only the entries this build used."""
    holder = _holder()
    for name, entries in holder.tables.items():
        if name in STICKY:
            continue
        used = holder.used.get(name, set())
        if len(used) * 2 < len(entries):
            holder.tables[name] = {key: entries[key] for key in used if key in entries}
        else:  # most were used (a save): the others are taken out
            for key in entries.keys() - used:
                del entries[key]


# How long a file must have been left alone before its bytes are kept by its
# identity (`source_bytes`): a file system's clock ticks every few
# milliseconds, so two writes within one tick can leave a file of the same
# size and times. A file changed this close to being read is read again at
# the next build, as Git's index does with "racily clean" files.
SETTLED_NS = 2_000_000_000


def source_bytes(path: str, *, keep: bool) -> bytes:
    """The bytes of a source file (a post). With `keep` (under `mkdocs
    serve`), kept from build to build by the file's identity (`os.stat`:
    device, inode, size, modification and change times; every write sets
    the change time to now, and no tool can set it back), so that a save
    reads the posts that changed, not all of them; a file changed within
    SETTLED_NS of being read is not kept. The same bytes object is given
    for as long as the file is unchanged, which lets a caller know its
    result for them by identity. Within one build a file is looked at
    once: the front matter's check, the images' and the blog read the same
    bytes, even of a file saved again meanwhile (which starts the next
    build), and two of every three `os.stat` calls are saved (3% of a save
    at 1,000 posts)."""
    if not keep:
        with open(path, "rb") as file:
            return file.read()
    holder = _holder()
    if not hasattr(holder, "sources"):
        holder.sources = {}
    read_now = getattr(holder, "read_now", None)
    if read_now is None:
        read_now = holder.read_now = {}
    if path in read_now:
        return read_now[path]
    read_now[path] = data = _identified(holder.sources, path)
    return data


def _identified(sources: dict, path: str) -> bytes:
    stat = os.stat(path)
    identity = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    kept = sources.get(path)
    if kept is not None and kept[0] == identity:
        return kept[1]
    with open(path, "rb") as file:
        data = file.read()
    if max(stat.st_mtime_ns, stat.st_ctime_ns) < time.time_ns() - SETTLED_NS:
        sources[path] = (identity, data)
    else:
        sources.pop(path, None)
    return data


def clear() -> None:
    """Forget everything in memory (a fresh process, in effect)."""
    holder = _holder()
    holder.version, holder.tables, holder.used = None, {}, {}
    holder.sources, holder.read_now = {}, {}


class Memo:
    """One table: `memo.get(key)` gives a kept value or None; `memo.put(key,
    value)` keeps one. Keys are any hashable value of the step's inputs."""

    def __init__(self, entries: dict, used: set) -> None:
        self.entries = entries
        self.used = used

    def get(self, key):
        value = self.entries.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key, value) -> None:
        self.entries[key] = value
        self.used.add(key)


# How the tables keep a page's text (its HTML, rendered Markdown, search
# entries) under `mkdocs build`, which saves them: Zstandard at level 1.
# Measured on 600 pages of the 1,000-post bench (25 KiB each): 0.056 ms to
# compress and 0.028 to decompress a page, against zlib level 1's 0.207 and
# 0.095, for the same size (a third of the text). `mkdocs serve` keeps text.
_packer = zstandard.ZstdCompressor(level=1)
_unpacker = zstandard.ZstdDecompressor()


def pack(data: bytes) -> bytes:
    """`data` compressed as the tables keep it: a copy of what Zstandard
    gives, which sits in a buffer of the largest size it could have had,
    shrunk. Kept as it is, a 10,000-post build's process peaked 285 MiB
    higher than with zlib (the space each buffer gave back too small to
    reuse); the copy costs nothing measurable and takes as much as zlib."""
    return bytes(memoryview(_packer.compress(data)))


def unpack(data: bytes) -> bytes:
    return _unpacker.decompress(data)


def pack_text(text: str) -> bytes:
    return pack(text.encode("utf-8"))


def unpack_text(data: bytes) -> str:
    return unpack(data).decode("utf-8")


def digest(value: object) -> bytes:
    """A digest of a key made of atoms and tuples, the same in every process
    (Python's own hash of a string is not)."""
    return hash_bytes(pickle.dumps(value, protocol=5))


def key_of(*parts: object, keep: bool) -> object:
    """A memo key of texts (and the values beside them: numbers, dates,
    tuples of them; values equal in Python must give a step the same
    result, as 1 and 1.0 or one instant in two time zones do). With `keep`
    (under `mkdocs serve`, whose tables live in memory) the parts
    themselves: Python keeps a string's hash in it, and the texts of an
    unchanged post are the very objects the last save used (`source_bytes`
    and the tables give them back), so its key costs nothing, where a
    digest reads all of it (the front matter's alone, 15 to 70 ms a save at
    1,000 posts). Otherwise (`mkdocs build` saves its tables and shares
    keys with worker processes) their `digest`."""
    return parts if keep else digest(parts)


def hash_bytes(data: bytes) -> bytes:
    """The digest of bytes, as `digest` makes them."""
    return hashlib.blake2b(data, digest_size=20).digest()


# -- On disk ------------------------------------------------------------------


def cache_path(root: Path) -> Path:
    return root / CACHE_DIR / CACHE_FILE


def load(root: Path) -> None:
    """Take the saved tables if they are of the current version and nothing
    is in memory yet; anything unreadable is ignored."""
    holder = _holder()
    if any(holder.tables.values()):
        return
    try:
        with open(cache_path(root), "rb") as file:
            head = pickle.load(file)  # noqa: S301 - the project's own cache
            if not (isinstance(head, dict) and head.get("format") == FORMAT
                    and head.get("version") == holder.version):
                return
            tables = {}
            for _ in head["tables"]:
                name, entries = pickle.load(file)  # noqa: S301
                tables[name] = entries
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError,
            ValueError):
        return
    holder.tables.update(tables)


def save(root: Path) -> None:
    """Write the tables for the next process, one after the other into one
    file (so that no second copy of them is made in memory), atomically.
    Tables of values of a hook's own classes (`HOOK_CLASS_TABLES`) are
    pickled first, and left out if their classes are gone."""
    holder = _holder()
    names, ready = [], {}
    for name in holder.tables:
        if name in HOOK_CLASS_TABLES:
            try:
                ready[name] = pickle.dumps((name, holder.tables[name]),
                                           protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, AttributeError):
                continue
        names.append(name)
    path = cache_path(root)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        (path.parent / ".gitignore").write_text("*\n", encoding="utf-8")
        with open(partial, "wb") as file:
            # One pickle after the other, each with its own memo.
            pickle.dump({"format": FORMAT, "version": holder.version, "tables": names},
                        file, protocol=pickle.HIGHEST_PROTOCOL)
            for name in names:
                if name in ready:
                    file.write(ready[name])
                else:
                    pickle.dump((name, holder.tables[name]), file,
                                protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, OSError):
        partial.unlink(missing_ok=True)
        return
    os.replace(partial, path)


def place(cached: Path, target: Path, *, link: bool) -> None:
    """A cached file (a card, a derived image) into the site: a copy; or,
    with `link` (under `mkdocs serve`), noted for hooks/serve_build.py
    (`placing`), which copies it into the served folder only if it is not
    there already, knowing it by its identity without reading it. Under
    `mkdocs build`, a copy the last build made is kept if it is still a
    copy of `cached` as it is, or holds its bytes (hooks/site_files.py). A
    built site never shares a file with the cache (a link in the site is
    replaced, not written through), so nothing done to one can change the
    other."""
    placed = getattr(_holder(), "placed", None)
    if link and placed is not None:
        placed[os.fspath(target)] = os.fspath(cached)
        return
    if site_files.kept_copy(cached, target):
        return
    site_files.with_room(target, lambda: _copy(cached, target))
    site_files.copied(cached, target)


def write(target: Path, data: bytes) -> None:
    """A file a hook makes (a feed, the search index) into the site; under
    `mkdocs serve` (within `placing`) noted with its bytes for
    hooks/serve_build.py instead, which compares them with what it served
    last without writing them to its staging folder and reading them back
    (the 7.7 MB search index of 1,000 posts: 30 ms a save). What a hook
    wrote there before at that path is taken out: the last write wins."""
    placed = getattr(_holder(), "placed", None)
    if placed is not None:
        target.unlink(missing_ok=True)
        placed[os.fspath(target)] = data
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _copy(cached: Path, target: Path) -> None:
    # A worker's copy (the build's own process has asked `kept_copy`): not
    # made if the site holds those bytes already (a build after .cache/ was
    # removed), else into the file there, unless that is a link.
    if site_files.active() is None and site_files.same_copy(cached, target):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    site_files.detach(target)
    shutil.copyfile(cached, target)


class placing:  # noqa: N801 - used as `with cache.placing() as placed:`
    """Within the block, `place(..., link=True)` and `write` note each file
    in the dict it gives (target path -> cached path, or the bytes `write`
    was given) instead of writing it."""

    def __enter__(self) -> dict[str, str]:
        _holder().placed = {}
        return _holder().placed

    def __exit__(self, *exc) -> None:
        _holder().placed = None


# -- Versions -----------------------------------------------------------------


def version_of(paths: list[Path], settings: tuple) -> str:
    """A hash of the bytes of `paths` (files, or folders walked in order),
    of `settings` and of the installed versions of PACKAGES."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((FORMAT, sys.version, settings, package_versions())).encode())
    for path in paths:
        for file in _walk(path):
            digest.update(str(file).encode() + b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()


def _walk(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(
        file for file in path.rglob("*")
        if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc"
    )


def package_versions() -> tuple:
    found = []
    for name in PACKAGES:
        try:
            found.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            found.append((name, None))
    return tuple(found)
