"""Front-matter checks: pure rules, and real `mkdocs build --strict` runs of
broken posts that must stop with one line naming the file and the key."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from editor_forms import FORMS
from markdown.extensions.toc import slugify as toc_slugify
from pymdownx.slugs import slugify as pymdownx_slugify

from front_matter import (
    Problem,
    Slugs,
    check_date,
    check_tags,
    describe,
    expect_key,
    post_address,
    read_post,
    same_tag,
    tag_clashes,
)
from support import build, copy_project, failed_line, parse, write_post

SLUGS = Slugs(tag=lambda name: pymdownx_slugify(case="lower")(name, "-"),
              post=lambda title: toc_slugify(title, "-"))
GOOD = "title: A post\ndescription: A deck.\ndate: 2024-01-05\ntags: [a, b]\n"


def problems(front_matter: str) -> list[Problem]:
    return read_post(f"---\n{front_matter}---\n\nBody.\n".encode(), SLUGS)[1]


# -- Pure rules ---------------------------------------------------------------


def test_a_complete_post_has_no_problem():
    full = GOOD + ("updated: 2024-02-01T10:00:00+02:00\ndraft: false\nslug: a-post\n"
                   "pin: false\nsearch:\n  boost: 2\n")
    assert problems(full) == []


@pytest.mark.parametrize("value", [
    dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 8, 30), dt.datetime(2024, 1, 5, tzinfo=dt.UTC),
])
def test_dates_and_date_times_are_accepted(value):
    assert check_date("date", value, required=True) == []


@pytest.mark.parametrize(("text", "found"), [
    ("2024-02-30", "not a real calendar date"),
    ("2023-02-29", "not a real calendar date"),
    ("2024-13-01", '"2024-13-01"'),
    ("yesterday", '"yesterday"'),
    ('"2024-01-05"', "in quotes"),
    ("2024-01-05T10:00", "in quotes or in a form YAML does not read"),
    ("", "nothing"),
    ("20240105", "the number 20240105"),
])
def test_a_date_that_is_not_a_real_unquoted_date_is_an_error(text, found):
    [problem] = problems(f"title: A\ndescription: D\ndate: {text}\n")
    assert (problem.key, problem.error, problem.line) == ("date", True, 4)
    assert found in problem.found
    assert "YYYY-MM-DD" in problem.expected


def test_a_missing_date_is_an_error():
    [problem] = problems("title: A\ndescription: D\n")
    assert (problem.key, problem.found) == ("date", "nothing")


def test_updated_before_date_is_an_error():
    [problem] = problems(GOOD + "updated: 2024-01-04\n")
    assert problem.key == "updated" and "before the date" in problem.found


@pytest.mark.parametrize(("tags", "found"), [
    ("openai", '"openai"'),
    ("{openai: 1}", "a mapping"),
    ('[a, ""]', "an empty string as tag 2"),
    ("[a, 2024]", "the number 2024 as tag 2"),
    ("[a, null]", "nothing as tag 2"),
    ("[AI, ai]", '"AI" and "ai", both at tags/ai/'),
    ('["!!!"]', "gives an empty address"),
])
def test_tags_must_be_a_list_of_distinct_non_empty_strings(tags, found):
    [problem] = problems(f"title: A\ndescription: D\ndate: 2024-01-05\ntags: {tags}\n")
    assert problem.key == "tags" and found in problem.found


def test_tag_slugs_use_the_given_slugify():
    assert check_tags(["Open AI", "open-ai"], SLUGS.tag) != []
    assert check_tags(["Open AI", "open-ai"], lambda name: name) == []


def test_two_tags_at_one_address_in_one_post_are_named_with_the_rule_they_break():
    [repeat] = check_tags(["AI", "ai"], SLUGS.tag)
    [clash] = check_tags(["C", "C#"], SLUGS.tag)
    assert repeat.expected == "each tag once"
    assert clash.found == '"C" and "C#", both at tags/c/'
    assert clash.expected.startswith("one tag per address")


# "Differ only in case": equal under Unicode's canonical caseless match.
@pytest.mark.parametrize(("one", "other", "same"), [
    ("AI", "AI", True),
    ("AI", "ai", True),
    ("Ai", "aI", True),
    ("GPT-Image", "gpt-image", True),
    ("Ünïcode", "ÜNÏCODE", True),
    ("É", "é", True),
    ("\u00e9t\u00e9", "e\u0301te\u0301", True),  # composed and decomposed accents
    ("STRASSE", "straße", True),  # casefolding, not lowercasing
    ("ΣΊΣΥΦΟΣ", "σίσυφος", True),
    ("C#", "C", False),
    ("c++", "c", False),
    ("gpt image", "gpt-image", False),
    ("world_models", "world-models", False),
    ("AI ", "AI", False),
    ("e", "é", False),
    ("\u0130", "I", False),  # Turkish dotted capital I: another letter
    ("", "a", False),
])
def test_two_tags_are_one_tag_when_they_differ_only_in_case(one, other, same):
    assert same_tag(one, other) is same
    assert same_tag(other, one) is same


@pytest.mark.parametrize(("posts", "clashing"), [
    ([], []),
    ([("a.md", ["C"]), ("b.md", ["C#"])], ["b.md"]),
    ([("a.md", ["AI", "x"]), ("b.md", ["ai"]), ("c.md", ["Ai", "X"])], []),
    ([("a.md", ["é"]), ("b.md", ["e\u0301"])], []),
    ([("a.md", ["c++"]), ("b.md", ["C"]), ("c.md", ["c"])], ["b.md", "c.md"]),
    ([("a.md", ["gpt-image"]), ("b.md", ["news", "GPT Image"])], ["b.md"]),
    ([("a.md", ["C#"]), ("b.md", ["C", "c++"])], ["b.md", "b.md"]),
    ([("a.md", ["one"]), ("b.md", ["two"]), ("c.md", ["three", "One"])], []),
])
def test_a_tag_at_the_address_of_a_different_tag_of_an_earlier_post_clashes(posts, clashing):
    assert [path for path, _ in tag_clashes(posts, SLUGS.tag)] == clashing


def test_a_tag_clash_is_one_line_naming_both_tags_and_both_files():
    [(path, line)] = tag_clashes([("docs/posts/a.md", ["C"]), ("docs/posts/b.md", ["C#"])],
                                 SLUGS.tag)
    assert path == "docs/posts/b.md"
    assert line == ('docs/posts/b.md: tags: found "C#" at tags/c/, the address of "C" in '
                    "docs/posts/a.md; expected one tag per address: the same tag, written "
                    "alike but for case (AI and ai), or tags whose addresses differ")


@pytest.mark.parametrize("draft", ['"yes"', "1", '"true"', "[true]"])
def test_draft_must_be_a_boolean(draft):
    [problem] = problems(GOOD + f"draft: {draft}\n")
    assert problem.key == "draft" and problem.error


@pytest.mark.parametrize(("front_matter", "key"), [
    ("description: D\ndate: 2024-01-05\n", "title"),
    ('title: ""\ndescription: D\ndate: 2024-01-05\n', "title"),
    ("title: 42\ndescription: D\ndate: 2024-01-05\n", "title"),
    ('title: "???"\ndescription: D\ndate: 2024-01-05\n', "title"),
    (GOOD + "slug: Not A Slug\n", "slug"),
    (GOOD.replace("A deck.", "[a, b]"), "description"),
])
def test_title_slug_and_description_must_be_usable_strings(front_matter, key):
    [problem] = problems(front_matter)
    assert problem.key == key and problem.error


def test_a_missing_deck_is_a_warning_except_in_a_draft():
    [problem] = problems("title: A\ndate: 2024-01-05\n")
    assert (problem.key, problem.error) == ("description", False)
    assert problems('title: A\ndescription: ""\ndate: 2024-01-05\ndraft: true\n') == []


def test_an_unknown_key_is_a_warning_naming_the_likely_key():
    [problem] = problems(GOOD + "descripton: typo\n")
    assert (problem.key, problem.error, problem.line) == ("descripton", False, 6)
    assert "did you mean `description`" in problem.expected
    assert "did you mean" not in expect_key("colour")


def test_yaml_that_does_not_parse_is_reported_at_its_line():
    [problem] = problems("title: A\ndate: 2024-01-05\n  tags: [a\n")
    assert (problem.key, problem.line) == ("front matter", 4)


def test_bytes_that_are_not_utf8_are_reported_at_their_line():
    meta, [problem] = read_post(b"---\ntitle: A\ndate: 2024-01-05\n---\n\ncaf\xe9\n", SLUGS)
    assert meta is None
    assert (problem.key, problem.line) == ("encoding", 6)
    assert "0xe9" in problem.found


# Posts saved with LF, each with one mistake at a known line.
AT_LINES = {
    "date": (b"---\ntitle: A\ndescription: D\ndate: 2024-02-30\n---\n\nB\n", 4),
    "descripton": (b"---\ntitle: A\ndescripton: D\ndate: 2024-01-05\n---\n\nB\n", 3),
    "front matter": (b"---\ntitle: A\ndate: 2024-01-05\n  tags: [a\n---\n\nB\n", 4),
    "encoding": (b"---\ntitle: A\ndescription: D\ndate: 2024-01-05\n---\n\nB\n\ncaf\xe9\n", 9),
}


@pytest.mark.parametrize("key", sorted(AT_LINES))
@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_mistake_is_reported_at_its_editor_line_however_the_file_was_saved(form, key):
    lf, line = AT_LINES[key]
    [problem] = [p for p in read_post(FORMS[form](lf), SLUGS)[1] if p.key == key]
    assert problem.line == line


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_good_post_reads_the_same_however_the_file_was_saved(form):
    lf = b"---\n" + GOOD.encode() + b"---\n\nBody.\n"
    assert read_post(FORMS[form](lf), SLUGS) == read_post(lf, SLUGS)
    assert read_post(lf, SLUGS)[0]["tags"] == ["a", "b"]


def test_a_file_without_front_matter_is_an_error():
    [problem] = read_post(b"# Just a heading\n", SLUGS)[1]
    assert problem.key == "front matter" and problem.found == "no front matter"


def test_a_problem_is_one_line_naming_file_line_and_key():
    line = Problem("tags", describe("a\nb"), "a list", line=5).format("docs/posts/x.md")
    assert line == 'docs/posts/x.md:5: tags: found "a\\nb"; expected a list'


@pytest.mark.parametrize(("meta", "address"), [
    ({"title": "OpenAI's Tape Models"}, "posts/openais-tape-models/"),
    ({"title": "OpenAI's Tape Models", "slug": "tape"}, "posts/tape/"),
])
def test_a_post_is_published_at_posts_and_its_slug(meta, address):
    assert post_address(meta) == address


# -- Real builds of broken posts ------------------------------------------------

HEAD = b"---\ntitle: A\ndescription: D\ndate: 2024-01-05\n"
BROKEN = {
    "bad-yaml": ("front matter", b"---\ntitle: A\ndate: 2024-01-05\n  tags: [a\n---\n\nB\n"),
    "missing-title": ("title", b"---\ndescription: D\ndate: 2024-01-05\n---\n\nB\n"),
    "impossible-date": ("date", b"---\ntitle: A\ndescription: D\ndate: 2024-02-30\n---\n\nB\n"),
    "date-text": ("date", b"---\ntitle: A\ndescription: D\ndate: last tuesday\n---\n\nB\n"),
    "tags-string": ("tags", HEAD + b"tags: ai\n---\n"),
    "tags-mapping": ("tags", HEAD + b"tags: {ai: 1}\n---\n"),
    "empty-tag": ("tags", HEAD + b'tags: [ai, ""]\n---\n'),
    "draft-text": ("draft", HEAD + b'draft: "no"\n---\n'),
    "unknown-key": ("descripton", b"---\ntitle: A\ndescripton: D\ndate: 2024-01-05\n---\n"),
    "no-deck": ("description", b"---\ntitle: A\ndate: 2024-01-05\n---\n\nB\n"),
    "not-utf8": ("encoding", b"---\ntitle: Caf\xe9\ndescription: D\ndate: 2024-01-05\n---\n"),
    "early-update": ("updated", HEAD + b"updated: 2023-01-01\n---\n"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_post_stops_the_strict_build_with_one_line_naming_file_and_key(tmp_path, name):
    key, content = BROKEN[name]
    project = copy_project(tmp_path / "blog")
    (project / "docs" / "posts" / f"{name}.md").write_bytes(content)
    result = build(project, tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    named = [line for line in output.splitlines() if f"docs/posts/{name}.md" in line]
    pattern = rf"(ERROR|WARNING) +- +docs/posts/{name}\.md(:\d+)?: ([^:]+): found .+; expected .+"
    assert named and all(re.fullmatch(pattern, line) for line in named), named
    [line] = [line for line in named if re.fullmatch(pattern, line)[3] == key]
    if line.startswith("ERROR"):  # stopped before a page was written
        assert not (tmp_path / "site" / "index.html").exists()


def test_two_posts_at_one_address_stop_the_build_naming_both_files(tmp_path):
    project = copy_project(tmp_path / "blog")
    for name in ("first", "second"):
        (project / "docs" / "posts" / f"{name}.md").write_text(
            "---\ntitle: Same Title\ndescription: D\ndate: 2024-01-05\n---\n\nB\n")
    result = build(project, tmp_path / "site")
    line = failed_line(result, "posts/same-title/")
    assert "docs/posts/first.md" in line and "docs/posts/second.md" in line
    assert ": slug: found the address posts/same-title/" in line


def test_two_tags_at_one_address_in_two_posts_stop_the_build_naming_both(tmp_path):
    project = copy_project(tmp_path / "blog")
    write_post(project, "sharp", 'title: Sharp\ndescription: D\ndate: 2024-01-05\ntags: ["C#"]',
               "B")
    write_post(project, "plain", "title: Plain\ndescription: D\ndate: 2024-01-06\ntags: [C]", "B")
    result = build(project, tmp_path / "site")
    line = failed_line(result, "tags/c/")
    # Posts are checked in path order: plain.md, then sharp.md.
    assert re.fullmatch(r'ERROR +- +docs/posts/sharp\.md: tags: found "C#" at tags/c/, the '
                        r'address of "C" in docs/posts/plain\.md; expected one tag per '
                        r"address: .+", line), line
    assert not (tmp_path / "site" / "index.html").exists()


def test_tags_that_differ_only_in_case_in_two_posts_share_one_page(tmp_path):
    project = copy_project(tmp_path / "blog")
    for number, tag in enumerate(["AI", "ai", "Ai"], start=1):
        write_post(project, f"post-{number}",
                   f"title: Post {number}\ndescription: D\ndate: 2024-01-0{number}\ntags: [{tag}]",
                   "B")
    result = build(project, tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    page = parse(tmp_path / "site", "tags/ai/index.html")
    assert len(page.select("article.ew-entry")) == 3
    assert sorted(p.name for p in (tmp_path / "site" / "tags").iterdir()
                  if p.name.startswith("a")) == ["ai"]
