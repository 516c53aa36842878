"""The private MkDocs internals the hooks reach into, pinned.

MkDocs 1.6.1 is the last 1.x release and ProperDocs 1.6.7 is its maintained
fork (README, Longevity): an upgrade of either may rename or change what
these underscore names do without notice. Each test here names the internal
and the hook that uses it, so such an upgrade fails with a message that says
what to look at, not with an AttributeError deep in a build. Every internal
is checked in both packages: `mkdocs.*` and `properdocs.*` (the modules that
ProperDocs serves when a hook imports `mkdocs.*`).

- hooks/posts.py `SharedParserPage.render` is a copy of `Page.render` that
  registers MkDocs' private processors `_RawHTMLPreprocessor`,
  `_ExtractAnchorsTreeprocessor`, `_RelativePathTreeprocessor` and
  `_ExtractTitleTreeprocessor` with their `._register(md)`, and sets
  `page._title_from_render`, which `Page.title` and hooks/blog.py read.
  (tests/test_posts.py checks that the copy renders posts exactly as
  `Page.render` does.)
- hooks/serve_reload.py clears `Hooks._load_hook`'s `functools.lru_cache`.
- hooks/serve_build.py follows `build`, `_build_page` and
  `_build_theme_template` (pinned by hash), calls `_populate_page`,
  `_build_template` and `get_context`, and sets `config._current_page`;
  hooks/preview.py replaces `mkdocs.commands.serve.build` (the global that
  serve's builder calls) and the server's `observer` and `builder`, and
  reads its `_watched_paths`; hooks/build_cache.py gives Material's
  `SearchIndex` an `add_entry_from_context` of its own and extends its
  `entries`.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import logging
import os

import pytest

ROOTS = ("mkdocs", "properdocs")
PROCESSORS = {
    # name: (base class in Python-Markdown, constructor parameters)
    "_RawHTMLPreprocessor": ("Preprocessor", []),
    "_ExtractAnchorsTreeprocessor": ("Treeprocessor", ["file", "files", "config"]),
    "_RelativePathTreeprocessor": ("Treeprocessor", ["file", "files", "config"]),
    "_ExtractTitleTreeprocessor": ("Treeprocessor", ["md"]),
}
# sha256 of the source of Page.render, which SharedParserPage.render copies from
# mkdocs 1.6.1. ProperDocs 1.6.7's differs in its config class's name and in
# one line: it sets `links_to_anchors` whatever the log level, where MkDocs
# and the copy set it only when the pages logger is above debug.
RENDER_SHA256 = {
    "mkdocs": "320529348f7a8af152073d0a3ab02960ccce91f9204716144e51b20931983cc6",
    "properdocs": "ee04724746238ac17c0004482b10be71d084369ec5be615642eedee83a9f6171",
}

DOCS = {
    "a.md": '# Alpha\n\n## Intro\n\n<a id="raw-anchor"></a>\n\n[to beta](b.md#there)\n',
    "b.md": "## There\n",
}


def module(root: str, name: str):
    return importlib.import_module(f"{root}.{name}")


def internal(root: str, where: str, name: str, user: str):
    """`root.where.name`, or a failure naming it and the hook that uses it."""
    owner = module(root, where)
    assert hasattr(owner, name), (
        f"{root}.{where}.{name} is gone in this {root}: {user} uses it; "
        "see README, Longevity")
    return getattr(owner, name)


def config_and_files(root: str, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    theme = tmp_path / "theme"
    theme.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    config = module(root, "config.defaults").MkDocsConfig(
        config_file_path=str(tmp_path / "mkdocs.yml"))
    config.load_dict({"site_name": "t", "docs_dir": str(docs), "site_dir": str(tmp_path / "s"),
                      "markdown_extensions": ["toc", "attr_list", "md_in_html"],
                      # No theme or plugin: ProperDocs' modules are used here
                      # directly, without its redirect of `mkdocs` imports.
                      "theme": {"name": None, "custom_dir": str(theme)}, "plugins": []})
    errors, _ = config.validate()
    assert not errors
    return config, module(root, "structure.files").get_files(config)


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize("name", sorted(PROCESSORS))
def test_the_private_page_processors_posts_registers_keep_their_shape(root, name):
    user = "hooks/posts.py SharedParserPage.render"
    processor = internal(root, "structure.pages", name, user)
    base, parameters = PROCESSORS[name]
    assert base in [cls.__name__ for cls in processor.__mro__], (
        f"{root}.structure.pages.{name} is no longer a Markdown {base}: {user}")
    found = list(inspect.signature(processor.__init__).parameters)[1:]
    assert found == parameters, (
        f"{root}.structure.pages.{name}({', '.join(found)}) takes other arguments "
        f"than ({', '.join(parameters)}): {user} makes one per page")
    assert callable(getattr(processor, "_register", None)), (
        f"{root}.structure.pages.{name}._register(md) is gone: {user} calls it")


@pytest.mark.parametrize("root", ROOTS)
def test_the_private_page_processors_still_find_title_anchors_and_links(root, tmp_path):
    """What SharedParserPage.render reads off the processors after a
    conversion: the first heading, the anchors in the page (from Markdown and
    from raw HTML) and the links to anchors in other pages."""
    import markdown

    config, files = config_and_files(root, tmp_path)
    pages = module(root, "structure.pages")
    a, b = files.get_file_from_path("a.md"), files.get_file_from_path("b.md")
    md = markdown.Markdown(extensions=config["markdown_extensions"])
    raw_html = pages._RawHTMLPreprocessor()
    raw_html._register(md)
    anchors = pages._ExtractAnchorsTreeprocessor(a, files, config)
    anchors._register(md)
    links = pages._RelativePathTreeprocessor(a, files, config)
    links._register(md)
    title = pages._ExtractTitleTreeprocessor()
    title._register(md)
    html = md.convert(DOCS["a.md"])
    assert 'href="../b/#there"' in html, f"{root}'s _RelativePathTreeprocessor: {html}"
    assert title.title == "Alpha", f"{root}'s _ExtractTitleTreeprocessor.title"
    assert raw_html.present_anchor_ids == {"raw-anchor"}, (
        f"{root}'s _RawHTMLPreprocessor.present_anchor_ids")
    assert {"alpha", "intro"} <= anchors.present_anchor_ids, (
        f"{root}'s _ExtractAnchorsTreeprocessor.present_anchor_ids")
    assert links.links_to_anchors == {b: {"there": "b.md#there"}}, (
        f"{root}'s _RelativePathTreeprocessor.links_to_anchors")


@pytest.mark.parametrize("root", ROOTS)
def test_page_render_is_still_the_method_shared_parser_page_copies(root):
    page = internal(root, "structure.pages", "Page", "hooks/posts.py")
    source = inspect.getsource(page.render)
    assert hashlib.sha256(source.encode()).hexdigest() == RENDER_SHA256[root], (
        f"{root}.structure.pages.Page.render has changed: hooks/posts.py "
        "SharedParserPage.render is a copy of mkdocs 1.6.1's; bring the copy in line "
        "with the new one, then update RENDER_SHA256 in tests/test_internals.py")


@pytest.mark.parametrize("root", ROOTS)
def test_page_title_still_comes_from_title_from_render(root, tmp_path):
    """Page.render keeps the first heading in `_title_from_render` and
    `Page.title` returns it; hooks/posts.py sets it, hooks/blog.py reads it."""
    config, files = config_and_files(root, tmp_path)
    page = module(root, "structure.pages").Page(None, files.get_file_from_path("a.md"), config)
    page.read_source(config)
    page.render(config, files)
    assert getattr(page, "_title_from_render", None) == "Alpha", (
        f"{root}'s Page.render no longer sets Page._title_from_render: "
        "hooks/posts.py sets it and hooks/blog.py reads it")
    page._title_from_render = "Set by a hook"
    assert page.title == "Set by a hook", (
        f"{root}'s Page.title no longer reads Page._title_from_render")


def test_page_render_still_checks_anchors_on_the_logger_posts_reads():
    """SharedParserPage.render keeps `links_to_anchors` only when Page.render
    would: when MkDocs' pages logger is above debug. ProperDocs logs under
    `properdocs.structure.pages` and makes `mkdocs` a child of `properdocs`,
    so the level of the name the hook reads follows it there too."""
    import posts

    pages = module("mkdocs", "structure.pages")
    assert posts.MKDOCS_PAGES_LOG is logging.getLogger(pages.log.name), (
        "mkdocs.structure.pages logs under another name: hooks/posts.py MKDOCS_PAGES_LOG")


@pytest.mark.parametrize("root", ROOTS)
def test_hooks_load_hook_still_caches_hook_modules_until_cleared(root, tmp_path):
    """Why hooks/serve_reload.py exists and what it calls: `Hooks._load_hook`
    returns the module it loaded first for the same path, even after the file
    changed, until `Hooks._load_hook.cache_clear()`."""
    user = "hooks/serve_reload.py"
    hooks = internal(root, "config.config_options", "Hooks", user)
    load = getattr(hooks, "_load_hook", None)
    assert load is not None, f"{root}'s Hooks._load_hook is gone: {user} clears its cache"
    assert callable(getattr(load, "cache_clear", None)), (
        f"{root}'s Hooks._load_hook is no longer an lru_cache: {user} calls its cache_clear()")
    hook = tmp_path / "ew_pinned_hook.py"
    hook.write_text("VERSION = 1\n", encoding="utf-8")
    option = hooks("plugins")
    name = f"ew_pinned_hook_{root}"
    try:
        first = option._load_hook(name, str(hook))
        hook.write_text("VERSION = 2\n", encoding="utf-8")
        assert option._load_hook(name, str(hook)) is first, (
            f"{root}'s Hooks._load_hook no longer caches: {user} may be unneeded")
        load.cache_clear()
        again = option._load_hook(name, str(hook))
        assert again is not first and again.VERSION == 2, (
            f"{root}'s Hooks._load_hook.cache_clear() no longer re-reads a hook: {user}")
    finally:
        load.cache_clear()
        importlib.sys.modules.pop(name, None)


# -- The serve engine (hooks/serve_build.py, hooks/preview.py, build_cache) ----

# sha256 of the MkDocs functions hooks/serve_build.py follows step for step
# (`_build` is `build`, `_page` is `_build_page`, `_theme_template` is
# `_build_theme_template`, collecting instead of writing).
FOLLOWED_SHA256 = {
    "mkdocs": {
        "build": "c476b64474acfaa20c08fdedc074238c6521bf320263065ee7de983ebf2032f9",
        "_build_page": "adcdbd14b236112697cafec9171bd281981f15a776e0d2f941a62e7bffd9a0d5",
        "_build_theme_template":
            "628a78f6a129c8a053a2f803990e8102540958d5e880ac0feae6c6c4ef544980",
    },
    "properdocs": {
        "build": "9ef8add479b2679c5c01df44e575bf6e6aee4ce76b5589501e85c1ee65ef4a2f",
        "_build_page": "a921d5be3f1bcca924d2c3442c443dcf32519dbec0021f9a6d26ec9d4e387f83",
        "_build_theme_template":
            "8f450ccd90a65f6506557a914e0f890ea1289e99ec0f870857259197993b7af8",
    },
}


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize("name", ["build", "_build_page", "_build_theme_template"])
def test_the_build_steps_serve_build_follows_are_unchanged(root, name):
    function = internal(root, "commands.build", name, "hooks/serve_build.py")
    source = inspect.getsource(function)
    assert hashlib.sha256(source.encode()).hexdigest() == FOLLOWED_SHA256[root][name], (
        f"{root}.commands.build.{name} has changed: hooks/serve_build.py follows mkdocs "
        "1.6.1's step for step; bring it in line, then update FOLLOWED_SHA256 in "
        "tests/test_internals.py")


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize("name", ["_populate_page", "_build_template", "get_context"])
def test_the_build_functions_serve_build_calls_keep_their_parameters(root, name):
    function = internal(root, "commands.build", name, "hooks/serve_build.py")
    expected = {
        "_populate_page": ["page", "config", "files", "dirty"],
        "_build_template": ["name", "template", "files", "config", "nav"],
        "get_context": ["nav", "files", "config", "page", "base_url"],
    }[name]
    assert list(inspect.signature(function).parameters) == expected, (
        f"{root}.commands.build.{name} takes other parameters now: hooks/serve_build.py "
        "calls it; see README, Longevity")


@pytest.mark.parametrize("root", ROOTS)
def test_serve_still_builds_through_its_module_global_build(root):
    serve = module(root, "commands.serve")
    source = inspect.getsource(serve.serve)
    assert hasattr(serve, "build") and "build(config, serve_url=" in source, (
        f"{root}.commands.serve no longer calls its module-global `build`: hooks/preview.py "
        "replaces that global so that `make serve` builds with hooks/serve_build.py")


@pytest.mark.parametrize("root", ROOTS)
def test_the_live_reload_server_keeps_its_watched_paths_observer_and_builder(root):
    server_class = internal(root, "livereload", "LiveReloadServer", "hooks/preview.py")
    server = server_class(builder=lambda: None, host="127.0.0.1", port=0, root=".")
    try:
        server.watch(".")
        assert dict(server._watched_paths) == {os.path.abspath("."): 1}, (
            f"{root}.livereload.LiveReloadServer._watched_paths changed: hooks/preview.py "
            "reads it to move the watches to the platform's file watcher")
        assert hasattr(server, "observer") and callable(server.builder), (
            f"{root}.livereload.LiveReloadServer has no `observer` or `builder`: "
            "hooks/preview.py replaces both")
    finally:
        server.server_close()


@pytest.mark.parametrize("root", ROOTS)
def test_the_config_still_carries_the_current_page(root):
    config = module(root, "config.defaults").MkDocsConfig()
    assert hasattr(config, "_current_page"), (
        f"{root}'s MkDocsConfig has no `_current_page`: hooks/serve_build.py sets it "
        "while a page builds, as `_build_page` does")


def test_material_search_index_still_collects_entries_per_page():
    from material.plugins.search.plugin import SearchIndex

    index = SearchIndex(lang=["en"], separator=" ", pipeline=[], fields={})
    assert index.entries == [] and callable(index.add_entry_from_context), (
        "Material's SearchIndex has no `entries` list or `add_entry_from_context`: "
        "hooks/build_cache.py's SearchMemo replaces the method on the instance and "
        "extends `entries`")


def test_material_search_strips_the_same_attributes_after_indexing_a_page():
    import inspect

    from material.plugins.search.plugin import SearchPlugin

    source = inspect.getsource(SearchPlugin.on_page_context)
    assert "self.search_index.add_entry_from_context(page)" in source and (
        r'r"\s?data-search-\w+=\"[^\"]+\""' in source), (
        "Material's search on_page_context no longer indexes the page and then strips "
        "`data-search-*` attributes with this pattern: hooks/build_cache.py's SearchContext "
        "takes its place in `config.plugins.events['page_context']` and does the same")


@pytest.mark.parametrize("content", [
    "<p>No attributes at all.</p>",
    '<h2 id="a" data-search-exclude="true">A</h2>\n<p data-search-boost="2">b</p>',
    '<p>data-search- as text, and <span\tdata-search-x="y">one</span></p>',
    "",
])
def test_search_attributes_go_as_materials_own_pattern_takes_them_out(content):
    import re

    from build_cache import without_search_attributes

    assert without_search_attributes(content) == re.sub(
        r"\s?data-search-\w+=\"[^\"]+\"", "", content)


def test_plugin_events_are_lists_of_bound_methods():
    from mkdocs.plugins import PluginCollection

    plugins = PluginCollection()
    assert isinstance(plugins.events.get("page_context"), list), (
        "MkDocs' PluginCollection.events is no dict of lists: hooks/build_cache.py replaces "
        "the search plugin's on_page_context in place")


def test_material_search_reads_only_these_front_matter_keys():
    import inspect
    import re

    import build_cache
    from material.plugins.search import plugin

    source = inspect.getsource(plugin.SearchIndex)
    read = set(re.findall(r"page\.meta\.get\(\s*\"(\w+)\"", source))
    assert read == set(build_cache.SEARCH_META) and "page.meta[" not in source, (
        f"Material's SearchIndex reads the front-matter keys {sorted(read)}: hooks/"
        "build_cache.py keys a page's search entries by SEARCH_META, which must list them all")
