"""The one module that talks to SQLite: the archive of every page and article ever built.

One file (WAL mode, so a serving process reads while a build writes). Two tables:

- pages: one row per page file (path relative to the seeds), with the size, mtime and SHA-256
  of its bytes, the engine version that parsed it (feeds.build.engine_version) and the parsed
  page metadata. A page whose bytes and engine did not change is loaded from here: it is
  neither re-parsed nor re-segmented.
- articles: one row per article ever seen, keyed by its immutable id, with its source page,
  position, content hash, first-seen and last-changed times, topics, tags and the parsed article.

Ids are immutable. When a page is re-parsed (its bytes changed, or a parser improvement changed
the engine version), each new article is matched to its previous self on the same source page:
same content, else same title, else a strongly overlapping body (Jaccard similarity of character
3-shingles >= 0.6). A matched article keeps its id; if its content changed, its last-changed
time moves (readers see an update, never a duplicate). An article that disappears stays in the
table, marked absent, so its id comes back if the article does.

A corrupt file raises StoreCorrupt (feeds.build moves it aside and rebuilds from the seeds); a
store locked by another writer for longer than `timeout` seconds raises StoreLocked.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import sys
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from feeds.errors import FeedsError
from feeds.model import CREDIT, HEADING, TEXT, Article, Dropped, Page, Paragraph, Problem

SCHEMA_VERSION = 1
DEFAULT_TIMEOUT = 10.0  # seconds to wait for another writer
MATCH_JACCARD = 0.6
BODY_CACHE = 8192  # article bodies a process keeps decoded (see Bodies)
KEEP_BATCH = 2048  # derived rows a load keeps in memory before saving them (see Store.load)
SHINGLE = 3

# (primary topic, every matched topic, tags): what feeds.topics gives for an article
Classes = tuple[str, tuple[str, ...], tuple[str, ...]]
# What Store.load keeps of an article: shape(article, id, content hash, classes) -> article
Shaper = Callable[[Article, str, str, Classes], Article]

_WS = re.compile(r"\s+")
_KINDS = {kind: kind for kind in (TEXT, HEADING, CREDIT)}  # one string object per kind
_CORRUPT_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_LOCKED_CODES = {"SQLITE_BUSY", "SQLITE_LOCKED"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    path TEXT PRIMARY KEY,      -- relative to the seeds, POSIX separators
    source TEXT NOT NULL,       -- Page.source (the file name; ids are made from it)
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,       -- of the file's bytes
    engine TEXT NOT NULL,       -- version of the parser + classifier that parsed it
    present INTEGER NOT NULL,   -- 0: the file is gone from the seeds
    meta BLOB NOT NULL,         -- zlib(JSON): issue date, encoding, dropped lines, problems
    parsed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,        -- immutable
    source TEXT NOT NULL,       -- Article.source: matching happens within one source page
    page TEXT NOT NULL,         -- pages.path it was last seen on
    position INTEGER NOT NULL,
    present INTEGER NOT NULL,   -- 0: no longer on its page
    title TEXT NOT NULL,
    content_hash TEXT NOT NULL, -- of the published content (not of positions or line numbers)
    first_seen TEXT NOT NULL,   -- ISO 8601, Asia/Shanghai
    last_changed TEXT NOT NULL,
    primary_topic TEXT NOT NULL,
    topics TEXT NOT NULL,       -- JSON list
    tags TEXT NOT NULL,         -- JSON list
    data BLOB NOT NULL          -- zlib(JSON) of the Article
);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source);
CREATE INDEX IF NOT EXISTS articles_page ON articles (page, present);
"""
# A cache beside the archive: what a lean load keeps of each article (feeds.build), so that
# loading does not decompress every body. A row is deleted whenever its article is saved,
# and used only by the code version that wrote it.
_LEAN_SCHEMA = """
CREATE TABLE IF NOT EXISTS lean (
    id TEXT PRIMARY KEY,        -- articles.id
    content_hash TEXT NOT NULL, -- articles.content_hash when it was written
    version TEXT NOT NULL,      -- of the code that wrote it
    data TEXT NOT NULL          -- JSON, opaque to the store
);
"""

# A second cache: feed entries as a site's feeds show them (feeds.render's serialized items:
# RSS <item>, Atom <entry>, JSON Feed item), keyed by a digest of all they are made of
# (feeds.delta.KeptEntries). A build that adds a page renders the few feed documents it
# reaches; the entries in them were mostly rendered by the build before. The oldest rows go
# past ENTRY_LIMIT.
_ENTRY_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,       -- digest of the item, the entry's times, format and site
    data BLOB NOT NULL          -- the entry (bytes for XML, text for JSON), opaque here
);
"""
ENTRY_LIMIT = 30_000


def _statements(script: str) -> list[str]:
    """The SQL statements of a script without its -- comments (executescript would COMMIT)."""
    text = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]


class StoreError(FeedsError):
    """The store cannot be used; the message names the file."""


class StoreCorrupt(StoreError):
    """The file is not a readable feeds store (damaged, or not SQLite at all)."""


class StoreLocked(StoreError):
    """Another process held the store longer than the timeout."""


@dataclass(frozen=True)
class PageState:
    """What the store knows about a page file, to decide whether it must be parsed again."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    engine: str
    present: bool


@dataclass(frozen=True)
class Parsed:
    """A freshly parsed page: its file's identity, the Page and each article's classes."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    page: Page
    classes: tuple[Classes, ...]


@dataclass(frozen=True)
class Record:
    """An article's identity in the archive."""

    id: str
    first_seen: datetime
    last_changed: datetime

    @property
    def updated(self) -> datetime | None:
        """When the content last changed after it was first seen (None: never)."""
        return self.last_changed if self.last_changed > self.first_seen else None


@dataclass(frozen=True)
class Saved:
    """What saving one parsed page did to the archive."""

    new: int = 0
    changed: int = 0
    gone: int = 0
    ids: tuple[str, ...] = ()  # of the page's articles, in page order
    hashes: tuple[str, ...] = ()  # their content hashes


# -- encoding -------------------------------------------------------------------------------


def _pack(obj: object) -> bytes:
    return zlib.compress(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode(), 1)


def _unpack(blob: bytes) -> object:
    return json.loads(zlib.decompress(blob))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def article_dict(a: Article) -> dict:
    """An Article as JSON-ready data (every field; paragraphs as [text, kind, line])."""
    return {
        "title": a.title,
        "paragraphs": [[p.text, p.kind, p.line] for p in a.paragraphs],
        "pretitle": a.pretitle,
        "subtitle": a.subtitle,
        "column": a.column,
        "authors": list(a.authors),
        "credits": list(a.credits),
        "byline": a.byline,
        "credit_line": a.credit_line,
        "date": a.date.isoformat() if a.date else None,
        "date_source": a.date_source,
        "continued": a.continued,
        "source": a.source,
        "position": a.position,
        "first_line": a.first_line,
        "last_line": a.last_line,
    }


def article_from(d: dict, paragraphs: Sequence[Paragraph] | None = None) -> Article:
    """The Article of article_dict data; `paragraphs` stand in for d["paragraphs"]."""
    if paragraphs is None:
        paragraphs = tuple(Paragraph(t, k, n) for t, k, n in d["paragraphs"])
    return Article(
        title=d["title"],
        paragraphs=paragraphs,  # type: ignore[arg-type]
        pretitle=d["pretitle"],
        subtitle=d["subtitle"],
        column=d["column"],
        authors=tuple(d["authors"]),
        credits=tuple(d["credits"]),
        byline=d["byline"],
        credit_line=d["credit_line"],
        date=_day(d["date"]),
        date_source=d["date_source"],
        continued=d["continued"],
        source=d["source"],
        position=d["position"],
        first_line=d["first_line"],
        last_line=d["last_line"],
    )


def _article(d: dict) -> Article:
    """article_from, sharing the strings that repeat across articles."""
    d["source"] = sys.intern(d["source"])
    d["paragraphs"] = [[t, _KINDS.get(k, k), n] for t, k, n in d["paragraphs"]]
    return article_from(d)


_NAME_LISTS: dict[str, tuple[str, ...]] = {}  # JSON list text -> its tuple (shared)


def _names(text: str) -> tuple[str, ...]:
    """A JSON list of topics or tags as a tuple; equal lists share one tuple."""
    names = _NAME_LISTS.get(text)
    if names is None:
        names = tuple(sys.intern(name) for name in json.loads(text))
        if len(_NAME_LISTS) < 100_000:
            _NAME_LISTS[text] = names
    return names


def article_meta(a: Article) -> dict:
    """article_dict without the paragraphs."""
    d = article_dict(a)
    del d["paragraphs"]
    return d


def article_from_meta(d: dict, paragraphs: Sequence[Paragraph]) -> Article:
    """article_from of an article_meta dict, with the given paragraphs."""
    d["source"] = sys.intern(d["source"])
    return article_from(d, paragraphs)


def page_meta(page: Page) -> dict:
    """Everything about a Page except its articles."""
    return {
        "source": page.source,
        "issue_date": page.issue_date.isoformat() if page.issue_date else None,
        "issue_date_source": page.issue_date_source,
        "year": page.year,
        "encoding": page.encoding,
        "dropped": [[d.line, d.text, d.reason] for d in page.dropped],
        "problems": [[p.source, p.message, p.line] for p in page.problems],
    }


def page_from(meta: dict, articles: Sequence[Article]) -> Page:
    return Page(
        source=meta["source"],
        articles=tuple(articles),
        issue_date=_day(meta["issue_date"]),
        issue_date_source=meta["issue_date_source"],
        year=meta["year"],
        encoding=meta["encoding"],
        dropped=tuple(Dropped(n, t, r) for n, t, r in meta["dropped"]),
        problems=tuple(Problem(s, m, n) for s, m, n in meta["problems"]),
    )


def content_hash(a: Article) -> str:
    """Hash of what readers see of an article: not its position or line numbers."""
    d = article_dict(a)
    for key in ("position", "first_line", "last_line"):
        del d[key]
    d["paragraphs"] = [[t, k] for t, k, _ in d["paragraphs"]]
    return hashlib.sha256(json.dumps(d, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# -- bodies read on use ----------------------------------------------------------------------


class Bodies:
    """Reads article bodies from a store file when they are used: what lets a large build
    keep only article metadata in memory (feeds.build loads the archive this way).

    Each process opens its own read-only connection (forked render processes included) and
    keeps the last BODY_CACHE bodies. A body whose content hash differs from the one loaded
    (another process saved the page since) raises StoreError: the build must run again.
    """

    def __init__(self, path: str | Path, cache: int = BODY_CACHE) -> None:
        self.path = Path(path)
        self.size = cache
        self._pid = -1
        self._db: sqlite3.Connection | None = None
        self._cache: OrderedDict[str, tuple[Paragraph, ...]] = OrderedDict()
        self.reads = 0  # bodies read from the file (for tests and benchmarks)

    def paragraphs(self, article_id: str, digest: str) -> tuple[Paragraph, ...]:
        cached = self._cache.get(article_id)
        if cached is not None and os.getpid() == self._pid:
            self._cache.move_to_end(article_id)
            return cached
        row = (
            self._connection()
            .execute("SELECT data, content_hash FROM articles WHERE id = ?", (article_id,))
            .fetchone()
        )
        if row is None or row[1] != digest:
            raise StoreError(
                f"{self.path}: article {article_id} changed while the site was built "
                "(another build saved its page); build again"
            )
        self.reads += 1
        paras = _article(_unpack(row[0])).paragraphs
        self._cache[article_id] = paras
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return paras

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # a forked child opens its own
            self._cache.clear()
            try:
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, timeout=DEFAULT_TIMEOUT)
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: cannot read article bodies ({exc})") from exc
            self._pid = os.getpid()
        return self._db

    def __getstate__(self) -> dict:
        return {"path": self.path, "size": self.size}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"], state["size"])


class StoredBody(Sequence[Paragraph]):
    """An article's paragraphs, read from the store when used (see Bodies). Its repr is the
    stored content hash, which changes whenever anything a reader sees changes: site keys
    (feeds.site.DigestMemo) digest it instead of the text."""

    __slots__ = ("_bodies", "_id", "_digest")

    def __init__(self, bodies: Bodies, article_id: str, digest: str) -> None:
        self._bodies, self._id, self._digest = bodies, article_id, digest

    def _get(self) -> tuple[Paragraph, ...]:
        return self._bodies.paragraphs(self._id, self._digest)

    def __getitem__(self, index):  # noqa: ANN001, ANN204 - Sequence protocol
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[Paragraph]:
        return iter(self._get())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredBody):
            return self._digest == other._digest
        return self._get() == other

    def __hash__(self) -> int:
        return hash(self._get())

    def __repr__(self) -> str:
        return f"StoredBody({self._digest})"


# -- matching -------------------------------------------------------------------------------


def norm_title(title: str) -> str:
    return _WS.sub("", title)


def shingles(text: str, k: int = SHINGLE) -> frozenset[str]:
    """Character k-shingles of a text without whitespace (the text itself when shorter)."""
    text = _WS.sub("", text)
    if len(text) <= k:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i : i + k] for i in range(len(text) - k + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class _Old:
    """A stored article a re-parsed page may continue."""

    id: str
    title: str
    content_hash: str
    position: int
    body: frozenset[str]
    here: bool  # present on the page being saved (else: absent, from any page of the source)


def match(old: Sequence[_Old], new: Sequence[Article], hashes: Sequence[str]) -> dict[int, str]:
    """New article index -> id of the previous article it continues.

    A pair qualifies with the same content hash, the same title (ignoring whitespace) or a body
    Jaccard >= MATCH_JACCARD; pairs are taken best first (same content, then same title, then
    body overlap; ties: nearest position), each article at most once.
    """
    if not old:
        return {}  # a page seen for the first time: nothing to continue
    bodies = [shingles(a.body) for a in new]
    pairs = []
    for i, article in enumerate(new):
        title = norm_title(article.title)
        for o in old:
            sim = jaccard(bodies[i], o.body)
            if hashes[i] == o.content_hash:
                rank = 3.0
            elif title and title == norm_title(o.title):
                rank = 2.0
            elif sim >= MATCH_JACCARD:
                rank = 1.0
            else:
                continue
            pairs.append((-rank, -sim, abs(article.position - o.position), i, o.id))
    pairs.sort()
    taken_new: dict[int, str] = {}
    taken_old: set[str] = set()
    for *_, i, old_id in pairs:
        if i not in taken_new and old_id not in taken_old:
            taken_new[i] = old_id
            taken_old.add(old_id)
    return taken_new


# -- the store ------------------------------------------------------------------------------


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Store:
    """An open archive. Use as a context manager; writes go through `transaction()`."""

    def __init__(self, path: str | Path, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = Path(path)
        self.timeout = timeout
        with self._errors():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            with self._errors():
                self._setup()
        except BaseException:
            self.db.close()
            raise

    def _setup(self) -> None:
        self._wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise StoreCorrupt(f"{self.path}: store format {version}, expected {SCHEMA_VERSION}")
        if version == 0:
            with self.transaction():
                for statement in _statements(_SCHEMA):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
        if not {"meta", "pages", "articles"} <= tables:
            raise StoreCorrupt(f"{self.path}: not a feeds store (tables missing)")
        for name, schema in (("lean", _LEAN_SCHEMA), ("entries", _ENTRY_SCHEMA)):
            if name not in tables:  # caches added after format 1 shipped: made on first use
                with self.transaction():
                    for statement in _statements(schema):
                        self.db.execute(statement)

    def _wal(self) -> None:
        """Switch a new store file to WAL. Two processes opening a new file at once (the
        workers of a server starting together) race for it: the loser's switch fails at once
        with "locked" (SQLite's busy timeout does not cover it), so it waits and asks again
        (by then the file is in WAL and the switch is a no-op)."""
        deadline = time.monotonic() + self.timeout
        delay = 0.01
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn sqlite3 errors into StoreCorrupt / StoreLocked / StoreError naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            name = getattr(exc, "sqlite_errorname", "")
            if name in _CORRUPT_CODES or "not a database" in str(exc) or "malformed" in str(exc):
                raise StoreCorrupt(f"{self.path}: store file is damaged ({exc})") from exc
            if name in _LOCKED_CODES or "locked" in str(exc):
                raise StoreLocked(
                    f"{self.path}: store is locked by another process "
                    f"(waited {self.timeout:g} s); try again when it has finished"
                ) from exc
            raise StoreError(f"{self.path}: {exc}") from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE: waits up to `timeout` for other writers)."""
        with self._errors():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One consistent snapshot for several reads (a read transaction)."""
        with self._errors():
            self.db.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                self.db.execute("COMMIT")

    # -- counters ---------------------------------------------------------------------------

    def _counter(self, key: str) -> int:
        with self._errors():
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row else 0

    def _bump(self, key: str, by: int = 1) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + ?",
            (key, str(by), by),
        )

    @property
    def identity(self) -> str:
        """A random id given to this store file once: a store rebuilt from the seeds (after
        it was damaged) has another, though its generations count from the start again."""
        with self._errors():
            row = self.db.execute("SELECT value FROM meta WHERE key = 'id'").fetchone()
        if row is None:
            with self.transaction():
                self.db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('id', ?)", (uuid.uuid4().hex,)
                )
            with self._errors():
                row = self.db.execute("SELECT value FROM meta WHERE key = 'id'").fetchone()
        return row[0]

    @property
    def generation(self) -> int:
        """Goes up with every committed change of pages or articles (watchers poll it)."""
        return self._counter("generation")

    @property
    def parses(self) -> int:
        """How many page parses were ever saved (proves that unchanged pages are not parsed)."""
        return self._counter("parses")

    # -- pages ------------------------------------------------------------------------------

    def states(self) -> dict[str, PageState]:
        """Every page the store knows, by path."""
        with self._errors():
            rows = self.db.execute(
                "SELECT path, size, mtime_ns, sha256, engine, present FROM pages"
            ).fetchall()
        return {r[0]: PageState(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows}

    def touch(self, path: str, size: int, mtime_ns: int) -> None:
        """Record a new size/mtime for a page whose bytes did not change (inside a transaction)."""
        self.db.execute(
            "UPDATE pages SET size = ?, mtime_ns = ?, present = 1 WHERE path = ?",
            (size, mtime_ns, path),
        )

    def retire(self, paths: Iterable[str]) -> int:
        """Pages whose files are gone: they and their articles are absent (ids are kept)."""
        gone = 0
        for path in paths:
            self.db.execute("UPDATE pages SET present = 0 WHERE path = ?", (path,))
            cur = self.db.execute(
                "UPDATE articles SET present = 0 WHERE page = ? AND present = 1", (path,)
            )
            gone += cur.rowcount
            self._bump("generation")
        return gone

    def save(self, parsed: Parsed, proposed: Sequence[str], engine: str, now: datetime) -> Saved:
        """Store a parsed page (inside a transaction): match its articles, keep or assign ids.

        `proposed[i]` is the id a new article i gets when it matches nothing and the id is free
        (feeds.group.article_id); a taken id gets "-2", "-3", ... appended.
        """
        page = parsed.page
        articles = page.articles
        hashes = [content_hash(a) for a in articles]
        old = self._candidates(parsed.path, page.source)
        matched = match(old, articles, hashes)
        by_id = {o.id: o for o in old}
        saved = Saved()
        ids: list[str] = []
        stamp = _iso(now)
        assigned: set[str] = set()
        for i, article in enumerate(articles):
            primary, topics, tags = parsed.classes[i]
            values = (
                page.source,
                parsed.path,
                article.position,
                article.title,
                hashes[i],
                primary,
                json.dumps(list(topics), ensure_ascii=False),
                json.dumps(list(tags), ensure_ascii=False),
                _pack(article_dict(article)),
            )
            old_id = matched.get(i)
            if old_id is not None:
                self.db.execute("DELETE FROM lean WHERE id = ?", (old_id,))
                changed = by_id[old_id].content_hash != hashes[i]
                self.db.execute(
                    "UPDATE articles SET source = ?, page = ?, position = ?, present = 1, "
                    "title = ?, content_hash = ?, primary_topic = ?, topics = ?, tags = ?, "
                    "data = ?, last_changed = CASE WHEN ? THEN ? ELSE last_changed END "
                    "WHERE id = ?",
                    (*values, changed, stamp, old_id),
                )
                saved = Saved(saved.new, saved.changed + changed, saved.gone)
                assigned.add(old_id)
                ids.append(old_id)
            else:
                new_id = self._free_id(proposed[i], assigned)
                self.db.execute("DELETE FROM lean WHERE id = ?", (new_id,))
                self.db.execute(
                    "INSERT INTO articles (source, page, position, title, content_hash, "
                    "primary_topic, topics, tags, data, id, present, first_seen, last_changed) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                    (*values, new_id, stamp, stamp),
                )
                saved = Saved(saved.new + 1, saved.changed, saved.gone)
                assigned.add(new_id)
                ids.append(new_id)
        gone = [o.id for o in old if o.here and o.id not in assigned]
        for old_id in gone:
            self.db.execute("UPDATE articles SET present = 0 WHERE id = ?", (old_id,))
        self.db.execute(
            "INSERT OR REPLACE INTO pages (path, source, size, mtime_ns, sha256, engine, "
            "present, meta, parsed_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
            (
                parsed.path,
                page.source,
                parsed.size,
                parsed.mtime_ns,
                parsed.sha256,
                engine,
                _pack(page_meta(page)),
                stamp,
            ),
        )
        self._bump("parses")
        self._bump("generation")
        return Saved(saved.new, saved.changed, len(gone), tuple(ids), tuple(hashes))

    def _candidates(self, path: str, source: str) -> list[_Old]:
        """Articles a re-parsed page may continue: those of the same source file name that
        were on this page, or that are absent (a page that was removed and came back)."""
        rows = self.db.execute(
            "SELECT id, title, content_hash, position, data, page = ? AND present = 1 "
            "FROM articles WHERE source = ? AND ((page = ? AND present = 1) OR present = 0)",
            (path, source, path),
        ).fetchall()
        return [
            _Old(r[0], r[1], r[2], r[3], shingles(article_from(_unpack(r[4])).body), bool(r[5]))
            for r in rows
        ]

    def _free_id(self, proposed: str, assigned: set[str]) -> str:
        base = proposed
        n = 1
        candidate = base
        while candidate in assigned or self._exists(candidate):
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _exists(self, article_id: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
            is not None
        )

    # -- loading ----------------------------------------------------------------------------

    def load(
        self,
        shape: Shaper | None = None,
        select: Callable[[dict[str, str]], Iterable[str] | None] | None = None,
    ) -> tuple[int, list[tuple[str, Page, list[Classes], list[Record]]]]:
        """The generation and every present page (by path) with its articles' classes and
        records, in page order: one consistent snapshot, even while another process writes.

        `select(marks)`, when given, sees every present page's mark in that snapshot (path ->
        "<SHA-256> <engine> <parse time>": a page whose mark did not change since a site was
        built still shows what it showed then) and returns the paths to load (None: all;
        feeds.delta loads only the pages that changed).

        `shape(article, id, content_hash, classes)`, when given, sees each article as it is
        read and returns what the page keeps instead (feeds.build keeps the metadata and a
        StoredBody). A shaper with a `version` also keeps what it derived: `shape.fresh`
        (id -> JSON text) is saved after loading, and the next load hands it back to
        `shape.restore(text, id, content_hash, classes)` without reading the article's body.
        Strings that repeat across articles (topics, tags, sources, paragraph kinds) are
        shared, not copied per article.
        """
        version = getattr(shape, "version", None)
        fresh = getattr(shape, "fresh", {})
        side: Store | Literal[False] | None = None  # opened when the first batch is kept
        with self.reading():
            generation = self.db.execute(
                "SELECT value FROM meta WHERE key = 'generation'"
            ).fetchone()
            chosen = ""
            args: tuple = (version or "",)
            if select is not None:
                marks = dict(
                    self.db.execute(
                        "SELECT path, sha256 || ' ' || engine || ' ' || parsed_at FROM pages "
                        "WHERE present = 1"
                    )
                )
                paths = select(marks)
                if paths is not None:
                    chosen = " AND {} IN (SELECT value FROM json_each(?))"
                    args += (json.dumps(sorted(paths)),)
            pages = self.db.execute(
                "SELECT path, meta FROM pages WHERE present = 1"
                + chosen.format("path")
                + " ORDER BY path",
                args[1:],
            ).fetchall()
            rows = self.db.execute(
                "SELECT a.page, a.primary_topic, a.topics, a.tags, a.id, a.first_seen, "
                "a.last_changed, a.content_hash, l.data, "
                "CASE WHEN l.data IS NULL THEN a.data END "
                "FROM articles a LEFT JOIN lean l "
                "ON l.id = a.id AND l.version = ? AND l.content_hash = a.content_hash "
                "WHERE a.present = 1" + chosen.format("a.page") + " ORDER BY a.page, a.position",
                args,
            )
            out = []
            row = next(rows, None)
            for path, meta in pages:
                arts, classes, records = [], [], []
                while row is not None and row[0] < path:
                    row = next(rows, None)  # articles of a page that is not present
                while row is not None and row[0] == path:
                    _, primary, topics, tags, aid, first, last, digest, kept, data = row
                    names = (sys.intern(primary), _names(topics), _names(tags))
                    if kept is not None:  # only a shaper's version finds its kept rows
                        arts.append(shape.restore(kept, aid, digest, names))  # type: ignore[union-attr]
                    else:
                        article = _article(_unpack(data))
                        arts.append(
                            article if shape is None else shape(article, aid, digest, names)
                        )
                    classes.append(names)
                    records.append(Record(aid, _time(first), _time(last)))
                    row = next(rows, None)
                out.append((path, page_from(_unpack(meta), arts), classes, records))
                if version and len(fresh) >= KEEP_BATCH:  # not all of them in memory at once
                    side = self._side() if side is None else side
                    if side:
                        side._keep(version, fresh)
                    else:
                        fresh.clear()
        if side:
            side.close()
        if version and fresh:
            self._keep(version, fresh)
        return int(generation[0]) if generation else 0, out

    def _side(self) -> Store | Literal[False]:
        """A second connection, for writes during a read (in WAL mode one writer works beside
        a reader); False when the store is busy (kept rows are a cache: they wait)."""
        try:
            return Store(self.path, timeout=0.1)
        except StoreError:
            return False

    def keep(self, version: str, rows: dict[str, tuple[str, str]]) -> None:
        """Save derived rows of a lean shaper (id -> (content hash, JSON); inside a
        transaction): Store.load hands them back to a shaper of the same `version`."""
        self.db.executemany(
            "INSERT OR REPLACE INTO lean (id, content_hash, version, data) VALUES (?, ?, ?, ?)",
            [(aid, digest, version, text) for aid, (digest, text) in rows.items()],
        )

    def _keep(self, version: str, fresh: dict[str, tuple[str, str]]) -> None:
        """keep() in a transaction of its own, then forget the rows. A store another writer
        holds is left as it is (the rows are a cache: the next load makes them again)."""
        try:
            with self.transaction():
                self.keep(version, fresh)
        except StoreLocked:
            pass
        fresh.clear()

    def lean_rows(self, version: str, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Kept lean rows of the given articles (id -> (content hash, JSON)), where the row
        of `version` matches the article's content."""
        with self._errors():
            rows = self.db.execute(
                "SELECT l.id, l.content_hash, l.data FROM lean l JOIN articles a "
                "ON a.id = l.id AND a.content_hash = l.content_hash "
                "WHERE l.version = ? AND l.id IN (SELECT value FROM json_each(?))",
                (version, json.dumps(list(ids))),
            ).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def entries(self, keys: Sequence[str]) -> dict[str, bytes | str]:
        """Kept feed entries of the given keys (see _ENTRY_SCHEMA)."""
        with self._errors():
            rows = self.db.execute(
                "SELECT key, data FROM entries WHERE key IN (SELECT value FROM json_each(?))",
                (json.dumps(list(keys)),),
            ).fetchall()
        return dict(rows)

    def keep_entries(self, entries: Sequence[tuple[str, bytes | str]]) -> None:
        """Save feed entries in a transaction of their own; the oldest past ENTRY_LIMIT go.
        A store another writer holds is left as it is (a cache: they are made again)."""
        try:
            with self.transaction():
                self.db.executemany(
                    "INSERT OR REPLACE INTO entries (key, data) VALUES (?, ?)", entries
                )
                self.db.execute(
                    "DELETE FROM entries WHERE rowid <= (SELECT max(rowid) FROM entries) - ?",
                    (ENTRY_LIMIT,),
                )
        except StoreLocked:
            pass

    def stored_article(self, article_id: str) -> tuple[Article, str]:
        """An article as saved, and its content hash."""
        with self._errors():
            row = self.db.execute(
                "SELECT data, content_hash FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: article {article_id} is gone; build again")
        return _article(_unpack(row[0])), row[1]

    def records(self, path: str) -> list[Record]:
        """The present articles of one page, in page order."""
        with self._errors():
            rows = self.db.execute(
                "SELECT id, first_seen, last_changed FROM articles "
                "WHERE page = ? AND present = 1 ORDER BY position",
                (path,),
            ).fetchall()
        return [Record(r[0], _time(r[1]), _time(r[2])) for r in rows]

    def article(self, article_id: str) -> dict | None:
        """An article's row (for tests and tools): id, page, present, title, times, topics."""
        with self._errors():
            row = self.db.execute(
                "SELECT id, source, page, position, present, title, content_hash, first_seen, "
                "last_changed, primary_topic, topics, tags FROM articles WHERE id = ?",
                (article_id,),
            ).fetchone()
        if row is None:
            return None
        keys = ("id", "source", "page", "position", "present", "title", "content_hash")
        out = dict(zip(keys, row[:7], strict=True))
        out["first_seen"] = datetime.fromisoformat(row[7])
        out["last_changed"] = datetime.fromisoformat(row[8])
        out["primary_topic"] = row[9]
        out["topics"] = tuple(json.loads(row[10]))
        out["tags"] = tuple(json.loads(row[11]))
        return out
