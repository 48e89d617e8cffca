"""Incremental builds: plan only the files a change can reach (feeds.build calls it first).

A full build loads every stored article, plans every file of the site and compares keys: its
cost grows with the archive. This module makes the cost of a typical build (a few pages added
or parsed again) grow with the change instead.

Beside the site's manifest (feeds.publish), a build from the store keeps an index of what the
site was made from, in the same SQLite file:

- index_pages: each present page's path, its mark in the store (SHA-256, engine version, parse
  time: see feeds.store.Store.load) and its problems;
- index_months: each item's id, source page, position, day, publication and update times,
  topics, tags, estimated feed size, the digest of what it shows (Collection.shown), its item
  digest (feeds.site.item_digest) and title, kept by month of publication (a build rewrites
  the months its changes fall in);
- index_meta: the site copy and store generation it describes.

The next build compares the store's page marks with index_pages and loads only the pages that
differ. Their rows replace the old ones, and the days they print on are dated again (feeds.group's
rule: the n-th item of a day is stamped 12:00 minus n minutes). Then only these files are
planned: the feeds and listings of every channel (topic or tag) holding a changed item before
or after the change, or an item whose tag gained or lost its channel; the pages of changed
items and of their neighbours; the index, the OPML and the static files. They get the very keys
feeds.site.plan gives them, so feeds.publish renders only those whose key moved and keeps every
other file as published. A planned row becomes an item (read from the store's lean rows) only
when a file showing it is rendered.

An incremental build is taken only when the published site was built from the same seeds,
store, settings and code, and the index describes that very site (same copy, same
generation); anything else (a first build, --full, a build killed before it recorded the
index, other settings) takes the full path, which writes the index afresh. Tests check that
an incremental site is byte for byte a full build's.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from feeds.group import SHANGHAI, order_key, page_days, stamp
from feeds.model import Item, Problem
from feeds.publish import NotPartial, immediate, manifest_file, published
from feeds.render import EntryMemo
from feeds.site import (
    ALL,
    FORMATS,
    Channel,
    Collection,
    DigestMemo,
    Keys,
    Settled,
    SiteConfig,
    Target,
    all_channel,
    feed_targets,
    in_topic,
    is_safe_tag,
    item_digest,
    newest,
    newest_first,
    opml_target,
    tag_channel,
    titles_of,
)
from feeds.store import StoreError

VERSION = "2"  # of the index's layout and meaning: another version builds in full
_TIMEOUT = 30.0


class Row(NamedTuple):
    """An item as the index keeps it: what planning needs, without the article."""

    id: str
    source: str
    position: int
    day: str  # ISO date the item is published on ("" when unknown)
    published: datetime | None
    updated: datetime | None
    primary_topic: str
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    size: int  # render.estimated_size
    shown: str  # Collection.shown
    digest: str  # site.item_digest
    title: str

    @property
    def article(self) -> Row:
        """What a plan reads of the article (its title and source) is on the row."""
        return self


# -- the index ------------------------------------------------------------------------------

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS index_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS index_pages (path TEXT PRIMARY KEY, mark TEXT NOT NULL, "
    "problems TEXT NOT NULL)",
    # the rows of one month (by day; "" for undated items), marshalled: loading the rows
    # of 10,000 pages is one read per month, not thirteen columns per row
    "CREATE TABLE IF NOT EXISTS index_months (month TEXT PRIMARY KEY, rows BLOB NOT NULL)",
)
_SEP = "\x1f"


def _month(r: Row) -> str:
    return r.day[:7]


def _encode(r: Row) -> tuple:
    """A row as plain values (marshal's): the publication time in epoch seconds (feeds.group
    stamps whole minutes), the update time as stored (ISO 8601)."""
    return (
        r.id,
        r.source,
        r.position,
        r.day,
        int(r.published.timestamp()) if r.published else None,
        r.updated.isoformat() if r.updated else "",
        r.primary_topic,
        _SEP.join(r.topics),
        _SEP.join(r.tags),
        r.size,
        r.shown,
        r.digest,
        r.title,
    )


class Index:
    """The index tables in the manifest file of a site (feeds.publish.manifest_file)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, timeout=_TIMEOUT, isolation_level=None)
        try:
            for statement in _SCHEMA:
                self.db.execute(statement)
        except BaseException:
            self.db.close()
            raise

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM index_meta"))

    def pages(self) -> dict[str, tuple[str, str]]:
        """path -> (mark text, problems as JSON)."""
        return {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT * FROM index_pages")}

    def rows(self) -> list[Row]:
        """Every row, newest first (as the site lists them)."""
        names: dict[str, tuple[str, ...]] = {"": ()}
        # items of a day share their stamps (feeds.group): one datetime object per stamp
        times: dict[object, datetime | None] = {None: None, "": None}
        from_epoch, parse = datetime.fromtimestamp, datetime.fromisoformat

        def row(t: tuple) -> Row:
            topics, tags = names.get(t[7]), names.get(t[8])
            if topics is None:
                topics = names[t[7]] = tuple(map(sys.intern, t[7].split(_SEP)))
            if tags is None:
                tags = names[t[8]] = tuple(dict.fromkeys(map(sys.intern, t[8].split(_SEP))))
            published, updated = times.get(t[4], False), times.get(t[5], False)
            if published is False:
                published = times[t[4]] = from_epoch(t[4], SHANGHAI)
            if updated is False:
                updated = times[t[5]] = parse(t[5])
            return Row(*t[:4], published, updated, t[6], topics, tags, *t[9:])

        # months are written in the site's order (see _write): newest month first, undated
        # items ("") last, is that order whole, with no sorting
        out: list[Row] = []
        for (data,) in self.db.execute("SELECT rows FROM index_months ORDER BY month DESC"):
            out.extend(map(row, marshal.loads(data)))
        return out

    def replace(
        self, meta: Mapping[str, str], pages: Mapping[str, tuple[str, str]], rows: Sequence[Row]
    ) -> None:
        """The whole index, in one transaction."""
        with immediate(self.db):
            for table in ("index_meta", "index_pages", "index_months"):
                self.db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            self._write(meta, pages, (), rows, {_month(r) for r in rows})

    def apply(
        self,
        meta: Mapping[str, str],
        pages: Mapping[str, tuple[str, str]],
        gone_pages: Iterable[str],
        rows: Sequence[Row],
        months: set[str],
    ) -> None:
        """Changes to the index, in one transaction: `rows` is every row now, of which the
        `months` are written again."""
        with immediate(self.db):
            self._write(meta, pages, gone_pages, rows, months)

    def _write(self, meta, pages, gone_pages, rows, months) -> None:  # noqa: ANN001
        """`rows` in the site's order (newest first): each month's block keeps it."""
        db = self.db
        db.executemany("INSERT OR REPLACE INTO index_meta VALUES (?, ?)", meta.items())
        db.executemany("DELETE FROM index_pages WHERE path = ?", [(p,) for p in gone_pages])
        db.executemany(
            "INSERT OR REPLACE INTO index_pages VALUES (?, ?, ?)",
            [(p, m, probs) for p, (m, probs) in pages.items()],
        )
        blocks: dict[str, list[tuple]] = {m: [] for m in months}
        for r in rows:
            block = blocks.get(r.day[:7])
            if block is not None:
                block.append(_encode(r))
        db.executemany(
            "DELETE FROM index_months WHERE month = ?", [(m,) for m, b in blocks.items() if not b]
        )
        db.executemany(
            "INSERT OR REPLACE INTO index_months VALUES (?, ?)",
            [(m, marshal.dumps(b)) for m, b in blocks.items() if b],
        )


def _problems_json(problems: Iterable[Problem]) -> str:
    return json.dumps([[p.source, p.message, p.line] for p in problems], ensure_ascii=False)


def _problems(text: str) -> list[Problem]:
    return [Problem(s, m, n) for s, m, n in json.loads(text)] if text != "[]" else []


# -- rows -----------------------------------------------------------------------------------


def page_rows(page, classes, records, sizes, shown) -> list[Row]:  # noqa: ANN001
    """Rows of a loaded page's articles (undated: see `date_rows`)."""
    out = []
    for article, day, (primary, topics, tags), record in zip(
        page.articles, page_days(page), classes, records, strict=True
    ):
        out.append(
            Row(
                record.id,
                article.source,
                article.position,
                day.isoformat() if day else "",
                None,
                record.updated,
                primary,
                topics,
                tuple(dict.fromkeys(tags)),  # each once: the planner counts them so
                sizes[record.id],
                shown[record.id],
                "",
                article.title,
            )
        )
    return out


def date_rows(rows: Iterable[Row]) -> Iterator[Row]:
    """The rows of whole days, published by feeds.group's rule (the n-th item of a day, in
    page and article order, at 12:00 minus n minutes) and digested."""
    by_day: dict[str, list[Row]] = {}
    for r in rows:
        by_day.setdefault(r.day, []).append(r)
    for day, day_rows in by_day.items():
        day_rows.sort(key=lambda r: (r.source, r.position))
        for n, r in enumerate(day_rows):
            published = stamp(date.fromisoformat(day), n) if day else None
            if published != r.published or not r.digest:
                digest = item_digest(
                    r.id, published, r.updated, r.primary_topic, r.topics, r.tags, r.shown
                )
                r = r._replace(published=published, digest=digest)
            yield r


_digest = attrgetter("digest")


class RowDigests(DigestMemo):
    """Item digests of rows: each row carries its own (see `date_rows`), so nothing is
    remembered per row; an object without one (an Item) is digested as DigestMemo does."""

    def __call__(self, item: Row | Item) -> str:  # type: ignore[override]
        return getattr(item, "digest", "") or super().__call__(item)  # type: ignore[arg-type]

    def joined(self, items: Sequence[Row | Item]) -> str:  # type: ignore[override]
        try:
            digests = list(map(_digest, items))
        except AttributeError:
            return "".join(map(self, items))
        if not all(digests):  # a row not dated yet
            return "".join(map(self, items))
        return "".join(digests)


def _insert_ordered(rows: list[Row], new: Iterable[Row]) -> None:
    """Put `new` into `rows`, both in the site's order after (feeds.group.order_key,
    descending; `rows` in it already): a few rows into many cost a binary search each, not a
    sort of all (order keys are unique); many are sorted in."""
    new = list(new)
    if len(new) > 64:
        rows.extend(new)
        rows.sort(key=order_key, reverse=True)
        return
    for r in new:
        rows.insert(_position(rows, r), r)


def collection_rows(collection: Collection) -> list[Row]:
    """The index rows of a lean collection (a full build's), in its order."""
    days: dict[int, str] = {}
    for page in collection.pages:
        for article, day in zip(page.articles, page_days(page), strict=True):
            days[id(article)] = day.isoformat() if day else ""
    digest = DigestMemo(collection.shown)
    return [
        Row(
            it.id,
            it.article.source,
            it.article.position,
            days[id(it.article)],
            it.published,
            it.updated,
            it.primary_topic,
            it.topics,
            it.tags,
            collection.sizes[it.id],
            collection.shown[it.id],
            digest(it),
            it.article.title,
        )
        for it in collection.items
    ]


def record(out_dir: Path, collection: Collection, generation: int) -> None:
    """Write the index of a site a full build just published from a lean `collection`."""
    copy, _, _ = published(out_dir)
    if copy is None or not collection.marks or not collection.shown:
        return
    problems: dict[str, list[Problem]] = {}
    for page in collection.pages:
        problems[page.source] = list(page.problems)
    pages = {
        path: (mark, _problems_json(problems.get(path, ())))
        for path, mark in collection.marks.items()
    }
    meta = {"version": VERSION, "copy": str(copy), "generation": str(generation)}
    try:
        with Index(manifest_file(out_dir)) as index:
            index.replace(meta, pages, collection_rows(collection))
    except sqlite3.Error:
        pass  # no index: the next build is a full one (and writes it)


# -- channels -------------------------------------------------------------------------------


def _homes(rows: Sequence[Row], slugs: Sequence[str]) -> dict[str, list[Row]]:
    """Each topic's rows (in order): `all` and the configured topics."""
    lists: dict[str, list[Row]] = {s: [] for s in slugs}
    lists[ALL] = list(rows)
    adders: dict[tuple, list[Callable]] = {}  # (primary, topics) -> the lists' appends
    for r in rows:
        key = (r.primary_topic, r.topics)
        adds = adders.get(key)
        if adds is None:
            wanted = dict.fromkeys((key[0], *key[1]))
            adds = adders[key] = [lists[s].append for s in wanted if s != ALL and s in lists]
        for add in adds:
            add(r)
    return lists


_tags = attrgetter("tags")


def _tag_counts(rows: Iterable[Row]) -> Counter:
    """How many rows carry each tag (a row's tags are distinct: see page_rows)."""
    return Counter(chain.from_iterable(map(_tags, rows)))


def _tag_set(counts: Counter, config: SiteConfig) -> set[str]:
    return {t for t, n in counts.items() if n >= config.min_tag_articles and is_safe_tag(t)}


def _channels_of(r: Row, slugs: set[str]) -> Iterator[tuple[str, str]]:
    yield ("topic", ALL)
    for slug in dict.fromkeys((r.primary_topic, *r.topics)):
        if slug in slugs:
            yield ("topic", slug)
    for tag in r.tags:
        yield ("tag", tag)


def _owned(kind: str, key: str) -> list[str]:
    """What a channel owns in the site (site.py's URL map): its feeds, archives and listing
    pages."""
    chan = Channel(kind, key, key, "", ())
    return [
        *(f"{chan.feed_base}.{fmt}" for fmt in FORMATS),
        f"{chan.feed_base}/",
        chan.html_path,
        chan.html_path.removesuffix(".html") + "/",
    ]


# -- items when rendered ----------------------------------------------------------------------


class Resolver:
    """Index rows -> items, read from the store's lean rows when a file showing them is
    rendered (each process, forked render processes included, opens its own connection)."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self._pid = -1
        self._items: dict[str, Item] = {}
        self._shaper = None
        self._db = None

    def __call__(self, rows: Sequence[Row | None]) -> Sequence[Item | None]:
        return LazyItems(rows, self)

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db, self._pid, self._items = None, -1, {}

    def db(self):  # noqa: ANN201 - feeds.store.Store
        """This process's connection to the store (a fork opens its own)."""
        from feeds import build as b
        from feeds import store as st

        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._items = {}
            self._shaper = b._Lean(st.Bodies(self.store))  # noqa: SLF001 - one module's pair
            self._db = st.Store(self.store)
        return self._db

    def items(self, rows: Sequence[Row | None]) -> tuple[Item | None, ...]:
        db = self.db()
        shaper = self._shaper
        missing = [r for r in rows if r is not None and r.id not in self._items]
        if missing:
            kept = db.lean_rows(shaper.version, [r.id for r in missing])
            for r in missing:
                classes = (r.primary_topic, r.topics, r.tags)
                if r.id in kept:
                    digest, text = kept[r.id]
                    article = shaper.restore(text, r.id, digest, classes)
                else:  # no kept row (another version wrote them): made from the article
                    article, digest = db.stored_article(r.id)
                    article = shaper(article, r.id, digest, classes)
                self._items[r.id] = Item(
                    id=r.id,
                    article=article,
                    primary_topic=r.primary_topic,
                    topics=r.topics,
                    tags=r.tags,
                    published=r.published,
                    summary=shaper.summaries[id(article)],
                    updated=r.updated,
                )
        return tuple(None if r is None else self._items[r.id] for r in rows)


class KeptEntries(EntryMemo):
    """An EntryMemo that also keeps the entries it makes in the store, and finds there the
    entries earlier builds made (feeds.store's entry cache): an item's entry depends on its
    row's digest (everything the item shows: feeds.site.item_digest), its times in the
    document, the format, the site's URL and id prefix, the topic titles and the renderer's
    version, so the key digests all of these. Only planned rows are kept (feeds.delta's
    builds): a full build renders every entry once anyway."""

    def __init__(self, resolver: Resolver, salt: str, titles: Mapping[str, str]) -> None:
        super().__init__()
        self.resolver = resolver
        self._salt = repr((salt, sorted(titles.items())))

    def lasting_key(self, item: object, fmt: str, when: tuple, spec: object) -> str | None:
        digest = getattr(item, "digest", "")
        if not digest:
            return None
        parts = (self._salt, digest, fmt, [t and t.isoformat() for t in when])
        parts += (spec.id_prefix, spec.site_url)  # type: ignore[attr-defined]
        return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()

    def kept(self, keys: Sequence[str]) -> dict[str, bytes | str]:
        try:
            return self.resolver.db().entries(keys)
        except StoreError:
            return {}  # a cache: the entries are made again

    def keep(self, entries: list[tuple[str, bytes | str]]) -> None:
        try:
            self.resolver.db().keep_entries(entries)
        except StoreError:
            pass


class LazyItems(Sequence):
    """Rows that become items when first read (see Resolver)."""

    __slots__ = ("_rows", "_resolver", "_items")

    def __init__(self, rows: Sequence[Row | None], resolver: Resolver) -> None:
        self._rows, self._resolver, self._items = tuple(rows), resolver, None

    def _get(self) -> tuple[Item | None, ...]:
        if self._items is None:
            self._items = self._resolver.items(self._rows)
        return self._items

    @property
    def rows(self) -> tuple[Row | None, ...]:
        """The planned rows (their digests and times are what feeds.render keys entries by)."""
        return self._rows

    def item(self, index: int) -> Item | None:
        """One item, read alone unless all were read already."""
        if self._items is not None:
            return self._items[index]
        return self._resolver.items(self._rows[index : index + 1])[0]

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):  # noqa: ANN001, ANN204 - Sequence protocol
        return self._get()[index]

    def __iter__(self) -> Iterator[Item | None]:
        return iter(self._get())


# -- planning what changed --------------------------------------------------------------------


def plan_changes(
    old: Sequence[Row],
    rows: Sequence[Row],
    changed: set[str],
    topics: Sequence,
    config: SiteConfig,
    keys: Keys,
    lazy: Callable,
) -> tuple[list[Target], list[str], list[str]]:
    """The targets a change can reach (see the module docstring), what their channels and
    items own in the site (feeds.publish's `partial`: removed unless planned or kept) and
    the paths of their pages that cannot have changed (kept).

    `old` and `rows`: the index before and after, newest first; `changed`: ids whose rows
    differ (new, changed, re-dated or gone)."""
    from feeds.pages import (
        PER_PAGE,
        _article_page,
        _channel_pages,
        _index_page,
        common_context,
        static_targets,
    )

    slugs = [t.slug for t in topics if t.slug != ALL]
    slug_set = set(slugs)
    old_by_id = {r.id: r for r in old} if changed else {}
    new_by_id = {r.id: r for r in rows}
    counts = _tag_counts(rows)
    old_counts = Counter(counts)
    for rid in changed:
        if rid in new_by_id:
            old_counts.subtract(dict.fromkeys(new_by_id[rid].tags, 1))
        if rid in old_by_id:
            old_counts.update(dict.fromkeys(old_by_id[rid].tags, 1))
    tags_now, tags_before = _tag_set(counts, config), _tag_set(old_counts, config)
    flipped = tags_now ^ tags_before
    touched_items = set(changed)
    if flipped:  # their items link the tag (or stop linking it) wherever they are shown
        touched_items.update(r.id for r in chain(rows, old) if flipped.intersection(r.tags))
    touched: set[tuple[str, str]] = set()
    grown: Counter = Counter()  # channel -> items it gained (less those it lost)
    for rid in touched_items:
        for sign, r in ((-1, old_by_id.get(rid)), (1, new_by_id.get(rid))):
            if r is not None:
                mine = set(_channels_of(r, slug_set))
                touched |= mine
                if rid in changed:
                    grown.update(dict.fromkeys(mine, sign))
    touched = {
        (k, key) for k, key in touched if k == "topic" or key in tags_now or key in tags_before
    }
    # Every channel lists its items in the order of `all`: those older than the oldest item
    # touched (before or after) are the same, at the same places from the oldest on.
    marks = [_when(r) for rid in touched_items for r in (old_by_id.get(rid), new_by_id.get(rid))]
    oldest = min((m for m in marks if m is not None), default=None)

    homes = _homes(rows, slugs)
    topic_chans = [all_channel(tuple(rows), config)]
    for t in topics:
        if t.slug != ALL:
            topic_chans.append(
                Channel("topic", t.slug, t.title, t.description, tuple(homes[t.slug]))
            )
    tag_order = sorted(tags_now, key=lambda t: (-counts[t], t))
    tag_stubs = [tag_channel(t, range(counts[t]), config) for t in tag_order]  # type: ignore[arg-type]
    common = common_context(config, [*topic_chans, *tag_stubs])
    by_key = {c.key: c for c in topic_chans}
    titles = titles_of(topics)
    tag_rows = _tag_lists(rows, {key for kind, key in touched if kind == "tag" and key in tags_now})

    memo = KeptEntries(lazy, keys.salt, titles) if isinstance(lazy, Resolver) else EntryMemo()
    targets: list[Target] = [_index_page(rows, config, common, tag_stubs, keys, lazy)]
    drop: list[str] = []
    keep: list[str] = []  # the settled pages of the channels planned (see site.Settled)
    for kind, key in sorted(touched):
        drop.extend(_owned(kind, key))
        if kind == "topic":
            chan = by_key.get(key)
            if chan is None:
                continue
        elif key in tags_now:
            chan = tag_channel(key, tuple(tag_rows[key]), config)
        else:
            continue  # a tag that lost its channel: its files go
        had = len(chan.items) - grown[kind, key] if kind == "topic" or key in tags_before else 0
        same = _older_than(chan.items, oldest)
        # beyond the current page then: after at most feed_limit (PER_PAGE) items
        feeds = Settled(min(same, had - config.feed_limit))
        listings = Settled(min(same, had - PER_PAGE))
        targets.extend(feed_targets(chan, config, titles, _row_size, keys, memo, lazy, feeds))
        targets.extend(_channel_pages(chan, common, config, keys, lazy, listings))
        keep.extend(feeds.left + listings.left)

    # article pages: touched items, and the neighbours of changed items in every topic list
    # they are in (before and after: each list is some item's home)
    candidates = {rid for rid in touched_items if rid in new_by_id}
    for rid in changed:
        r = new_by_id.get(rid)
        if r is not None:
            for _, slug in _channels_of(r._replace(tags=()), slug_set):
                home = homes[slug]
                pos = _position(home, r)
                candidates.update(home[n].id for n in (pos - 1, pos + 1) if 0 <= n < len(home))
        r = old_by_id.get(rid)
        if r is not None:  # its neighbours then: the nearest items of each list in old order
            pos = _position(old, r)
            for _, slug in _channels_of(r._replace(tags=()), slug_set):
                for step in (-1, 1):
                    n = pos + step
                    while 0 <= n < len(old) and not in_topic(old[n], slug):  # type: ignore[arg-type]
                        n += step
                    if 0 <= n < len(old) and old[n].id in new_by_id:
                        candidates.add(old[n].id)
    drop.extend(f"articles/{rid}.html" for rid in changed if rid not in new_by_id)
    for rid in sorted(candidates):
        r = new_by_id[rid]
        home = by_key.get(r.primary_topic, topic_chans[0])
        place = {rid: _position(home.items, r)}  # type: ignore[arg-type]
        targets.append(_article_page(r, common, config, home, place, keys, lazy))

    targets.append(opml_target(topic_chans, config, newest(rows), keys))
    targets.extend(static_targets(keys))
    return newest_first(targets), drop, keep


_row_size = attrgetter("size")


def _when(r: Row | None) -> tuple[datetime, str] | None:
    """An item's place in the order of the site (newest first: descending)."""
    return None if r is None else order_key(r)  # type: ignore[arg-type]


def _older_than(items: Sequence[Row], mark: tuple[datetime, str] | None) -> int:
    """How many of `items` (newest first) are older than `mark` (all when None)."""
    lo, hi = 0, len(items)
    if mark is None:
        return hi
    while lo < hi:  # the first item older than the mark
        mid = (lo + hi) // 2
        if _when(items[mid]) < mark:  # type: ignore[operator]
            hi = mid
        else:
            lo = mid + 1
    return len(items) - lo


def _tag_lists(rows: Iterable[Row], tags: set[str]) -> dict[str, list[Row]]:
    """The rows carrying each of `tags`, in order."""
    lists: dict[str, list[Row]] = {t: [] for t in tags}
    if tags:
        wanted = frozenset(tags)
        for r in rows:
            if not wanted.isdisjoint(r.tags):
                for tag in r.tags:
                    if tag in lists:
                        lists[tag].append(r)
    return lists


def _position(rows: Sequence[Row], r: Row) -> int:
    """Where `r` is in `rows` (the site's order: order keys descending and unique), or
    where it would go."""
    key = order_key(r)  # type: ignore[arg-type]
    lo, hi = 0, len(rows)
    while lo < hi:  # the first row that is not before r
        mid = (lo + hi) // 2
        if order_key(rows[mid]) > key:  # type: ignore[arg-type]
            lo = mid + 1
        else:
            hi = mid
    return lo


# -- the incremental build --------------------------------------------------------------------


def build(
    seeds: Path,
    out_dir: Path,
    config: SiteConfig,
    topics_path: Path | None,
    store_path: Path,
    *,
    workers: int | None,
    progress: bool | None,
    now: datetime,
    on_collected: Callable[[tuple[Problem, ...]], None] | None,
    files: list[tuple[Path, str]] | None = None,
    ahead=None,  # noqa: ANN001 - feeds.build.StoreUpdate | None
):  # noqa: ANN201 - feeds.build.BuildReport | None
    """An incremental build, or None when the site must be built in full (nothing written
    then, though the store may have been brought up to date). `ahead`: the child already
    parsing the changed pages (feeds.build.StoreUpdate.early), if the caller started one."""
    from feeds import build as b
    from feeds import store as st
    from feeds.pages import warm
    from feeds.topics import load_rules

    start = time.perf_counter()
    copy, recorded, _ = published(out_dir)
    if copy is None or recorded is None or not store_path.exists():
        return None
    try:
        with Index(manifest_file(out_dir)) as index:
            meta = index.meta()
            if meta != {
                "version": VERSION,
                "copy": str(copy),
                "generation": str(recorded.get("generation")),
            }:
                return None
            old_pages = index.pages()
    except sqlite3.Error:
        return None
    topics = load_rules(topics_path).topics
    engine = b.engine_version(topics_path)
    files = b.page_files(seeds) if files is None else files
    marks: dict[str, str] = {}

    def select(seen: dict[str, str]) -> list[str]:
        marks.update(seen)
        return [p for p, m in seen.items() if old_pages.get(p, ("",))[0] != m]

    try:
        db = st.Store(store_path)
    except st.StoreCorrupt:
        return None  # the full path moves it aside and rebuilds
    with db:
        store_id = db.identity
        expected = b.source_key(
            seeds, config, engine, store_path, store_id, recorded.get("generation", -1)
        )
        if not b.made_from(recorded, expected):
            return None
        shaper = b._Lean(st.Bodies(store_path))  # noqa: SLF001
        # the changed pages are parsed in a child while this process loads the index
        if ahead is None and b.StoreUpdate.possible(workers):
            ahead = b.StoreUpdate(store_path, files, engine, topics_path, workers, progress, now)
        try:
            with Index(manifest_file(out_dir)) as index:
                old = index.rows()
        except sqlite3.Error:
            old = None
        if ahead is not None:
            warm()  # templates compiled once, before the render processes fork
            saved = ahead.result()
        else:
            saved = b.update_store(
                db, files, engine, topics_path, False, workers, progress, now, shaper
            )
        if old is None:
            return None
        generation, loaded = db.load(shaper, select=select)

    # the index after the change
    gone_pages = set(old_pages) - set(marks)
    redone = {path for path, *_ in loaded} | gone_pages
    fresh: list[Row] = []
    page_problems: dict[str, tuple[str, str]] = {}
    for path, page, classes, records in loaded:
        fresh.extend(page_rows(page, classes, records, shaper.sizes, shaper.shown))
        page_problems[path] = (marks[path], _problems_json(page.problems))
    days = {r.day for r in old if r.source in redone} | {r.day for r in fresh}
    # the rows of other days stay as they are (same objects, same digests), in order; those
    # of the days touched are dated again and go in between
    rows: list[Row] = []
    before: list[Row] = []  # the old rows of the days touched
    for r in old:
        (before if r.day in days else rows).append(r)
    dated = list(date_rows([r for r in before if r.source not in redone] + fresh))
    _insert_ordered(rows, dated)
    old_digest = {r.id: r.digest for r in before}
    changed = {r.id for r in dated if old_digest.get(r.id) != r.digest}
    changed |= old_digest.keys() - {r.id for r in dated}

    if not redone and not changed:
        return None  # a build with nothing new that is still needed: the site is damaged
    problems: list[Problem] = []
    for path in sorted(marks):
        text = page_problems[path][1] if path in page_problems else old_pages[path][1]
        problems.extend(_problems(text))
    if not marks:
        return None  # no pages: the full path says so
    if on_collected is not None:
        on_collected(tuple(problems))

    keys = Keys(b.render_version(), RowDigests())
    resolver = Resolver(store_path)
    targets, drop, keep = plan_changes(old, rows, changed, topics, config, keys, resolver)
    source = b.source_key(seeds, config, engine, store_path, store_id, generation)
    source |= b.source_counts(len(marks), len(rows), problems)
    try:
        written = b.publish_partial(targets, out_dir, workers, progress, source, drop, keep)
    except NotPartial:
        return None
    finally:
        resolver.close()
    copy, _, count = published(out_dir)
    try:
        with Index(manifest_file(out_dir)) as index:
            meta = {"version": VERSION, "copy": str(copy), "generation": str(generation)}
            months = {_month(r) for r in chain(before, dated) if r.id in changed}
            index.apply(meta, page_problems, gone_pages, rows, months)
    except sqlite3.Error:
        pass  # the index still describes the site before: the next build is a full one
    stats = replace(
        saved,
        articles=len(rows),
        problems=len(problems),
        generation=generation,
        seconds=time.perf_counter() - start,
        store_id=store_id,
    )
    return b.BuildReport(
        out=Path(out_dir),
        pages=len(marks),
        articles=len(rows),
        files=count,
        problems=tuple(problems),
        seconds=time.perf_counter() - start,
        written=written,
        collected=stats,
    )
