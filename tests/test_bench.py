"""`make bench` works: its quick mode (N = 10 and 100, one repeat, Pelican and
serve at N = 10) runs real builds of ours, of stock Material and of Pelican,
a profiled build and a real `mkdocs serve`, and writes its table, raw numbers
and plot. Timings are never asserted: they belong to the machine, not to the
code. Pelican's side (benchmarks/pelican.py) is checked on its own too: the
posts it is given and the pages and feeds it must make."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from support import ROOT, env

# benchmarks/pelican.py, under a name that cannot be taken for Pelican itself.
sys.path.insert(0, str(ROOT / "benchmarks"))
_SPEC = importlib.util.spec_from_file_location("bench_pelican", ROOT / "benchmarks" / "pelican.py")
peer = sys.modules["bench_pelican"] = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(peer)
from generate import generate  # noqa: E402

ATOM = "{http://www.w3.org/2005/Atom}"

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench-results")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--out", str(out)],
        cwd=ROOT, env=env(), capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return out


def table_rows(markdown: str) -> dict[int, list[str]]:
    """The results table's rows by N: the cells after the N."""
    rows = {}
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].replace(",", "").isdigit():
            rows[int(cells[0].replace(",", ""))] = cells[1:]
    return rows


def test_quick_bench_writes_a_row_per_size_with_ours_stock_and_pelican(results):
    rows = table_rows((results / "results.md").read_text(encoding="utf-8"))
    assert sorted(rows) == [10, 100]
    # ours s, stock s, ours / stock, pelican s, ours / pelican, warm s,
    # warm / stock, then peak MiB of ours, stock, pelican, then serve: body,
    # retag, retitle.
    assert min(float(cell) for cell in rows[10][:10]) > 0
    # Pelican is built at N = 10 only in quick mode; stock at both.
    (ours, stock, ratio, pelican, pelican_ratio, warm, warm_ratio,
     ours_mib, stock_mib, pelican_mib) = rows[100][:10]
    assert min(float(cell) for cell in (ours, stock, ratio, warm, warm_ratio,
                                         ours_mib, stock_mib)) > 0
    assert [pelican, pelican_ratio, pelican_mib] == ["-", "-", "-"]
    # Serve is measured at N = 10 only, for each kind of edit.
    assert min(float(cell) for cell in rows[10][10:13]) > 0
    assert rows[100][10:] == ["-", "-", "-"]


def test_quick_bench_reports_the_hook_share_and_top_hook_functions(results):
    markdown = (results / "results.md").read_text(encoding="utf-8")
    assert "Hooks: " in markdown and "at N = 100 under cProfile" in markdown
    assert "`hooks/" in markdown


def test_quick_bench_keeps_every_run_in_its_raw_numbers(results):
    run = json.loads((results / "results.json").read_text(encoding="utf-8"))
    assert {"date", "machine", "commit", "repeats", "sizes", "results"} <= run.keys()
    assert run["quick"] is True and run["sizes"] == [10, 100] and run["repeats"] == 1
    machine = {"cpu", "cores", "ram_gib", "python", "mkdocs", "mkdocs-material", "pelican"}
    assert machine <= run["machine"].keys()
    assert run["machine"]["pelican"] == "4.12.0"
    small, large = run["results"]
    for result, variants in ((small, ("ours", "stock", "pelican")), (large, ("ours", "stock"))):
        for variant in variants:
            assert len(result[variant]["runs"]) == 1
            assert result[variant]["median_seconds"] > 0
            assert result[variant]["median_peak_mib"] > 0
            assert result[variant]["runs"][0]["cpu_seconds"] > 0
            assert result[variant]["runs"][0]["peak_tree_mib"] > 0
    assert small["pelican_ratio"] > 0 and small["pelican"]["runs"][0]["reported_seconds"] > 0
    assert large["pelican"] is None and large["pelican_ratio"] is None
    assert set(small["serve"]) == {"post", "body", "retag", "retitle"}
    assert all(len(small["serve"][kind]["runs"]) == 1 for kind in ("body", "retag", "retitle"))
    assert len(small["warm"]["runs"]) == 1 and small["warm"]["median_seconds"] > 0
    assert large["serve"] is None and small["profile"] is None
    assert 0 < large["profile"]["share"] < 1 and large["profile"]["events"]
    assert len(large["profile"]["top"]) == 5


def test_quick_bench_draws_a_real_png(results):
    png = (results / "build-time.png").read_bytes()
    assert png.startswith(PNG_MAGIC)
    assert len(png) > 10_000


# -- measure.py -----------------------------------------------------------------

# Two worker processes that each hold 150 MiB at the same time.
TWO_WORKERS = """
import multiprocessing, time
def hold():
    block = bytearray(b"x") * (150 * 2**20)
    time.sleep(1.5)
if __name__ == "__main__":
    workers = [multiprocessing.get_context("fork").Process(target=hold) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
"""


def test_measure_counts_the_memory_of_every_process_of_a_command(tmp_path):
    script = tmp_path / "two_workers.py"
    script.write_text(TWO_WORKERS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "measure.py"), str(tmp_path / "log"),
         sys.executable, str(script)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    measured = json.loads(done.stdout)
    assert measured["returncode"] == 0 and measured["cpu_seconds"] > 0
    # Max RSS is the largest process's; the tree's peak holds both workers.
    assert 150 < measured["peak_mib"] < 250
    assert measured["peak_tree_mib"] > 300


# -- Pelican, the peer --------------------------------------------------------


def locked_versions(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return dict(re.findall(r"^([a-z0-9-]+)==([^ ]+) ", text, flags=re.MULTILINE))


def test_pelicans_environment_converts_with_the_sites_markdown_and_extensions():
    site = locked_versions(ROOT / "requirements.txt")
    pelican = locked_versions(ROOT / "requirements-pelican.txt")
    assert pelican["pelican"] == "4.12.0"
    for package in ("markdown", "pymdown-extensions"):
        assert pelican[package] == site[package], package


def test_a_post_keeps_its_body_and_gets_pelicans_metadata(tmp_path):
    source = generate(tmp_path / "docs", 12)[11]
    text = source.read_text(encoding="utf-8")
    converted, post = peer.convert(text)
    meta, body = peer.split_front_matter(text)
    header, _, rest = converted.partition("\n\n")
    assert header.splitlines() == [
        f"Title: {meta['title']}",
        f"Date: {meta['date'].isoformat()}",
        f"Tags: {', '.join(meta['tags'])}",
        f"Summary: {meta['description']}",
        f"Slug: {post.slug}",
    ]
    assert post.tags == tuple(meta["tags"]) and post.slug.endswith("-11")
    # The body is the same but for the image, linked as Pelican links files.
    assert "](../images/bench.png)" in body
    assert "\n" + rest == body.replace("](../images/", "]({static}/images/")


def test_pelican_gets_the_markdown_extensions_of_mkdocs_yml_with_their_settings():
    import yaml

    mkdocs = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    configs = peer.markdown_settings(mkdocs)["extension_configs"]
    names = [next(iter(e)) if isinstance(e, dict) else e for e in mkdocs["markdown_extensions"]]
    assert set(configs) == {*names, "toc", "tables", "fenced_code"}
    assert configs["toc"] == {"permalink": True}
    assert configs["pymdownx.tasklist"] == {"custom_checkbox": True}


@pytest.fixture(scope="module")
def pelican_site(tmp_path_factory) -> Path:
    """A real, checked Pelican build of 25 synthetic posts (benchmarks/pelican.py)."""
    work = tmp_path_factory.mktemp("pelican") / "work"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "pelican.py"), "25", "--keep", str(work)],
        cwd=ROOT, env=env(), capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["seconds"] > 0
    return work / "pelican-site"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_pelican_paginates_the_index_by_ten_with_links_to_page_two(pelican_site):
    assert len(soup(pelican_site / "index.html").select("article")) == 10
    assert len(soup(pelican_site / "page" / "2" / "index.html").select("article")) == 10
    assert len(soup(pelican_site / "page" / "3" / "index.html").select("article")) == 5
    assert not (pelican_site / "page" / "4").exists()
    links = [a["href"] for a in soup(pelican_site / "index.html").select("a")]
    assert "https://expectedwrong.github.io/expectedwrong/page/2/" in links


def test_pelican_makes_every_post_page_with_the_markdown_extensions_applied(pelican_site):
    pages = sorted((pelican_site / "posts").glob("*/index.html"))
    assert len(pages) == 25
    # toc's permalinks, pymdownx.highlight's code blocks, the resolved image.
    html = "".join(page.read_text(encoding="utf-8") for page in pages)
    assert 'class="headerlink"' in html and 'class="highlight"' in html
    assert 'src="https://expectedwrong.github.io/expectedwrong/images/bench.png"' in html
    assert (pelican_site / "images" / "bench.png").is_file()


def test_pelican_makes_a_page_and_a_feed_per_tag_and_the_site_feed(pelican_site):
    tags = sorted(path.parent.name for path in (pelican_site / "tags").glob("*/feed.xml"))
    assert len(tags) > 20
    index = soup(pelican_site / "tags" / "index.html").get_text()
    for tag in tags:
        page = soup(pelican_site / "tags" / tag / "index.html")
        feed = ET.parse(pelican_site / "tags" / tag / "feed.xml").getroot()
        assert feed.findall(f"{ATOM}entry") and tag in index
        assert page.select("article") or page.select("li")
    site_feed = ET.parse(pelican_site / "feed.xml").getroot()
    entries = site_feed.findall(f"{ATOM}entry")
    assert len(entries) == 20
    assert all(len(entry.find(f"{ATOM}content").text) > 1000 for entry in entries)


@pytest.fixture(scope="module")
def pelican_posts(tmp_path_factory) -> list:
    """What pelican_site was built from: the same 25 posts, converted."""
    docs = tmp_path_factory.mktemp("posts") / "docs"
    return [peer.convert(path.read_text(encoding="utf-8"))[1] for path in generate(docs, 25)]


def test_the_pelican_check_passes_a_whole_build_and_names_a_missing_page_two(
        pelican_site, pelican_posts, tmp_path):
    peer.check_site(pelican_site, pelican_posts)
    broken = tmp_path / "site"
    shutil.copytree(pelican_site, broken)
    shutil.rmtree(broken / "page" / "2")
    with pytest.raises(SystemExit, match=r"1 problems .* page/2/index.html is missing$"):
        peer.check_site(broken, pelican_posts)


def test_the_pelican_check_counts_the_entries_of_a_tag_feed(pelican_site, pelican_posts,
                                                             tmp_path):
    broken = tmp_path / "site"
    shutil.copytree(pelican_site, broken)
    tag = pelican_posts[0].tags[0]
    feed = broken / "tags" / tag / "feed.xml"
    tree = ET.parse(feed)
    entries = tree.getroot().findall(f"{ATOM}entry")
    tree.getroot().remove(entries[0])
    tree.write(feed)
    expected = f"tags/{tag}/feed.xml has {len(entries) - 1} entries, expected {len(entries)}$"
    with pytest.raises(SystemExit, match=expected):
        peer.check_site(broken, pelican_posts)
