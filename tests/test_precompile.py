"""hooks/precompile.py: templates compiled beside a cold build are used only
where they are what the build's own environment would compile, and the site
is the same either way.

The pure parts run on a small theme folder of the test's own; the builds are
real `mkdocs build -v` runs, whose debug lines say whether the compiled
templates came back.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from markupsafe import escape
from precompile import (
    Precompiled,
    compile_all,
    describe,
    lookups_hold,
    reachable,
    settings,
    usable,
)

from support import add_hook, copy_project, files_of, fixture_posts, verbose_build

COMPILED_BESIDE = "templates compiled beside the build"
# A writer's hook that replaces the `e` filter, after the templates were
# compiled beside the build, with one that Jinja passes the context to: code
# compiled for the old one would call it without the context.
ESCAPE_HOOK = """from jinja2 import pass_context
from markupsafe import escape


def on_env(env, config, files):
    @pass_context
    def e(context, value):
        return escape(value)

    env.filters["e"] = e
    env.filters["escape"] = e
    return env
"""


def theme(folder: Path, templates: dict[str, str]) -> jinja2.Environment:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in templates.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), auto_reload=False)


TEMPLATES = {
    "main.html": '{% include "partials/a.html" %}|{% import "partials/m.html" as m %}'
                 '{{ m.shout(name) }}|{% include "partials/" ~ part ~ ".html" %}',
    "partials/a.html": "A {{ name | e }}",
    "partials/m.html": "{% macro shout(x) %}{{ x | upper }}!{% endmacro %}",
    "partials/b.html": "B",
}


def test_reachable_follows_constant_includes_imports_and_extends_once_each(tmp_path):
    environment = theme(tmp_path, TEMPLATES)
    names = [name for name, *_ in reachable(environment, ["main.html", "partials/a.html"])]
    # The include by a name made at render time is the build's to compile.
    assert names == ["main.html", "partials/a.html", "partials/m.html"]


def test_a_missing_or_broken_template_is_left_to_the_build(tmp_path):
    environment = theme(tmp_path, {"main.html": '{% include "gone.html" %}',
                                   "bad.html": "{% if %}"})
    assert [name for name, *_ in reachable(environment, ["main.html", "bad.html"])] == [
        "main.html"]


def test_precompiled_code_renders_what_the_build_would_and_is_kept_for_the_next(tmp_path):
    made = compile_all(theme(tmp_path / "theme", TEMPLATES), ["main.html"])
    assert len(made) == 3
    environment = theme(tmp_path / "theme", {})
    (tmp_path / "jinja").mkdir()
    cache = Precompiled(str(tmp_path / "jinja"), environment)
    cache.made = usable((settings(environment), made), environment)
    environment.bytecode_cache = cache
    context = {"name": "<x>", "part": "b"}
    assert environment.get_template("main.html").render(context) == "A &lt;x&gt;|<X>!|B"
    # main.html and its two partials came compiled; b.html was compiled here.
    assert cache.used == 3
    assert len(list((tmp_path / "jinja").iterdir())) == 4


def test_a_template_whose_source_changed_since_is_compiled_again(tmp_path):
    made = compile_all(theme(tmp_path / "theme", TEMPLATES), ["partials/a.html"])
    environment = theme(tmp_path / "theme", {"partials/a.html": "New {{ name }}"})
    (tmp_path / "jinja").mkdir()
    cache = Precompiled(str(tmp_path / "jinja"), environment)
    cache.made = usable((settings(environment), made), environment)
    environment.bytecode_cache = cache
    assert environment.get_template("partials/a.html").render(name="n") == "New n"
    assert cache.used == 0


def test_templates_compiled_with_other_settings_are_not_used(tmp_path):
    compiling = theme(tmp_path / "theme", TEMPLATES)
    made = compile_all(compiling, ["main.html"])
    environment = theme(tmp_path / "theme", {})
    environment.trim_blocks = True
    assert settings(environment) != settings(compiling)
    assert usable((settings(compiling), made), environment) == {}


def test_a_filter_added_or_replaced_since_the_compiling_fails_the_lookups(tmp_path):
    made = compile_all(theme(tmp_path / "theme", {"t.html": "{{ x | e }}{% if y %}{{ y | date }}"
                                                            "{% endif %}"}), ["t.html"])
    [(_, lookups)] = made.values()
    environment = theme(tmp_path / "theme", {})
    # `date` was missing where the template was compiled.
    assert lookups["filters"]["date"] is None
    assert lookups_hold(lookups, environment)
    environment.filters["date"] = str
    assert not lookups_hold(lookups, environment)
    del environment.filters["date"]
    environment.filters["e"] = jinja2.pass_context(lambda context, value: escape(value))
    assert not lookups_hold(lookups, environment)


@pytest.mark.parametrize(("function", "pass_arg"), [
    (str.upper, None),
    (jinja2.pass_context(lambda context, value: value), "context"),
    (jinja2.pass_environment(lambda environment, value: value), "environment"),
])
def test_describe_says_what_jinja_passes_a_filter(function, pass_arg):
    assert describe(function)[0] == pass_arg


def test_describe_tells_two_partials_of_one_function_apart():
    import functools

    assert describe(functools.partial(round, ndigits=1)) != describe(
        functools.partial(round, ndigits=2))
    assert describe(None) is None


def blog(target: Path) -> Path:
    project = copy_project(target)
    fixture_posts(project)
    return project


def test_a_cold_build_uses_templates_compiled_beside_it_and_writes_the_same_site(tmp_path):
    cold = verbose_build(blog(tmp_path / "fanned"), tmp_path / "site-fanned")
    assert cold.returncode == 0, cold.stderr
    assert COMPILED_BESIDE in cold.stderr
    alone = verbose_build(blog(tmp_path / "single"), tmp_path / "site-single", fan_out="0")
    assert alone.returncode == 0, alone.stderr
    assert COMPILED_BESIDE not in alone.stderr
    assert files_of(tmp_path / "site-fanned") == files_of(tmp_path / "site-single")


def test_a_warm_build_finds_its_templates_compiled_and_starts_no_compiling(tmp_path):
    project = blog(tmp_path / "blog")
    assert verbose_build(project, tmp_path / "cold").returncode == 0
    warm = verbose_build(project, tmp_path / "warm")
    assert warm.returncode == 0, warm.stderr
    assert COMPILED_BESIDE not in warm.stderr
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")


def test_a_filter_a_hook_replaces_at_on_env_gets_templates_compiled_for_it(tmp_path):
    project = blog(tmp_path / "blog")
    add_hook(project, "zz_escape.py", ESCAPE_HOOK)
    result = verbose_build(project, tmp_path / "site")
    # Code compiled for the old filter would have called the new one without
    # its context (a TypeError, and a failed build).
    assert result.returncode == 0, result.stderr
    assert COMPILED_BESIDE in result.stderr
    alone = verbose_build(project, tmp_path / "site-alone", fan_out="0")
    assert alone.returncode == 0, alone.stderr
    assert files_of(tmp_path / "site") == files_of(tmp_path / "site-alone")
