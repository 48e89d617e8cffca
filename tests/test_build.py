"""The static site: which files, deterministic bytes, stable ids, archives, tags, relative HTML
links, escaping, and atomic publishing (the old site survives a failed or killed build)."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

import feedparser
import lxml.html
import pytest

from feeds.build import build, collect
from feeds.publish import with_gzip, write_site
from feeds.site import FORMATS, Collection, SiteConfig, build_site, url_path

from .conftest import SEEDS

FEED_TOPICS = ("all", "party", "government", "volunteers", "other")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# -- what is built --------------------------------------------------------------------------


def test_site_has_every_feed_page_and_opml(seed_collection: Collection) -> None:
    files = build_site(seed_collection, SiteConfig())
    expected = {f"feeds/{t}.{fmt}" for t in FEED_TOPICS for fmt in FORMATS}
    expected |= {f"articles/{it.id}.html" for it in seed_collection.items}
    expected |= {f"topics/{t}.html" for t in FEED_TOPICS}
    expected |= {"index.html", "feeds.opml", "static/style.css"}
    assert expected <= set(files)
    assert len(seed_collection.items) >= 1


def test_same_input_gives_identical_bytes_in_process(seed_collection: Collection) -> None:
    config = SiteConfig(feed_limit=2)
    assert build_site(seed_collection, config) == build_site(seed_collection, config)


def test_two_cli_builds_are_byte_identical_across_processes(tmp_path: Path) -> None:
    """Separate processes with different hash seeds: no set/dict order leaks into output."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"site{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env = {k: v for k, v in env.items() if not k.startswith("FEEDS_")}
        subprocess.run(
            [sys.executable, "-m", "feeds", "build", "--seeds", str(SEEDS), "--out", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
        outs.append(_tree(out))
    assert any(p.startswith("feeds/") for p in outs[0])
    assert outs[0] == outs[1]


def test_ids_are_stable_across_collects_and_base_urls(seed_collection: Collection) -> None:
    again = collect(SEEDS)
    assert [it.id for it in again.items] == [it.id for it in seed_collection.items]
    a = build_site(seed_collection, SiteConfig(base_url="http://127.0.0.1:5000"))
    b = build_site(again, SiteConfig(base_url="https://news.example.org/qj/"))
    for fmt in ("rss", "atom"):
        fa = feedparser.parse(a[f"feeds/all.{fmt}"])
        fb = feedparser.parse(b[f"feeds/all.{fmt}"])
        ids_a = [e.id for e in fa.entries]
        assert ids_a == [e.id for e in fb.entries]
        assert len(set(ids_a)) == len(seed_collection.items)
        assert all("127.0.0.1" not in i and "example.org" not in i for i in ids_a)
        assert all(e.link.startswith("https://news.example.org/qj/articles/") for e in fb.entries)


def test_feeds_link_absolute_to_base_url(seed_collection: Collection) -> None:
    base = "https://news.example.org/qj"
    files = build_site(seed_collection, SiteConfig(base_url=base + "/"))
    parsed = feedparser.parse(files["feeds/party.atom"])
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == f"{base}/feeds/party.atom"
    assert links["alternate"] == f"{base}/topics/party.html"


def test_bad_base_url_is_a_config_error() -> None:
    from feeds.errors import ConfigError

    with pytest.raises(ConfigError):
        SiteConfig(base_url="example.org/feeds")


# -- archives (RFC 5005) --------------------------------------------------------------------


def _archive_chain(files: dict[str, bytes], config: SiteConfig, start: str) -> list:
    """Follow prev-archive links from a current feed; return the parsed documents."""
    docs = []
    path: str | None = start
    while path is not None:
        doc = feedparser.parse(files[path])
        assert not doc.bozo, path
        docs.append(doc)
        prev = [link.href for link in doc.feed.links if link.rel == "prev-archive"]
        path = unquote(prev[0].removeprefix(config.base_url + "/")) if prev else None
        assert len(docs) < 2000  # a loop guard
    return docs


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_archives_reach_back_to_the_oldest_item(corpus_collection: Collection, fmt: str) -> None:
    config = SiteConfig(feed_limit=4)
    files = build_site(corpus_collection, config)
    docs = _archive_chain(files, config, f"feeds/all.{fmt}")
    ids = [e.id for d in docs for e in d.entries]
    assert len(docs) == 1 + -(-(len(corpus_collection.items) - 4) // 4)
    assert len(ids) == len(set(ids)) == len(corpus_collection.items)
    assert all(len(d.entries) <= 4 for d in docs)
    # archive page 1 holds the oldest items
    oldest = min(corpus_collection.items, key=lambda it: it.published)
    assert docs[-1].entries[-1].id.endswith(oldest.id)
    assert f"feeds/all/archive/1.{fmt}" in files


def test_archive_pages_are_marked_and_link_to_current(corpus_collection: Collection) -> None:
    config = SiteConfig(feed_limit=4)
    files = build_site(corpus_collection, config)
    root = ET.fromstring(files["feeds/all/archive/1.atom"])
    fh = "{http://purl.org/syndication/history/1.0}archive"
    assert root.find(fh) is not None
    rels = {
        link.get("rel"): link.get("href")
        for link in root.findall("{http://www.w3.org/2005/Atom}link")
    }
    assert rels["current"] == f"{config.base_url}/feeds/all.atom"
    assert rels["next-archive"] == f"{config.base_url}/feeds/all/archive/2.atom"
    assert "prev-archive" not in rels
    assert ET.fromstring(files["feeds/all.atom"]).find(fh) is None


def test_older_archive_pages_do_not_change_when_news_arrives(make_item, make_collection) -> None:
    config = SiteConfig(feed_limit=2)
    items = [make_item(n) for n in range(1, 6)]
    before = build_site(make_collection(items), config)
    after = build_site(make_collection([*items, make_item(6)]), config)
    for fmt in FORMATS:
        assert before[f"feeds/all/archive/1.{fmt}"] == after[f"feeds/all/archive/1.{fmt}"]
        assert before[f"feeds/all.{fmt}"] != after[f"feeds/all.{fmt}"]


def test_json_archive_pages_chain_with_next_url(corpus_collection: Collection) -> None:
    import json

    config = SiteConfig(feed_limit=10)
    files = build_site(corpus_collection, config)
    doc = json.loads(files["feeds/all.json"])
    seen = [i["id"] for i in doc["items"]]
    while "next_url" in doc:
        doc = json.loads(files[unquote(doc["next_url"].removeprefix(config.base_url + "/"))])
        assert doc.get("expired") is True
        seen += [i["id"] for i in doc["items"]]
    assert len(seen) == len(set(seen)) == len(corpus_collection.items)


# -- tags -----------------------------------------------------------------------------------


def test_tag_feeds_for_tags_shared_by_two_articles(make_item, make_collection) -> None:
    items = [
        make_item(1, tags=("五城", "单独")),
        make_item(2, tags=("五城", "a/b")),
        make_item(3, tags=("a/b",)),
    ]
    files = build_site(make_collection(items), SiteConfig())
    assert {"tags/五城.rss", "tags/五城.atom", "tags/五城.json", "tags/五城.html"} <= set(files)
    assert not any(p.startswith("tags/单独") for p in files)
    assert not any("a/b" in p or "a%2Fb" in p for p in files)  # not a safe file name
    feed = feedparser.parse(files["tags/五城.atom"])
    assert not feed.bozo
    assert len(feed.entries) == 2
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == "http://127.0.0.1:5000/tags/%E4%BA%94%E5%9F%8E.atom"
    index = files["index.html"].decode()
    assert 'href="tags/%E4%BA%94%E5%9F%8E.html"' in index


def test_url_path_encodes_each_segment() -> None:
    assert url_path("tags/青年衢江.rss") == "tags/%E9%9D%92%E5%B9%B4%E8%A1%A2%E6%B1%9F.rss"
    assert url_path("feeds/all.rss") == "feeds/all.rss"
    assert url_path("tags/a b?.rss") == "tags/a%20b%3F.rss"


# -- HTML and OPML --------------------------------------------------------------------------


def test_html_links_are_relative_and_resolve_inside_the_site(
    corpus_collection: Collection,
) -> None:
    files = build_site(corpus_collection, SiteConfig(feed_limit=4))
    pages = [p for p in files if p.endswith(".html")]
    assert len(pages) > len(corpus_collection.items)
    for page in pages:
        doc = lxml.html.fromstring(files[page])
        assert doc.get("lang") == "zh-CN"
        for el, _attr, link, _pos in doc.iterlinks():
            if el.tag == "link" and el.get("rel") == "canonical":
                continue  # absolute by design (issue 5); tests/test_pages.py checks it
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc and not link.startswith("/"), link
            target = unquote(urlsplit(urljoin("http://x/" + url_path(page), link)).path)[1:]
            assert target in files, f"{page}: {el.tag} -> {link}"


def test_pages_escape_markup_from_the_input(make_item, make_collection) -> None:
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    items = [make_item(1, title=evil, body=evil, tags=(evil, "x")), make_item(2, tags=(evil,))]
    files = build_site(make_collection(items), SiteConfig())
    for path in ("index.html", "articles/0000000000000001.html", "topics/all.html"):
        doc = lxml.html.fromstring(files[path])
        assert doc.xpath("//script[not(@src)]") == []  # only the external static/copy.js
        assert doc.xpath("//img") == []
        assert evil in doc.text_content()
    for fmt in ("rss", "atom"):
        feed = feedparser.parse(files[f"feeds/all.{fmt}"])
        assert not feed.bozo
        assert feed.entries[-1].title == evil


def test_article_page_shows_the_article(seed_collection: Collection) -> None:
    files = build_site(seed_collection, SiteConfig())
    for item in seed_collection.items:
        doc = lxml.html.fromstring(files[f"articles/{item.id}.html"])
        text = doc.text_content()
        assert doc.xpath("string(//h1)") == item.article.title
        for para in item.article.paragraphs:
            assert para.text in text
        for author in item.article.authors:
            assert author in text
        assert item.article.source in text
        alt = doc.xpath("//link[@rel='alternate']/@href")
        assert f"../feeds/{item.primary_topic}.rss" in alt


def test_opml_lists_every_topic_feed(seed_collection: Collection) -> None:
    config = SiteConfig(base_url="https://example.org")
    files = build_site(seed_collection, config)
    root = ET.fromstring(files["feeds.opml"])
    urls = [o.get("xmlUrl") for o in root.iter("outline")]
    assert urls == [f"https://example.org/feeds/{t}.rss" for t in FEED_TOPICS]
    assert all(o.get("text") for o in root.iter("outline"))


# -- writing --------------------------------------------------------------------------------


def test_build_writes_site_with_gzip_copies(seed_collection: Collection, tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = build(SEEDS, out, SiteConfig(), collection=seed_collection)
    tree = _tree(out)
    assert report.articles == len(seed_collection.items)
    for path, data in tree.items():
        if path.endswith((".rss", ".atom", ".json")):
            assert gzip.decompress(tree[path + ".gz"]) == data
    assert oct(out.stat().st_mode & 0o777) == oct(0o777 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_unchanged_files_keep_their_mtime(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"a.rss": b"one", "b.rss": b"two"}, out)
    old = {p: (out / p).stat().st_mtime_ns for p in ("a.rss", "b.rss")}
    os.utime(out / "a.rss", ns=(1_000_000_000, 1_000_000_000))
    os.utime(out / "b.rss", ns=(1_000_000_000, 1_000_000_000))
    write_site({"a.rss": b"one", "b.rss": b"TWO"}, out)
    assert (out / "a.rss").stat().st_mtime_ns == 1_000_000_000
    assert (out / "b.rss").stat().st_mtime_ns >= old["b.rss"]
    assert (out / "b.rss").read_bytes() == b"TWO"


def test_failed_render_keeps_the_old_site(
    seed_collection: Collection, tmp_path: Path, make_item
) -> None:
    out = tmp_path / "site"
    build(SEEDS, out, SiteConfig(), collection=seed_collection)
    before = _tree(out)
    naive = replace(make_item(1), published=datetime(2024, 2, 19, 12, 0))  # rendering fails
    broken = replace(seed_collection, items=(*seed_collection.items, naive))
    with pytest.raises((TypeError, ValueError)):
        build(SEEDS, out, SiteConfig(), collection=broken)
    assert _tree(out) == before
    # no temporary directory left behind; the manifest of the published site's keys and
    # the standby (made with the first site; the build failed before it wrote) stay
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".site.lock",
        ".site.manifest.sqlite",
        ".site.standby",
        "site",
    ]
    assert _tree(tmp_path / ".site.standby") == before


def test_failed_write_midway_keeps_the_old_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"index.html": b"old", "feeds/all.rss": b"old feed"}, out)
    files = {"a.html": b"new", "feeds/all.rss": b"new feed", "feeds/all.rss/x": b"clash"}
    with pytest.raises(OSError):
        write_site(files, out)
    assert _tree(out) == {"index.html": b"old", "feeds/all.rss": b"old feed"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.manifest.sqlite", "site"]


def test_write_refuses_paths_outside_the_site(tmp_path: Path) -> None:
    from feeds.errors import FeedsError

    with pytest.raises(FeedsError):
        write_site({"../evil.txt": b"x"}, tmp_path / "site")
    assert not (tmp_path / "evil.txt").exists()


KILLED_BUILD = """
import sys, time
import feeds.publish as b
real_write = b._write_file
count = 0
def slow_write(path, data):
    global count
    count += 1
    real_write(path, data)
    if count == 5:
        print("midway", flush=True)
        time.sleep(60)
b._write_file = slow_write  # hold the build mid-way so the test can kill it
b.write_site({f"f{n:03}.rss": b"new" for n in range(20)}, sys.argv[1])
"""


def test_killed_build_leaves_old_site_and_next_build_cleans_up(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"f000.rss": b"old"}, out)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "midway"
        leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".site.tmp-")]
        assert len(leftovers) == 1 and any(leftovers[0].iterdir())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert _tree(out) == {"f000.rss": b"old"}
    time.sleep(0.01)
    write_site({"f000.rss": b"next"}, out)
    assert _tree(out) == {"f000.rss": b"next"}
    # the killed build's directory is gone; the site it replaced is the standby
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".site.manifest.sqlite",
        ".site.standby",
        "site",
    ]
    assert _tree(tmp_path / ".site.standby") == {"f000.rss": b"old"}


def test_with_gzip_adds_a_deterministic_copy_per_text_file() -> None:
    files = with_gzip({"feeds/a.rss": b"x" * 100, "static/logo.png": b"\x89PNG"})
    assert set(files) == {"feeds/a.rss", "feeds/a.rss.gz", "static/logo.png"}
    assert files["feeds/a.rss.gz"] == with_gzip({"feeds/a.rss": b"x" * 100})["feeds/a.rss.gz"]


# -- collecting -----------------------------------------------------------------------------


def test_collect_reports_bad_files_and_keeps_the_rest(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for page in SEEDS.glob("*.txt"):
        (seeds / page.name).write_bytes(page.read_bytes())
    (seeds / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (seeds / "empty.txt").write_bytes(b"")
    collection = collect(seeds)
    named = {Path(p.source).name for p in collection.problems}
    assert {"image.txt", "empty.txt"} <= named
    assert len(collection.items) == len(collect(SEEDS).items) > 0


def test_collect_missing_dir_is_an_input_error(tmp_path: Path) -> None:
    from feeds.errors import InputError

    with pytest.raises(InputError, match="missing"):
        collect(tmp_path / "missing")


def test_pages_with_one_name_in_different_folders_keep_apart(tmp_path: Path) -> None:
    """seeds/2024/01.txt and seeds/2025/01.txt: each article's source is its path under the
    seeds directory, so the two copies get distinct ids, not a -2 suffix that depends on order."""
    page = next(SEEDS.glob("*.txt")).read_bytes()
    for year in ("2024", "2025"):
        (tmp_path / "seeds" / year).mkdir(parents=True)
        (tmp_path / "seeds" / year / "01.txt").write_bytes(page)
    collection = collect(tmp_path / "seeds", store=tmp_path / "store.sqlite")
    sources = {item.article.source for item in collection.items}
    assert sources == {"2024/01.txt", "2025/01.txt"}
    ids = [item.id for item in collection.items]
    assert len(set(ids)) == len(ids) and not any("-" in i for i in ids)


def test_page_files_are_those_discover_finds_in_its_order(tmp_path: Path) -> None:
    """The build's scan of the seeds (one scandir per folder) finds what feeds.source.discover
    finds, in the same order, with keys relative to the seeds; links to folders are not
    followed (no loops)."""
    from feeds.build import page_files
    from feeds.source import discover

    seeds = tmp_path / "seeds"
    for rel in ("b.txt", "a.text", "2024/01.txt", "2024-x.txt", "2024/sub/9.txt", "note.md"):
        (seeds / rel).parent.mkdir(parents=True, exist_ok=True)
        (seeds / rel).write_text("x")
    (seeds / "2024" / "loop").symlink_to(seeds, target_is_directory=True)
    found = page_files(seeds)
    assert found == [(p, p.relative_to(seeds).as_posix()) for p in discover([seeds])]
    assert [key for _, key in found] == [
        "2024/01.txt",
        "2024/sub/9.txt",
        "2024-x.txt",
        "a.text",
        "b.txt",
    ]
