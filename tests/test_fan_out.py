"""hooks/fan_out.py: a cold build whose posts are read by worker processes
is the same site, byte for byte, as one read by the build's process alone,
and warns as that one does.

Builds run with `-v`, whose debug lines say how the posts were shared out,
so that each test knows the workers did take part.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from fan_out import entries_since, split, worker_count
from mkdocs.exceptions import PluginError

from support import add_hook, copy_project, files_of, fixture_posts, verbose_build, write_post

# A post's body with what the Markdown of posts holds: headings, links to
# other posts, code, a footnote, a table.
BODY = """Text of post {n}, with *emphasis* and a [link to the last one](text-{prev:02d}.md).

## A heading of post {n}

```python
print({n})
```

A footnote.[^1]

| a | b |
| - | - |
| {n} | {prev} |

[^1]: The note of post {n}.
"""
TEXT_POSTS = 30


def text_posts(project: Path) -> None:
    """Posts without images (a worker reads them to the end), linking to each other."""
    for number in range(TEXT_POSTS):
        write_post(project, f"text-{number:02d}",
                   f"title: Text post {number:02d}\ndescription: Text {number}.\n"
                   f"date: 2022-{number % 12 + 1:02d}-{number % 27 + 1:02d}\ntags: [text]",
                   BODY.format(n=number, prev=(number - 1) % TEXT_POSTS))


def blog(target: Path) -> Path:
    project = copy_project(target)
    fixture_posts(project)
    text_posts(project)
    return project


def workers_reported(result: subprocess.CompletedProcess) -> int:
    """How many workers handed their entries back, by the build's debug lines."""
    return sum("A worker read" in line for line in (result.stdout + result.stderr).splitlines())


def indexed_ahead(result: subprocess.CompletedProcess) -> int:
    """How many pages' search entries the card worker made (hooks/ahead.py)."""
    found = re.findall(r"The card worker made the search entries of (\d+) pages",
                       result.stdout + result.stderr)
    return sum(map(int, found))


def test_fanned_out_cold_build_writes_the_same_site_as_one_process(tmp_path):
    fanned = blog(tmp_path / "fanned")
    single = blog(tmp_path / "single")
    cold = verbose_build(fanned, tmp_path / "site-fanned", "2")
    assert cold.returncode == 0, cold.stderr
    assert workers_reported(cold) == 2, cold.stderr
    # Every post's search entries came from the card worker.
    published = len(list((tmp_path / "site-fanned" / "posts").glob("*/index.html")))
    assert indexed_ahead(cold) == published > 30, cold.stderr
    alone = verbose_build(single, tmp_path / "site-single", "0")
    assert alone.returncode == 0, alone.stderr
    assert workers_reported(alone) == 0
    assert indexed_ahead(alone) == 0
    expected = files_of(tmp_path / "site-single")
    assert "sitemap.xml" in expected and "search/search_index.json" in expected
    found = files_of(tmp_path / "site-fanned")
    assert found.keys() == expected.keys()
    assert [name for name in expected if found[name] != expected[name]] == []


def test_warm_build_after_a_fanned_out_one_is_the_same_site_and_starts_no_worker(tmp_path):
    project = blog(tmp_path / "blog")
    cold = verbose_build(project, tmp_path / "cold", "2")
    assert cold.returncode == 0 and workers_reported(cold) == 2, cold.stderr
    warm = verbose_build(project, tmp_path / "warm", "2")
    assert warm.returncode == 0, warm.stderr
    assert "posts to render" not in warm.stdout + warm.stderr
    # Every card is cached: a process of their own copies them into the site.
    assert "cached cards copied into the site by a process of their own" in warm.stderr
    assert "cached cards copied" not in cold.stderr
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")


def test_broken_link_in_a_post_a_worker_read_warns_once_and_fails_strict(tmp_path):
    project = blog(tmp_path / "blog")
    # Last in MkDocs' reading order, so in the worker's share.
    write_post(project, "zz-broken", "title: Broken\ndescription: D.\ndate: 2022-05-05",
               "A [link to nowhere](missing-post.md).")
    result = verbose_build(project, tmp_path / "site", "1")
    output = result.stdout + result.stderr
    assert workers_reported(result) == 1, output
    warned = [line for line in output.splitlines()
              if "WARNING" in line and "missing-post.md" in line]
    assert len(warned) == 1, output
    assert result.returncode == 1 and "Aborted with 1 warnings in strict mode" in output, output


@pytest.mark.parametrize(("setting", "cpus", "workers"), [
    (None, 1, 0), (None, 2, 1), (None, 8, 7), ("", 4, 3), ("0", 8, 0), ("3", 1, 3),
])
def test_worker_count_is_one_per_cpu_but_one_unless_set(setting, cpus, workers):
    assert worker_count(setting, cpus) == workers


def test_worker_count_setting_that_is_no_number_stops_the_build():
    with pytest.raises(PluginError, match="EW_FAN_OUT: found 'two'"):
        worker_count("two", 2)


@pytest.mark.parametrize(("weights", "parts", "runs"), [
    ([1] * 10, 2, [(0, 5), (5, 10)]),
    ([1] * 9, 3, [(0, 3), (3, 6), (6, 9)]),
    ([9, 1, 1, 1], 2, [(0, 1), (1, 4)]),
    ([1, 1], 4, [(0, 1), (1, 2)]),
    ([5], 2, [(0, 1)]),
])
def test_split_cuts_runs_of_about_equal_weight_none_empty(weights, parts, runs):
    assert split(weights, parts) == runs


# A hook that makes the worker slow: every post it reads takes a tenth of a
# second longer (the build's own process is the one that imported it).
SLOW_HOOK = """import os
import time

BUILD = os.getpid()


def on_pre_page(page, config, files):
    if os.getpid() != BUILD:
        time.sleep(0.1)
    return page
"""


def worker_reads(result: subprocess.CompletedProcess) -> list[tuple[int, int]]:
    """(posts read, posts it could read) of each worker that ended."""
    found = re.findall(r"A worker read (\d+) of the (\d+) posts it could",
                       result.stdout + result.stderr)
    return [(int(read), int(could)) for read, could in found]


def test_a_slow_worker_leaves_its_posts_to_the_build_and_the_site_is_the_same(tmp_path):
    slowed = blog(tmp_path / "slowed")
    add_hook(slowed, "zz_slow.py", SLOW_HOOK)
    result = verbose_build(slowed, tmp_path / "site-slowed", "1")
    assert result.returncode == 0, result.stderr
    [(read, could)] = worker_reads(result)
    # The build's own process did not wait for it: it read on into the
    # worker's share, and the worker stopped where the two met.
    assert could > TEXT_POSTS and read < could / 4, result.stderr
    alone = verbose_build(blog(tmp_path / "single"), tmp_path / "site-single", "0")
    assert alone.returncode == 0, alone.stderr
    assert files_of(tmp_path / "site-slowed") == files_of(tmp_path / "site-single")


def test_a_worker_reads_back_from_the_last_post_to_where_the_build_is(tmp_path):
    result = verbose_build(blog(tmp_path / "blog"), tmp_path / "site", "1")
    assert result.returncode == 0, result.stderr
    [(read, could)] = worker_reads(result)
    # Both read at about the same pace: neither reads every post.
    assert 0 < read < could, result.stderr


@pytest.mark.parametrize(("sent", "tables", "found", "after"), [
    ({}, {"a": {1: "x"}}, {"a": {1: "x"}}, {"a": 1}),
    ({"a": 1}, {"a": {1: "x", 2: "y", 3: "z"}}, {"a": {2: "y", 3: "z"}}, {"a": 3}),
    ({"a": 2}, {"a": {1: "x", 2: "y"}, "b": {}}, {}, {"a": 2, "b": 0}),
])
def test_entries_since_gives_each_tables_new_keys_and_moves_past_them(sent, tables, found, after):
    assert entries_since(sent, tables) == found
    assert sent == after


def _hang(*args) -> None:
    import time

    time.sleep(60)


def test_a_worker_that_does_not_end_once_every_post_is_read_is_stopped():
    import multiprocessing
    import time

    import cache
    from fan_out import Worker, _workers, finish

    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_hang, args=(sending,), daemon=True)
    process.start()
    sending.close()
    cache.clear()
    cache.begin_build("test")
    worker = Worker(process, receiving, 10)
    _workers.append(worker)
    start = time.monotonic()
    finish(worker, wait=0.5)
    assert time.monotonic() - start < 10
    assert not process.is_alive()
    assert worker not in _workers
    assert not any(cache._holder().tables.values())
    cache.clear()
