"""The social card's layout rules, as pure functions on tables of cases, and
its fonts: every character of a CJK or emoji title has a real glyph."""

from __future__ import annotations

import io
import subprocess
import sys
import unicodedata

import pytest
from PIL import Image, ImageColor, ImageDraw

from card_layout import (
    ACCENT,
    ACCENT_BAR,
    ELLIPSIS,
    FIRST_KANA_OR_HANGUL,
    INK,
    MUTED,
    PAPER,
    RULE,
    SIZE,
    Card,
    Face,
    Text,
    accent_palette,
    break_points,
    character_map,
    cjk_face,
    draw,
    fit,
    font_runs,
    frame,
    grey,
    load,
    png,
    save_all,
    text_at,
    wrap,
)
from cards import FONTS, card_key
from support import ROOT

HOOK_PATHS = [str(ROOT / "hooks"), str(ROOT / "tests")]


def width(text: str) -> int:
    """A fake measure: one unit a character, two for a wide (CJK, emoji) one."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


@pytest.mark.parametrize(("text", "pieces"), [
    ("", []),
    ("one", ["one"]),
    ("one two", ["one ", "two"]),
    ("state-of-the-art idea", ["state-of-the-art ", "idea"]),
    ("模型的", ["模", "型", "的"]),
    ("中文。结束", ["中", "文。", "结", "束"]),
    ("「引用」です", ["「引", "用」", "で", "す"]),
    ("GPT 模型", ["GPT ", "模", "型"]),
    ("go 🚀 now", ["go ", "🚀 ", "now"]),
])
def test_lines_break_between_words_and_between_wide_characters(text, pieces):
    assert break_points(text) == pieces
    assert "".join(pieces) == text


@pytest.mark.parametrize(("text", "room", "lines", "expected"), [
    # Fits on one line.
    ("short title", 20, 3, ["short title"]),
    # Wraps between words.
    ("one two three four", 9, 3, ["one two", "three", "four"]),
    # Exactly the width: no wrap, no ellipsis.
    ("abcde fghij", 5, 2, ["abcde", "fghij"]),
    ("abcdefghij", 10, 1, ["abcdefghij"]),
    # Too long: the last line is cut between words, with an ellipsis.
    ("one two three four five", 9, 2, ["one two", "three…"]),
    # No ellipsis after a comma.
    ("one, two three", 6, 1, ["one…"]),
    # A word wider than the line is cut anywhere.
    ("abcdefghijkl", 5, 3, ["abcde", "fghij", "kl"]),
    ("abcdefghijklmnopq", 5, 2, ["abcde", "fghi…"]),
    # CJK: a line breaks between any two characters (each two units here).
    ("模型的记忆与视频", 8, 2, ["模型的记", "忆与视频"]),
    ("模型的记忆与视频生成", 8, 2, ["模型的记", "忆与视…"]),
    # Closing punctuation never starts a line.
    ("中文。结束", 4, 3, ["中", "文。", "结束"]),
    # White space runs count as one space.
    ("  one \n two  ", 20, 1, ["one two"]),
    ("", 10, 2, []),
])
def test_wrap_fits_lines_and_cuts_the_last_with_an_ellipsis(text, room, lines, expected):
    wrapped = wrap(text, room, lines, width)
    assert wrapped == expected
    assert all(width(line) <= room for line in wrapped)


@pytest.mark.parametrize(("length", "size", "cut"), [
    (20, 76, False),   # short: the largest size
    (75, 60, False),   # needs a smaller size to fit in three lines
    (200, 54, True),   # never fits: the smallest size, cut
])
def test_fit_picks_the_largest_size_that_holds_the_title(length, size, cut):
    title = " ".join(["word"] * (length // 5))

    def measure_at(points):
        return lambda text: len(text) * points / 50

    chosen, lines = fit(title, (76, 68, 60, 54), 30, 3, measure_at)
    assert chosen == size
    assert lines[-1].endswith(ELLIPSIS) is cut
    assert len(lines) <= 3


def test_a_title_ending_in_an_ellipsis_is_not_taken_for_a_cut_one():
    size, lines = fit("Wait for it…", (76, 54), 30, 3, lambda points: len)
    assert (size, lines) == (76, ["Wait for it…"])


LATIN = set(map(ord, "abcdefghijklmnopqrstuvwxyz ,."))
CJK = set(map(ord, "模型中文한국어です"))
EMOJI = {ord("🚀"), ord("❤"), ord(" ")}


def has(codes):
    return codes.__contains__


@pytest.mark.parametrize(("text", "runs"), [
    ("abc", [(0, "abc")]),
    ("a模b", [(0, "a"), (1, "模"), (0, "b")]),
    ("go 🚀", [(0, "go "), (2, "🚀")]),
    # A variation selector or zero-width joiner no font has is left out.
    ("❤\ufe0f", [(2, "❤")]),
    ("a\u200db", [(0, "ab")]),
    # A visible character no font has goes to the first font (its box shows).
    ("a\u0d9a", [(0, "a\u0d9a")]),
])
def test_each_character_is_drawn_by_the_first_font_that_has_it(text, runs):
    assert font_runs(text, [has(LATIN), has(CJK), has(EMOJI)]) == runs


@pytest.mark.parametrize(("text", "face"), [
    ("日本語のタイトル", "JP"),
    ("カタカナ", "JP"),
    ("한국어 제목", "KR"),
    ("中文标题", "SC"),
    ("Plain Latin", "SC"),
    ("Latin, then ᄀ", "KR"),
])
def test_cjk_face_follows_the_script(text, face):
    assert cjk_face(text) == face


def test_no_character_before_the_first_hangul_jamo_is_kana_or_hangul():
    named = [chr(code) for code in range(ord(FIRST_KANA_OR_HANGUL))
             if unicodedata.name(chr(code), "").startswith(("HIRAGANA", "KATAKANA", "HANGUL"))]
    assert named == []
    assert unicodedata.name(FIRST_KANA_OR_HANGUL).startswith("HANGUL")


def chain_covers(text: str):
    faces = FONTS.chain(FONTS.serif, "Bold", text)
    return faces, [has(character_map(face.path, face.index)) for face in faces]


@pytest.mark.parametrize("title", [
    "模型的记忆与视频生成的未来",
    "日本語のタイトルとカタカナ",
    "한국어 제목과 문장",
    "Shipping 🚀 with emoji 🎉, ✨ and ❤️ and ⚠️ and 👍🏽",
])
def test_every_character_of_a_cjk_or_emoji_title_has_a_glyph_in_its_font(title):
    faces, covers = chain_covers(title)
    for font, run in font_runs(title, covers):
        for char in run:
            assert covers[font](ord(char)), f"{char!r} has no glyph in {faces[font].path.name}"


@pytest.mark.parametrize("weight", ["Bold", "Regular"])
@pytest.mark.parametrize("size", [76, 54, 34, 28])
def test_a_runs_length_is_the_sum_of_its_characters_advances(weight, size):
    lines = ["AV To Wa Ty fi fl ff “quoted” — 1,234.", "OpenAI's Tape Models",
             "模型的记忆与视频生成", "日本語のタイトル", "한국어 제목", "Shipping 🚀 ✨ ⚠"]
    for first in (FONTS.serif, FONTS.sans):
        text = Text(FONTS.chain(first, weight, "".join(lines)), size)
        for line in lines:
            for font, run in font_runs(line, text.covers):
                assert text.length(font, run) == text.fonts[font].getlength(run), run


def ink(face: Face, text: str) -> bytes:
    image = Image.new("L", (120, 120), 0)
    ImageDraw.Draw(image).text((10, 100), text, font=load(face, 80), fill=255, anchor="ls")
    return image.tobytes()


@pytest.mark.parametrize("emoji", ["🚀", "🎉", "✨", "❤", "👍", "😀"])
def test_emoji_are_drawn_as_their_glyphs_not_as_the_missing_glyph_box(emoji):
    faces, covers = chain_covers(emoji)
    [(font, run)] = font_runs(emoji, covers)
    face = faces[font]
    # A private-use code point: no font has it, so it draws `.notdef`, the box.
    box = ink(face, "\ue000")
    drawn = ink(face, run)
    assert drawn != box
    assert any(drawn)


def test_card_key_changes_with_the_text_and_only_with_it():
    card = Card("expectedwrong", "hindsight", "A title", "A deck.", "1 min read")
    same = Card("expectedwrong", "hindsight", "A title", "A deck.", "1 min read")
    assert card_key(card) == card_key(same)
    assert card_key(card) != card_key(Card("expectedwrong", "hindsight", "A title!",
                                            "A deck.", "1 min read"))
    assert card_key(card) != card_key(Card("expectedwrong", "hindsight", "A title",
                                            "A deck.", "2 min read"))


# -- Colours: drawn in greys, saved with the accent ----------------------------


@pytest.mark.parametrize(("colour", "level"), [
    ("#ffffff", 255),
    ("#1a1a1a", 26),
    ("#5c5c5c", 92),
    ("#000", 0),
    ("#9c3500", None),
    ("#1a1a1b", None),
])
def test_grey_is_the_level_of_a_neutral_colour_and_refuses_any_other(colour, level):
    if level is None:
        with pytest.raises(ValueError, match="not a grey"):
            grey(colour)
    else:
        assert grey(colour) == level


@pytest.mark.parametrize(("greys", "level"), [
    ((26, 92, 222, 255), 25),
    ((1, 255), 0),
    ((0, 128), 129),
    ((0, 254), 255),
    ((0, 255), None),
])
def test_the_accent_takes_a_level_no_blend_of_the_greys_makes(greys, level):
    if level is None:
        with pytest.raises(ValueError, match="none is left"):
            accent_palette(greys, "#9c3500")
        return
    found, palette = accent_palette(greys, "#9c3500")
    assert found == level
    assert not min(greys) <= found <= max(greys)
    colours = [tuple(palette[index:index + 3]) for index in range(0, 768, 3)]
    assert colours[level] == (0x9c, 0x35, 0x00)
    assert all(colours[shade] == (shade,) * 3 for shade in range(256) if shade != level)


@pytest.mark.parametrize("size", [76, 54, 34, 28])
@pytest.mark.parametrize("xy", [(80, 150), (80.4, 150.6), (313.72, 201.5)])
def test_text_drawn_glyph_by_glyph_is_the_text_pillow_draws_run_by_run(size, xy):
    """Text.draw pastes each character's cached mask; Pillow's own drawing
    of each font's run, at the pen position the runs before it reach, gives
    the same pixels (kerning, fallback fonts and fractional positions included)."""
    faces = tuple(FONTS.chain(FONTS.serif, "Bold", "模"))
    text = "AVATAR Tape, “fi” Wy 模型と ✨ ok…"
    chain = Text(faces, size)
    mine, pillows = (Image.new("L", (1100, 260), grey(PAPER)) for _ in range(2))
    end = chain.draw(mine, xy, text, INK)
    canvas, (x, y) = ImageDraw.Draw(pillows), xy
    runs = font_runs(text, chain.covers)
    assert len({font for font, _ in runs}) >= 3
    for font, run in runs:
        canvas.text((x, y), run, font=chain.fonts[font], fill=INK, anchor="ls")
        x += chain.length(font, run)
    assert end == x
    assert mine.tobytes() == pillows.tobytes()


@pytest.mark.parametrize("fill", [INK, MUTED, RULE])
def test_text_blends_in_grey_exactly_as_in_rgb(fill):
    face = Face(FONTS.serif, 0, "Bold")
    images = {}
    for mode in ("L", "RGB"):
        images[mode] = Image.new(mode, (300, 120), PAPER)
        ImageDraw.Draw(images[mode]).text((10, 100), "Ag模 ✨", font=load(face, 70),
                                          fill=fill, anchor="ls")
    assert images["L"].convert("RGB").tobytes() == images["RGB"].tobytes()


def test_a_saved_card_shows_the_accent_bar_on_paper_and_only_the_schemes_greys():
    saved = io.BytesIO(png(draw(Card("expectedwrong", "hindsight", "A title", "A deck.",
                                     "1 min read", "example.com"), FONTS)))
    with Image.open(saved) as read:
        image = read.convert("RGB")
    width, height = SIZE
    accent, paper = ImageColor.getrgb(ACCENT), ImageColor.getrgb(PAPER)
    bar = image.crop((0, 0, width, ACCENT_BAR + 1))
    assert bar.getcolors() == [(width * (ACCENT_BAR + 1), accent)]
    assert image.getpixel((0, ACCENT_BAR + 1)) == paper
    assert image.getpixel((width - 1, height - 1)) == paper
    colours = {colour for _, colour in image.getcolors(maxcolors=width * height)}
    assert {accent, paper, *map(ImageColor.getrgb, (INK, MUTED, RULE))} <= colours
    greys = colours - {accent}
    assert all(red == green == blue and grey(INK) <= red for red, green, blue in greys)


@pytest.mark.parametrize("title", ["A title", "日本語のタイトルと長い説明文の組み合わせ ✨",
                                   "A title long enough to be cut, " * 6])
def test_a_cards_png_reads_back_as_the_pixels_and_palette_it_was_drawn_with(title):
    drawn = draw(Card("expectedwrong", "hindsight", title, "A deck of a few words.",
                      "3 min read", "example.com"), FONTS)
    data = png(drawn)
    with Image.open(io.BytesIO(data)) as read:
        read.verify()  # the chunks' CRCs and the file's structure
    with Image.open(io.BytesIO(data)) as read:
        assert (read.format, read.mode, read.size) == ("PNG", "P", SIZE)
        assert read.tobytes() == drawn.tobytes()
        assert read.getpalette() == drawn.getpalette()


def test_only_a_palette_image_is_written_as_a_card():
    with pytest.raises(ValueError, match="palette image"):
        png(Image.new("RGB", (4, 4)))


# -- The frame a site's cards share --------------------------------------------


def test_a_card_drawn_on_a_cached_frame_is_the_card_drawn_afresh():
    cards = [
        Card("expectedwrong", "hindsight", "A first title", "A deck.", "1 min read",
             "example.com"),
        Card("expectedwrong", "hindsight", "A second, longer title", "", "2 min read",
             "example.com"),
        Card("expectedwrong", "hindsight", "日本語のタイトル", "説明。", "1 min read",
             "example.com"),
        Card("expectedwrong", "hindsight", "한국어 제목", "", "1 min read", "example.com"),
        Card("expectedwrong", "hindsight", "The site's description", "",
             "example.com/expectedwrong"),
        Card("another 模型 blog", "notes", "A first title", "A deck.", "1 min read", "other.org"),
        Card("expectedwrong", "hindsight", "A first title", "A deck.", "1 min read",
             "example.com"),
    ]
    frame.cache_clear()
    shared = [draw(card, FONTS).tobytes() for card in cards]
    assert frame.cache_info().hits >= 2
    for card, drawn in zip(cards, shared, strict=True):
        frame.cache_clear()
        text_at.cache_clear()
        assert draw(card, FONTS).tobytes() == drawn, card.title


DRAW_IN_A_PROCESS = """
import resource, sys
sys.path[:0] = sys.argv[2:]
import card_layout
from card_layout import Card
from cards import FONTS
if sys.argv[1] == "ready":
    card_layout.ready_worker()
def draw(count):
    for number in range(count):
        card = Card("expectedwrong", "hindsight", f"A title of some length, number {number}",
                    "A deck that runs to a second line of the card, as decks do.", "2 min read")
        card_layout.png(card_layout.draw(card, FONTS))
draw(5)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
draw(20)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's mallopt")
def test_a_process_ready_to_draw_cards_keeps_their_memory_for_the_next_ones():
    def faults(mode: str) -> int:
        done = subprocess.run([sys.executable, "-c", DRAW_IN_A_PROCESS, mode, *HOOK_PATHS],
                              capture_output=True, text=True, timeout=120, check=True)
        return int(done.stdout.split()[-1])

    # Each card maps its buffers afresh: hundreds of page faults a card.
    assert faults("as-is") > 20 * 100
    assert faults("ready") < 20 * 5


def test_cards_saved_as_one_task_report_the_first_that_failed_by_its_number(tmp_path):
    card = Card("expectedwrong", "hindsight", "A title", "A deck.", "1 min read")
    good, missing = tmp_path / "good.png", tmp_path / "no-such-folder" / "bad.png"
    assert save_all([(card, good, ())], FONTS) is None
    number, error = save_all([(card, tmp_path / "first.png", ()), (card, missing, ()),
                              (card, tmp_path / "third.png", ())], FONTS)
    assert number == 1
    assert "no-such-folder" in error
    assert Image.open(good).size == Image.open(tmp_path / "first.png").size
    assert not (tmp_path / "third.png").exists()
