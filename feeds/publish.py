"""I/O edge: write a planned site (feeds.site Targets) to disk atomically.

Publishing (`publish`, `write_site`) is atomic: the files go into a sibling directory which then
replaces the published one in one step (Linux renameat2 RENAME_EXCHANGE), so a reader never
sees a half-written site, and a killed or failing build (disk full) leaves the previous site
intact. The directory written is the standby, `.<out>.standby`: the site as it was published
before the current one, kept after each swap. A build brings it up to date, touching only the
files that differ, so publishing a few changed files into a site of 100,000 costs a few file
operations, not 100,000 links. A build killed before its swap leaves the standby behind under
a temporary name; the next build removes it and starts from an empty directory.

A file whose bytes did not change is a hard link to its published self: same inode, same
mtime, so a static server's ETag and Last-Modified stay put, and its .gz is not recompressed.
No file is ever written in place (a standby file may be a link to a published one). A manifest
beside the site (`.<out>.manifest.sqlite`) remembers each keyed target's key in both copies, so
an unchanged target is not even rendered.

Kept apart from feeds.build (collecting) because it needs nothing of the parser or the store:
it takes targets and a directory.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import json
import multiprocessing
import os
import secrets
import shutil
import sqlite3
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from feeds.errors import FeedsError
from feeds.site import Target, gzip_bytes

# Compress these beside the originals for nginx `gzip_static` (text only; CSS included).
GZIP_EXTENSIONS = ("rss", "atom", "json", "html", "opml", "css", "js", "svg")
SERIAL_FILES_BELOW = 200  # files: below this, forked staging costs more than it saves
# Targets go to render processes in runs of BLOCK, so neighbours (a feed page's three formats,
# which show the same items) are rendered by one process, from its cache of article bodies.
BLOCK = 48
COLLECT_ABOVE = 5000  # targets: a plan this long is worth a garbage collection before forking
_TMP_MARK = ".tmp-"
_STANDBY = ".standby"  # the copy of the site the next build brings up to date
DEFAULT_TIMEOUT = 30.0  # seconds to wait for the manifest (builds take turns, see feeds.build)
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class PublishError(FeedsError, OSError):
    """The site could not be written (disk full, permissions); the previous site is intact."""


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
    source: Mapping[str, object] | None = None,
    partial: Sequence[str] | None = None,
    keep: Iterable[str] = (),
) -> int:
    """Bring the standby copy of the site up to date with `targets` and swap it in as
    `out_dir` in one step; the site it replaces becomes the standby.

    A file whose bytes did not change is a hard link to the published one (its mtime, hence a
    static server's Last-Modified and ETag, stay put). A target with a `key` (a digest of its
    inputs) equal to the key its published file was written with is not even rendered: the
    manifest beside the site (`.<out>.manifest.sqlite`) remembers keys and file identities.
    Only what differs from the standby is touched, so an unchanged file costs a lookup, not
    a link. Text files get a `.gz` beside them. Large sites render on `workers` processes.
    Returns how many files were new or changed. Raises PublishError (an OSError) when the disk
    is full; the previous site stays. `source` (JSON data: what the targets were made from) is
    kept in the manifest (see `read_manifest`).

    `partial` (feeds.delta): the targets are only what may have changed. Every other file
    of the published site stays, except those `partial` names: a path, or a folder when it
    ends in "/" (what the planned channels and items own), which are removed unless planned
    or in `keep`.
    It needs a site whose every file is keyed in the manifest; else NotPartial is raised and
    nothing is written.
    """
    # feeds.build imports this module at its top: its helpers are imported when called.
    from feeds.build import worker_count

    out_dir = Path(out_dir)
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    target = parent / out_dir.name
    _remove_stale(parent, out_dir.name)
    (parent / f".{out_dir.name}.manifest.json").unlink(missing_ok=True)  # an older format
    standby = parent / f".{out_dir.name}{_STANDBY}"
    gz = frozenset(gzip_extensions)
    with _Book(manifest_file(out_dir)) as book:
        site_ino, standby_ino = _dir_ino(target), _dir_ino(standby)
        if standby_ino is not None and not book.complete(standby_ino):
            shutil.rmtree(standby)  # not known file by file (a sync was cut short): start afresh
            standby_ino = None
        book.prune({site_ino, standby_ino})
        planned = {t.path for t in targets}
        if partial is None:
            # the entries of a whole site are not read into this process: the staging
            # processes read those of their own share (see _Stager.load)
            manifest, recorded = book.read(site_ino, ())
            done = _all_current_in(book, site_ino, targets, target, gz)
            dropped: set[str] = set()
        else:
            if site_ino is None or not book.complete(site_ino):
                raise NotPartial(f"{out_dir}: no complete manifest for a partial publish")
            manifest, recorded = book.read(site_ino, planned)
            dropped = book.matching(site_ino, partial) - planned - set(keep)
            done = not dropped and _all_current(targets, target, gz, manifest, partial=True)
        if done:
            if source is not None and source != recorded:
                book.write(site_ino, None, source)
            return 0  # every file is there with its key: nothing to render, link or swap
        tmp = parent / f".{out_dir.name}{_TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
        catch_up: dict[str, Entry | None] = {}
        if standby_ino is not None:
            os.rename(standby, tmp)  # a build killed from here on leaves it to be removed
            if partial is None:
                work = {}  # read by share too
            else:
                # a standby synced with this very site needs no comparing
                same = book.twin(standby_ino) == site_ino
                catch_up = {} if same else dict(book.differing(site_ino, standby_ino))
                work, _ = book.read(standby_ino, planned | set(catch_up) | dropped)
        else:
            tmp.mkdir()
            work = {}
            if partial is not None:
                catch_up = dict(book.read(site_ino)[0])
        try:
            os.chmod(tmp, 0o777 & ~_umask())  # web servers must read it
            stager = _Stager(tmp, target, gz, manifest, work)
            if partial is None:
                stager.lazy = (book.path, site_ino, standby_ino)
            del manifest, work  # the stager's are the only references (forked staging drops them)
            written, entries = _stage_all(targets, stager, worker_count(workers), progress)
            if partial is None:
                _prune(tmp, planned, gz)
                removed: set[str] = set()
            else:
                removed = _catch_up(tmp, target, gz, catch_up, entries, planned, dropped)
            _sync(tmp)
            _swap(tmp, target)
            _fsync_dir(parent)
            if tmp.exists():  # the site just replaced: the next build's starting point
                os.rename(tmp, standby)
            if partial is None:
                complete = len(entries) == len(targets)
                book.write(_dir_ino(target), entries, source, complete=complete)
                touched = None
            else:
                book.update(_dir_ino(target), entries, removed, source)
                # the rest are links to files the standby (the old site) has already
                touched = stager.wrote | removed
            _sync_standby(book, standby, target, gz, source, touched, entries)
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


def _sync_standby(
    book: _Book,
    standby: Path,
    site: Path,
    gz: frozenset[str],
    source: object,
    touched: set[str] | None = None,
    rows: Mapping[str, Entry] | None = None,
) -> None:
    """Make the standby (the site just replaced) a copy of the site now, so that the next
    build finds an identical copy and touches only what it changes itself. `touched`: the
    only paths that can differ, after a partial publish (`rows`: the site's entries of the
    files planned, which the copies share), else every path is compared (and the entries
    copied in SQL: nothing in proportion to the site is kept in memory). Files are replaced
    by renames: a reader still in the old site gets whole files. A sync cut short leaves the
    standby marked incomplete; the next build then starts afresh."""
    site_ino = _dir_ino(site)
    if site_ino is None or not book.complete(site_ino):
        return
    empty = _dir_ino(standby) is None
    if empty:  # a first site: its standby is made now (building is slow anyway)
        standby.mkdir()
        os.chmod(standby, 0o777 & ~_umask())
    standby_ino = _dir_ino(standby)
    book.write(standby_ino, None, None, complete=False)
    entries: dict[str, Entry] = {}
    try:
        if touched is None:
            differing = book.differing(site_ino, standby_ino)
            removed = _catch_up(standby, site, gz, differing, None, empty=empty)
        else:
            differing = dict.fromkeys(touched) | book.read(site_ino, touched)[0]
            removed = _catch_up(standby, site, gz, differing, entries)
    except NotPartial:
        return  # the site changed under us: leave the standby to the next build
    if touched is None:
        book.copy(site_ino, standby_ino, source)
    else:
        shared = {p: e for p, e in (rows or {}).items() if p not in removed}
        book.update(standby_ino, shared | entries, removed, source, twin=site_ino)


class NotPartial(FeedsError):
    """A partial publish is not possible here (feeds.delta then builds in full)."""


def _catch_up(
    root: Path,
    site: Path,
    gz: frozenset[str],
    catch_up: Mapping[str, Entry | None] | Iterable[tuple[str, Entry | None]],
    entries: dict[str, Entry] | None,
    planned: set[str] = frozenset(),  # type: ignore[assignment]
    dropped: set[str] = frozenset(),  # type: ignore[assignment]
    *,
    empty: bool = False,
) -> set[str]:
    """Make the files of the copy in `root` those of the published `site` (`catch_up`:
    path -> published entry, None where the site has no such file), but for the `planned`
    ones (staged already), and remove the `dropped` ones. Files are replaced by renames
    (`empty`: `root` was empty, nobody reads it: plain links). Adds the entries placed
    (unless None); returns the paths removed."""
    removed = set(dropped)
    made: set[Path] = set()
    pairs = catch_up.items() if isinstance(catch_up, Mapping) else catch_up
    for path, entry in pairs:
        if path in planned or path in dropped:
            continue
        rel = _safe_relative(path)
        if entry is None:
            removed.add(path)
            continue
        old = site / rel
        if _identity(old) != tuple(entry[1:]):
            raise NotPartial(f"{old}: changed since it was published")
        new = root / rel
        if new.parent not in made:
            new.parent.mkdir(parents=True, exist_ok=True)
            made.add(new.parent)
        if empty:
            _link_new(old, new)
            if rel.suffix[1:] in gz and not _link_new(_gz(old), _gz(new), required=False):
                _write_file(_gz(new), gzip_bytes(old.read_bytes()))
        else:
            _place(old, new, atomic=True)
            if rel.suffix[1:] in gz and not _place(_gz(old), _gz(new), required=False, atomic=True):
                _replace_file(_gz(new), gzip_bytes(old.read_bytes()))
        if entries is not None:
            entries[path] = entry
    for path in removed:
        new = root / _safe_relative(path)
        for doomed in (new, _gz(new)):
            try:
                os.unlink(doomed)
            except FileNotFoundError:
                pass
        folder = new.parent
        while folder != root:  # and the folders that leaves empty
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
    return removed


Entry = tuple[str, int, int, int]  # (key, inode, size, mtime_ns) of a published file


def _all_current(
    targets: Sequence[Target],
    site: Path,
    gz: frozenset[str],
    manifest: dict[str, Entry],
    *,
    partial: bool = False,
) -> bool:
    """Whether the published site is exactly `targets`: each keyed, with the key its file
    was written with, the file (and its .gz) unchanged since, and no other file planned
    (`partial`: other files may be there)."""
    if not manifest or (len(manifest) != len(targets) and not partial):
        return False
    for target in targets:
        entry = manifest.get(target.path)
        if target.key is None or entry is None or entry[0] != target.key:
            return False
    return _intact(site, gz, manifest)


def _all_current_in(
    book: _Book, copy: int | None, targets: Sequence[Target], site: Path, gz: frozenset[str]
) -> bool:
    """_all_current for a whole site, its entries read from the manifest as they come
    (none kept): every target keyed with the key its file was written with, no other file,
    every file unchanged since."""
    keys = {t.path: t.key for t in targets}
    if copy is None or not keys or None in keys.values():
        return False
    seen = 0
    for path, *entry in book.db.execute(
        "SELECT path, key, ino, size, mtime_ns FROM files WHERE copy = ?", (copy,)
    ):
        if keys.get(path) != entry[0] or not _intact(site, gz, {path: tuple(entry)}):
            return False
        seen += 1
    return seen == len(keys)


def _intact(site: Path, gz: frozenset[str], manifest: dict[str, Entry]) -> bool:
    """Whether every file of the manifest (and its .gz) is there, unchanged since written.
    A stat per file on plain strings (a build that changes nothing does this for every file
    of the site: pathlib's objects would cost more than the stats)."""
    root, stat, ext = os.path.join(str(site), ""), os.stat, os.path.splitext
    for path, entry in manifest.items():
        if not path or path[0] == "/" or ".." in path.split("/"):
            return False  # never a file of the site (see _safe_relative)
        full = root + path
        try:
            st = stat(full)
            if ext(path)[1][1:] in gz:
                stat(full + ".gz")
        except OSError:
            return False
        if (st.st_ino, st.st_size, st.st_mtime_ns) != tuple(entry[1:]):
            return False
    return True


def lock_file(out_dir: Path) -> Path:
    """The file whose flock makes writers of a site take turns (feeds.build), and that
    feeds.sitedirs takes before removing a site nobody serves."""
    out_dir = Path(os.path.abspath(out_dir))
    return out_dir.parent / f".{out_dir.name}.lock"


def manifest_file(out_dir: Path) -> Path:
    """The manifest's SQLite file (feeds.delta keeps its index there, beside the entries)."""
    out_dir = Path(out_dir)
    return out_dir.resolve().parent / f".{out_dir.name}.manifest.sqlite"


def _dir_ino(path: Path) -> int | None:
    """The inode of a directory (not followed through a symlink); None when there is none."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_ino if stat.S_ISDIR(st.st_mode) else None


def read_manifest(out_dir: Path) -> tuple[dict[str, Entry], dict | None]:
    """What the manifest of the site in `out_dir` says: its files and the `source` it was
    published with (empty and None when unknown)."""
    ino = _dir_ino(Path(out_dir).resolve())
    try:
        with _Book(manifest_file(out_dir), create=False) as book:
            return book.read(ino)
    except (OSError, sqlite3.Error):  # no manifest (FileNotFoundError) or a damaged one
        return {}, None


def site_intact(
    out_dir: Path, files: dict[str, Entry], gzip_extensions: Sequence[str] = GZIP_EXTENSIONS
) -> bool:
    """Whether the site in `out_dir` holds exactly the manifest's `files` (read_manifest),
    each with the identity (inode, size, mtime) it was written with."""
    return bool(files) and _intact(Path(out_dir).resolve(), frozenset(gzip_extensions), files)


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction on a connection in autocommit mode (feeds.delta's too)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class _Book:
    """The manifest: for each copy of the site (the published one and the standby, told
    apart by their directory's inode, which renames keep) the key and identity of each keyed
    file, and the `source` it was published from. A cache: entries are trusted only while the
    file still has the inode, size and mtime recorded, and a damaged file is started afresh."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if not create and not path.exists():
            raise FileNotFoundError(path)
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:
            if not create:
                raise
            path.unlink(missing_ok=True)  # damaged: start afresh (every file is checked)
            self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=DEFAULT_TIMEOUT, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS files (copy INTEGER NOT NULL, path TEXT NOT NULL, "
                "key TEXT NOT NULL, ino INTEGER NOT NULL, size INTEGER NOT NULL, "
                "mtime_ns INTEGER NOT NULL, PRIMARY KEY (copy, path)) WITHOUT ROWID"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS copies (copy INTEGER PRIMARY KEY, source TEXT, "
                "complete INTEGER NOT NULL DEFAULT 0, twin INTEGER)"
            )
            columns = {r[1] for r in db.execute("PRAGMA table_info(copies)")}
            for column, kind in (("complete", "INTEGER NOT NULL DEFAULT 0"), ("twin", "INTEGER")):
                if column not in columns:  # a manifest of an earlier layout
                    db.execute(f"ALTER TABLE copies ADD COLUMN {column} {kind}")
        except BaseException:
            db.close()
            raise
        return db

    def __enter__(self) -> _Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    def prune(self, copies: set[int | None]) -> None:
        """Forget copies that are gone (a killed build's, or one replaced by hand)."""
        keep = [c for c in copies if c is not None]
        marks = ",".join("?" * len(keep)) or "NULL"
        with immediate(self.db):
            self.db.execute(f"DELETE FROM files WHERE copy NOT IN ({marks})", keep)
            self.db.execute(f"DELETE FROM copies WHERE copy NOT IN ({marks})", keep)

    def read(
        self, copy: int | None, paths: Iterable[str] | None = None
    ) -> tuple[dict[str, Entry], dict | None]:
        """A copy's entries (of `paths` only, when given) and source."""
        if copy is None:
            return {}, None
        if paths is None:
            rows = self.db.execute(
                "SELECT path, key, ino, size, mtime_ns FROM files WHERE copy = ?", (copy,)
            )
        else:
            rows = self.db.execute(
                "SELECT path, key, ino, size, mtime_ns FROM files WHERE copy = ? "
                "AND path IN (SELECT value FROM json_each(?))",
                (copy, json.dumps(list(paths))),
            )
        files = {r[0]: r[1:] for r in rows}
        row = self.db.execute("SELECT source FROM copies WHERE copy = ?", (copy,)).fetchone()
        try:
            source = json.loads(row[0]) if row and row[0] else None
        except ValueError:
            source = None
        return files, source if isinstance(source, dict) else None

    def twin(self, copy: int) -> int | None:
        """The copy this one was last made identical to (see _sync_standby)."""
        row = self.db.execute("SELECT twin FROM copies WHERE copy = ?", (copy,)).fetchone()
        return row[0] if row else None

    def complete(self, copy: int) -> bool:
        """Whether every file of the copy is in the manifest (all its targets were keyed)."""
        row = self.db.execute("SELECT complete FROM copies WHERE copy = ?", (copy,)).fetchone()
        return bool(row and row[0])

    def count(self, copy: int | None) -> int:
        row = self.db.execute("SELECT COUNT(*) FROM files WHERE copy = ?", (copy,)).fetchone()
        return row[0]

    def matching(self, copy: int, names: Sequence[str]) -> set[str]:
        """The copy's paths among `names`: paths, and folders (ending in "/")."""
        out = set()
        for name in names:
            if name.endswith("/"):
                rows = self.db.execute(
                    "SELECT path FROM files WHERE copy = ? AND path >= ? AND path < ?",
                    (copy, name, name + "\U0010ffff"),
                )
            else:
                rows = self.db.execute(
                    "SELECT path FROM files WHERE copy = ? AND path = ?", (copy, name)
                )
            out.update(r[0] for r in rows)
        return out

    def differing(self, copy: int, other: int) -> Iterator[tuple[str, Entry | None]]:
        """Paths whose entries differ between two copies, as they are read: (path, `copy`'s
        entry), the entry None where `copy` has no such file."""
        for path, *entry in self.db.execute(
            "SELECT c.path, c.key, c.ino, c.size, c.mtime_ns FROM files c "
            "LEFT JOIN files o ON o.copy = ? AND o.path = c.path WHERE c.copy = ? AND "
            "(o.path IS NULL OR o.key != c.key OR o.ino != c.ino OR o.size != c.size "
            "OR o.mtime_ns != c.mtime_ns) "
            "UNION ALL SELECT o.path, NULL, NULL, NULL, NULL FROM files o LEFT JOIN files c "
            "ON c.copy = ? AND c.path = o.path WHERE o.copy = ? AND c.path IS NULL",
            (other, copy, copy, other),
        ):
            yield path, (None if entry[0] is None else tuple(entry))  # type: ignore[misc]

    def copy(self, copy: int, other: int, source: object) -> None:
        """Make `other`'s entries those of `copy` (their files are the same), twin of it."""
        with immediate(self.db):
            self.db.execute("DELETE FROM files WHERE copy = ?", (other,))
            self.db.execute(
                "INSERT INTO files SELECT ?, path, key, ino, size, mtime_ns FROM files "
                "WHERE copy = ?",
                (other, copy),
            )
            self._source(other, source, True, copy)

    def write(
        self,
        copy: int | None,
        entries: Mapping[str, Entry] | None,
        source: object,
        *,
        complete: bool | None = None,
    ) -> None:
        """Record a copy's files (None: keep them) and source, in one transaction."""
        if copy is None:
            return
        with immediate(self.db):
            if entries is not None:
                self.db.execute("DELETE FROM files WHERE copy = ?", (copy,))
                self.db.executemany(
                    "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)",
                    [(copy, p, *e) for p, e in entries.items()],
                )
            self._source(copy, source, complete)

    def update(
        self,
        copy: int | None,
        entries: Mapping[str, Entry],
        removed: Iterable[str],
        source: object,
        twin: int | None = None,
    ) -> None:
        """Record the files a partial publish placed and removed, in one transaction."""
        if copy is None:
            return
        with immediate(self.db):
            self.db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                [(copy, p, *e) for p, e in entries.items()],
            )
            self.db.executemany(
                "DELETE FROM files WHERE copy = ? AND path = ?", [(copy, p) for p in removed]
            )
            self._source(copy, source, True, twin)

    def _source(
        self, copy: int, source: object, complete: bool | None, twin: int | None = None
    ) -> None:
        """A copy's source and flags; a copy written as the site (no `twin`) is nobody's
        twin (see _sync_standby)."""
        text = None if source is None else json.dumps(source)
        if complete is None:
            self.db.execute(
                "INSERT INTO copies (copy, source) VALUES (?, ?) "
                "ON CONFLICT (copy) DO UPDATE SET source = excluded.source",
                (copy, text),
            )
        else:
            self.db.execute(
                "INSERT OR REPLACE INTO copies VALUES (?, ?, ?, ?)",
                (copy, text, int(complete), twin),
            )


class _Stager:
    """Brings the copy of the site in `root` (the standby: the site as published before the
    current one, or nothing) up to date with the targets, reusing the files of the `previous`
    (published) site. `manifest` and `work` are the manifest's entries of the two copies."""

    def __init__(
        self,
        root: Path,
        previous: Path,
        gz: frozenset[str],
        manifest: dict[str, Entry],
        work: dict[str, Entry] | None = None,
    ) -> None:
        self.root, self.previous, self.gz, self.manifest = root, previous, gz, manifest
        self.work = work if work is not None else {}
        self.made: set[Path] = set()
        self.written = 0
        self.wrote: set[str] = set()  # paths given new bytes (not links to published files)
        self.entries: dict[str, Entry] = {}
        # (manifest file, site copy, standby copy) when the entries are read by share
        self.lazy: tuple[Path, int | None, int | None] | None = None

    def load(self, paths: Sequence[str]) -> None:
        """Read the manifest's entries of `paths` for both copies (lazy stagers: a full
        build's process reads those of its own share, never the whole site's)."""
        if self.lazy is None:
            return
        path, site, standby = self.lazy
        with _Book(path, create=False) as book:
            for start in range(0, len(paths), 20_000):
                chunk = paths[start : start + 20_000]
                self.manifest.update(book.read(site, chunk)[0])
                self.work.update(book.read(standby, chunk)[0])

    def stage(self, target: Target) -> None:
        rel = _safe_relative(target.path)
        path = self.root / rel
        if path.parent not in self.made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(path.parent)
        key = getattr(target, "key", None)
        old = self.previous / rel
        gz = rel.suffix[1:] in self.gz
        published = self._unchanged(target.path, key, old) if key is not None else None
        if published is not None:  # not rendered at all
            here = self.work.get(target.path)
            if here is None or here[1:] != published[1:] or _identity(path) != published[1:]:
                _place(old, path)
                if gz and not _place(_gz(old), _gz(path), required=False):
                    _replace_file(_gz(path), gzip_bytes(old.read_bytes()))  # a lost .gz
            elif gz and not _gz(path).exists():
                _replace_file(_gz(path), gzip_bytes(old.read_bytes()))
            self.entries[target.path] = published
            return
        data = target.make()
        if _same_bytes(old, data):
            _place(old, path)
            if gz and not _place(_gz(old), _gz(path), required=False):
                _replace_file(_gz(path), gzip_bytes(data))
        else:
            _replace_file(path, data)
            if gz:
                _replace_file(_gz(path), gzip_bytes(data))
            self.written += 1
            self.wrote.add(target.path)
        if key is not None:
            st = path.stat()
            self.entries[target.path] = (key, st.st_ino, st.st_size, st.st_mtime_ns)

    def _unchanged(self, rel: str, key: str, old: Path) -> Entry | None:
        """The published file's entry, when it was written with `key` and is unchanged."""
        entry = self.manifest.get(rel)
        if entry is None or entry[0] != key or _identity(old) != tuple(entry[1:]):
            return None
        return tuple(entry)  # type: ignore[return-value]

    def forget(self) -> None:
        """Drop the entries read from the manifest (forked children have their copies)."""
        self.manifest.clear()
        self.work.clear()


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _gz(path: Path) -> Path:
    return path.with_name(path.name + ".gz")


def _prune(root: Path, planned: set[str], gz: frozenset[str]) -> None:
    """Remove what the standby holds beyond the planned files (and their .gz), and the
    directories that leaves empty."""
    keep = set(planned)
    keep.update(p + ".gz" for p in planned if p.rsplit(".", 1)[-1] in gz)
    for folder, dirs, files in os.walk(root, topdown=False):
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        for name in files:
            if prefix + name not in keep:
                os.unlink(os.path.join(folder, name))
        for name in dirs:
            try:
                os.rmdir(os.path.join(folder, name))  # only succeeds when empty
            except OSError:
                pass


def _stage_all(
    targets: Sequence[Target], stager: _Stager, workers: int, progress: bool | None
) -> tuple[int, dict[str, Entry]]:
    """Stage every target; in forked processes for a large site."""
    from feeds.build import progress_bar

    n = min(workers, max(1, len(targets) // (SERIAL_FILES_BELOW // 2)))
    fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if n <= 1 or len(targets) < SERIAL_FILES_BELOW or not fork:
        stager.load([t.path for t in targets])
        for target in progress_bar(targets, len(targets), progress, "file"):
            stager.stage(target)
        return stager.written, stager.entries
    return _stage_forked(targets, stager, n, progress)


def _stage_forked(
    targets: Sequence[Target], stager: _Stager, n: int, progress: bool | None
) -> tuple[int, dict[str, Entry]]:
    """Split the targets over `n` forked children (they inherit the collection for free)."""
    from feeds.build import progress_bar

    ctx = multiprocessing.get_context("fork")
    done = ctx.Array("q", n, lock=False)
    pipes, procs = [], []
    # Children share the parent's memory until they write to it: frozen objects are never
    # visited by the children's garbage collector, so their pages stay shared. (A short
    # plan, an incremental build's, renders too little for a collection first to pay.)
    if len(targets) >= COLLECT_ABOVE:
        gc.collect()
    gc.freeze()
    try:
        for k in range(n):
            recv, send = ctx.Pipe(duplex=False)
            share = [
                t for b in range(k * BLOCK, len(targets), n * BLOCK) for t in targets[b : b + BLOCK]
            ]
            proc = ctx.Process(target=_stage_child, args=(share, stager, send, done, k))
            proc.start()
            send.close()
            pipes.append(recv)
            procs.append(proc)
    except BaseException:
        gc.unfreeze()
        raise
    stager.forget()  # the children have their copies: this process needs them no more
    written, entries, failure = 0, {}, None
    bar = progress_bar(None, len(targets), progress, "file")
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
            stager.wrote.update(result[2])
    finally:
        for proc in procs:
            if failure is not None and proc.is_alive():
                proc.terminate()
            proc.join()
        gc.unfreeze()  # only now: the parent's collector would unshare the pages too
        if bar is not None:
            bar.close()
    if failure is not None:
        raise failure
    return written, entries


def _stage_child(targets, stager, send, done, k) -> None:  # noqa: ANN001
    """Child process: stage its share; send back (written, manifest entries) or the error."""
    parent = os.getppid()
    try:
        stager.load([t.path for t in targets])
        for target in targets:
            if os.getppid() != parent:
                raise FeedsError("the build was stopped")  # our parent was killed
            stager.stage(target)
            done[k] += 1
        result: object = (stager.written, stager.entries, stager.wrote)
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


def _clear(path: Path) -> None:
    """Remove what is at `path` in the standby. Never write into a file there: it may be a
    hard link to a published file."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path)
    except PermissionError:
        if not path.is_dir():
            raise
        shutil.rmtree(path)


def _replace_file(path: Path, data: bytes) -> None:
    """A new file (new inode) with `data` at `path`."""
    _clear(path)
    _write_file(path, data)


def _same_bytes(old: Path, data: bytes) -> bool:
    """Whether the file `old` holds exactly `data`."""
    try:
        return old.stat().st_size == len(data) and old.read_bytes() == data
    except OSError:
        return False


def _link_new(old: Path, new: Path, *, required: bool = True) -> bool:
    """_place where nothing is at `new` yet."""
    try:
        os.link(old, new)
    except FileNotFoundError:
        if required:
            raise
        return False
    except OSError:
        return _place(old, new, required=required)
    return True


def _place(old: Path, new: Path, *, required: bool = True, atomic: bool = False) -> bool:
    """Make `new` a hard link to `old` (a copy with its mtime where links are not possible).
    False when `old` is missing and not `required`. `atomic`: through a rename, so that a
    reader of `new` finds the old file or the new one, never none."""
    if atomic:
        here = _identity(new)
        if here is not None and here == _identity(old):
            return True  # already a link to it (a rename between two links does nothing)
    dest, new = new, (new.with_name(f".{new.name}.{os.getpid()}.tmp") if atomic else new)
    _clear(new)
    try:
        os.link(old, new)
    except FileNotFoundError:
        if not required:
            return False
        raise
    except OSError:
        st = old.stat()  # no hard links here: copy, and keep the mtime
        _write_file(new, old.read_bytes())
        os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    if new != dest:
        if dest.is_dir() and not dest.is_symlink():
            shutil.rmtree(dest)
        os.replace(new, dest)
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


def published(out_dir: Path) -> tuple[int | None, dict | None, int]:
    """(the site's copy id, the `source` it was published with, its number of files) from
    the manifest; (None, None, 0) when unknown. Reads no file entries."""
    ino = _dir_ino(Path(out_dir).resolve())
    try:
        with _Book(manifest_file(out_dir), create=False) as book:
            row = book.db.execute(
                "SELECT source, complete FROM copies WHERE copy = ?", (ino,)
            ).fetchone()
            if row is None or not row[1]:
                return None, None, 0
            return ino, json.loads(row[0]) if row[0] else None, book.count(ino)
    except (OSError, sqlite3.Error, ValueError):
        return None, None, 0
