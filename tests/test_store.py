"""The archive (feeds.store): immutable ids across re-parses and rebuilds, first-seen and
last-changed times, updates in the feeds, and the corrupt and locked store files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from feeds.build import collect, collect_report
from feeds.group import SHANGHAI, article_id
from feeds.model import Article, Page, Paragraph
from feeds.render import FeedSpec, render
from feeds.source import read_page
from feeds.store import Parsed, Store, StoreError, StoreLocked, jaccard, shingles

from .conftest import CORPUS, REPO, SEEDS

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=SHANGHAI)
T1 = T0 + timedelta(days=30)
T2 = T0 + timedelta(days=60)

BODY_A = "区委常委会召开会议，传达学习省委全会精神，研究部署下一阶段重点工作。会议强调要抓好落实。"
BODY_B = "全区志愿者走进社区开展环境整治活动，清理卫生死角，向居民宣传垃圾分类知识。"
BODY_C = "区政府常务会议研究了城市更新项目和农村公路建设，要求各部门加快推进进度。"


def _article(title: str, body: str, position: int, source: str = "p1.txt") -> Article:
    return Article(title=title, paragraphs=(Paragraph(body),), source=source, position=position)


def _parsed(articles: list[Article], path: str = "p1.txt", sha: str = "x") -> Parsed:
    page = Page(source=articles[0].source if articles else path, articles=tuple(articles))
    classes = tuple(("other", ("other",), ()) for _ in articles)
    return Parsed(path, 1, 1, sha, page, classes)


def _save(st: Store, articles: list[Article], now: datetime, path: str = "p1.txt") -> None:
    proposed = [article_id(a.source, a.title) for a in articles]
    with st.transaction():
        st.save(_parsed(articles, path), proposed, "engine", now)


def _ids(st: Store, path: str = "p1.txt") -> list[str]:
    return [r.id for r in st.records(path)]


@pytest.fixture()
def store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite") as st:
        yield st


# -- matching a re-parse to the previous articles --------------------------------------------


def test_first_save_gives_the_ids_of_feeds_group(store: Store) -> None:
    articles = [_article("区委常委会召开会议", BODY_A, 0), _article("志愿者进社区", BODY_B, 1)]
    _save(store, articles, T0)
    assert _ids(store) == [article_id("p1.txt", a.title) for a in articles]


def test_reparse_that_changes_the_title_keeps_the_id_and_moves_the_update(store: Store) -> None:
    _save(
        store, [_article("区委常委会召开会议", BODY_A, 0), _article("志愿者进社区", BODY_B, 1)], T0
    )
    before = _ids(store)
    # a parser improvement: the title gains its pre-title, the body is unchanged
    _save(
        store,
        [_article("区委常委会召开第十次会议", BODY_A, 0), _article("志愿者进社区", BODY_B, 1)],
        T1,
    )
    assert _ids(store) == before
    changed, same = (store.article(i) for i in before)
    assert changed["title"] == "区委常委会召开第十次会议"
    assert (changed["first_seen"], changed["last_changed"]) == (T0, T1)
    assert (same["first_seen"], same["last_changed"]) == (T0, T0)
    records = store.records("p1.txt")
    assert records[0].updated == T1 and records[1].updated is None


def test_reparse_that_changes_title_and_text_matches_by_body_overlap(store: Store) -> None:
    _save(store, [_article("标题一", BODY_A, 0), _article("标题二", BODY_B, 1)], T0)
    before = _ids(store)
    longer = BODY_A + "会议还研究了其他事项。"
    assert jaccard(shingles(BODY_A), shingles(longer)) >= 0.6
    # the articles also swapped places on the page (a re-laid-out dump)
    _save(store, [_article("志愿服务", BODY_B, 0), _article("常委会议", longer, 1)], T1)
    assert _ids(store) == [before[1], before[0]]
    assert store.article(before[0])["last_changed"] == T1
    assert store.article(before[1])["last_changed"] == T1  # its title changed


def test_a_different_article_gets_a_new_id_and_the_old_one_is_kept_absent(store: Store) -> None:
    _save(store, [_article("标题一", BODY_A, 0), _article("标题二", BODY_B, 1)], T0)
    first, second = _ids(store)
    _save(store, [_article("标题一", BODY_A, 0), _article("政府常务会议", BODY_C, 1)], T1)
    ids = _ids(store)
    assert ids[0] == first and ids[1] not in (first, second)
    assert store.article(second)["present"] == 0
    # the article comes back (the parser change is reverted): its old id, no duplicate
    _save(store, [_article("标题一", BODY_A, 0), _article("标题二", BODY_B, 1)], T2)
    assert _ids(store) == [first, second]
    assert store.article(ids[1])["present"] == 0


def test_same_title_twice_on_a_page_gets_suffixes_and_keeps_them(store: Store) -> None:
    articles = [_article("简讯", BODY_A, 0), _article("简讯", BODY_B, 1)]
    _save(store, articles, T0)
    base = article_id("p1.txt", "简讯")
    assert _ids(store) == [base, f"{base}-2"]
    # re-parsed with the order swapped: each keeps its id (matched by content)
    _save(store, [_article("简讯", BODY_B, 0), _article("简讯", BODY_A, 1)], T1)
    assert _ids(store) == [f"{base}-2", base]
    assert store.article(base)["last_changed"] == T0  # same content: no update


def test_generation_and_parse_counter_move_with_saves(store: Store) -> None:
    assert (store.generation, store.parses) == (0, 0)
    _save(store, [_article("标题一", BODY_A, 0)], T0)
    _save(store, [_article("标题一", BODY_A, 0)], T1)
    assert store.parses == 2 and store.generation >= 2


# -- through collect: real pages ------------------------------------------------------------


def _seeds(tmp_path: Path, names: list[str] | None = None) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for page in sorted(CORPUS.glob("*.txt")):
        if names is None or page.name in names:
            (seeds / page.name).write_bytes(page.read_bytes())
    return seeds


def _editable_article(path: Path) -> Article:
    """An article whose title and first paragraph each appear exactly once in the file."""
    text = path.read_text(encoding="utf-8")
    for article in sorted(read_page(path).articles, key=lambda a: -len(a.body)):
        first = article.paragraphs[0].text if article.paragraphs else ""
        if text.count(article.title) == 1 and len(first) > 40 and text.count(first) == 1:
            return article
    raise AssertionError(f"{path.name}: no article to edit")


def test_ids_survive_an_edited_title_and_text_across_rebuilds(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, [p.name for p in SEEDS.glob("*.txt")])
    page = next(seeds.glob("*.txt"))
    store = tmp_path / "store.sqlite"
    first = collect(seeds, store=store, now=T0)
    again = collect(seeds, store=store, now=T1)
    assert [it.id for it in again.items] == [it.id for it in first.items]
    assert all(it.updated is None for it in again.items)

    target = _editable_article(page)
    old_id = next(it.id for it in first.items if it.article.title == target.title)
    text = page.read_text(encoding="utf-8")
    para = target.paragraphs[0].text
    text = text.replace(target.title, target.title + "（更正）").replace(para, para + "特此更正。")
    page.write_text(text, encoding="utf-8")
    edited, stats = collect_report(seeds, store=store, now=T2)

    assert (stats.parsed, stats.new, stats.changed) == (1, 0, 1)
    assert sorted(it.id for it in edited.items) == sorted(it.id for it in first.items)
    item = next(it for it in edited.items if it.id == old_id)
    assert item.article.title == target.title + "（更正）"
    assert item.updated == T2 and item.published == next(
        it.published for it in first.items if it.id == old_id
    )
    assert [it.id for it in edited.items if it.updated] == [old_id]


def test_feeds_show_the_update_not_a_duplicate(tmp_path: Path, make_item) -> None:
    item = make_item(1)
    updated = replace(item, updated=T2)
    spec = FeedSpec(
        slug="all",
        title="t",
        description="d",
        site_url="http://localhost",
        html_url="http://localhost/",
        self_url="http://localhost/feeds/all.atom",
    )
    atom = feedparser.parse(render(spec, [updated], "atom"))
    entry = atom.entries[0]
    assert entry.updated.startswith("2024-04-30T09:00:00+08:00")
    assert entry.published.startswith(item.published.isoformat()[:19])
    json_feed = __import__("json").loads(render(spec, [updated], "json"))
    assert json_feed["items"][0]["date_modified"] == T2.isoformat()
    assert json_feed["items"][0]["date_published"] == item.published.isoformat()


def test_store_ids_match_stateless_ids_on_a_fresh_store(tmp_path: Path) -> None:
    stored = collect(CORPUS, store=tmp_path / "store.sqlite", now=T0)
    assert [it.id for it in stored.items] == [it.id for it in collect(CORPUS).items]


# -- damaged and busy store files ------------------------------------------------------------


def test_corrupt_store_is_moved_aside_and_rebuilt_with_the_same_ids(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, ["page-01.txt", "page-02.txt"])
    store = tmp_path / ".feeds" / "store.sqlite"
    before = collect(seeds, store=store, now=T0)
    store.write_bytes(b"this is not a database, it was overwritten by mistake\n" * 100)
    for extra in ("-wal", "-shm"):
        Path(f"{store}{extra}").unlink(missing_ok=True)
    warnings: list[str] = []
    after, stats = collect_report(seeds, store=store, now=T1, warn=warnings.append)
    assert len(warnings) == 1 and str(store) in warnings[0] and ".corrupt-" in warnings[0]
    assert stats.parsed == 2
    assert [it.id for it in after.items] == [it.id for it in before.items]
    aside = [p.name for p in store.parent.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1
    with Store(store) as st:
        assert st.parses == 2  # a fresh archive
    again, stats = collect_report(seeds, store=store, warn=warnings.append)
    assert stats.parsed == 0 and len(warnings) == 1


def test_store_damaged_inside_is_rebuilt(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, ["page-01.txt", "page-03.txt"])
    store = tmp_path / "store.sqlite"
    before = collect(seeds, store=store, now=T0)
    with sqlite3.connect(store) as db:  # fold the WAL into the main file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(store.read_bytes())
    assert len(data) > 8192
    data[4096:] = b"\xa5" * (len(data) - 4096)  # every page after the first is garbage
    store.write_bytes(bytes(data))
    warnings: list[str] = []
    after = collect(seeds, store=store, warn=warnings.append)
    assert len(warnings) == 1 and "damaged" in warnings[0]
    assert [it.id for it in after.items] == [it.id for it in before.items]


def _hold_lock(store: Path, seconds: float) -> subprocess.Popen:
    """Another process takes the write lock and keeps it for `seconds`."""
    code = (
        "import sqlite3, sys, time\n"
        f"db = sqlite3.connect({str(store)!r}, isolation_level=None)\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "print('locked', flush=True)\n"
        f"time.sleep({seconds})\n"
        "db.execute('COMMIT')\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_locked_store_waits_then_gives_a_clear_error(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, ["page-01.txt"])
    store = tmp_path / "store.sqlite"
    collect(seeds, store=store)
    (seeds / "page-02.txt").write_bytes((CORPUS / "page-02.txt").read_bytes())
    holder = _hold_lock(store, 5)
    try:
        start = time.monotonic()
        with pytest.raises(StoreLocked) as err:
            collect(seeds, store=store, store_timeout=0.5)
        assert time.monotonic() - start >= 0.5
        message = str(err.value)
        assert str(store) in message and "locked" in message and "\n" not in message
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    # nothing was lost: the next build stores the new page
    collection, stats = collect_report(seeds, store=store)
    assert stats.parsed == 1 and {p.source for p in collection.pages} == {
        "page-01.txt",
        "page-02.txt",
    }


def test_a_short_lock_is_waited_for(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, ["page-01.txt"])
    store = tmp_path / "store.sqlite"
    collect(seeds, store=store)
    (seeds / "page-03.txt").write_bytes((CORPUS / "page-03.txt").read_bytes())
    holder = _hold_lock(store, 1.0)
    try:
        collection, stats = collect_report(seeds, store=store, store_timeout=30)
    finally:
        holder.wait()
        holder.stdout.close()
    assert stats.parsed == 1 and len(collection.pages) == 2


def test_readers_are_not_blocked_by_a_writer(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, ["page-01.txt"])
    store = tmp_path / "store.sqlite"
    first = collect(seeds, store=store)
    holder = _hold_lock(store, 3)
    try:
        result: list = []
        reader = threading.Thread(target=lambda: result.append(collect(seeds, store=store)))
        reader.start()
        reader.join(2)  # a WAL reader needs no lock
        assert not reader.is_alive() and [it.id for it in result[0].items] == [
            it.id for it in first.items
        ]
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_cli_locked_store_is_a_one_line_error(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path, ["page-01.txt"])
    store = tmp_path / "store.sqlite"
    collect(seeds, store=store)
    (seeds / "page-02.txt").write_bytes((CORPUS / "page-02.txt").read_bytes())
    holder = _hold_lock(store, 30)
    try:
        code = (
            "import feeds.store, sys; feeds.store.DEFAULT_TIMEOUT = 0.3; "
            "from feeds.cli import main; sys.argv = ['feeds'] + sys.argv[1:]; main()"
        )
        args = ["build", "--seeds", str(seeds), "--out", str(tmp_path / "site")]
        proc = subprocess.run(
            [sys.executable, "-c", code, *args, "--store", str(store)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "locked" in lines[0]
    assert not (tmp_path / "site").exists()


def test_every_module_is_known_to_change_parses_or_not() -> None:
    """A new module must be placed: in the engine version (its change re-parses every stored
    page) or out of it (a change to serving or rendering code re-parses nothing)."""
    from feeds import build as build_module

    modules = {p.name for p in (REPO / "feeds").glob("*.py")}
    engine, other = build_module.ENGINE_MODULES, build_module._NOT_ENGINE
    assert not engine & other
    assert modules == engine | other, sorted(modules ^ (engine | other))


def _open_at(path: Path, start: float) -> str:
    while time.time() < start:
        pass
    try:
        with Store(path, timeout=10):
            return "ok"
    except StoreError as exc:
        return str(exc)


def test_processes_opening_a_new_store_at_once_all_get_it(tmp_path):
    """The workers of a server starting together open a new store at the same moment: the
    switch to WAL races, and a loser's fails at once ("locked", outside SQLite's busy
    timeout). Each must wait and open it (without the retry about half the rounds fail)."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(4) as pool:
        for n in range(12):
            path = tmp_path / f"{n}.sqlite"
            start = time.time() + 0.05
            assert pool.starmap(_open_at, [(path, start)] * 4) == ["ok"] * 4


def test_kept_feed_entries_come_back_as_kept_and_the_oldest_go(tmp_path, monkeypatch):
    import feeds.store as fs

    monkeypatch.setattr(fs, "ENTRY_LIMIT", 3)
    with Store(tmp_path / "store.sqlite") as st:
        st.keep_entries([("a", b"<item>a</item>\n"), ("b", '    {"id": "b"}')])
        assert st.entries(["a", "b", "zz"]) == {"a": b"<item>a</item>\n", "b": '    {"id": "b"}'}
        st.keep_entries([("c", b"c"), ("d", b"d"), ("e", b"e")])
        assert set(st.entries(["a", "b", "c", "d", "e"])) == {"c", "d", "e"}
