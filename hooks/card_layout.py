"""How a social card is laid out and drawn; knows nothing of MkDocs.

Not a hook itself: hooks/cards.py hands `draw` a `Card` (the wordmark, the
section, a post's title, deck and meta line) and caches the PNG. The pure
parts are separate so that tests call them with a fake measure: where a
line may break (`break_points`), greedy wrapping with an ellipsis
(`wrap`), the largest title size that fits (`fit`), which font draws each
character (`font_runs`), which Noto Sans CJK face suits a text
(`cjk_face`) and the palette that gives a card drawn in greys its accent
(`accent_palette`). What every card of a site shares (the header, the rule,
the footer) is drawn once, its `frame`. Writes no `page.meta` key.
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
import struct
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cache
from PIL import Image, ImageColor, ImageDraw, ImageFont
from zlib_ng import zlib_ng

# Open Graph's recommended size (developers.facebook.com/docs/sharing/webmasters/images)
# and X's summary_large_image ratio, 1.91:1.
SIZE = (1200, 630)
MARGIN = 80
# The light scheme of overrides/assets/stylesheets/expectedwrong.css: text
# (--md-primary-fg-color), muted (--ew-muted), links (--md-typeset-a-color),
# rules (--ew-rule).
PAPER = "#ffffff"
INK = "#1a1a1a"
MUTED = "#5c5c5c"
ACCENT = "#9c3500"
RULE = "#dedede"
# Pixel sizes: the title's largest size first, tried down to the last one
# before it is cut with an ellipsis (the stylesheet's title is 2.5 times its
# meta line; the card keeps about that at a distance).
TITLE_SIZES = (76, 68, 60, 54)
TITLE_LINES = 3
TITLE_LEADING = 1.18
DECK_SIZE = 34
DECK_LEADING = 1.38
HEADER_SIZE = 34
META_SIZE = 28
ACCENT_BAR = 10
# Baselines of the header and of the meta line, and the rule above the meta
# line.
HEADER_BASELINE = MARGIN + HEADER_SIZE
META_BASELINE = SIZE[1] - MARGIN + META_SIZE // 2
RULE_Y = META_BASELINE - META_SIZE - 28
ELLIPSIS = "\u2026"
# How the PNG is deflated. Measured on 60 cards of the 1,000-post bench
# (mean size, CPU ms to save with Pillow): level 1 32.1 KiB 1.8 ms; 3 29.9
# KiB 2.1 ms; 4 26.6 KiB 2.9 ms; 6 (the default) 25.1 KiB 4.3 ms; 9 22.9
# KiB 39 ms. Run-length matches only (Z_RLE), which suit a card's flat paper
# and strokes, give level 3's size in level 1's time; zlib-ng makes them
# 3.3 times as fast as the zlib that Pillow calls (0.44 ms against 1.45 on
# a bench card's 757 KB of rows, the same 23,263 bytes), so `png` writes the
# file's four chunks itself and has zlib-ng deflate its rows.
COMPRESS_LEVEL = 3
COMPRESS_TYPE = zlib_ng.Z_RLE
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Rows deflated at a time.
PNG_BAND = 64
# Characters a line may not start with (closing punctuation, CJK and Latin),
# kept with the character before them; and ones it may not end with.
NO_LINE_START = set(
    ")]}»›”’.,;:!?%、。，．！？：；）」』】〕》〉"
    "ー々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ"
)
NO_LINE_END = set("([{«‹“‘（「『【〔《〈")
# Left at a line's end before an ellipsis.
TRIM = " ,;:.-\u2013\u2014、。，：；"
# No character before the first Hangul Jamo is named HIRAGANA, KATAKANA or
# HANGUL (checked over all of Unicode 14), so `cjk_face` skips them unnamed.
FIRST_KANA_OR_HANGUL = "\u1100"


@dataclass(frozen=True)
class Card:
    """What a card shows, top to bottom; `footer` sits at the right of the meta line."""

    wordmark: str
    section: str
    title: str
    deck: str = ""
    meta: str = ""
    footer: str = ""


@dataclass(frozen=True)
class Face:
    """One font file of a fallback chain: a face of a collection (`index`)
    at a named weight of a variable font."""

    path: Path
    index: int = 0
    weight: str = "Regular"


Measure = Callable[[str], float]


# -- Line breaking ------------------------------------------------------------


def is_wide(char: str) -> bool:
    """A character between which and its neighbours a line may break: CJK
    ideographs, kana, hangul, full-width forms and emoji."""
    return unicodedata.east_asian_width(char) in "WF"


def break_points(text: str) -> list[str]:
    """`text` cut into pieces between which a line may break; joined they
    give `text` back. A space stays at the end of the piece before it."""
    pieces: list[str] = []
    for char in text:
        if not pieces:
            pieces.append(char)
            continue
        last = pieces[-1]
        joins = (
            char in NO_LINE_START
            or last[-1] in NO_LINE_END
            or char.isspace()
            or unicodedata.category(char) in ("Mn", "Me", "Cf")
            or (not is_wide(char) and not is_wide(last[-1]) and not last[-1].isspace())
        )
        if joins:
            pieces[-1] = last + char
        else:
            pieces.append(char)
    return pieces


def wrap(text: str, width: float, max_lines: int, measure: Measure) -> list[str]:
    """`text` in at most `max_lines` lines no wider than `width`; what does not
    fit is cut at the end of the last line, which then ends in an ellipsis.

    Each piece is measured once and a line is the sum of its pieces (kerning
    across a break is a pixel or two), so wrapping is linear in the text."""
    lines: list[str] = []
    line, line_width = "", 0.0
    pieces = break_points(" ".join(text.split()))
    for number, piece in enumerate(pieces):
        if line_width + measure(piece.rstrip()) <= width:
            line, line_width = line + piece, line_width + measure(piece)
            continue
        if line:
            lines.append(line)
        line, line_width = "", 0.0
        # A piece wider than the whole line (a long address) is cut anywhere.
        for char in piece:
            if line and line_width + measure(char.rstrip()) > width:
                lines.append(line)
                line, line_width = "", 0.0
            line, line_width = line + char, line_width + measure(char)
        if len(lines) >= max_lines:
            rest = "".join(lines[max_lines - 1:]) + line + "".join(pieces[number + 1:])
            kept = [kept.rstrip() for kept in lines[: max_lines - 1]]
            return [*kept, shorten(rest.rstrip(), width, measure)]
    if line.strip():
        lines.append(line)
    return [kept.rstrip() for kept in lines]


def shorten(text: str, width: float, measure: Measure) -> str:
    """The longest start of `text` that fits `width` with an ellipsis after it,
    cut between words where it can."""
    pieces = break_points(text)
    while len(pieces) > 1:
        pieces.pop()
        kept = "".join(pieces).rstrip(TRIM)
        if kept and measure(kept + ELLIPSIS) <= width:
            return kept + ELLIPSIS
    kept = text
    while kept and measure(kept.rstrip(TRIM) + ELLIPSIS) > width:
        kept = kept[:-1]
    return kept.rstrip(TRIM) + ELLIPSIS


def fit(text: str, sizes: Sequence[int], width: float, max_lines: int,
        measure_at: Callable[[int], Measure]) -> tuple[int, list[str]]:
    """The largest size at which `text` fits in `max_lines`, and its lines; at
    the smallest size, cut with an ellipsis."""
    for size in sizes[:-1]:
        lines = wrap(text, width, max_lines, measure_at(size))
        if not was_cut(text, lines):
            return size, lines
    return sizes[-1], wrap(text, width, max_lines, measure_at(sizes[-1]))


def was_cut(text: str, lines: list[str]) -> bool:
    """Whether `lines` lost some of `text` (white space aside)."""
    return "".join(text.split()) != "".join("".join(lines).split())


# -- Font fallback ------------------------------------------------------------


def font_runs(text: str, covers: Sequence[Callable[[int], bool]]) -> list[tuple[int, str]]:
    """`text` as runs of (index of the first font that has each character, run).

    An invisible character no font has (a variation selector, a zero-width
    joiner) is left out; any other such character goes to the first font,
    which draws its missing-glyph box rather than hide it."""
    runs: list[tuple[int, str]] = []
    for char in text:
        code = ord(char)
        # Most characters are the first font's: asked first, without a generator.
        if covers and covers[0](code):
            font = 0
        else:
            font = next((number for number, has in enumerate(covers) if has(code)), None)
        if font is None:
            if unicodedata.category(char) in ("Cf", "Mn") or 0xFE00 <= code <= 0xFE0F:
                continue
            font = 0
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def cjk_face(text: str) -> str:
    """Which Noto Sans CJK face suits `text`: Japanese with kana, Korean with
    hangul, otherwise Simplified Chinese (the same ideographs are drawn
    differently in each)."""
    for char in text:
        if char < FIRST_KANA_OR_HANGUL:
            continue
        name = unicodedata.name(char, "")
        if name.startswith(("HIRAGANA", "KATAKANA")):
            return "JP"
        if name.startswith("HANGUL"):
            return "KR"
    return "SC"


def character_map(path: Path, index: int) -> frozenset[int]:
    """The code points a font file's face has glyphs for, read once for each
    file's size and time (kept in hooks/cache.py, which outlives the
    rebuilds of `mkdocs serve`)."""
    stat = path.stat()
    memo = cache.table("character-maps")
    key = (str(path), index, stat.st_size, stat.st_mtime_ns)
    found = _maps.get(key) or memo.get(key)
    if found is None:
        from fontTools.ttLib import TTFont

        with TTFont(path, fontNumber=index, lazy=True) as font:
            found = frozenset(font.getBestCmap() or ())
        memo.put(key, found)
    _maps[key] = found
    return found


# Character maps read in this process (a worker drawing cards has no build).
_maps: dict[tuple, frozenset[int]] = {}


@functools.cache
def load(face: Face, size: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(str(face.path), size, index=face.index,
                              layout_engine=ImageFont.Layout.BASIC)
    # A variable font without the weight (Noto Sans Symbols has no "Bold")
    # stays at its default.
    if face.weight.encode() in font.get_variation_names():
        font.set_variation_by_name(face.weight)
    return font


class Text:
    """A fallback chain at one size: measures and draws text, each character
    in the first face that has it."""

    def __init__(self, faces: Sequence[Face], size: int) -> None:
        self.faces = tuple(faces)
        self.fonts = [load(face, size) for face in faces]
        # Whether each face has a code point. The fallbacks' maps are read
        # when a character first reaches them: Noto Sans CJK's takes 0.15 s
        # to read, and a blog in Latin script may never need it.
        self.covers: list[Callable[[int], bool]] = [
            self.cover(0), *(functools.partial(self.first_cover, number)
                             for number in range(1, len(faces)))]
        # Each character's advance, by font: measured once, as a line is
        # measured many times while it is wrapped.
        self.advances: list[dict[str, float]] = [{} for _ in faces]
        # Each character's mask by its pen position's fractions of a pixel,
        # by font: rendered once, as FreeType rendering every line took half
        # a card's time (2.4 of 5.1 ms at 1,000 posts).
        self.glyphs: list[dict[tuple[str, float, float], Glyph | None]] = [{} for _ in faces]

    def cover(self, number: int) -> Callable[[int], bool]:
        face = self.faces[number]
        return functools.partial(frozenset.__contains__, character_map(face.path, face.index))

    def first_cover(self, number: int, code: int) -> bool:
        self.covers[number] = self.cover(number)
        return self.covers[number](code)

    def measure(self, text: str) -> float:
        return sum(self.length(font, run) for font, run in font_runs(text, self.covers))

    def length(self, font: int, run: str) -> float:
        """The advance of `run` in font number `font`: the sum of its
        characters', as Pillow's basic layout kerns only by a `kern` table,
        which none of the fonts has (a test checks)."""
        advances = self.advances[font]
        total = 0.0
        for char in run:
            advance = advances.get(char)
            if advance is None:
                advance = advances[char] = self.fonts[font].getlength(char)
            total += advance
        return total

    def draw(self, image: Image.Image, xy: tuple[float, float], text: str, fill: str) -> float:
        """Draw `text` on the "L" `image` with its baseline at `xy`; return
        where it ends. The same pixels as Pillow's drawing of each font's
        run (a test checks), in a fraction of its time: each character's
        mask at its pen position's fraction of a pixel is rendered once."""
        x, y = xy
        level = grey(fill)
        for font, run in font_runs(text, self.covers):
            glyphs, advances = self.glyphs[font], self.advances[font]
            for char in run:
                # Split as Pillow splits a position (ImageDraw.text).
                fraction_x, whole_x = math.modf(x)
                fraction_y, whole_y = math.modf(y)
                key = (char, fraction_x, fraction_y)
                if key not in glyphs:
                    glyphs[key] = glyph(self.fonts[font], char, fraction_x, fraction_y)
                drawn = glyphs[key]
                if drawn is not None:
                    mask, left, top = drawn
                    image.paste(level, (int(whole_x) + left, int(whole_y) + top), mask)
                advance = advances.get(char)
                if advance is None:
                    advance = advances[char] = self.fonts[font].getlength(char)
                x += advance
        return x


# A character's mask and its corner's offset from the whole pixel of the pen.
Glyph = tuple[Image.Image, int, int]


def glyph(font: ImageFont.FreeTypeFont, char: str, fraction_x: float,
          fraction_y: float) -> Glyph | None:
    """`char` as Pillow renders it with the pen at a whole pixel plus these
    fractions, and where its mask's corner is from that pixel; None for a
    character that draws nothing (a space)."""
    left, top, right, bottom = font.getbbox(char, anchor="ls")
    if right <= left or bottom <= top:
        return None
    # A pixel more on each side for what the fraction moves.
    mask = Image.new("L", (right - left + 2, bottom - top + 2), 0)
    ImageDraw.Draw(mask).text((1 - left + fraction_x, 1 - top + fraction_y), char, font=font,
                              fill=255, anchor="ls")
    return mask, left - 1, top - 1


# A card needs four or five chains and sizes (more when a title is tried at
# smaller sizes), a site's cards the same few: kept with their advances.
@functools.lru_cache(maxsize=32)
def text_at(faces: tuple[Face, ...], size: int) -> Text:
    return Text(faces, size)


# -- Colours ------------------------------------------------------------------


def grey(colour: str) -> int:
    """The level of a neutral grey (`#5c5c5c` is 92); a ValueError for a
    colour that is not grey."""
    red, green, blue = ImageColor.getrgb(colour)[:3]
    if not red == green == blue:
        raise ValueError(f"{colour} is not a grey: a card is drawn in greys "
                         "and one accent colour")
    return red


def accent_palette(greys: Sequence[int], accent: str) -> tuple[int, list[int]]:
    """A grey level that text in `greys` on `greys` never makes, its edges
    blended, and a palette of every level as itself but that one as `accent`.

    Anti-aliasing blends two of the greys, so it only makes levels between
    the darkest and the lightest; the one just outside is free."""
    darkest, lightest = min(greys), max(greys)
    level = darkest - 1 if darkest > 0 else lightest + 1
    if level > 255:
        raise ValueError("the greys span every level: none is left for the accent")
    palette = [channel for shade in range(256) for channel in (shade, shade, shade)]
    palette[3 * level:3 * level + 3] = ImageColor.getrgb(accent)[:3]
    return level, palette


# The accent bar's level in the grey drawing, and the PNG's palette: set
# here, after the helpers that check the scheme's colours are greys. Nothing
# is drawn over the bar, so no blend with its level is ever made.
ACCENT_LEVEL, CARD_PALETTE = accent_palette([grey(colour) for colour in (PAPER, INK, MUTED, RULE)],
                                            ACCENT)


# -- Drawing ------------------------------------------------------------------


@dataclass(frozen=True)
class Fonts:
    """The card's font files: `serif` for the title and deck, `sans` for the
    header and meta line, each followed by the face of the `cjk` collection
    that suits the text (`cjk_faces`: face index by `cjk_face` name) and then
    the `fallbacks` (symbols, emoji)."""

    serif: Path
    sans: Path
    cjk: Path
    cjk_faces: dict[str, int]
    fallbacks: tuple[Path, ...]

    def chain(self, first: Path, weight: str, text: str) -> list[Face]:
        cjk = Face(self.cjk, self.cjk_faces[cjk_face(text)], weight)
        return [Face(first, 0, weight), cjk, *(Face(path, 0, weight) for path in self.fallbacks)]


def draw(card: Card, fonts: Fonts) -> Image.Image:
    """The card as a palette image of SIZE, drawn in greys (see ACCENT_LEVEL)
    on a copy of its site's frame."""
    width, _ = SIZE
    column = width - 2 * MARGIN
    text = card.title + card.deck
    regular = tuple(fonts.chain(fonts.sans, "Regular", text))
    image = frame(card.wordmark, card.section, card.footer,
                  tuple(fonts.chain(fonts.sans, "Bold", text)), regular).copy()
    text_at(regular, META_SIZE).draw(image, (MARGIN, META_BASELINE), card.meta, MUTED)
    # Title, then as much of the deck as the space left holds.
    title_chain = tuple(fonts.chain(fonts.serif, "Bold", text))
    size, lines = fit(card.title, TITLE_SIZES, column, TITLE_LINES,
                      lambda size: text_at(title_chain, size).measure)
    title = text_at(title_chain, size)
    y = HEADER_BASELINE + 40
    for line in lines:
        y += size * TITLE_LEADING
        title.draw(image, (MARGIN, y), line, INK)
    space = RULE_Y - 24 - (y + 20)
    deck_lines = int(space // (DECK_SIZE * DECK_LEADING))
    if card.deck and deck_lines > 0:
        deck = text_at(tuple(fonts.chain(fonts.serif, "Regular", text)), DECK_SIZE)
        y += 20
        for line in wrap(card.deck, column, min(deck_lines, 2), deck.measure):
            y += DECK_SIZE * DECK_LEADING
            deck.draw(image, (MARGIN, y), line, MUTED)
    image.putpalette(CARD_PALETTE)
    return image


# A site's post cards share one frame, and its other pages another; each
# CJK face of a title makes one more (an "L" image of SIZE is 0.76 MB).
@functools.lru_cache(maxsize=8)
def frame(wordmark: str, section: str, footer: str, bold: tuple[Face, ...],
          regular: tuple[Face, ...]) -> Image.Image:
    """What every card of a site shows whatever its post: the accent bar,
    the wordmark and then the section, lighter (in the `bold` and `regular`
    chains), the rule and, at the right of the meta line, the footer.
    Drawn once; never drawn on, `draw` copies it."""
    width, _ = SIZE
    image = Image.new("L", SIZE, PAPER)
    canvas = ImageDraw.Draw(image)
    canvas.rectangle((0, 0, width, ACCENT_BAR), fill=ACCENT_LEVEL)
    end = text_at(bold, HEADER_SIZE).draw(image, (MARGIN, HEADER_BASELINE), wordmark, INK)
    text_at(regular, HEADER_SIZE).draw(image, (end + HEADER_SIZE * 0.35, HEADER_BASELINE),
                                       section, MUTED)
    canvas.line((MARGIN, RULE_Y, width - MARGIN, RULE_Y), fill=RULE, width=2)
    if footer:
        meta = text_at(regular, META_SIZE)
        meta.draw(image, (width - MARGIN - meta.measure(footer), META_BASELINE), footer, MUTED)
    return image


# glibc's mallopt(3) parameters, and what a drawing process sets them to:
# buffers up to 32 MiB come from the heap, which keeps up to 64 MiB free.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
HEAP_BUFFERS, HEAP_KEPT = 32 << 20, 64 << 20
# Image blocks Pillow keeps for the next image instead of freeing them.
KEPT_BLOCKS = 8


def ready_worker() -> None:
    """In a process that draws many cards: memory a card gives back is kept
    for the next one. A card's frame copy, its rows and their bands are
    buffers of 0.1 to 0.8 MB, which glibc's malloc maps afresh each time
    (above its threshold of 128 KiB) and Pillow frees: 520 page faults a
    card. Measured on 300 cards drawn and saved in one process: 2.18 ms a
    card (0.59 of it in the kernel), 1.49 ms with both kept (none)."""
    Image.core.set_blocks_max(KEPT_BLOCKS)
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, HEAP_BUFFERS)
        libc.mallopt(M_TRIM_THRESHOLD, HEAP_KEPT)
    except (OSError, AttributeError):  # not glibc: its own allocator as it is
        pass


def save_all(cards: Sequence[tuple[Card, Path, Sequence[Path]]],
             fonts: Fonts) -> tuple[int, str] | None:
    """`save` each (card, target, copies); the number of the first that
    failed and its error, or None."""
    for number, (card, target, copies) in enumerate(cards):
        try:
            save(card, fonts, target, copies)
        except Exception as error:  # noqa: BLE001 - reported by the build, with its post
            return number, str(error)
    return None


def save(card: Card, fonts: Fonts, target: Path, copies: Sequence[Path] = ()) -> Path:
    """Draw `card` into the PNG file `target`, whole or not at all (another
    build may read the cache at the same time), and copy it to `copies`
    (hooks/cards.py's workers put the card in the site too, sparing the
    build's own process a file to create)."""
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    partial.write_bytes(png(draw(card, fonts)))
    os.replace(partial, target)
    for copy in copies:
        cache.place(target, copy, link=False)
    return target


def png(image: Image.Image) -> bytes:
    """A palette image ("P", 8 bits) as a PNG file: its header, palette,
    rows (each with filter 0, none, as PNG advises for palettes) deflated
    by zlib-ng (COMPRESS_TYPE), and end. Pillow reads back the very pixels
    and palette (tests/test_card_layout.py)."""
    if image.mode != "P":
        raise ValueError(f"a card is a palette image, not {image.mode}")
    width, height = image.size
    rows = image.tobytes()
    deflate = zlib_ng.compressobj(COMPRESS_LEVEL, zlib_ng.DEFLATED, zlib_ng.MAX_WBITS, 9,
                                  COMPRESS_TYPE)
    # Rows handed over in bands: one buffer of every row would be a fresh
    # mapping of memory each time, whose page faults cost as much as the
    # deflating (1.25 ms a card against 0.81).
    idat = []
    for top in range(0, height, PNG_BAND):
        band = range(top, min(top + PNG_BAND, height))
        idat.append(deflate.compress(b"".join(b"\0" + rows[y * width:(y + 1) * width]
                                              for y in band)))
    idat.append(deflate.flush())
    palette = bytes(image.getpalette("RGB") or [])
    return b"".join((
        PNG_SIGNATURE,
        chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)),
        chunk(b"PLTE", palette),
        chunk(b"IDAT", b"".join(idat)),
        chunk(b"IEND", b""),
    ))


def chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: length, type, data and the CRC-32 of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(data, zlib.crc32(kind)))
