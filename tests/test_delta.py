"""Incremental builds (feeds.delta): a build after a few pages changed plans only what they can
reach, and the site it leaves is byte for byte the site a full build of the same archive
writes, with the same target keys (so either kind of build continues the other)."""

from __future__ import annotations

from pathlib import Path

import pytest

import feeds.build as fb
from feeds import delta
from feeds.build import build, collect
from feeds.publish import read_manifest
from feeds.site import SiteConfig

from .conftest import CORPUS
from .test_incremental import PAGES, _seeds, _tree, page_encoding

CONFIG = SiteConfig(feed_limit=3)


@pytest.fixture
def full_builds(monkeypatch) -> list[int]:
    """Counts the builds that loaded the whole archive (the full path)."""
    calls: list[int] = []
    real = fb.collect_report

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fb, "collect_report", counting)
    return calls


def _check(tmp_path: Path, seeds: Path, out: Path, store: Path, step: str) -> None:
    """The site equals a full build's of the same archive, file for file and key for key."""
    fresh = tmp_path / f"fresh-{step}" / "site"
    build(seeds, fresh, CONFIG, collection=collect(seeds, store=store))
    assert _tree(out) == _tree(fresh), step
    full = tmp_path / f"full-{step}" / "site"
    report = build(seeds, full, CONFIG, store=store)  # another site: built in full
    assert report.collected.parsed == 0
    mine, theirs = read_manifest(out)[0], read_manifest(full)[0]
    assert {p: e[0] for p, e in mine.items()} == {p: e[0] for p, e in theirs.items()}, step


def test_incremental_builds_equal_full_builds(tmp_path: Path, full_builds: list[int]) -> None:
    seeds = _seeds(tmp_path, PAGES[:3])
    store, out = tmp_path / "store.sqlite", tmp_path / "site"
    first = build(seeds, out, CONFIG, store=store)
    assert len(full_builds) == 1 and first.written == first.files

    def step(name: str, parsed: int) -> None:
        before = len(full_builds)
        report = build(seeds, out, CONFIG, store=store)
        assert len(full_builds) == before, f"{name}: built in full"
        assert report.collected.parsed == parsed, name
        assert 0 < report.written < report.files, name
        assert report.files == len([p for p in _tree(out) if not p.endswith(".gz")]), name
        _check(tmp_path, seeds, out, store, name)
        full_builds.clear()
        full_builds.append(1)

    _seeds(tmp_path, PAGES[3:5])
    step("two pages added", 2)
    # a copy of a page under a name that sorts first: same day, so the items already there
    # are stamped later minutes of that day (feeds.group's time rule)
    (seeds / "0-copy.txt").write_bytes((seeds / PAGES[1]).read_bytes())
    step("same day, sorted first", 1)
    page = seeds / PAGES[3]
    text = page.read_bytes().decode(page_encoding(page))
    page.write_bytes(text.replace("。", "。\n\n", 1).encode(page_encoding(page)))
    step("edited", 1)
    (seeds / PAGES[0]).unlink()
    step("page removed", 0)
    (seeds / "0-copy.txt").unlink()
    _seeds(tmp_path, PAGES[5:6])
    step("one removed, one added", 1)


def test_tags_that_gain_or_lose_their_channel_relink_every_page_showing_them(
    tmp_path: Path, full_builds: list[int]
) -> None:
    """A tag gets its pages and feeds when a second article carries it: every page listing
    an article with that tag links it from then on (and stops when it drops back)."""
    seeds = _seeds(tmp_path, PAGES[6:8])
    store, out = tmp_path / "store.sqlite", tmp_path / "site"
    build(seeds, out, CONFIG, store=store)
    for n, name in enumerate(PAGES[8:11]):
        _seeds(tmp_path, [name])
        build(seeds, out, CONFIG, store=store)
        _check(tmp_path, seeds, out, store, f"add-{n}")
    for n, name in enumerate(PAGES[8:11]):
        (seeds / name).unlink()
        build(seeds, out, CONFIG, store=store)
        _check(tmp_path, seeds, out, store, f"remove-{n}")
    assert len(full_builds) == 1 + 2 * 6  # the first build, and each _check's other site


def test_a_site_not_described_by_its_index_is_built_in_full(
    tmp_path: Path, full_builds: list[int], monkeypatch
) -> None:
    seeds = _seeds(tmp_path, PAGES[:2])
    store, out = tmp_path / "store.sqlite", tmp_path / "site"
    build(seeds, out, CONFIG, store=store)
    monkeypatch.setattr(delta, "VERSION", "another layout")
    _seeds(tmp_path, PAGES[2:3])
    build(seeds, out, CONFIG, store=store)
    assert len(full_builds) == 2  # an index of another version: in full (and indexed again)
    _seeds(tmp_path, PAGES[3:4])
    build(seeds, out, CONFIG, store=store)
    assert len(full_builds) == 2
    _check(tmp_path, seeds, out, store, "indexed again")


def test_pages_that_cannot_have_changed_are_not_planned(
    tmp_path: Path, full_builds: list[int], monkeypatch
) -> None:
    """Archive and listing pages are cut from the oldest item on: adding news leaves the old
    ones as they are, and an incremental build does not even plan them (site.Settled)."""
    kept: list[list[str]] = []
    real = fb.publish_partial

    def recording(*args):  # noqa: ANN002, ANN202
        kept.append(args[-1])
        return real(*args)

    monkeypatch.setattr(fb, "publish_partial", recording)
    names = PAGES[:-3]
    seeds = _seeds(tmp_path, names)
    store, out = tmp_path / "store.sqlite", tmp_path / "site"
    build(seeds, out, CONFIG, store=store)
    for n, name in enumerate(PAGES[-3:]):
        _seeds(tmp_path, [name])
        build(seeds, out, CONFIG, store=store)
        _check(tmp_path, seeds, out, store, f"add-{n}")
    left_out = {p.rsplit("/", 1)[0] for paths in kept for p in paths}
    assert {"feeds/all/archive", "topics/all"} <= left_out
    # a page of an early day: the pages after its items are cut anew, the older stay
    (seeds / "00-early.txt").write_bytes((seeds / names[0]).read_bytes())
    build(seeds, out, CONFIG, store=store)
    _check(tmp_path, seeds, out, store, "early")
    assert len(full_builds) == 1 + 2 * 4  # the first; each _check collects and builds


def test_a_damaged_manifest_means_a_full_build_not_an_error(
    tmp_path: Path, full_builds: list[int]
) -> None:
    seeds = _seeds(tmp_path, PAGES[:2])
    store, out = tmp_path / "store.sqlite", tmp_path / "site"
    build(seeds, out, CONFIG, store=store)
    (tmp_path / ".site.manifest.sqlite").write_bytes(b"not a database" * 100)
    _seeds(tmp_path, PAGES[2:3])
    report = build(seeds, out, CONFIG, store=store)
    assert len(full_builds) == 2 and report.collected.parsed == 1
    _check(tmp_path, seeds, out, store, "after damage")
    _seeds(tmp_path, PAGES[3:4])
    build(seeds, out, CONFIG, store=store)
    assert len(full_builds) == 4  # 2 + _check's: the index was written again


@pytest.mark.parametrize("workers", [1, 2])
def test_a_page_added_with_one_core_or_two(
    tmp_path: Path, full_builds: list[int], workers: int, monkeypatch
) -> None:
    """With two cores the new page is parsed in a child while the index loads
    (build.StoreUpdate); with one, in this process: the same site either way."""
    children: list[int] = []
    real = fb.StoreUpdate.__init__

    def counting(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        children.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(fb.StoreUpdate, "__init__", counting)
    seeds = _seeds(tmp_path, PAGES[:2])
    store, out = tmp_path / "store.sqlite", tmp_path / "site"
    build(seeds, out, CONFIG, store=store, workers=workers)
    _seeds(tmp_path, PAGES[2:3])
    full_builds.clear()
    report = build(seeds, out, CONFIG, store=store, workers=workers)
    assert not full_builds and report.collected.parsed == 1
    assert len(children) == (workers > 1)
    _check(tmp_path, seeds, out, store, f"{workers} workers")


def test_a_store_update_in_a_child_raises_its_error_here(tmp_path: Path) -> None:
    from feeds.store import StoreCorrupt

    seeds = _seeds(tmp_path, PAGES[:1])
    damaged = tmp_path / "store.sqlite"
    damaged.write_bytes(b"not a database at all" * 100)
    files = fb.page_files(seeds)
    update = fb.StoreUpdate(damaged, files, fb.engine_version(), None, 1, False, fb._now())
    with pytest.raises(StoreCorrupt, match="store.sqlite"):
        update.result()


def _row(n: int, day: str, minute: int) -> delta.Row:
    from datetime import datetime

    from feeds.group import SHANGHAI

    when = (
        None
        if not day
        else datetime.fromisoformat(f"{day}T11:{minute:02d}").replace(tzinfo=SHANGHAI)
    )
    return delta.Row(f"id{n:04d}", "p.txt", n, day, when, None, "other", (), (), 1, "", "", f"t{n}")


@pytest.mark.parametrize("new", [3, 200])
def test_rows_put_in_order_are_where_a_sort_puts_them(new: int) -> None:
    import random

    from feeds.group import order_key

    rng = random.Random(new)
    days = ["", "2024-01-02", "2024-01-03", "2024-02-10", "2024-03-01"]
    every = [_row(n, rng.choice(days), rng.randrange(60)) for n in range(600)]
    old, added = every[new:], every[:new]
    rows = sorted(old, key=order_key, reverse=True)
    delta._insert_ordered(rows, added)
    assert rows == sorted(every, key=order_key, reverse=True)


def test_row_digests_are_the_rows_own_and_items_are_digested_as_before() -> None:
    from feeds.site import DigestMemo

    rows = list(delta.date_rows([_row(n, "2024-01-02", n) for n in range(5)]))
    assert all(r.digest for r in rows)
    memo = delta.RowDigests()
    assert memo.joined(rows) == "".join(r.digest for r in rows)
    assert [memo(r) for r in rows] == [r.digest for r in rows]
    assert not memo  # nothing remembered per row
    items = collect_items()
    assert memo.joined(items) == DigestMemo().joined(items)
    assert memo(items[0]) == DigestMemo()(items[0])


def collect_items() -> list:
    """A few real items (feeds.model.Item: no digest of their own)."""
    return list(collect(CORPUS / "000_6874899e96e9eef1.txt").items[:3])


def test_the_index_gives_its_rows_back_in_order_without_sorting(tmp_path: Path) -> None:
    from feeds.group import order_key

    rows = sorted(
        [_row(n, d, n % 60) for n, d in enumerate(["2024-01-02", "", "2024-03-01"] * 20)],
        key=order_key,
        reverse=True,
    )
    with delta.Index(tmp_path / "m.sqlite") as index:
        index.replace({"version": "x"}, {}, rows)
        assert index.rows() == rows
        months = {delta._month(r) for r in rows}
        index.apply({"version": "x"}, {}, (), rows[::2], months)  # every month rewritten
        assert index.rows() == rows[::2]


def test_an_incremental_build_leaves_parsing_to_its_child(tmp_path: Path) -> None:
    """The process that plans and publishes never imports the parser (its patterns take a
    fifth of a second to compile): the child that parses the new page does."""
    import subprocess
    import sys

    seeds = _seeds(tmp_path, PAGES[:2])
    code = (
        "import sys; from pathlib import Path; from feeds.build import build; "
        f"r = build(Path({str(seeds)!r}), Path({str(tmp_path / 'site')!r}), "
        f"store=Path({str(tmp_path / 'store.sqlite')!r}), workers=2); "
        "print(r.collected.parsed, 'feeds.parse' in sys.modules, 'jieba' in sys.modules)"
    )
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1])}

    def run() -> str:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    run()  # the first build is a full one
    (seeds / PAGES[2]).write_bytes((CORPUS / PAGES[2]).read_bytes())
    assert run() == ["1", "False", "False"]


def test_the_parse_child_starts_first_and_is_always_waited_for(
    tmp_path: Path, full_builds: list[int], monkeypatch
) -> None:
    """With a published site the child parsing changed pages starts before the check for
    an unchanged site (parsing is the longest part of a small build); whichever way the
    build then goes (unchanged, incremental, in full), no child is left behind."""
    import multiprocessing

    events: list[str] = []
    real_init, real_same = fb.StoreUpdate.__init__, fb.unchanged_site

    def child(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        events.append("child")
        real_init(self, *args, **kwargs)

    def same(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        events.append("check")
        return real_same(*args, **kwargs)

    monkeypatch.setattr(fb.StoreUpdate, "__init__", child)
    monkeypatch.setattr(fb, "unchanged_site", same)
    seeds = _seeds(tmp_path, PAGES[:2])
    store, out = tmp_path / "store.sqlite", tmp_path / "site"
    build(seeds, out, CONFIG, store=store, workers=2)
    assert events == ["check"]  # a first build: no child, the full path parses
    _seeds(tmp_path, PAGES[2:3])
    events.clear()
    assert build(seeds, out, CONFIG, store=store, workers=2).collected.parsed == 1
    assert events == ["child", "check"] and not multiprocessing.active_children()
    events.clear()
    assert build(seeds, out, CONFIG, store=store, workers=2).written == 0  # unchanged
    assert events == ["child", "check"] and not multiprocessing.active_children()
    monkeypatch.setattr(delta, "VERSION", "another layout")  # the full path after the child
    _seeds(tmp_path, PAGES[3:4])
    full_builds.clear()
    report = build(seeds, out, CONFIG, store=store, workers=2)
    assert full_builds and report.collected.parsed == 1  # by the child, counted once
    assert report.collected.new == len(collect(seeds / PAGES[3]).items) > 0
    assert not multiprocessing.active_children()
    _check(tmp_path, seeds, out, store, "full after the child")


def test_feed_entries_are_kept_for_the_next_build(
    tmp_path: Path, full_builds: list[int], monkeypatch
) -> None:
    """An incremental build finds in the store the entries the build before it rendered
    (feeds.delta.KeptEntries): it serializes only the entries of what changed, and its
    feeds are still byte for byte a full build's."""
    import feeds.render as fr

    made: list[str] = []
    real_xml, real_json = fr._xml_fragment, fr._json_fragment

    def xml(entry, fmt):  # noqa: ANN001, ANN202
        made.append(fmt)
        return real_xml(entry, fmt)

    def json_(item):  # noqa: ANN001, ANN202
        made.append("json")
        return real_json(item)

    monkeypatch.setattr(fr, "_xml_fragment", xml)
    monkeypatch.setattr(fr, "_json_fragment", json_)
    seeds = _seeds(tmp_path, PAGES[:3])
    store, out = tmp_path / "store.sqlite", tmp_path / "site"
    build(seeds, out, CONFIG, store=store, workers=1)
    _seeds(tmp_path, PAGES[3:4])
    made.clear()
    build(seeds, out, CONFIG, store=store, workers=1)  # the first incremental build
    first = len(made)
    _seeds(tmp_path, PAGES[4:5])
    new = len(collect(seeds / PAGES[4]).items)
    made.clear()
    full_builds.clear()
    build(seeds, out, CONFIG, store=store, workers=1)
    assert not full_builds and first > 3 * new
    # the new items' entries, and those of items whose times in the site moved
    assert 3 * new <= len(made) < first, (len(made), first, new)
    _check(tmp_path, seeds, out, store, "kept entries")


def test_the_parse_child_takes_what_changed_from_the_check(
    tmp_path: Path, full_builds: list[int], monkeypatch
) -> None:
    """The check for an unchanged site compares every page with the store; the child that
    parses changed pages is sent what it found instead of listing and comparing them again
    (and, sent nothing, lists them itself)."""
    import os

    calls = tmp_path / "calls"
    real = fb._changes

    def changes(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        with open(calls, "a") as fh:  # (the child's calls land here too)
            fh.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(fb, "_changes", changes)
    seeds = _seeds(tmp_path, PAGES[:2])
    store, out = tmp_path / "store.sqlite", tmp_path / "site"
    build(seeds, out, CONFIG, store=store, workers=2)
    _seeds(tmp_path, PAGES[2:3])
    calls.unlink()
    report = build(seeds, out, CONFIG, store=store, workers=2)
    assert report.collected.parsed == 1 and not full_builds[2:]
    assert calls.read_text().split() == [str(os.getpid())]
    _check(tmp_path, seeds, out, store, "changes sent to the child")

    _seeds(tmp_path, PAGES[3:4])
    calls.unlink()
    update = fb.StoreUpdate(store, None, fb.engine_version(), None, 2, False, fb._now(), seeds)
    assert update.result().parsed == 1  # nothing sent: the child listed and compared
    assert calls.read_text().split() != [str(os.getpid())]
