"""Incremental builds: unchanged pages are neither parsed nor segmented again, only new or
changed pages are; unchanged files keep their bytes, inode, mtime, ETag and Last-Modified;
parallel parsing and rendering give exactly the serial result; the CLI's summary line and
progress bar."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

from feeds.build import (
    build,
    build_page,
    collect,
    collect_report,
    default_store_path,
)
from feeds.publish import publish
from feeds.render import estimated_size
from feeds.site import SiteConfig, plan
from feeds.store import Store, StoredBody, StoreError
from feeds.topics import DEFAULT_PATH
from feeds.web import create_app

from .conftest import CORPUS, REPO

PAGES = sorted(p.name for p in CORPUS.glob("*.txt"))


def _seeds(tmp_path: Path, names: list[str]) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    for name in names:
        (seeds / name).write_bytes((CORPUS / name).read_bytes())
    return seeds


def _parses(store: Path) -> int:
    with Store(store) as st:
        return st.parses


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _stats(root: Path) -> dict[str, os.stat_result]:
    return {p.relative_to(root).as_posix(): p.stat() for p in root.rglob("*") if p.is_file()}


def test_unchanged_pages_are_not_parsed_again(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, PAGES[:4])
    store = tmp_path / "store.sqlite"
    first, stats = collect_report(seeds, store=store)
    assert stats.parsed == 4 and _parses(store) == 4
    again, stats = collect_report(seeds, store=store)
    assert stats.parsed == 0 and _parses(store) == 4
    assert again == first
    # a touched file (new mtime, same bytes) is hashed, not parsed
    page = next(seeds.iterdir())
    os.utime(page, ns=(1_000_000_000, 1_000_000_000))
    touched, stats = collect_report(seeds, store=store)
    assert stats.parsed == 0 and _parses(store) == 4 and touched == first


def test_adding_one_page_parses_only_that_page(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, PAGES[:3])
    store = tmp_path / "store.sqlite"
    before = collect(seeds, store=store)
    _seeds(tmp_path, [PAGES[3]])
    after, stats = collect_report(seeds, store=store)
    added = [it for it in after.items if it.article.source == PAGES[3]]
    assert (stats.pages, stats.parsed, stats.new, stats.changed) == (4, 1, len(added), 0)
    assert len(added) > 0 and _parses(store) == 4
    old = {it.id: it for it in before.items}
    assert {it.id for it in after.items} == set(old) | {it.id for it in added}
    for item in after.items:
        if item.id in old:
            assert item.article == old[item.id].article and item.tags == old[item.id].tags


def test_a_changed_page_is_the_only_one_parsed(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, PAGES[:3])
    store = tmp_path / "store.sqlite"
    collect(seeds, store=store)
    page = seeds / PAGES[1]
    page.write_bytes(page.read_bytes() + "\n".encode(page_encoding(page)))
    _, stats = collect_report(seeds, store=store)
    assert stats.parsed == 1 and stats.new == 0


def page_encoding(page: Path) -> str:
    try:
        page.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def test_a_removed_page_takes_its_articles_and_brings_them_back(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, PAGES[:3])
    store = tmp_path / "store.sqlite"
    before = collect(seeds, store=store)
    data = (seeds / PAGES[0]).read_bytes()
    (seeds / PAGES[0]).unlink()
    after, stats = collect_report(seeds, store=store)
    removed = [it for it in before.items if it.article.source == PAGES[0]]
    assert stats.gone == len(removed) > 0 and stats.parsed == 0
    assert len(after.items) == len(before.items) - len(removed)
    (seeds / PAGES[0]).write_bytes(data)
    back, stats = collect_report(seeds, store=store)
    assert stats.new == 0 and [it.id for it in back.items] == [it.id for it in before.items]


def test_new_topic_rules_reparse_every_page_and_keep_ids(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, PAGES[:2])
    store = tmp_path / "store.sqlite"
    before = collect(seeds, store=store)
    rules = tmp_path / "topics.toml"
    rules.write_bytes((REPO / DEFAULT_PATH).read_bytes() + b"\n# tuned\n")
    after, stats = collect_report(seeds, rules, store=store)
    assert (stats.parsed, stats.new, stats.changed) == (2, 0, 0)
    assert [it.id for it in after.items] == [it.id for it in before.items]


def test_full_rebuild_parses_everything_and_keeps_ids(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, PAGES[:2])
    store = tmp_path / "store.sqlite"
    before = collect(seeds, store=store)
    after, stats = collect_report(seeds, store=store, full=True)
    assert (stats.parsed, stats.new, stats.changed) == (2, 0, 0)
    assert after == before


def test_parallel_parsing_gives_the_serial_result(tmp_path: Path) -> None:
    assert len(PAGES) >= 8  # enough for the process pool
    serial = collect(CORPUS, workers=1)
    assert collect(CORPUS, workers=2) == serial
    stored = collect(CORPUS, store=tmp_path / "store.sqlite", workers=2)
    assert stored.items == serial.items


def test_parallel_rendering_writes_the_serial_tree(tmp_path: Path, corpus_collection) -> None:
    targets = plan(corpus_collection, SiteConfig(feed_limit=2))
    assert len(targets) >= 400  # enough for the forked renderers
    publish(targets, tmp_path / "one", workers=1)
    publish(targets, tmp_path / "two", workers=2)
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")


def test_a_lean_collection_reads_bodies_from_the_store_and_renders_the_same_site(
    tmp_path: Path, corpus_collection
) -> None:
    """A lean collection (what `feeds build` uses) keeps article metadata in memory and reads
    paragraphs from the store when a file is rendered, in the forked renderers too: the site
    is byte for byte the site of the collection that holds every body."""
    store = tmp_path / "store.sqlite"
    eager = collect(CORPUS, store=store)
    lean, _ = collect_report(CORPUS, store=store, lean=True)
    assert all(isinstance(it.article.paragraphs, StoredBody) for it in lean.items)
    assert lean.items == eager.items  # a StoredBody equals the paragraphs it stands for
    assert lean.sizes == {it.id: estimated_size(it) for it in eager.items}
    config = SiteConfig(feed_limit=2)
    targets = plan(lean, config)
    assert len(targets) >= 400  # enough for the forked renderers
    publish(plan(eager, config), tmp_path / "eager", workers=1)
    publish(targets, tmp_path / "lean", workers=2)
    assert _tree(tmp_path / "lean") == _tree(tmp_path / "eager")


def test_a_body_changed_under_a_lean_collection_is_a_clear_error(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, PAGES[:2])
    store = tmp_path / "store.sqlite"
    lean, _ = collect_report(seeds, store=store, lean=True)
    item = lean.items[0]
    with Store(store) as st, st.transaction():
        st.db.execute("UPDATE articles SET content_hash = 'x' WHERE id = ?", (item.id,))
    with pytest.raises(StoreError, match=f"article {item.id} changed while the site was built"):
        list(item.article.paragraphs)


def test_a_lean_load_reads_no_article_data_once_its_rows_are_kept(tmp_path: Path) -> None:
    """What a lean collection keeps of an article (metadata, summary, feed size) is saved
    beside the article when its page is saved: loading again reads none of the articles'
    data (here made unreadable), and gives the same items."""
    seeds = _seeds(tmp_path, PAGES[:3])
    store = tmp_path / "store.sqlite"
    first, _ = collect_report(seeds, store=store, lean=True)
    with Store(store) as st, st.transaction():
        st.db.execute("UPDATE articles SET data = X'00'")  # not zlib: reading it would fail
    again, stats = collect_report(seeds, store=store, lean=True)
    assert stats.parsed == 0
    assert [(it.id, it.article.title, it.summary, it.published) for it in again.items] == [
        (it.id, it.article.title, it.summary, it.published) for it in first.items
    ]
    assert again.sizes == first.sizes and len(again.sizes) == len(again.items)


def test_lean_rows_follow_edits_and_code_versions(tmp_path: Path, monkeypatch) -> None:
    seeds = _seeds(tmp_path, PAGES[:2])
    store = tmp_path / "store.sqlite"
    collect_report(seeds, store=store, lean=True)
    page = seeds / PAGES[0]
    text = page.read_bytes().decode(page_encoding(page))
    page.write_bytes(text.replace("。", "。新增的一句话。", 1).encode(page_encoding(page)))
    lean, _ = collect_report(seeds, store=store, lean=True)
    eager = collect(seeds, store=store)
    assert [(it.id, it.summary) for it in lean.items] == [(it.id, it.summary) for it in eager.items]
    assert any("新增的一句话" in it.summary for it in lean.items)
    # rows written by another version of the code are made again from the articles' data
    monkeypatch.setattr("feeds.build.lean_version", lambda: "another")
    with Store(store) as st, st.transaction():
        st.db.execute("UPDATE lean SET data = '{}'")  # unusable if it were read
    again, _ = collect_report(seeds, store=store, lean=True)
    assert [(it.id, it.summary) for it in again.items] == [
        (it.id, it.summary) for it in eager.items
    ]
    with Store(store) as st:
        versions = {v for (v,) in st.db.execute("SELECT version FROM lean")}
    assert versions == {"another"}
    # a load that remakes many rows saves them in batches as it goes (memory stays flat)
    monkeypatch.setattr("feeds.store.KEEP_BATCH", 1)
    monkeypatch.setattr("feeds.build.lean_version", lambda: "a third")
    third, _ = collect_report(seeds, store=store, lean=True)
    assert [(it.id, it.summary) for it in third.items] == [
        (it.id, it.summary) for it in eager.items
    ]
    with Store(store) as st:
        rows = st.db.execute("SELECT version, COUNT(*) FROM lean GROUP BY version").fetchall()
    assert dict(rows)["a third"] == len(third.items)


# -- files on disk and on the web -----------------------------------------------------------


def test_unchanged_files_keep_inode_mtime_etag_and_last_modified(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, PAGES[:3])
    out = tmp_path / "site"
    store = tmp_path / "store.sqlite"
    first = build(seeds, out, store=store)
    assert first.written == first.files
    before, old_tree = _stats(out), _tree(out)
    site_inode = out.stat().st_ino
    again = build(seeds, out, store=store)
    assert again.written == 0 and again.collected.parsed == 0
    assert out.stat().st_ino == site_inode, "nothing changed: the site is left as it is"
    assert {p: (s.st_ino, s.st_mtime_ns) for p, s in _stats(out).items()} == {
        p: (s.st_ino, s.st_mtime_ns) for p, s in before.items()
    }

    _seeds(tmp_path, [PAGES[3]])
    added = build(seeds, out, store=store)
    after, new_tree = _stats(out), _tree(out)
    assert added.collected.parsed == 1 and 0 < added.written < added.files
    kept = [p for p in new_tree if old_tree.get(p) == new_tree[p]]
    changed = [p for p in new_tree if p in old_tree and old_tree[p] != new_tree[p]]
    assert "feeds/all.rss" in changed and any(p.startswith("articles/") for p in kept)
    for path in kept:  # nginx: ETag = mtime-size, Last-Modified = mtime
        assert (after[path].st_mtime_ns, after[path].st_size) == (
            before[path].st_mtime_ns,
            before[path].st_size,
        )
        assert after[path].st_ino == before[path].st_ino
    for path in changed:
        assert after[path].st_ino != before[path].st_ino

    old_app = create_app({"COLLECTION": collect(seeds, store=store), "TESTING": True})
    (seeds / PAGES[3]).unlink()
    new_app = create_app({"COLLECTION": collect(seeds, store=store), "TESTING": True})
    old_tree_paths = [p for p in kept if p.startswith("articles/") and not p.endswith(".gz")]
    for path in old_tree_paths[:5]:
        a = old_app.test_client().get("/" + path)
        b = new_app.test_client().get("/" + path)
        assert a.status_code == b.status_code == 200
        assert a.headers["ETag"] == b.headers["ETag"]
        assert a.headers["Last-Modified"] == b.headers["Last-Modified"]


def test_build_page_builds_one_page_alone(tmp_path: Path) -> None:
    report = build_page(CORPUS / PAGES[0], tmp_path / "site")
    assert report.pages == 1 and report.articles > 0 and report.collected.parsed == 1
    articles = list((tmp_path / "site" / "articles").glob("*.html"))
    assert len(articles) == report.articles
    assert not default_store_path(CORPUS / PAGES[0]).exists()


# -- the command line -----------------------------------------------------------------------


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}


def test_cli_summary_line_and_no_progress_bar_off_a_terminal(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, PAGES[:3])
    args = [sys.executable, "-m", "feeds", "build", "--seeds", str(seeds), "--out", "site"]
    run = [subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=_clean_env())]
    _seeds(tmp_path, [PAGES[3]])
    run.append(subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=_clean_env()))
    assert [r.returncode for r in run] == [0, 0]
    assert "4 pages (1 parsed)" in run[1].stdout and "0 changed" in run[1].stdout
    assert "3 pages (3 parsed)" in run[0].stdout and "problems in" in run[0].stdout
    assert all(r.stderr == "" for r in run)  # quiet: no progress bar into a pipe or log
    assert (tmp_path / ".feeds" / "store.sqlite").exists()  # beside the seeds dir


@pytest.mark.skipif(not hasattr(pty, "openpty"), reason="needs a pseudo-terminal")
def test_cli_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, PAGES)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    args = [sys.executable, "-m", "feeds", "build", "--seeds", str(seeds), "--out", "site"]
    args += ["--workers", "1"]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=slave, cwd=tmp_path, env=_clean_env(), text=True
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    out, _ = proc.communicate(timeout=120)
    reader.join(10)
    os.close(master)
    terminal = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 0 and "pages" in out
    assert "\r" in terminal and f"/{len(PAGES)} [" in terminal and "page/s" in terminal


def test_keyed_targets_are_not_rendered_again_while_their_key_holds(tmp_path: Path) -> None:
    from feeds.site import Target

    out = tmp_path / "site"
    calls: list[str] = []

    def target(path: str, data: bytes, key: str | None) -> Target:
        def make() -> bytes:
            calls.append(path)
            return data

        return Target(path, make, key=key)

    first = [
        target("a.rss", b"A" * 100, "k1"),
        target("b.html", b"B", "k2"),
        target("c.json", b"C", None),
    ]
    publish(first, out)
    assert sorted(calls) == ["a.rss", "b.html", "c.json"]
    mtime = (out / "a.rss").stat().st_mtime_ns
    calls.clear()
    second = [
        target("a.rss", b"A" * 100, "k1"),
        target("b.html", b"B2", "k3"),
        target("c.json", b"C", None),
    ]
    assert publish(second, out) == 1
    assert sorted(calls) == ["b.html", "c.json"]  # a.rss: same key, not rendered
    assert (out / "a.rss").stat().st_mtime_ns == mtime
    assert _tree(out)["a.rss.gz"] and _tree(out)["b.html"] == b"B2"
    # a file changed behind the manifest's back is rendered again, whatever its key says
    (out / "a.rss").unlink()
    (out / "a.rss").write_bytes(b"tampered")
    calls.clear()
    publish(second, out)
    assert "a.rss" in calls and (out / "a.rss").read_bytes() == b"A" * 100


def test_publishing_touches_only_what_differs_from_the_standby(tmp_path: Path, monkeypatch) -> None:
    """The site a build replaces is kept as the standby and made a copy of the new site
    right after the swap; the next build writes into it. Files that are the same in both
    copies cost no file operation at all: publishing one changed file into a site of 50 is
    four operations (the file and its .gz, in the new site and then in the standby)."""
    import feeds.publish as pub
    from feeds.site import Target

    out = tmp_path / "site"
    standby = tmp_path / ".site.standby"
    placed: list[str] = []
    real_place, real_replace = pub._place, pub._replace_file
    monkeypatch.setattr(
        pub, "_place", lambda old, new, **kw: placed.append(new.name) or real_place(old, new, **kw)
    )
    monkeypatch.setattr(
        pub,
        "_replace_file",
        lambda path, data: placed.append(path.name) or real_replace(path, data),
    )

    def site(changed: dict[str, bytes]) -> list[Target]:
        files = {f"f{n:03}.html": b"page %d" % n for n in range(50)} | changed
        return [Target(p, (lambda d=d: d), key=repr(d)) for p, d in files.items()]

    publish(site({}), out, workers=1)
    assert _tree(standby) == _tree(out)  # a first site gets its standby at once
    publish(site({"f001.html": b"one"}), out, workers=1)
    assert _tree(standby) == _tree(out) and _tree(out)["f001.html"] == b"one"
    inodes = {p: s.st_ino for p, s in _stats(out).items()}
    assert inodes == {p: s.st_ino for p, s in _stats(standby).items()}, "hard links"
    placed.clear()
    assert publish(site({"f001.html": b"one", "f002.html": b"two"}), out, workers=1) == 1
    assert sorted(placed) == ["f002.html", "f002.html", "f002.html.gz", "f002.html.gz"]
    assert _tree(standby) == _tree(out) and _tree(out)["f002.html"] == b"two"
    placed.clear()
    publish(site({"f002.html": b"two"}), out, workers=1)  # f001 back to what it was
    assert sorted(placed) == ["f001.html", "f001.html", "f001.html.gz", "f001.html.gz"]
    fresh = tmp_path / "fresh"
    publish(site({"f002.html": b"two"}), fresh, workers=1)
    assert _tree(out) == _tree(fresh) == _tree(standby)
    # a sync cut short leaves the standby marked incomplete: the next build starts afresh
    monkeypatch.setattr(pub, "_catch_up", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        publish(site({"f003.html": b"three"}), out, workers=1)
    monkeypatch.undo()
    assert _tree(out)["f003.html"] == b"three"
    publish(site({"f003.html": b"three", "f004.html": b"four"}), out, workers=1)
    assert _tree(out) == _tree(standby) and _tree(out)["f004.html"] == b"four"


def test_keyed_incremental_builds_equal_a_fresh_build(tmp_path: Path) -> None:
    """Target keys never leave a file stale: after each change (pages added, a page edited,
    a page removed, another base URL), the incrementally built site is byte for byte the
    site a fresh build of the same collection writes into an empty directory."""
    seeds = _seeds(tmp_path, PAGES[:2])
    store = tmp_path / "store.sqlite"
    out = tmp_path / "site"
    config = SiteConfig(feed_limit=3)

    def check(step: str, cfg: SiteConfig = config) -> None:
        build(seeds, out, cfg, store=store)
        fresh = tmp_path / f"fresh-{step}" / "site"
        build(seeds, fresh, cfg, collection=collect(seeds, store=store))
        assert _tree(out) == _tree(fresh), step

    check("first")
    for n, name in enumerate(PAGES[2:6]):
        _seeds(tmp_path, [name])
        check(f"add-{n}")
    page = seeds / PAGES[3]
    text = page.read_bytes().decode(page_encoding(page))
    page.write_bytes(text.replace("。", "。\n", 1).encode(page_encoding(page)))
    check("edit")
    (seeds / PAGES[1]).unlink()
    check("remove")
    check("base-url", SiteConfig(feed_limit=3, base_url="https://news.example.org/qj"))


def test_a_build_that_would_change_nothing_does_not_load_the_archive(
    tmp_path: Path, monkeypatch
) -> None:
    """With no page changed since the site was published from the same store, settings and
    code, and every file as it was written, a build is done without collecting; any of
    those differing sends it down the full path (which finds what to do)."""
    import feeds.build as fb

    seeds = _seeds(tmp_path, PAGES[:3])
    store = tmp_path / "store.sqlite"
    out = tmp_path / "site"
    config = SiteConfig(feed_limit=3)
    first = build(seeds, out, config, store=store)
    before = _stats(out)
    real = fb.collect_report
    calls = []

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fb, "collect_report", counting)
    same = build(seeds, out, config, store=store)
    assert calls == [] and same.written == 0
    assert (same.pages, same.articles, same.files, same.problems) == (
        first.pages,
        first.articles,
        first.files,
        first.problems,
    )
    assert same.collected.parsed == 0 and same.collected.articles == first.articles
    assert _stats(out) == before

    build(seeds, out, SiteConfig(feed_limit=4), store=store)  # other settings
    assert len(calls) == 1
    build(seeds, out, SiteConfig(feed_limit=4), store=store)
    assert len(calls) == 1
    monkeypatch.setattr(fb, "render_version", lambda: "another renderer")
    build(seeds, out, SiteConfig(feed_limit=4), store=store)  # other code
    assert len(calls) == 2
    _seeds(tmp_path, PAGES[3:4])  # a new page: an incremental build (feeds.delta)
    added = build(seeds, out, SiteConfig(feed_limit=4), store=store)
    assert len(calls) == 2 and added.collected.parsed == 1 and added.written > 0
    (out / "index.html").unlink()  # a damaged site
    build(seeds, out, SiteConfig(feed_limit=4), store=store)
    assert len(calls) == 3 and (out / "index.html").exists()
    build(seeds, out, SiteConfig(feed_limit=4), store=tmp_path / "other.sqlite")  # other store
    assert len(calls) == 4


def test_a_rebuild_with_nothing_changed_still_repairs_a_damaged_site(tmp_path: Path) -> None:
    """The site is left alone only when every planned file is there as it was written: a
    deleted file, a deleted .gz or an edited file makes the build publish again."""
    seeds = _seeds(tmp_path, PAGES[:2])
    store = tmp_path / "store.sqlite"
    out = tmp_path / "site"
    build(seeds, out, store=store)
    good = _tree(out)
    for damage in ("feeds/all.rss", "feeds/all.rss.gz", "index.html"):
        path = out / damage
        if damage == "index.html":
            path.write_bytes(b"defaced")
        else:
            path.unlink()
        build(seeds, out, store=store)
        assert _tree(out) == good, damage


def test_a_full_rebuild_over_a_site_links_every_unchanged_file(tmp_path: Path, monkeypatch) -> None:
    """A full build over a published site (forked render processes, each reading the
    manifest entries of its own share, none read whole) renders only the feeds whose key
    moved; every other file is linked from the site as it is."""
    import feeds.site as fs
    from feeds.publish import SERIAL_FILES_BELOW

    log = tmp_path / "rendered.log"
    real = fs._render_page

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        with open(log, "a") as fh:  # the render processes are forked: a file counts for all
            fh.write("x\n")
        return real(*args, **kwargs)

    seeds = _seeds(tmp_path, PAGES[:16])
    out, store = tmp_path / "site", tmp_path / "store.sqlite"
    first = build(seeds, out, store=store, workers=2)
    assert first.files >= SERIAL_FILES_BELOW  # staged in forked processes
    before = {p: s.st_ino for p, s in _stats(out).items()}
    feeds = sum(p.endswith((".rss", ".atom", ".json")) for p in before)
    monkeypatch.setattr(fs, "_render_page", counted)
    _seeds(tmp_path, PAGES[16:17])  # something to publish, so the staging runs
    again = build(seeds, out, store=store, workers=2, full=True)
    assert again.collected.parsed == 17 and 0 < again.written < again.files // 2
    rendered = len(log.read_text().splitlines())
    assert 0 < rendered < feeds // 2, (rendered, feeds)  # unchanged feeds were not rendered
    after = {p: s.st_ino for p, s in _stats(out).items()}
    kept = [p for p, ino in after.items() if before.get(p) == ino]
    assert len(kept) >= len(before) - 2 * again.written  # a file and its .gz per written
