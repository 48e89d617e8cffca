"""I/O edge of publishing: seeds dir -> parse -> group -> (site.py renders) -> files on disk.

Collecting (`collect`, `collect_report`) reads the page files and classifies their articles; a
bad file becomes a Problem and the others still build. With a store (feeds.store, SQLite), a
page whose bytes did not change is loaded from the archive, neither re-parsed nor re-segmented,
and item ids stay immutable across re-parses. Pages to parse are parsed and classified in
parallel on all cores (a process pool; jieba is initialised once per worker).

Publishing (`publish`, `write_site`) is atomic: the files go into a new sibling directory which
then replaces the old one in one step (Linux renameat2 RENAME_EXCHANGE), so a reader never sees
a half-written site, and a killed or failing build (disk full) leaves the previous site intact.
A file whose bytes did not change is a hard link to its previous self: same inode, same mtime,
so a static server's ETag and Last-Modified stay put, and its .gz is not recompressed.

`Watcher` keeps a served site current: it polls the seeds and the store and hands a freshly
collected Collection to the web app, which swaps it in whole (feeds.web).

Store location: `--store` / FEEDS_STORE, else `.feeds/store.sqlite` in the directory that holds
the seeds (beside a seeds directory, like .git beside the sources; see default_store_path).
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import metadata
from pathlib import Path

from feeds import store as _store
from feeds.errors import FeedsError, InputError
from feeds.model import Article, Item, Page, Paragraph, Problem
from feeds.site import Collection, SiteConfig, Target, gzip_bytes, plan
from feeds.store import Classes, Parsed, Store, StoreCorrupt

# Compress these beside the originals for nginx `gzip_static` (text only; CSS included).
GZIP_EXTENSIONS = ("rss", "atom", "json", "html", "opml", "css", "js", "svg")
STORE_DIR = ".feeds"
STORE_NAME = "store.sqlite"
SERIAL_BELOW = 8  # pages (or 200 files): below this a process pool costs more than it saves
SERIAL_FILES_BELOW = 200
SAVE_BATCH = 64  # pages per store transaction: a killed full build keeps what it saved
PROGRESS_DELAY = 0.5  # seconds before a progress bar appears (quick builds stay quiet)
# Modules that cannot change what a page parses to or how it is classified (the others, and
# the data files, make up the engine version that invalidates stored parses).
_NOT_ENGINE = frozenset(
    {"__init__.py", "__main__.py", "build.py", "cli.py", "group.py", "render.py"}
    | {"serialize.py", "site.py", "store.py", "web.py"}
)
_TMP_MARK = ".tmp-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100

Warn = Callable[[str], None]


class PublishError(FeedsError, OSError):
    """The site could not be written (disk full, permissions); the previous site is intact."""


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
    try:
        return metadata.version("jieba")
    except metadata.PackageNotFoundError:
        return "?"


def page_files(seeds: Path) -> list[tuple[Path, str]]:
    """Page files under `seeds` with their store keys (path relative to the seeds dir)."""
    from feeds.source import discover

    if not seeds.is_dir():
        return [(seeds, seeds.name)]
    return [(path, path.relative_to(seeds).as_posix()) for path in discover([seeds])]


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
    page = read_page(path)
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


def _progress(items: Iterable, total: int, enabled: bool | None, unit: str) -> Iterable:
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
) -> tuple[Collection, CollectStats]:
    """Collect, and say what changed.

    With `store` (a file path): pages unchanged since the store last saw them are loaded from
    it; the others (all with `full=True`) are parsed on `workers` processes (default: all
    cores) and saved, keeping the ids of articles they continue. A corrupt store file is moved
    aside (`<name>.corrupt-<time>`) and rebuilt from the seeds, with one warning; a store
    locked by another writer for longer than `store_timeout` seconds (default:
    feeds.store.DEFAULT_TIMEOUT) raises StoreLocked.
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
            _progress(parse_files(files, topics_path, workers), len(files), progress, "page")
        )
        found = [(p.page, p.classes, None) for p in parsed]
        collection = _collection(seeds, found, topics)
        stats = CollectStats(pages=len(files), parsed=len(parsed))
    else:
        path = Path(store)
        args = (seeds, files, topics, topics_path)
        opts = {"workers": workers, "progress": progress, "now": when}
        opts["timeout"] = _store.DEFAULT_TIMEOUT if store_timeout is None else store_timeout
        try:
            collection, stats = _collect_stored(path, *args, full=full, **opts)
        except StoreCorrupt as exc:
            aside = _move_aside(path)
            (warn or _warn)(
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


def _warn(message: str) -> None:
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
) -> tuple[Collection, CollectStats]:
    from feeds.group import article_id

    engine = engine_version(topics_path)
    with Store(path, timeout) as st:
        todo, touched, missing = _changes(st, files, engine, full)
        gone = 0
        if touched or missing:  # no write lock when nothing changed: readers never wait
            with st.transaction():
                for key, size, mtime_ns in touched:
                    st.touch(key, size, mtime_ns)
                gone = st.retire(missing)
        new = changed = 0
        results = _progress(parse_files(todo, topics_path, workers), len(todo), progress, "page")
        for batch in _batches(results, SAVE_BATCH):
            with st.transaction():
                for parsed in batch:
                    proposed = [article_id(a.source, a.title) for a in parsed.page.articles]
                    saved = st.save(parsed, proposed, engine, now)
                    new, changed, gone = new + saved.new, changed + saved.changed, gone + saved.gone
        generation, stored = st.load()
    found = [(page, classes, records) for _, page, classes, records in stored]
    stats = CollectStats(len(files), len(todo), 0, new, changed, gone, 0, generation)
    return _collection(seeds, found, topics), stats


def _changes(
    st: Store, files: list[tuple[Path, str]], engine: str, full: bool
) -> tuple[list[tuple[Path, str]], list[tuple[str, int, int]], list[str]]:
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
    seeds: Path, found: list[tuple[Page, Sequence[Classes], Sequence | None]], topics: tuple
) -> Collection:
    """Items from pages, their classes and (with a store) their records: ids and updates."""
    from feeds.group import SHANGHAI, make_items

    classes: dict[int, Classes] = {}
    records: dict[int, object] = {}
    for page, page_classes, page_records in found:
        for n, article in enumerate(page.articles):
            classes[id(article)] = page_classes[n]
            if page_records is not None:
                records[id(article)] = page_records[n]
    pages = tuple(page for page, _, _ in found)
    items = make_items(pages, lambda article: classes[id(article)])
    if records:
        items = [_with_record(item, records[id(item.article)]) for item in items]
        epoch = datetime(1970, 1, 1, tzinfo=SHANGHAI)
        items.sort(key=lambda it: (it.published or epoch, it.id), reverse=True)
    problems = tuple(problem for page in pages for problem in page.problems)
    if not pages:
        problems += (Problem(str(seeds), "no *.txt pages found"),)
    return Collection(pages=pages, items=tuple(items), topics=tuple(topics), problems=problems)


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


# -- publishing -----------------------------------------------------------------------------


def with_gzip(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files plus a deterministic `<path>.gz` beside each text file."""
    out = dict(files)
    for path, data in files.items():
        if path.rsplit(".", 1)[-1] in GZIP_EXTENSIONS:
            out[path + ".gz"] = gzip_bytes(data)
    return out


def write_site(
    files: Mapping[str, bytes], out_dir: Path, *, gzip_extensions: Sequence[str] = ()
) -> int:
    """Publish `files` as `out_dir`, atomically replacing what was there; see `publish`."""
    targets = [Target(path, (lambda data=data: data)) for path, data in files.items()]
    return publish(targets, out_dir, gzip_extensions=gzip_extensions, workers=1, progress=False)


def publish(
    targets: Sequence[Target],
    out_dir: Path,
    *,
    gzip_extensions: Sequence[str] = GZIP_EXTENSIONS,
    workers: int | None = None,
    progress: bool | None = None,
) -> int:
    """Render `targets` into a new directory and swap it in as `out_dir` in one step.

    A file whose bytes did not change is hard-linked to the previous one (its mtime, hence a
    static server's Last-Modified and ETag, stay put). A target with a `key` (a digest of its
    inputs) equal to the key it had when its current file was written is not even rendered:
    the manifest beside the site (`.<out>.manifest.json`) remembers keys and file identities.
    Text files get a `.gz` beside them. Large sites render on `workers` processes. Returns how
    many files were new or changed. Raises PublishError (an OSError) when the disk is full;
    the previous site stays.
    """
    out_dir = Path(out_dir)
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    target = parent / out_dir.name
    _remove_stale(parent, out_dir.name)
    manifest_path = parent / f".{out_dir.name}.manifest.json"
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out_dir.name}{_TMP_MARK}{os.getpid()}-"))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; web servers must read it
        stager = _Stager(tmp, target, frozenset(gzip_extensions), _read_manifest(manifest_path))
        written, entries = _stage_all(targets, stager, worker_count(workers), progress)
        _sync(tmp)
        _swap(tmp, target)
        _fsync_dir(parent)
        _write_manifest(manifest_path, entries)
    except OSError as exc:
        if isinstance(exc, FeedsError) or exc.errno not in (
            errno.ENOSPC,
            errno.EFBIG,
            errno.EDQUOT,
        ):
            raise
        error = PublishError(
            f"{out_dir}: cannot write the site ({exc.strerror}); the previous site is unchanged"
        )
        error.errno = exc.errno
        raise error from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return written


Entry = tuple[str, int, int, int]  # (key, inode, size, mtime_ns) of a published file


def _read_manifest(path: Path) -> dict[str, Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {p: tuple(e) for p, e in data["files"].items()}  # type: ignore[misc]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write_manifest(path: Path, entries: dict[str, Entry]) -> None:
    """Replace the manifest in one step. A stale one is harmless: entries are only trusted
    when the file still has the inode, size and mtime recorded."""
    if not entries:  # no keyed targets: no manifest (and none stale)
        path.unlink(missing_ok=True)
        return
    tmp = path.with_name(path.name + f".{os.getpid()}")
    try:
        tmp.write_text(json.dumps({"version": 1, "files": entries}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)  # better no manifest than a wrong one


class _Stager:
    """Writes targets into the new site dir `root`, reusing files of the `previous` site."""

    def __init__(
        self, root: Path, previous: Path, gz: frozenset[str], manifest: dict[str, Entry]
    ) -> None:
        self.root, self.previous, self.gz, self.manifest = root, previous, gz, manifest
        self.made: set[Path] = set()
        self.written = 0
        self.entries: dict[str, Entry] = {}

    def stage(self, target: Target) -> None:
        rel = _safe_relative(target.path)
        path = self.root / rel
        if path.parent not in self.made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(path.parent)
        key = getattr(target, "key", None)
        old = self.previous / rel
        if key is not None and self._unchanged(target.path, key, old) and _link(old, path):
            data = None  # not rendered at all
            same = True
        else:
            data = target.make()
            same = _link_if_same(old, data, path)
            if not same:
                _write_file(path, data)
                self.written += 1
        if rel.suffix[1:] in self.gz:
            gz_rel = rel.with_name(rel.name + ".gz")
            if not (same and _link(self.previous / gz_rel, self.root / gz_rel)):
                data = path.read_bytes() if data is None else data
                _write_file(self.root / gz_rel, gzip_bytes(data))
        if key is not None:
            st = path.stat()
            self.entries[target.path] = (key, st.st_ino, st.st_size, st.st_mtime_ns)

    def _unchanged(self, rel: str, key: str, old: Path) -> bool:
        entry = self.manifest.get(rel)
        if entry is None or entry[0] != key:
            return False
        try:
            st = old.stat()
        except OSError:
            return False
        return (st.st_ino, st.st_size, st.st_mtime_ns) == tuple(entry[1:])


def _stage_all(
    targets: Sequence[Target], stager: _Stager, workers: int, progress: bool | None
) -> tuple[int, dict[str, Entry]]:
    """Stage every target; in forked processes for a large site."""
    n = min(workers, max(1, len(targets) // (SERIAL_FILES_BELOW // 2)))
    fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if n <= 1 or len(targets) < SERIAL_FILES_BELOW or not fork:
        for target in _progress(targets, len(targets), progress, "file"):
            stager.stage(target)
        return stager.written, stager.entries
    return _stage_forked(targets, stager, n, progress)


def _stage_forked(
    targets: Sequence[Target], stager: _Stager, n: int, progress: bool | None
) -> tuple[int, dict[str, Entry]]:
    """Split the targets over `n` forked children (they inherit the collection for free)."""
    ctx = multiprocessing.get_context("fork")
    done = ctx.Array("q", n, lock=False)
    pipes, procs = [], []
    for k in range(n):
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_stage_child, args=(targets[k::n], stager, send, done, k))
        proc.start()
        send.close()
        pipes.append(recv)
        procs.append(proc)
    written, entries, failure = 0, {}, None
    bar = _progress(None, len(targets), progress, "file")
    try:
        shown = 0
        for proc, recv in zip(procs, pipes, strict=True):
            while not recv.poll(0.1):
                if bar is not None:
                    count = sum(done)
                    bar.update(count - shown)
                    shown = count
                if not proc.is_alive() and not recv.poll(0):
                    break
            result = recv.recv() if recv.poll(0) else FeedsError("a render process died")
            if isinstance(result, BaseException):
                failure = failure or result
                break
            written += result[0]
            entries.update(result[1])
    finally:
        for proc in procs:
            if failure is not None and proc.is_alive():
                proc.terminate()
            proc.join()
        if bar is not None:
            bar.close()
    if failure is not None:
        raise failure
    return written, entries


def _stage_child(targets, stager, send, done, k) -> None:  # noqa: ANN001
    """Child process: stage its share; send back (written, manifest entries) or the error."""
    parent = os.getppid()
    try:
        for target in targets:
            if os.getppid() != parent:
                raise FeedsError("the build was stopped")  # our parent was killed
            stager.stage(target)
            done[k] += 1
        result: object = (stager.written, stager.entries)
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which re-raises it
        result = exc
    try:
        send.send(result)
    except Exception:  # noqa: BLE001 - an exception that does not pickle
        send.send(FeedsError(repr(result)))
    send.close()
    os._exit(0)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)


def _link_if_same(old: Path, data: bytes, new: Path) -> bool:
    """Hard-link `old` as `new` if its bytes are `data` (else False, nothing done)."""
    try:
        st = old.stat()
        if st.st_size != len(data) or old.read_bytes() != data:
            return False
    except OSError:
        return False
    if _link(old, new):
        return True
    _write_file(new, data)  # no hard links here: copy, and keep the mtime
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    return True


def _link(old: Path, new: Path) -> bool:
    try:
        os.link(old, new)
    except OSError:
        return False
    return True


def _sync(root: Path) -> None:
    """Flush the new files to disk once (syncfs), before the rename makes them the site."""
    fd = os.open(root, os.O_RDONLY)
    try:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.syncfs(fd) == 0:
                return
        except (OSError, AttributeError):
            pass
        os.sync()
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _safe_relative(rel: str) -> Path:
    """Refuse absolute paths and `..`: a site file must stay inside the site."""
    path = Path(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise FeedsError(f"refusing to write outside the site: {rel!r}")
    return path


def _swap(new: Path, target: Path) -> None:
    """Make `new` be `target` in one step; the old site ends up at `new` (then removed)."""
    if not target.exists() and not target.is_symlink():
        os.rename(new, target)
        return
    if target.is_symlink() or not target.is_dir():
        raise FeedsError(f"{target}: exists and is not a directory")
    if _rename_exchange(new, target):
        return
    # No atomic exchange on this platform: two renames, with a short window without `target`.
    old = new.with_name(new.name + "-old")
    os.rename(target, old)
    os.rename(new, target)
    os.rename(old, new)


def _rename_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two directories (Linux >= 3.15); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    res = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if res == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _remove_stale(parent: Path, name: str) -> None:
    """Remove temp dirs left by killed builds (their process is gone)."""
    for path in parent.glob(f".{name}{_TMP_MARK}*"):
        pid_text = path.name.removeprefix(f".{name}{_TMP_MARK}").split("-", 1)[0]
        if pid_text.isdigit() and not _alive(int(pid_text)) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
) -> BuildReport:
    """The whole static export: collect (incrementally, with the store), render, publish.

    store: the archive file (default: default_store_path(seeds)). full: parse every page
    again (ids are still kept). workers: processes for parsing and rendering (default: all
    cores; 1: serial). A given `collection` is published as is (no collecting).
    """
    start = time.perf_counter()
    config = config or SiteConfig()
    stats = None
    if collection is None:
        collection, stats = collect_report(
            seeds,
            topics_path,
            store=store or default_store_path(seeds),
            full=full,
            workers=workers,
            progress=progress,
            now=now,
            warn=warn,
        )
    targets = plan(collection, config)
    written = publish(targets, out_dir, workers=workers, progress=progress)
    return BuildReport(
        out=Path(out_dir),
        pages=len(collection.pages),
        articles=len(collection.items),
        files=len(targets),
        problems=collection.problems,
        seconds=time.perf_counter() - start,
        written=written,
        collected=stats,
    )


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


# -- keeping a served site current ----------------------------------------------------------


class Watcher:
    """Polls the seeds (file names, sizes, mtimes) and the store's generation; when either
    changed, collects again (incrementally) and calls `on_change(collection)`.

    Used by feeds.web: the app swaps in a whole new site, so a request never sees half of
    one. Errors while reloading go to `on_error` and the old collection stays in service.
    """

    def __init__(
        self,
        seeds: Path,
        *,
        topics_path: Path | None = None,
        store: str | Path | None = None,
        interval: float = 2.0,
        warn: Warn | None = None,
    ) -> None:
        self.seeds = Path(seeds)
        self.topics_path = topics_path
        self.store = Path(store) if store is not None else None
        self.interval = interval
        self.warn = warn or _warn
        self.on_change: Callable[[Collection], None] | None = None
        self.reloads = 0
        self._seen: tuple = ()
        self._generation = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def load(self) -> Collection:
        """Collect now and remember what the seeds and store looked like."""
        with self._lock:
            self._seen = self._signature()
            workers = 1 if self._thread is not None else None  # reloads: few pages, no pool
            collection, stats = collect_report(
                self.seeds, self.topics_path, store=self.store, workers=workers, warn=self.warn
            )
            self._generation = stats.generation
            return collection

    def _signature(self) -> tuple:
        files = []
        for path, key in page_files(self.seeds) if self.seeds.exists() else ():
            try:
                st = path.stat()
                files.append((key, st.st_size, st.st_mtime_ns))
            except OSError:
                files.append((key, -1, -1))
        return tuple(files)

    def _store_generation(self) -> int:
        if self.store is None or not self.store.exists():
            return 0
        with Store(self.store) as st:
            return st.generation

    def changed(self) -> bool:
        return self._signature() != self._seen or self._store_generation() != self._generation

    def poll(self) -> bool:
        """Reload if the seeds or the store changed; True when `on_change` got a new collection."""
        if not self.changed():
            return False
        collection = self.load()
        if self.on_change is not None:
            self.on_change(collection)
        self.reloads += 1
        return True

    def trigger(self) -> None:
        """Check now (e.g. on SIGHUP) instead of at the next interval."""
        self._wake.set()

    def start(self, on_change: Callable[[Collection], None]) -> None:
        """Poll in a daemon thread every `interval` seconds (<= 0: only when triggered)."""
        self.on_change = on_change
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="feeds-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval if self.interval > 0 else None)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.poll()
            except Exception as exc:  # noqa: BLE001 - keep serving the previous site
                self.warn(f"reload failed, still serving the previous site: {exc}")
