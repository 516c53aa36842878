"""hooks/inline_needles.py: the characters every match of an inline pattern
consumes, and the same HTML from the blog's parser with them as without."""

from __future__ import annotations

import random
import re

import markdown
import posts
import pytest
from inline_needles import Needled, needles
from mkdocs.config import load_config

from support import ROOT


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"`[^`]+`", {"`"}),
    (r"(?<=\w)'(?!\s)", {"'"}),
    (r"(\s|&nbsp;|--)\"(?=\w)", {'"'}),
    (r"a?b", {"b"}),
    (r"(ab|cd)", {"a", "c"}),
    (r"[*_]{2}x", {"x"}),
    (r"[*_]+", {"*", "_"}),
    (r"x{2,}", {"x"}),
    (r"(?:y|z)+", {"y", "z"}),
    (r"(?i:x)y", {"y"}),
    (r"(?>ab)", {"a"}),
    (r"(a)\1", {"a"}),
])
def test_needles_are_characters_every_match_consumes(pattern, expected):
    assert needles(pattern) == frozenset(expected)


@pytest.mark.parametrize("pattern", [
    r"a*",               # matches nothing at all
    r"x{0,3}y?",         # every part optional
    r"(?=a)",            # a look-ahead consumes nothing
    r"(?<=a)\w",         # nor does a look-behind
    r"[^a]",             # a negated class is almost every character
    r"\w+",              # a category
    r"[a-z]",            # a wide range
    r"(a|\s)",           # a branch without needles
    r"(?i)x",            # "X" matches too
    r"(?i:x)",
    r"(",                # not a pattern
])
def test_a_pattern_without_a_known_set_has_no_needles(pattern):
    assert needles(pattern) is None


def test_a_needled_pattern_finds_what_the_pattern_finds():
    compiled = re.compile(r"(?<=\w)'s")
    needled = Needled(compiled, needles(compiled.pattern))
    for text in ("it's", "its", "'s", "a 's b's", ""):
        assert [m.span() for m in needled.finditer(text, 0)] == \
            [m.span() for m in compiled.finditer(text, 0)]
    assert needled.pattern == compiled.pattern


def blog_parsers() -> tuple[markdown.Markdown, markdown.Markdown]:
    """The blog's parser as hooks/posts.py makes it, and the same without needles."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    posts._parser = None
    plain = markdown.Markdown(extensions=config["markdown_extensions"],
                              extension_configs=config["mdx_configs"] or {})
    return posts.parser(config), plain


def inline_patterns(md: markdown.Markdown) -> list:
    return [pattern for processor in md.treeprocessors
            if hasattr(processor, "inlinePatterns") for pattern in processor.inlinePatterns]


def test_the_blogs_parser_gives_most_inline_patterns_needles_smartys_included():
    md, _ = blog_parsers()
    patterns = inline_patterns(md)
    needled = [pattern for pattern in patterns if isinstance(pattern.compiled_re, Needled)]
    assert len(needled) >= len(patterns) * 3 // 4
    smarty = md.treeprocessors["smarty"].inlinePatterns
    assert all(isinstance(pattern.compiled_re, Needled) for pattern in smarty)


def test_a_pattern_whose_needles_a_text_lacks_is_not_even_applied():
    md, plain = blog_parsers()
    applied: dict[str, int] = {}
    for name, parser in (("needled", md), ("plain", plain)):
        inline = parser.treeprocessors["inline"]
        apply = inline._InlineProcessor__applyPattern

        def counting(*args, _apply=apply, _name=name):
            applied[_name] = applied.get(_name, 0) + 1
            return _apply(*args)

        inline._InlineProcessor__applyPattern = counting
        parser.reset()
        assert parser.convert("Plain words and nothing else in them") == (
            "<p>Plain words and nothing else in them</p>")
    text = "Plain words and nothing else in them"
    patterns = md.treeprocessors["inline"].inlinePatterns
    may_match = [pattern for pattern in patterns if not isinstance(pattern.compiled_re, Needled)
                 or any(char in text for char in pattern.compiled_re.chars)]
    assert applied["plain"] == len(patterns)
    assert applied["needled"] == len(may_match) < len(patterns) // 2


# Every inline construct of this blog's extensions, in text that has some
# needles and not others.
EVERY_INLINE = """\
*[HTML]: Hyper Text Markup Language

It's the "first" post -- or the 'second' --- of the '90s; "quoted 'inside'".
A line with `code`, `#!python print("x")`, **strong**, *em*, __under__, _em_,
***both***, ~~gone~~, a\\*escaped\\*, <span class="x">html</span> & &amp; &copy;.
A [link](https://example.com "title"), ![an image](a.png){ width="10" },
<https://example.com>, <me@example.com>, a footnote[^1] and HTML.
Two spaces at the end\x20\x20
of a line. "Can't" isn't 'won't'.

- [x] done
- [ ] not done "yet"

Term
:   Its definition, with *emphasis* and "quotes".

| a | "b" |
|---|-----|
| `c` | d -- e |

!!! note "A 'titled' note"
    Inside: **bold** and 'quotes'.

??? tip "More"
    Hidden *text*.

```python
print("not 'educated'")  # -- here
```

<div markdown>
*Markdown* in "HTML".
</div>

[^1]: The footnote's text, with a [link][ref].

[ref]: https://example.org
"""


def corpus() -> list[str]:
    texts = [EVERY_INLINE]
    for folder in (ROOT / "docs", ROOT / "tests" / "fixtures"):
        texts += [path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.md"))]
    texts += [path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("*.md"))]
    # Lines shuffled into new texts: constructs meeting in new ways.
    lines = "\n".join(texts).splitlines()
    rng = random.Random(11)
    for _ in range(40):
        texts.append("\n".join(rng.sample(lines, min(60, len(lines)))))
    return texts


def test_every_text_converts_to_the_same_html_with_needles_as_without():
    needled, plain = blog_parsers()
    texts = corpus()
    assert len(texts) > 40
    for text in texts:
        needled.reset()
        plain.reset()
        assert needled.convert(text) == plain.convert(text)


def test_where_a_pattern_matches_a_text_the_text_has_one_of_its_needles():
    md, _ = blog_parsers()
    texts = corpus()
    for pattern in inline_patterns(md):
        if not isinstance(pattern.compiled_re, Needled):
            continue
        chars = pattern.compiled_re.chars
        for text in texts:
            if pattern.compiled_re.compiled.search(text):
                assert any(char in text for char in chars), pattern.compiled_re.pattern
