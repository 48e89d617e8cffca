"""I/O edge of building: seeds dir -> parse -> group -> (site.py plans) -> publish.py writes.

Collecting (`collect`, `collect_report`) reads the page files and classifies their articles; a
bad file becomes a Problem and the others still build. With a store (feeds.store, SQLite), a
page whose bytes did not change is loaded from the archive, neither re-parsed nor re-segmented,
and item ids stay immutable across re-parses. Pages to parse are parsed and classified in
parallel on all cores (a process pool; jieba is initialised once per worker).

`build` is the whole static export: collect, plan the site (feeds.site), then write it
atomically with feeds.publish. Keeping a served site current is feeds.watch's.

Store location: `--store` / FEEDS_STORE, else `.feeds/store.sqlite` in the directory that holds
the seeds (beside a seeds directory, like .git beside the sources; see default_store_path).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import marshal
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from importlib import metadata
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO

from feeds import store as _store
from feeds.errors import InputError
from feeds.model import Article, Item, Page, Paragraph, Problem
from feeds.publish import lock_file, publish
from feeds.site import Collection, Keys, SiteConfig, Target, plan
from feeds.store import Classes, Parsed, Store, StoreCorrupt

STORE_DIR = ".feeds"
STORE_NAME = "store.sqlite"
SERIAL_BELOW = 8  # pages: below this a process pool costs more than it saves (see publish.py)
SAVE_BATCH = 64  # pages per store transaction: a killed full build keeps what it saved
PROGRESS_DELAY = 0.5  # seconds before a progress bar appears (quick builds stay quiet)
# Modules that cannot change what a page parses to or how it is classified (the others, and
# the data files, make up the engine version that invalidates stored parses).
_NOT_ENGINE = frozenset(
    {"__init__.py", "__main__.py", "build.py", "cli.py", "delta.py", "group.py", "render.py"}
    | {"serialize.py", "site.py", "store.py", "web.py", "serving.py"}
    | {"pages.py", "publish.py", "search.py", "watch.py", "sitedirs.py"}
)
# The modules that do decide it (tests/test_store.py checks every module is in one set).
ENGINE_MODULES = frozenset(
    {"bylines.py", "chars.py", "dates.py", "decode.py", "errors.py", "furniture.py"}
    | {"headlines.py", "model.py", "parse.py", "segment.py", "source.py", "topics.py"}
)

Warn = Callable[[str], None]


@dataclass(frozen=True)
class CollectStats:
    """What collecting did: page files, parses, and the archive changes they caused."""

    pages: int = 0  # page files in the seeds
    parsed: int = 0  # pages parsed by this run (the others came from the store unchanged)
    articles: int = 0
    new: int = 0  # articles first seen now
    changed: int = 0  # articles whose content changed (same id, update time moved)
    gone: int = 0  # articles no longer in the seeds
    problems: int = 0
    generation: int = 0  # the store generation the collection reflects (0: no store)
    seconds: float = 0.0
    store_id: str = ""  # the store's identity (feeds.store.Store.identity; "": no store)


@dataclass(frozen=True)
class BuildReport:
    """What `build` did, for the CLI's summary line."""

    out: Path
    pages: int
    articles: int
    files: int
    problems: tuple[Problem, ...]
    seconds: float
    written: int = 0  # files (without .gz) new or changed; the others kept inode and mtime
    collected: CollectStats | None = None  # None when a ready collection was given


# -- where things are -----------------------------------------------------------------------


def default_store_path(seeds: str | Path) -> Path:
    """`.feeds/store.sqlite` in the directory that contains the seeds (dir or single file)."""
    return Path(os.path.abspath(seeds)).parent / STORE_DIR / STORE_NAME


def engine_version(topics_path: str | Path | None = None) -> str:
    """Fingerprint of everything that decides what a page parses to and how it is classified:
    the parser and topic modules, jieba data, user dictionary, stop words and topic rules.
    A stored parse made by another engine version is parsed again."""
    digest = hashlib.sha256(f"feeds store {_jieba_version()}\n".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.iterdir()):
        if path.suffix in (".py", ".txt", ".toml") and path.name not in _NOT_ENGINE:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    if topics_path is not None:
        try:
            digest.update(b"topics\0" + Path(topics_path).read_bytes())
        except OSError:
            pass  # load_rules reports an unreadable topics file
    return digest.hexdigest()[:16]


def _jieba_version() -> str:
    return _version("jieba")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


_RENDERER = ("site.py", "pages.py", "render.py", "model.py", "group.py")


def render_version() -> str:
    """Fingerprint of everything that turns items into files: the site, page and feed
    modules, templates, static assets and the libraries that render. It salts every target
    key (feeds.site.Keys): files written by another version are rendered again."""
    digest = hashlib.sha256(b"feeds render\n")
    for package in ("feedgen", "jinja2", "lxml", "markupsafe"):
        digest.update(f"{package} {_version(package)}\n".encode())
    root = Path(__file__).resolve().parent
    paths = [root / name for name in _RENDERER]
    paths += sorted((root / "templates").iterdir()) + sorted((root / "static").iterdir())
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def page_files(seeds: Path) -> list[tuple[Path, str]]:
    """Page files under `seeds` with their store keys (path relative to the seeds dir), in
    the order of feeds.source.discover; one scandir per folder (no stat per file: a build
    over 10,000 pages looks at them on every run)."""
    if not seeds.is_dir():
        return [(seeds, seeds.name)]
    root = os.path.join(str(seeds), "")
    found = sorted(_page_files(root), key=lambda p: p.split(os.sep))  # Path order
    return [(Path(p), p[len(root) :].replace(os.sep, "/")) for p in found]


def _page_files(folder: str) -> Iterator[str]:
    from feeds.source import PAGE_SUFFIXES

    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):  # as discover's rglob: no loops through links
            yield from _page_files(entry.path)
        elif entry.is_file() and os.path.splitext(entry.name)[1] in PAGE_SUFFIXES:
            yield entry.path


def _sha256(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return ""


# -- parsing (in worker processes) ----------------------------------------------------------

_worker: dict[str, object] = {}  # this process's classifier, keyed by its topics file


def _classifier(topics_path: str | Path | None) -> Callable[[Article], Classes]:
    """The topic classifier for a topics file, made once per process (and per file change)."""
    key = None
    if topics_path is not None:
        try:
            st = os.stat(topics_path)
            key = (str(topics_path), st.st_size, st.st_mtime_ns)
        except OSError:
            key = (str(topics_path), -1, -1)
    if _worker.get("key") != key or "classify" not in _worker:
        from feeds.topics import load_classifier

        _worker.update(key=key, classify=load_classifier(topics_path))
    return _worker["classify"]  # type: ignore[return-value]


def _init_worker(topics_path: str | Path | None) -> None:
    """Pool initializer: load the rules and jieba (dictionary, IDF table) once per worker."""
    classify = _classifier(topics_path)
    classify(Article("预热", (Paragraph("初始化分词词典。"),)))


def parse_file(path: Path, key: str, topics_path: str | Path | None = None) -> Parsed:
    """Read, parse and classify one page file (never raises for bad input)."""
    from feeds.source import read_page

    try:
        st = path.stat()
        size, mtime_ns = st.st_size, st.st_mtime_ns
    except OSError:
        size, mtime_ns = -1, -1
    sha = _sha256(path)
    page = read_page(path, source=key)  # 2024/01.txt and 2025/01.txt stay apart
    classify = _classifier(topics_path)
    classes = tuple(classify(article) for article in page.articles)
    return Parsed(key, size, mtime_ns, sha, page, classes)


def _parse_job(job: tuple[Path, str, str | Path | None]) -> Parsed:
    return parse_file(*job)


def worker_count(workers: int | None = None) -> int:
    """`workers`, or every core this process may run on."""
    if workers is not None:
        return max(1, workers)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _mp_context() -> multiprocessing.context.BaseContext:
    """fork when it is safe (one thread: children inherit loaded modules for free)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def parse_files(
    jobs: Sequence[tuple[Path, str]],
    topics_path: str | Path | None = None,
    workers: int | None = None,
) -> Iterator[Parsed]:
    """Parse pages in order; in a process pool (chunked map) unless there are only a few."""
    n = min(worker_count(workers), len(jobs))
    if n <= 1 or len(jobs) < SERIAL_BELOW:
        for path, key in jobs:
            yield parse_file(path, key, topics_path)
        return
    chunk = max(1, min(32, len(jobs) // (n * 8)))
    pool = ProcessPoolExecutor(n, _mp_context(), initializer=_init_worker, initargs=(topics_path,))
    try:
        yield from pool.map(_parse_job, [(p, k, topics_path) for p, k in jobs], chunksize=chunk)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def progress_bar(items: Iterable, total: int, enabled: bool | None, unit: str) -> Iterable:
    """A tqdm progress bar on stderr when it is a terminal (and the work takes a moment)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return items
    try:
        from tqdm import tqdm
    except ImportError:
        return items
    return tqdm(items, total=total, unit=unit, delay=PROGRESS_DELAY, file=sys.stderr, leave=False)


# -- collecting -----------------------------------------------------------------------------


def collect(
    seeds: Path,
    topics_path: Path | None = None,
    *,
    store: str | Path | None = None,
    full: bool = False,
    workers: int | None = None,
    progress: bool | None = False,
    now: datetime | None = None,
    warn: Warn | None = None,
    store_timeout: float | None = None,
) -> Collection:
    """Read every page under `seeds` (a dir of *.txt or one file), classify, group into items.

    Without `store`, every page is parsed and ids come from feeds.group. With a store file,
    see collect_report.
    """
    return collect_report(
        seeds,
        topics_path,
        store=store,
        full=full,
        workers=workers,
        progress=progress,
        now=now,
        warn=warn,
        store_timeout=store_timeout,
    )[0]


def collect_report(
    seeds: Path,
    topics_path: Path | None = None,
    *,
    store: str | Path | None = None,
    full: bool = False,
    workers: int | None = None,
    progress: bool | None = None,
    now: datetime | None = None,
    warn: Warn | None = None,
    store_timeout: float | None = None,
    lean: bool = False,
) -> tuple[Collection, CollectStats]:
    """Collect, and say what changed.

    With `store` (a file path): pages unchanged since the store last saw them are loaded from
    it; the others (all with `full=True`) are parsed on `workers` processes (default: all
    cores) and saved, keeping the ids of articles they continue. A corrupt store file is moved
    aside (`<name>.corrupt-<time>`) and rebuilt from the seeds, with one warning; a store
    locked by another writer for longer than `store_timeout` seconds (default:
    feeds.store.DEFAULT_TIMEOUT) raises StoreLocked.

    `lean` (with a store): articles keep their metadata in memory and read their paragraphs
    from the store when used (feeds.store.StoredBody): what a large static build needs. The
    web app keeps bodies in memory (filters and search read them all).
    """
    from feeds.topics import load_rules

    start = time.perf_counter()
    seeds = Path(seeds)
    if not seeds.exists():
        raise InputError(str(seeds), "no such file or directory")
    topics = load_rules(topics_path).topics  # a bad topics file fails before any work
    files = page_files(seeds)
    when = now or _now()
    if store is None:
        parsed = list(
            progress_bar(parse_files(files, topics_path, workers), len(files), progress, "page")
        )
        found = [(p.page, p.classes, None) for p in parsed]
        collection = _collection(seeds, found, topics)
        stats = CollectStats(pages=len(files), parsed=len(parsed))
    else:
        path = Path(store)
        args = (seeds, files, topics, topics_path)
        opts = {"workers": workers, "progress": progress, "now": when, "lean": lean}
        opts["timeout"] = _store.DEFAULT_TIMEOUT if store_timeout is None else store_timeout
        try:
            collection, stats = _collect_stored(path, *args, full=full, **opts)
        except StoreCorrupt as exc:
            aside = _move_aside(path)
            (warn or warn_stderr)(
                f"{exc}; moved it to {aside.name} and rebuilt the archive from the seeds"
            )
            collection, stats = _collect_stored(path, *args, full=True, **opts)
    return collection, replace(
        stats,
        articles=len(collection.items),
        problems=len(collection.problems),
        seconds=time.perf_counter() - start,
    )


def _now() -> datetime:
    from feeds.group import SHANGHAI

    return datetime.now(SHANGHAI).replace(microsecond=0)


def warn_stderr(message: str) -> None:
    print(f"Warning: {message}", file=sys.stderr)


def _collect_stored(
    path: Path,
    seeds: Path,
    files: list[tuple[Path, str]],
    topics: tuple,
    topics_path: Path | None,
    *,
    full: bool,
    workers: int | None,
    progress: bool | None,
    now: datetime,
    timeout: float,
    lean: bool = False,
) -> tuple[Collection, CollectStats]:
    engine = engine_version(topics_path)
    with Store(path, timeout) as st:
        shaper = _Lean(_store.Bodies(path)) if lean else None
        saved = update_store(st, files, engine, topics_path, full, workers, progress, now, shaper)
        marks: dict = {}
        generation, stored = st.load(shaper, select=lambda seen: marks.update(seen))
        store_id = st.identity
    found = [(page, classes, records) for _, page, classes, records in stored]
    del stored
    stats = replace(saved, generation=generation, store_id=store_id)
    return _collection(seeds, found, topics, shaper, marks), stats


def update_store(
    st: Store,
    files: list[tuple[Path, str]],
    engine: str,
    topics_path: Path | None,
    full: bool,
    workers: int | None,
    progress: bool | None,
    now: datetime,
    shaper: _Lean | None = None,
    changes: Changes | None = None,
) -> CollectStats:
    """Bring the store up to date with the page files: parse and save the pages that changed
    (all with `full`), note touched and removed ones. Says so in CollectStats (pages,
    parsed, new, changed, gone). `changes`: what `_changes` found already (then only the
    number of `files` counts)."""
    from feeds.group import article_id

    todo, touched, missing = changes or _changes(st, files, engine, full)
    gone = 0
    if touched or missing:  # no write lock when nothing changed: readers never wait
        with st.transaction():
            for key, size, mtime_ns in touched:
                st.touch(key, size, mtime_ns)
            gone = st.retire(missing)
    new = changed = 0
    results = progress_bar(parse_files(todo, topics_path, workers), len(todo), progress, "page")
    for batch in _batches(results, SAVE_BATCH):
        with st.transaction():
            for parsed in batch:
                proposed = [article_id(a.source, a.title) for a in parsed.page.articles]
                saved = st.save(parsed, proposed, engine, now)
                new, changed, gone = new + saved.new, changed + saved.changed, gone + saved.gone
                if shaper is not None:  # its lean rows now, while the text is at hand
                    st.keep(shaper.version, shaper.rows(parsed, saved))
    return CollectStats(len(files), len(todo), new=new, changed=changed, gone=gone)


class StoreUpdate:
    """update_store run in a forked child process, started at once, so that the caller can
    do other work meanwhile (an incremental build loads its index while the new page is
    parsed: loading jieba's dictionary is most of a one-page build). `result()` waits and
    returns the CollectStats, or raises what update_store raised in the child."""

    def __init__(
        self,
        store_path: Path,
        files: list[tuple[Path, str]] | None,
        engine: str,
        topics_path: Path | None,
        workers: int | None,
        progress: bool | None,
        now: datetime,
        seeds: Path | None = None,
    ) -> None:
        """`files`: the page files; or None, then `send_files` gives them (the child loads
        the parser meanwhile), and the child lists `seeds` itself if that never comes."""
        ctx = multiprocessing.get_context("fork")
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._files: Connection | None = None
        files_end = listing = None
        if files is None:  # the listing goes through a file: a pipe would block the sender
            files_end, self._files = ctx.Pipe(duplex=False)
            listing = self._listing = tempfile.TemporaryFile()
        sent = (files_end, listing, self._files)
        args = (child_end, sent, store_path, files, engine, topics_path, workers)
        args = (*args, progress, now, seeds)
        self._process = ctx.Process(target=_update_child, args=args, daemon=False)
        self._process.start()
        child_end.close()
        if files_end is not None:
            files_end.close()
        self._outcome: tuple[bool, object] | None = None

    def send_files(self, files: list[tuple[Path, str]], changes: Changes | None = None) -> None:
        """The page files the caller listed, and what changed among them (`_changes`) if it
        looked: the child need not list and compare them again. Once; later calls do
        nothing."""
        if self._files is None:
            return
        try:
            if changes is None:
                sent = ("files", [(str(path), key) for path, key in files])
            else:
                todo, touched, missing = changes
                sent = ("changes", len(files), [(str(p), k) for p, k in todo], touched, missing)
            data = marshal.dumps(sent)
            self._listing.write(data)
            self._listing.flush()
            self._files.send(len(data))
        except OSError:  # the child is gone (result() says why), or no room for the list
            pass
        finally:
            self._close_files()

    def _close_files(self) -> None:
        """Nothing more to send: the child reads what was, or lists the seeds itself."""
        if self._files is not None:
            self._files.close()
            self._files = None
            self._listing.close()

    @staticmethod
    def possible(workers: int | None) -> bool:
        """Whether a child can run beside this process: two cores or more, and fork safe
        (one thread, a platform with fork)."""
        return worker_count(workers) > 1 and _mp_context().get_start_method() == "fork"

    @classmethod
    def early(
        cls,
        out_dir: Path,
        store_path: Path,
        seeds: Path,
        topics_path: Path | None,
        workers: int | None,
        progress: bool | None,
        now: datetime,
    ) -> StoreUpdate | None:
        """Started before anything else when an incremental build may follow (a published
        site and its store): parsing the changed pages is the longest part of a small build,
        so it starts while this process checks for an unchanged site and loads the index.
        The caller ends it with `result()` or `discard()`."""
        from feeds.publish import published

        if not cls.possible(workers) or not Path(store_path).exists():
            return None
        if published(out_dir)[1] is None:
            return None  # a first build: the full path parses, in parallel
        engine = engine_version(topics_path)
        # the child lists the seeds itself (this process does the same meanwhile)
        return cls(store_path, None, engine, topics_path, workers, progress, now, seeds)

    def result(self) -> CollectStats:
        self._close_files()  # never sent: the child lists the seeds itself
        if self._outcome is None:
            try:
                self._outcome = self._conn.recv()
            except EOFError:  # the child died without a word (killed, out of memory)
                self._outcome = (False, RuntimeError("the page parser process ended unexpectedly"))
            finally:
                self._conn.close()
                self._process.join()
        ok, value = self._outcome
        if not ok:
            raise value
        return value

    def discard(self) -> CollectStats | None:
        """Wait for the child, whatever it did, for a build that took another way (unchanged,
        or the full path): what it saved (None if it failed: the full path meets that again).
        """
        try:
            return self.result()
        except Exception:  # noqa: BLE001 - the path taken instead meets it again
            return None


def _update_child(
    conn, sent, store_path, files, engine, topics_path, workers, progress, now, seeds
) -> None:  # noqa: ANN001, E501
    """In the child: update_store with a connection and a lean shaper of its own. Without
    `files`, the parser is imported (its patterns compiled) while the parent lists them;
    `sent`: (the connection that says how long the list is, the file it is in)."""
    try:
        if files is None:
            import feeds.parse  # noqa: F401 - compiled now, while the parent lists the pages

            files, changes = _files_sent(*sent)
            files = page_files(seeds) if files is None else files
        else:
            changes = None
        with Store(store_path) as db:
            shaper = _Lean(_store.Bodies(store_path))
            stats = update_store(
                db, files, engine, topics_path, False, workers, progress, now, shaper, changes
            )
        conn.send((True, stats))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, raised there
        try:
            conn.send((False, exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def _files_sent(
    said: Connection, listing: IO[bytes], parents_end: Connection
) -> tuple[list[tuple[Path, str]] | range | None, Changes | None]:
    """What the parent sent (StoreUpdate.send_files): (its page files, None), or (a stand-in
    of their number, what changed) when it compared them with the store; (None, None) if it
    sent nothing."""
    parents_end.close()  # this copy of it, forked: else no end of file when the parent's closes
    try:
        sent = marshal.loads(os.pread(listing.fileno(), said.recv(), 0))
        if sent[0] == "files":
            return [(Path(path), key) for path, key in sent[1]], None
        _, count, todo, touched, missing = sent
        return range(count), ([(Path(p), k) for p, k in todo], touched, missing)
    except (EOFError, OSError, ValueError, TypeError, IndexError):
        return None, None
    finally:
        said.close()
        listing.close()


class _Lean:
    """Store.load's shaper for a lean collection: each article keeps its metadata and a
    StoredBody; its summary and estimated feed size are taken while the text is at hand and
    kept in the store (`fresh`, by `version`), so the next load need not read the body."""

    def __init__(self, bodies: _store.Bodies) -> None:
        from feeds.group import summary
        from feeds.render import estimated_size

        self.bodies = bodies
        self.version = lean_version()
        self.summaries: dict[int, str] = {}  # id(lean article) -> summary
        self.sizes: dict[str, int] = {}  # item id -> render.estimated_size
        self.fresh: dict[str, tuple[str, str]] = {}  # id -> (content hash, JSON) to keep
        self.shown: dict[str, str] = {}  # id -> digest of the row and body (Collection.shown)
        self._summary, self._size = summary, estimated_size

    def __call__(self, article: Article, article_id: str, digest: str, classes: Classes) -> Article:
        kept = self._derive(article, article_id, classes)
        text = json.dumps(kept, ensure_ascii=False)
        self.fresh[article_id] = (digest, text)
        return self._keep(kept, article_id, digest, text)

    def rows(self, parsed: Parsed, saved: _store.Saved) -> dict[str, tuple[str, str]]:
        """The lean rows of a page just saved (id -> (content hash, JSON))."""
        out = {}
        for article, classes, aid, digest in zip(
            parsed.page.articles, parsed.classes, saved.ids, saved.hashes, strict=True
        ):
            out[aid] = (digest, json.dumps(self._derive(article, aid, classes), ensure_ascii=False))
        return out

    def _derive(self, article: Article, article_id: str, classes: Classes) -> dict:
        text = self._summary(article)
        primary, topics, tags = classes
        size = self._size(Item(article_id, article, primary, topics, tags, summary=text))
        return {"article": _store.article_meta(article), "summary": text, "size": size}

    def restore(self, text: str, article_id: str, digest: str, classes: Classes) -> Article:
        return self._keep(json.loads(text), article_id, digest, text)

    def _keep(self, kept: dict, article_id: str, digest: str, text: str) -> Article:
        body = _store.StoredBody(self.bodies, article_id, digest)
        lean = _store.article_from_meta(kept["article"], body)
        self.summaries[id(lean)] = kept["summary"]
        self.sizes[article_id] = kept["size"]
        # the row says everything an item shows but its id, times and classes; the content
        # hash stands for the body
        self.shown[article_id] = hashlib.blake2b(
            f"{text}\0{digest}".encode(), digest_size=16
        ).hexdigest()
        return lean


def lean_version() -> str:
    """Fingerprint of the code that makes a lean article's cached row (its metadata, summary
    and feed size): rows made by another version are made again."""
    digest = hashlib.sha256(b"feeds lean\n")
    root = Path(__file__).resolve().parent
    for name in ("model.py", "group.py", "render.py", "store.py", "build.py"):
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


# (pages to parse, unchanged pages with a new mtime, stored pages gone from the seeds)
Changes = tuple[list[tuple[Path, str]], list[tuple[str, int, int]], list[str]]


def _changes(st: Store, files: list[tuple[Path, str]], engine: str, full: bool) -> Changes:
    """(pages to parse, unchanged pages with a new mtime, stored pages gone from the seeds)."""
    states = st.states()
    todo, touched = [], []
    for path, key in files:
        state = states.get(key)
        try:
            stat = path.stat()
        except OSError:
            todo.append((path, key))  # read_page reports it
            continue
        if full or state is None or not state.present or state.engine != engine:
            todo.append((path, key))
        elif (stat.st_size, stat.st_mtime_ns) != (state.size, state.mtime_ns):
            if _sha256(path) == state.sha256:
                touched.append((key, stat.st_size, stat.st_mtime_ns))
            else:
                todo.append((path, key))
    keys = {key for _, key in files}
    missing = [key for key, state in states.items() if state.present and key not in keys]
    return todo, touched, missing


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _collection(
    seeds: Path,
    found: list[tuple[Page, Sequence[Classes], Sequence | None]],
    topics: tuple,
    lean: _Lean | None = None,
    marks: dict | None = None,
) -> Collection:
    """Items from pages, their classes and (with a store) their records: ids and updates."""
    from feeds.group import make_items, order_key, summary

    classes: dict[int, Classes] = {}
    records: dict[int, object] = {}
    for page, page_classes, page_records in found:
        for n, article in enumerate(page.articles):
            classes[id(article)] = page_classes[n]
            if page_records is not None:
                records[id(article)] = page_records[n]
    pages = tuple(page for page, _, _ in found)
    summarize = summary if lean is None else (lambda article: lean.summaries[id(article)])
    items = make_items(pages, lambda article: classes[id(article)], summarize)
    if records:
        items = [_with_record(item, records[id(item.article)]) for item in items]
        items.sort(key=order_key, reverse=True)
    problems = tuple(problem for page in pages for problem in page.problems)
    if not pages:
        problems += (Problem(str(seeds), "no *.txt pages found"),)
    sizes = lean.sizes if lean is not None else {}
    shown = lean.shown if lean is not None else {}
    return Collection(pages, tuple(items), tuple(topics), problems, sizes, shown, marks or {})


def _with_record(item: Item, record) -> Item:  # noqa: ANN001 - feeds.store.Record
    return replace(item, id=record.id, updated=record.updated)


def _move_aside(path: Path) -> Path:
    """Rename a damaged store (and its -wal/-shm files) out of the way; never delete it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{path}{suffix}")
        if src.exists():
            os.replace(src, f"{aside}{suffix}")
    return aside


# -- the whole build ------------------------------------------------------------------------


def build(
    seeds: Path,
    out_dir: Path,
    config: SiteConfig | None = None,
    topics_path: Path | None = None,
    collection: Collection | None = None,
    *,
    store: str | Path | None = None,
    full: bool = False,
    workers: int | None = None,
    progress: bool | None = False,
    now: datetime | None = None,
    warn: Warn | None = None,
    on_collected: Callable[[tuple[Problem, ...]], None] | None = None,
) -> BuildReport:
    """The whole static export: collect (incrementally, with the store), render, publish.

    store: the archive file (default: default_store_path(seeds)). full: parse every page
    again (ids are still kept). workers: processes for parsing and rendering (default: all
    cores; 1: serial). A given `collection` is published as is (no collecting).
    on_collected(problems) is called before anything is written (the CLI reports the
    problems there, and --strict stops).

    A build that would change nothing (no page changed since the site was published from
    the same store, settings and code, and every file is as it was written) is known from
    the site's manifest without loading the archive: see `unchanged_site`.
    """
    start = time.perf_counter()
    config = config or SiteConfig()
    stats = None
    source = None
    if collection is None:
        store_path = Path(store or default_store_path(seeds))
        now = now or _now()
        ahead = None
        if not full and Path(seeds).exists():  # the changed pages are parsed in a child
            ahead = StoreUpdate.early(
                Path(out_dir), store_path, Path(seeds), topics_path, workers, progress, now
            )
        files = page_files(Path(seeds)) if Path(seeds).exists() else []
        reported: list[tuple[Problem, ...]] = []
        callback = on_collected

        def report(problems: tuple[Problem, ...]) -> None:
            """on_collected, once (an incremental attempt that gives up has called it)."""
            if not reported and callback is not None:
                callback(problems)
            reported.append(problems)

        try:
            tell = None if ahead is None else partial(ahead.send_files, files)
            same = (
                None
                if full
                else unchanged_site(
                    seeds, Path(out_dir), config, topics_path, store_path, files, tell
                )
            )
            if ahead is not None:
                ahead.send_files(files)  # if unchanged_site did not compare them
            if same is not None:
                report(same.problems)
                return replace(same, seconds=time.perf_counter() - start)
            if not full:
                from feeds import delta

                done = delta.build(
                    seeds,
                    Path(out_dir),
                    config,
                    topics_path,
                    store_path,
                    workers=workers,
                    progress=progress,
                    now=now,
                    on_collected=report,
                    files=files,
                    ahead=ahead,
                )
                if done is not None:
                    return replace(done, seconds=time.perf_counter() - start)
        finally:
            # waited for in any case (its result is kept once taken): what it saved counts
            early = ahead.discard() if ahead is not None else None
        on_collected = report
        collection, stats = collect_report(
            seeds,
            topics_path,
            store=store_path,
            full=full,
            workers=workers,
            progress=progress,
            now=now,
            warn=warn,
            lean=True,
        )
        if early is not None:  # the pages the child saved are not parsed again: count them
            stats = replace(
                stats,
                parsed=stats.parsed + early.parsed,
                new=stats.new + early.new,
                changed=stats.changed + early.changed,
                gone=stats.gone + early.gone,
            )
        if stats.store_id:
            engine = engine_version(topics_path)
            source = source_key(seeds, config, engine, store_path, stats.store_id, stats.generation)
            source |= source_counts(
                len(collection.pages), len(collection.items), collection.problems
            )
    if on_collected is not None:
        on_collected(collection.problems)
    targets, written = _publish(collection, Path(out_dir), config, workers, progress, source)
    n_files = len(targets)
    del targets  # the plan (what the index below would add to)
    if source is not None and stats is not None:
        from feeds import delta

        delta.record(Path(out_dir), collection, stats.generation)  # for the next build
    return BuildReport(
        out=Path(out_dir),
        pages=len(collection.pages),
        articles=len(collection.items),
        files=n_files,
        problems=collection.problems,
        seconds=time.perf_counter() - start,
        written=written,
        collected=stats,
    )


def source_key(
    seeds: Path, config: SiteConfig, engine: str, store: Path, store_id: str, generation: int
) -> dict:
    """What a static site is made from: the seeds, the store (file, identity, generation),
    the settings and every version of the code between them."""
    return {
        "seeds": str(Path(seeds).resolve()),
        "store": str(store.resolve()),
        "store_id": store_id,
        "generation": generation,
        "engine": engine,
        "lean": lean_version(),
        "render": render_version(),
        "config": config.digest,
    }


def source_counts(pages: int, articles: int, problems: Iterable[Problem]) -> dict:
    """What the manifest's source says of a site besides what it is made from."""
    return {"pages": pages, "articles": articles, "problems": [p.to_json() for p in problems]}


def made_from(recorded: dict, expected: dict) -> bool:
    """Whether a site's recorded source has every value of `expected` (a source_key)."""
    return all(recorded.get(k) == v for k, v in expected.items())


def unchanged_site(
    seeds: Path,
    out_dir: Path,
    config: SiteConfig,
    topics_path: Path | None,
    store: Path,
    files: list[tuple[Path, str]] | None = None,
    on_changes: Callable[[Changes], None] | None = None,
) -> BuildReport | None:
    """The report of a build that would change nothing, or None when it might change
    something: every page file as the store last saw it, the store at the generation, the
    settings and code versions the site in `out_dir` was published with (its manifest), and
    every file of the site as it was written. Costs a stat per page and per file, not a load
    of the archive. `on_changes` is given what changed among the pages, if it looked."""
    from feeds.publish import published as published_site
    from feeds.publish import read_manifest, site_intact

    seeds, store = Path(seeds), Path(store)
    _, recorded, _ = published_site(out_dir)
    if recorded is None or not seeds.exists() or not store.exists():
        return None
    files = page_files(seeds) if files is None else files
    engine = engine_version(topics_path)
    try:
        with Store(store) as st:
            todo, touched, missing = _changes(st, files, engine, False)
            generation, store_id = st.generation, st.identity
        if on_changes is not None:  # (the child parsing them: see StoreUpdate.send_files)
            on_changes((todo, touched, missing))
    except _store.StoreError:
        return None  # the full path reports it
    if todo or touched or missing:
        return None
    if not made_from(recorded, source_key(seeds, config, engine, store, store_id, generation)):
        return None
    published, recorded = read_manifest(out_dir)
    if recorded is None or not site_intact(out_dir, published):
        return None
    try:
        problems = tuple(
            Problem(p["source"], p["message"], p["line"]) for p in recorded["problems"]
        )
        pages, articles = int(recorded["pages"]), int(recorded["articles"])
    except (KeyError, TypeError, ValueError):
        return None
    stats = CollectStats(len(files), 0, articles, 0, 0, 0, len(problems), generation)
    return BuildReport(Path(out_dir), pages, articles, len(published), problems, 0.0, 0, stats)


def publish_collection(
    collection: Collection,
    out_dir: Path,
    config: SiteConfig | None = None,
    *,
    workers: int | None = None,
) -> dict[str, datetime | None]:
    """Publish a collection's site into `out_dir` (keyed: only what changed is rendered) and
    say when each file's content last changed: the web app serves the directory (feeds.web).
    """
    targets, _ = _publish(collection, Path(out_dir), config or SiteConfig(), workers, False)
    return {t.path: t.modified for t in targets}


def _publish(
    collection: Collection,
    out_dir: Path,
    config: SiteConfig,
    workers: int | None,
    progress: bool | None,
    source: dict | None = None,
) -> tuple[list[Target], int]:
    """Plan with keys and publish, one writer at a time: builds and app workers sharing a
    site directory take turns (an flock on `.<site>.lock` beside it), and the one that comes
    second finds its files current. `source` goes into the manifest (see unchanged_site)."""
    from feeds.pages import warm

    targets = plan(collection, config, Keys(render_version()))
    warm()
    with _site_lock(out_dir):
        written = publish(targets, out_dir, workers=workers, progress=progress, source=source)
    return targets, written


def publish_partial(
    targets: list[Target],
    out_dir: Path,
    workers: int | None,
    progress: bool | None,
    source: dict,
    owned: list[str],
    keep: list[str],
) -> int:
    """feeds.delta's publish: the targets a change can reach, what they own and what of
    that stays (see feeds.publish.publish's `partial`), one writer at a time like _publish."""
    with _site_lock(out_dir):
        return publish(
            targets,
            out_dir,
            workers=workers,
            progress=progress,
            source=source,
            partial=owned,
            keep=keep,
        )


@contextmanager
def _site_lock(out_dir: Path) -> Iterator[None]:
    path = lock_file(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def build_page(
    page: Path,
    out_dir: Path,
    config: SiteConfig | None = None,
    topics_path: Path | None = None,
    *,
    now: datetime | None = None,
) -> BuildReport:
    """Build a site from one page file alone, with a fresh store, on one process: what an
    incremental add into a large archive is compared with (tests/benchmarks)."""
    with tempfile.TemporaryDirectory(prefix="feeds-page-") as tmp:
        return build(
            Path(page),
            out_dir,
            config,
            topics_path,
            store=Path(tmp) / STORE_NAME,
            workers=1,
            now=now,
        )
