"""The social card's layout rules, as pure functions on tables of cases, and
its fonts: every character of a CJK or emoji title has a real glyph."""

from __future__ import annotations

import unicodedata

import pytest
from PIL import Image, ImageDraw

from card_layout import (
    ELLIPSIS,
    Card,
    Face,
    break_points,
    character_map,
    cjk_face,
    fit,
    font_runs,
    load,
    wrap,
)
from cards import FONTS, card_key


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
])
def test_cjk_face_follows_the_script(text, face):
    assert cjk_face(text) == face


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
