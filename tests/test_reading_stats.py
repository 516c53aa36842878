"""The reading-stats rule (READING-STATS.md) on its pure functions."""

from __future__ import annotations

import re
from fractions import Fraction

import markdown
import pytest
from mkdocs.config import load_config

from reading_stats import (
    body_text,
    count_tokens,
    image_seconds,
    read_seconds,
    reading_stats,
    whole_minutes,
)
from support import ROOT, SEED


def render(text: str) -> str:
    """Markdown to body HTML with the extensions mkdocs.yml configures."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    md = markdown.Markdown(
        extensions=config.markdown_extensions, extension_configs=config.mdx_configs
    )
    return md.convert(text)


def words(count: int) -> str:
    return " ".join(["word"] * count)


def seed_body() -> str:
    # The seed file: header, title, deck, meta line, then the body paragraphs.
    return "\n\n".join(SEED.read_text(encoding="utf-8").split("\n\n")[4:])


def test_seed_body_counts_354_words_and_2_minutes():
    stats = reading_stats(render(seed_body()))
    assert (stats.words, stats.minutes) == (354, 2)


@pytest.mark.parametrize(
    ("html", "expected_words", "expected_minutes"),
    [
        ("", 0, 1),
        ("<p>word</p>", 1, 1),
        (f"<p>{words(238)}</p>", 238, 1),
        (f"<p>{words(239)}</p>", 239, 2),
        (f"<p>{words(476)}</p>", 476, 2),
        (f"<p>{words(477)}</p>", 477, 3),
    ],
    ids=["0 words", "1 word", "238 words", "239 words", "476 words", "477 words"],
)
def test_minutes_round_up_exactly_at_238_wpm(html, expected_words, expected_minutes):
    stats = reading_stats(html, 238)
    assert (stats.words, stats.minutes) == (expected_words, expected_minutes)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Tom &amp; Jerry&nbsp;&mdash; friends</p>", 5),
        ("<p>one</p><p>two</p>", 2),
        ("<p>one<em>two</em></p>", 1),
        ("<p>Three names - a - b</p>", 6),
        ('<h2 id="x">Two words<a class="headerlink" href="#x">&para;</a></h2>', 2),
        ("<p>visible <!-- hidden words here --> text</p>", 2),
        ('<p><img alt="a long alt text" src="x.png"> caption</p>', 1),
        ("<script>var a = 1;</script><style>p { x: y }</style><p>ok</p>", 1),
        ("<svg><text>drawn words</text></svg><template><p>later</p></template>", 0),
        ("<p>inline <code>x = 1</code></p>", 4),
        ("<table><tr><td>a</td><td>b</td></tr></table>", 2),
        ("<h1>The title again</h1><p>Body words</p>", 2),
        ("<p>Body</p><h1>A later heading</h1>", 4),
        (
            '<p>Claim<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup></p>'
            '<div class="footnote"><hr><ol><li id="fn:1"><p>Note text.&#160;'
            '<a class="footnote-backref" href="#fnref:1">&#8617;</a></p></li></ol></div>',
            3,
        ),
    ],
    ids=[
        "entities", "blocks", "inline", "lone dashes", "heading permalink",
        "comment", "image alt", "script and style", "svg and template",
        "inline code", "table cells", "leading h1 is the title", "later h1 counts",
        "footnotes",
    ],
)
def test_prose_word_count(html, expected):
    assert reading_stats(html).words == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GPT模型 rocks", 4),
        ("こんにちは", 5),
        ("カタカナ", 4),
        ("안녕하세요 world", 6),
        ("漢字、かな", 5),
        ("plain words only", 3),
        ("", 0),
        ("  \n\t ", 0),
    ],
)
def test_cjk_characters_are_words_of_their_own(text, expected):
    assert count_tokens(text) == expected


def test_code_blocks_are_not_words_but_add_reading_time():
    html = f"<p>{words(238)}</p><pre><code>{words(239)}</code></pre>"
    stats = reading_stats(html, 238)
    assert stats.words == 238
    assert stats.seconds == Fraction(477 * 60, 238)
    assert stats.minutes == 3


def test_code_line_numbers_are_not_code_words():
    html = render("```python linenums=\"1\"\na = 1\nb = 2\n```\n")
    text = body_text(html)
    assert count_tokens(text.code) == 6
    assert text.images == 0


def test_images_inside_code_blocks_are_not_counted():
    assert body_text('<img src="a.png"><pre><img src="b.png"></pre>').images == 1


@pytest.mark.parametrize(
    ("images", "seconds"),
    [(0, 0), (1, 12), (2, 23), (3, 33), (10, 75), (11, 78), (12, 81)],
)
def test_image_time_decreases_by_a_second_down_to_three(images, seconds):
    assert image_seconds(images) == seconds


def test_images_add_reading_time():
    html = f"<p>{words(470)}</p>" + '<img src="a.png">' * 2
    stats = reading_stats(html, 238)
    assert stats.seconds == Fraction(470 * 60, 238) + 23
    assert stats.minutes == 3


def test_read_time_is_exact_not_floating_point():
    seconds = read_seconds(476, 0, 0, 238)
    assert seconds == 120
    assert whole_minutes(seconds) == 2
    assert whole_minutes(seconds + Fraction(1, 10**9)) == 3


def test_wpm_changes_the_minutes():
    assert reading_stats(f"<p>{words(300)}</p>", 100).minutes == 3
    assert reading_stats(f"<p>{words(300)}</p>", 300).minutes == 1


def test_every_unicode_white_space_character_separates_words_and_nothing_else_does():
    spaces = [chr(point) for point in range(0x110000) if re.fullmatch(r"\s", chr(point))]
    assert len(spaces) > 20
    for space in spaces:
        assert count_tokens(f"one{space}two") == 2, hex(ord(space))
        assert count_tokens(f"一{space}two") == 2, hex(ord(space))
    for joiner in ("\u200b", "\u2060", "\ufeff", "\u00ad", "-", "'"):
        assert count_tokens(f"one{joiner}two") == 1, hex(ord(joiner))
