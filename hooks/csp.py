"""A Content Security Policy on every page, as a `<meta>` element.

GitHub Pages sends no headers a site can choose, so the policy is a
`<meta http-equiv="Content-Security-Policy">`, put right after
`<meta charset>`, before any script, link or image in `<head>` (a policy in
`<meta>` covers only what comes after it). It allows the site's own
scripts, styles, images, fonts, workers and connections ('self'), each
inline script and `<style>` of the page by its SHA-256 hash, and nothing
from another host; no plugins (`object-src 'none'`), no `<base>` to another
address, no form submissions (Material's search form is never submitted:
its bundle answers Enter itself). Style attributes, which Python-Markdown
writes to align table columns, are allowed by hash too (`style-src-attr
'unsafe-hashes'`, the only way CSP allows an attribute by hash): only those
the build wrote apply. Material's bundle sets styles through the CSSOM
(`element.style`), which no policy governs, and uses no blob: URL; its
search worker is a file of the site, and the search index is fetched from it.

The hashes are of the page as it is written: `on_post_page` (and
`on_post_template`, for 404.html) runs last (priority -100, and the hook is
listed last in mkdocs.yml), after every hook that changes the page. Data
blocks (`application/json`, `application/ld+json`) are not run by a browser
and are not checked against the policy, so they get no hash. Reading the page
takes about 0.07 ms (benchmarks/csp_cost.py).

A writer who embeds something from another host widens the policy in
mkdocs.yml, `extra.csp`: directive -> list of sources, added to the site's
own ('self'), e.g. `{frame-src: [https://www.youtube-nocookie.com]}`
(`check_extra`). Under `mkdocs serve`, MkDocs adds its live-reload script to
every page it serves, different on every request, after this hook: there
the policy allows inline scripts ('unsafe-inline', with no hashes, since a
hash would switch it off) and is otherwise the same, so a preview blocks
what the site will block. Writes no `page.meta` key.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import html as html_text
import re
from typing import TYPE_CHECKING, NamedTuple

import cache
import posts as blog_posts
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

SELF = "'self'"
NONE = "'none'"
# The site's own policy. default-src covers what is not listed (media,
# frames, manifests: the site's own only); the rest is written out so that
# the policy says what the site uses. img-src takes data: for the icons that
# Material's stylesheet draws from data: URLs (masks of search results,
# admonitions, task lists): without it, search results are a violation.
BASE: dict[str, tuple[str, ...]] = {
    "default-src": (SELF,),
    "script-src": (SELF,),
    "style-src": (SELF,),
    "img-src": (SELF, "data:"),
    "font-src": (SELF,),
    "connect-src": (SELF,),
    "worker-src": (SELF,),
    "object-src": (NONE,),
    "base-uri": (SELF,),
    "form-action": (NONE,),
}
# Directives a writer may widen in extra.csp (CSP Level 3): not default-src,
# which the directives written out above do not fall back to. frame-ancestors,
# report-uri, report-to and sandbox are ignored in a <meta> policy.
WIDENABLE = (frozenset(BASE) - {"default-src"}) | {
    "child-src", "frame-src", "manifest-src", "media-src",
    "script-src-elem", "script-src-attr", "style-src-elem", "style-src-attr",
}
META_IGNORES = frozenset({"frame-ancestors", "report-uri", "report-to", "sandbox"})
EXAMPLE = "a list of sources such as [https://www.youtube-nocookie.com]"

# CSP source expressions (CSP Level 3, 2.3.1): a host, a scheme, a keyword
# or a hash. Nonces are left out: a static page cannot carry a fresh one.
SOURCE = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://)?(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)"
    r"(?::(?:[0-9]+|\*))?(?:/[^\s;,'\"<>]*)?"
    r"|[a-z][a-z0-9+.-]*:"
    r"|'(?:self|none|unsafe-inline|unsafe-eval|wasm-unsafe-eval|unsafe-hashes"
    r"|strict-dynamic|report-sample|inline-speculation-rules)'"
    r"|'sha(?:256|384|512)-[a-z0-9+/_-]+={0,2}'",
    re.IGNORECASE,
)
KEYWORDS = frozenset({"self", "none", "unsafe-inline", "unsafe-eval", "strict-dynamic"})

# Script types a browser runs, and so checks against script-src (HTML,
# "prepare the script element"): the JavaScript MIME types, modules, import
# maps and speculation rules. Any other type is a data block.
JAVASCRIPT = frozenset({
    "application/ecmascript", "application/javascript", "application/x-ecmascript",
    "application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0",
    "text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
    "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript",
    "text/x-javascript", "module", "importmap", "speculationrules",
})
# A comment, or a script or style element and its text up to the first
# </script or </style: the way the HTML tokenizer reads them (a script that
# writes "<!--<script" into itself is the one case read differently).
ELEMENT = re.compile(
    r"<!--.*?-->|<(script|style)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>(.*?)</\1(?=[\s/>])",
    re.IGNORECASE | re.DOTALL,
)
# A style attribute (outside comments, scripts and styles), its name in any
# ASCII case (`(?ai:...)`: not "ſtyle", which Unicode case folding would
# take). Tried where a lowercased copy of the page's bytes says "style"
# (`style_attribute_matches`; lowercasing the text with str.translate took
# 13 times as long as searching it, 0.7 ms a page). One found in text
# rather than in a tag only adds a hash of a style the page has anyway.
STYLE_ATTRIBUTE = re.compile(r"""(?ai:style)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
# Where a match of ELEMENT can begin: "<!--", or "<" and a word that
# IGNORECASE takes for script or style, letter by letter (it takes the long
# s, U+017F, for "s" and the dotted and dotless I, U+0130 and U+0131, for
# "i"). Found by a search for "<" with no case folding, which is quick.
ELEMENT_START = re.compile(
    "<(?:!--|[sS\u017f](?:[cC][rR][iI\u0130\u0131][pP][tT]|[tT][yY][lL][eE]))")
# ELEMENT's start tag, and the end tag its back-reference finds after a
# start tag named in ASCII: a letter of the name as written, in either
# case (the dotted I too for "i", as IGNORECASE compares a back-reference).
START_TAG = re.compile(r"<(script|style)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
                       re.IGNORECASE)
END_TAG = {
    "script": re.compile("</[sS][cC][rR][iI\u0130][pP][tT](?=[\\s/>])"),
    "style": re.compile("</[sS][tT][yY][lL][eE](?=[\\s/>])"),
}
BEFORE_ATTRIBUTE = frozenset(" \t\n\f\r/")
ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
HEAD = re.compile(r"<head(?=[\s>])[^>]*>", re.IGNORECASE)
CHARSET = re.compile(r"<meta\s[^>]*\bcharset\s*=[^>]*>", re.IGNORECASE)
# The first script, or the end of <head>: the policy must come before both.
HEAD_SCRIPT = re.compile(r"<script|</head", re.IGNORECASE)

# The site's directives with the writer's sources, from on_config.
_directives: dict[str, tuple[str, ...]] = dict(BASE)
# Pages of this build that could not take the policy, with why. Reported
# after the build (`on_post_build`): an error while MkDocs builds a page
# would print a second line of its own.
_refused: list[str] = []


def on_config(config: MkDocsConfig) -> MkDocsConfig | None:
    try:
        extra = check_extra(config.extra.get("csp"))
    except ValueError as error:
        raise PluginError(str(error)) from None
    _directives.clear()
    _directives.update(widened(BASE, extra))
    _refused.clear()
    return None


# Last, after every other hook and plugin has changed the page.
@event_priority(-100)
def on_post_page(output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
    return with_page_policy(output, page.file.src_uri)


@event_priority(-100)
def on_post_template(output_content: str, /, *, template_name: str,
                     config: MkDocsConfig) -> str | None:
    if not template_name.endswith(".html"):
        return None
    return with_page_policy(output_content, template_name)


def on_post_build(*, config: MkDocsConfig) -> None:
    if _refused:
        more = f" (and {len(_refused) - 1} more pages)" if len(_refused) > 1 else ""
        raise PluginError(_refused[0] + more)
    return None


def with_page_policy(output: str, name: str) -> str | None:
    """`output` with its policy. The policy (finding and hashing the inline
    code) is kept by the page's bytes and the site's directives (hooks/
    cache.py's "csp" table), so that an unchanged page costs a look-up."""
    serving = blog_posts.serving()
    directives = tuple(_directives.items())
    if serving:
        # `mkdocs serve` keeps each page's last bytes, which a save mostly
        # leaves as they were: comparing them costs less than a digest.
        # The page with its policy is kept too.
        memo = cache.table("csp-by-page")
        kept = memo.get(name)
        if kept is not None and kept[0] == directives and kept[1] == output:
            return kept[3]
        text = policy(_directives, page_hashes(output), serving=serving)
        try:
            written = with_policy(output, text)
        except ValueError as error:
            _refused.append(f"{name}: {error}")
            return None
        memo.put(name, (directives, output, text, written))
        return written
    else:
        memo = cache.table("csp")
        key = cache.digest((output, serving, directives))
        text = memo.get(key)
        if text is None:
            text = policy(_directives, page_hashes(output), serving=serving)
            memo.put(key, text)
    try:
        return with_policy(output, text)
    except ValueError as error:
        _refused.append(f"{name}: {error}")
        return None


# -- Pure helpers -------------------------------------------------------------


def check_extra(value: object) -> dict[str, tuple[str, ...]]:
    """The writer's `extra.csp`: directive -> sources, or ValueError naming
    the key, what was found and what is expected."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"extra.csp: found {value!r}; expected a mapping of directive to "
                         f"{EXAMPLE}, such as frame-src")
    checked = {}
    for name, sources in value.items():
        key = f"extra.csp.{name}"
        if name in META_IGNORES:
            raise ValueError(f"{key}: found a directive that a <meta> policy cannot set; "
                             "expected one of " + ", ".join(sorted(WIDENABLE)))
        if name not in WIDENABLE:
            close = [] if name in BASE else difflib.get_close_matches(str(name), WIDENABLE, n=1)
            raise ValueError(f"{key}: found a directive that extra.csp does not widen; "
                             + (f"expected `{close[0]}`" if close else "expected one of "
                                + ", ".join(sorted(WIDENABLE))))
        if not isinstance(sources, list) or not sources:
            raise ValueError(f"{key}: found {sources!r}; expected {EXAMPLE}")
        for source in sources:
            if isinstance(source, str) and source.lower() in KEYWORDS:
                raise ValueError(f"{key}: found {source!r}; expected it in single quotes, "
                                 f"as \"'{source}'\"")
            if source == "'unsafe-inline'":
                raise ValueError(f"{key}: found \"'unsafe-inline'\", which a page's hashes turn "
                                 f"off; expected {EXAMPLE} (the build hashes inline code)")
            if not isinstance(source, str) or not SOURCE.fullmatch(source):
                raise ValueError(f"{key}: found {source!r}; expected {EXAMPLE}")
        checked[name] = tuple(sources)
    return checked


def widened(base: dict[str, tuple[str, ...]],
            extra: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """`base` with the writer's sources added. A directive that `base`
    leaves to default-src starts from default-src's sources; 'none' gives
    way to the first source added."""
    directives = dict(base)
    for name, sources in extra.items():
        own = directives.get(name, base["default-src"])
        own = () if own == (NONE,) else own
        directives[name] = tuple(dict.fromkeys((*own, *sources)))
    return directives


class Inline(NamedTuple):
    """What a page has inline: the text of its scripts that run, of its
    <style> elements and of its style attributes (or their hash sources)."""

    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    style_attributes: tuple[str, ...] = ()


def policy(directives: dict[str, tuple[str, ...]], hashes: Inline,
           serving: bool = False) -> str:
    """The policy text: `directives`, with script-src allowing the inline
    scripts' hashes (every inline script if `serving`), style-src the
    <style> elements' and style-src-attr the style attributes' (CSP allows
    attributes by hash only beside 'unsafe-hashes')."""
    added = {
        "script-src": ("'unsafe-inline'",) if serving else hashes.scripts,
        "style-src": hashes.styles,
        "style-src-attr": ("'unsafe-hashes'", *hashes.style_attributes)
        if hashes.style_attributes else (),
    }
    added["script-src-elem"], added["style-src-elem"] = added["script-src"], added["style-src"]
    sources = dict(directives)
    if added["style-src-attr"] and "style-src-attr" not in sources:
        sources["style-src-attr"] = ()
    return "; ".join(" ".join((name, *own, *added.get(name, ())))
                     for name, own in sources.items())


def inline_code(html: str) -> Inline:
    """The inline scripts that a browser runs, <style> elements that it
    applies and style attributes in `html`, in order, with line breaks
    normalized and (in attributes) character references decoded as the
    HTML parser does."""
    scripts, styles, outside, end = [], [], [], 0
    for start, stop, tag, attributes, text in elements(html):
        outside.append(html[end:start])
        end = stop
        if tag is None:
            continue
        if tag.lower() == "script":
            if runs(attributes):
                scripts.append(newlines(text))
        elif applies(attributes):
            styles.append(newlines(text))
    outside.append(html[end:])
    return Inline(tuple(scripts), tuple(styles), tuple(style_attributes(" ".join(outside))))


def elements(html: str):
    """ELEMENT.finditer(html) as (start, end, tag, attributes, text): a
    comment's tag is None. ELEMENT is tried only where ELEMENT_START finds
    one can begin, and in parts: a comment ends at the first "-->"; a
    script's or style's start tag is START_TAG, its end the first END_TAG
    after it (a name not in ASCII, such as "ſcript", is left to ELEMENT).
    The lazy `(.*?)</\\1` of ELEMENT tried an end tag at every character
    of a script's text."""
    end = 0
    for start in ELEMENT_START.finditer(html):
        at = start.start()
        if at < end:  # inside the last match: finditer goes on after it
            continue
        found = element_at(html, at)
        if found is not None:
            yield found
            end = found[1]


def element_at(html: str, at: int) -> tuple[int, int, str | None, str, str] | None:
    """ELEMENT.match(html, at), as `elements` gives it."""
    if html.startswith("<!--", at):
        close = html.find("-->", at + 4)
        return None if close == -1 else (at, close + 3, None, None, None)
    tag = START_TAG.match(html, at)
    if tag is None:
        return None
    name = tag.group(1)
    ending = END_TAG.get(name.lower()) if name.isascii() else None
    if ending is None:
        match = ELEMENT.match(html, at)
        return None if match is None else (at, match.end(), *match.groups())
    closing = ending.search(html, tag.end())
    if closing is None:
        return None
    return (at, closing.end(), name, tag.group(2), html[tag.end():closing.start()])


def style_attribute_matches(html: str):
    """STYLE_ATTRIBUTE.finditer(html): the same matches, STYLE_ATTRIBUTE
    tried only where the text says "style" in some ASCII case. A text of
    one byte a character (Latin-1, ASCII's superset) is looked through as
    its bytes, in lower case (bytes.lower changes only A-Z, the very case
    folding of the pattern's "style"), whose offsets are the text's; any
    other text is searched by the pattern itself."""
    try:
        lowered = html.encode("latin-1").lower()
    except UnicodeEncodeError:
        yield from STYLE_ATTRIBUTE.finditer(html)
        return
    at = lowered.find(b"style")
    while at != -1:
        match = STYLE_ATTRIBUTE.match(html, at)
        if match is not None:
            yield match
            at = lowered.find(b"style", match.end())
        else:
            at = lowered.find(b"style", at + 1)


def style_attributes(html: str) -> list[str]:
    """The value of each style attribute in `html`, decoded."""
    values = []
    for match in style_attribute_matches(html):
        if match.start() == 0 or html[match.start() - 1] not in BEFORE_ATTRIBUTE:
            continue
        group = next(group for group in (1, 2, 3) if match.start(group) != -1)
        values.append(html_text.unescape(newlines(html[match.start(group):match.end(group)])))
    return values


def newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def attributes_of(attributes: str) -> dict[str, str]:
    """A start tag's attributes (its text after the tag name), the first of
    each name, values decoded."""
    found: dict[str, str] = {}
    for name, *values in ATTRIBUTE.findall(attributes):
        found.setdefault(name.lower(), html_text.unescape("".join(values)))
    return found


def runs(attributes: str) -> bool:
    """Whether a script element with these attributes (the text of its
    start tag after `<script`) runs its own text: it has no src, and its
    type (or language) is JavaScript, a module, an import map or rules."""
    found = attributes_of(attributes)
    if "src" in found:
        return False
    if "type" in found:
        kind = found["type"]
        return kind == "" or kind.strip(" \t\n\f\r").lower() in JAVASCRIPT
    language = found.get("language", "")
    return language == "" or f"text/{language}".lower() in JAVASCRIPT


def applies(attributes: str) -> bool:
    """Whether a style element with these attributes is CSS a browser
    applies: its type is absent, empty or text/css."""
    return attributes_of(attributes).get("type", "").lower() in ("", "text/css")


def sha256_source(text: str) -> str:
    """The CSP hash source of a script's or style's text: 'sha256-<base64>'."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def page_hashes(html: str) -> Inline:
    """The hash sources of everything inline in `html`, once each."""
    return Inline(*(tuple(dict.fromkeys(map(sha256_source, texts)))
                    for texts in inline_code(html)))


def with_policy(html: str, text: str) -> str:
    """`html` with a CSP <meta> holding `text` right after its <meta charset>
    (or its <head> start tag), so before anything the policy governs."""
    head = HEAD.search(html)
    if head is None:
        raise ValueError("found no <head> to put the Content Security Policy in; "
                         "expected a page extending Material's base.html")
    at = head.end()
    charset = CHARSET.search(html, at)
    script = HEAD_SCRIPT.search(html, at)
    if charset and (script is None or charset.start() < script.start()):
        at = charset.end()
    content = text.replace("&", "&amp;").replace('"', "&quot;")
    meta = f'\n<meta http-equiv="Content-Security-Policy" content="{content}">'
    return html[:at] + meta + html[at:]
