"""How editors save a post: the same text, with other line endings, a
byte-order mark, blanks after the `---` fences or no final newline.

Each form turns the bytes of a file saved with LF (ending in one LF) into
the bytes another editor would save. tests/test_posts.py and
tests/test_front_matter.py read posts in each form; tests/test_editor_files.py
builds them.
"""

from __future__ import annotations

from collections.abc import Callable

BOM = b"\xef\xbb\xbf"


def crlf(lf: bytes) -> bytes:
    """Windows, and Git for Windows' default checkout."""
    return lf.replace(b"\n", b"\r\n")


def mixed(lf: bytes) -> bytes:
    """CRLF on every other line: a file edited on both systems."""
    lines = lf.split(b"\n")
    ends = [b"\r\n" if number % 2 else b"\n" for number in range(len(lines) - 1)]
    return b"".join(line + end for line, end in zip(lines, ends, strict=False)) + lines[-1]


def lone_cr(lf: bytes) -> bytes:
    """Classic Mac OS line endings."""
    return lf.replace(b"\n", b"\r")


def bom(lf: bytes) -> bytes:
    """A UTF-8 byte-order mark first, as Notepad wrote it until 2019."""
    return BOM + lf


def fence_blanks(lf: bytes) -> bytes:
    """Spaces and a tab after the opening `---` and the closing fence of
    front matter (a file without front matter stays as it is)."""
    lines = lf.split(b"\n")
    if lines[0] != b"---":
        return lf
    closing = next(n for n, line in enumerate(lines) if n and line in (b"---", b"..."))
    lines[0] += b" "
    lines[closing] += b" \t "
    return b"\n".join(lines)


def no_final_newline(lf: bytes) -> bytes:
    """The last line without its LF."""
    assert lf.endswith(b"\n") and not lf.endswith(b"\n\n")
    return lf[:-1]


def everything(lf: bytes) -> bytes:
    """All of them at once."""
    return bom(mixed(fence_blanks(no_final_newline(lf))))


FORMS: dict[str, Callable[[bytes], bytes]] = {
    "crlf": crlf,
    "crlf-and-lf-mixed": mixed,
    "lone-cr": lone_cr,
    "byte-order-mark": bom,
    "byte-order-mark-and-crlf": lambda lf: bom(crlf(lf)),
    "blanks-after-fences": fence_blanks,
    "blanks-after-fences-and-crlf": lambda lf: crlf(fence_blanks(lf)),
    "no-final-newline": no_final_newline,
    "no-final-newline-and-crlf": lambda lf: crlf(no_final_newline(lf)),
    "all-at-once": everything,
}
