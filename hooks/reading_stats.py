"""Word count and read time for every post (../shared/design/READING-STATS.md).

The numbers come from the post body as rendered HTML, before the theme wraps
it. `on_page_content` counts each post once and stores the result in
`page.meta["reading"]`, where every template that shows a post reads it.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from fractions import Fraction
from html import unescape

import cache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from posts import Post, serving

DEFAULT_WPM = 238

# Han ideographs (with extensions and compatibility forms), Hiragana,
# Katakana (with the phonetic extension and half-width forms), Hangul syllables.
_CJK = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
    "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f\uac00-\ud7af"
)
_TOKEN = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+")
_HAS_CJK = re.compile(f"[{_CJK}]")

# Elements whose text is never prose; `pre` is handled apart as code.
_SKIPPED = {"script", "style", "svg", "template"}
# Classes of elements that are decoration: heading permalinks, footnote
# back-references and code line numbers.
_SKIPPED_CLASSES = {"headerlink", "footnote-backref", "linenos", "linenodiv"}
# Block elements end a word even when the HTML has no white space between them.
_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div",
    "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "ol", "p", "pre", "section", "summary",
    "table", "td", "th", "tr", "ul",
}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
         "meta", "source", "track", "wbr"}


@dataclass(frozen=True)
class BodyText:
    """What a post body holds, split the way the rule counts it."""

    prose: str
    code: str
    images: int


@dataclass(frozen=True)
class Stats:
    """The numbers a post shows: words, whole minutes, and exact seconds."""

    words: int
    minutes: int
    seconds: Fraction

    def as_meta(self) -> dict:
        return {**asdict(self), "seconds": float(self.seconds)}


# Body HTML as Python-Markdown and its extensions write it, in one pass of
# one expression (html.parser's HTMLParser took several times as long): a
# comment or other markup declaration, an end tag, a start tag (attribute
# values may hold ">"), or text up to the next "<" (a "<" that opens no tag
# is text, as in HTMLParser).
_MARKUP = re.compile(
    r"""<!--.*?(?:-->|$)"""
    r"""|<[!?][^>]*>?"""
    r"""|</(?P<end>[a-zA-Z][^\s/>]*)[^>]*>?"""
    r"""|<(?P<start>[a-zA-Z][^\s/>]*)(?P<attrs>(?:[^>"']|"[^"]*"|'[^']*')*)>"""
    r"""|(?P<text>[^<]+|<)""",
    re.S,
)
_CLASS = re.compile(r"""(?:^|\s)class\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
# Elements whose content is raw text, up to their end tag.
_RAW_TEXT = {"script", "style"}


def _classes(attrs: str) -> set[str]:
    """The class names in a start tag's attribute text."""
    match = _CLASS.search(attrs)
    if match is None:
        return set()
    return set(unescape(next(value for value in match.groups() if value is not None)).split())


class _BodyParser:
    """Splits body HTML into prose text, code text and an image count."""

    def __init__(self) -> None:
        self.prose: list[str] = []
        self.code: list[str] = []
        self.images = 0
        # Stack of (tag, role) for open elements; role is "skip", "code" or ""
        # and already takes in the roles of the element's ancestors.
        self._open: list[tuple[str, str]] = []
        self._seen_content = False
        self._title_h1 = False

    def _role(self) -> str:
        return self._open[-1][1] if self._open else ""

    def feed(self, html: str) -> None:
        position = 0
        while position < len(html):
            match = _MARKUP.match(html, position)
            position = match.end()
            if match["text"] is not None:
                self.handle_data(unescape(match["text"]))
            elif match["end"] is not None:
                self.handle_endtag(match["end"].lower())
            elif match["start"] is not None:
                tag, attrs = match["start"].lower(), match["attrs"]
                if attrs.endswith("/"):
                    self.handle_startendtag(tag, _classes(attrs))
                    continue
                self.handle_starttag(tag, _classes(attrs))
                if tag in _RAW_TEXT:
                    close = re.compile(f"</{tag}", re.I).search(html, position)
                    end = close.start() if close else len(html)
                    if end > position:
                        self.handle_data(html[position:end])
                    position = end

    def handle_starttag(self, tag: str, classes: set[str]) -> None:
        if tag == "h1" and not self._seen_content:
            # A body that opens with an h1 repeats the title: not counted.
            self._title_h1 = True
        self._seen_content = True
        if tag in _BLOCKS:
            self._sink().append(" ")
        if tag == "img" and self._role() != "code":
            self.images += 1
        if tag in _VOID:
            return
        # A skipped ancestor wins over a code block inside it (line numbers
        # are a <pre> inside a skipped table cell).
        role = self._role()
        if tag in _SKIPPED or classes & _SKIPPED_CLASSES or self._title_h1:
            role = "skip"
        elif tag == "pre" and role != "skip":
            role = "code"
        self._open.append((tag, role))

    def handle_startendtag(self, tag: str, classes: set[str]) -> None:
        self.handle_starttag(tag, classes)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        # Pop up to the matching element; tolerate unclosed inner elements.
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break
        if tag == "h1" and self._title_h1:
            self._title_h1 = False
        if tag in _BLOCKS:
            self._sink().append(" ")

    def handle_data(self, data: str) -> None:
        if data.strip():
            self._seen_content = True
        self._sink().append(data)

    def _sink(self) -> list[str]:
        role = self._role()
        if role == "code":
            return self.code
        if role == "skip":
            return []
        return self.prose


def body_text(html: str) -> BodyText:
    """Split rendered body HTML into prose, code and images (pure)."""
    parser = _BodyParser()
    parser.feed(html)
    return BodyText("".join(parser.prose), "".join(parser.code), parser.images)


def count_tokens(text: str) -> int:
    """Words in `text`: white-space runs, each CJK character on its own."""
    if _HAS_CJK.search(text) is None:
        # The same count, without a list of every word: str.split and the
        # expression's \s take the same characters for white space.
        return len(text.split())
    return len(_TOKEN.findall(text))


def image_seconds(images: int) -> int:
    """12 s for the first image, one less for each next one, at least 3 s."""
    return sum(max(12 - index, 3) for index in range(images))


def read_seconds(words: int, code_words: int, images: int, wpm: int) -> Fraction:
    """Exact reading time in seconds."""
    return Fraction((words + code_words) * 60, wpm) + image_seconds(images)


def whole_minutes(seconds: Fraction) -> int:
    """Seconds rounded up to whole minutes, at least one."""
    return max(1, math.ceil(seconds / 60))


def reading_stats(html: str, wpm: int = DEFAULT_WPM) -> Stats:
    """The numbers a post with this body shows."""
    text = body_text(html)
    words = count_tokens(text.prose)
    seconds = read_seconds(words, count_tokens(text.code), text.images, wpm)
    return Stats(words=words, minutes=whole_minutes(seconds), seconds=seconds)


def words_per_minute(config: MkDocsConfig) -> int:
    """`extra.reading.wpm` from mkdocs.yml, or the default."""
    reading = config.extra.get("reading") or {}
    return int(reading.get("wpm", DEFAULT_WPM))


def on_page_content(
    html: str, /, *, page: Page, config: MkDocsConfig, files: Files
) -> str | None:
    if not isinstance(page, Post):
        return None
    wpm = words_per_minute(config)
    memo = cache.table("reading")
    key = cache.key_of(html, wpm, keep=serving())
    shown = memo.get(key)
    if shown is None:
        shown = reading_stats(html, wpm).as_meta()
        memo.put(key, shown)
    page.meta["reading"] = dict(shown)
    return None
