"""I/O edge: write a planned site (feeds.site Targets) to disk atomically.

Publishing (`publish`, `write_site`) is atomic: the files go into a new sibling directory which
then replaces the old one in one step (Linux renameat2 RENAME_EXCHANGE), so a reader never sees
a half-written site, and a killed or failing build (disk full) leaves the previous site intact;
temp dirs left by killed builds are removed by the next one. A file whose bytes did not change
is a hard link to its previous self: same inode, same mtime, so a static server's ETag and
Last-Modified stay put, and its .gz is not recompressed. A manifest beside the site remembers
each keyed target's key, so an unchanged target is not even rendered.

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
import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from feeds.errors import FeedsError
from feeds.site import Target, gzip_bytes

# Compress these beside the originals for nginx `gzip_static` (text only; CSS included).
GZIP_EXTENSIONS = ("rss", "atom", "json", "html", "opml", "css", "js", "svg")
SERIAL_FILES_BELOW = 200  # files: below this, forked staging costs more than it saves
# Targets go to render processes in runs of BLOCK, so neighbours (a feed page's three formats,
# which show the same items) are rendered by one process, from its cache of article bodies.
BLOCK = 48
_TMP_MARK = ".tmp-"
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
) -> int:
    """Render `targets` into a new directory and swap it in as `out_dir` in one step.

    A file whose bytes did not change is hard-linked to the previous one (its mtime, hence a
    static server's Last-Modified and ETag, stay put). A target with a `key` (a digest of its
    inputs) equal to the key it had when its current file was written is not even rendered:
    the manifest beside the site (`.<out>.manifest.json`) remembers keys and file identities.
    Text files get a `.gz` beside them. Large sites render on `workers` processes. Returns how
    many files were new or changed. Raises PublishError (an OSError) when the disk is full;
    the previous site stays. `source` (JSON data: what the targets were made from) is kept in
    the manifest (see `read_manifest`).
    """
    # feeds.build imports this module at its top: its helpers are imported when called.
    from feeds.build import worker_count

    out_dir = Path(out_dir)
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    target = parent / out_dir.name
    _remove_stale(parent, out_dir.name)
    manifest_path = parent / f".{out_dir.name}.manifest.json"
    manifest, recorded = _read_manifest(manifest_path)
    if _all_current(targets, target, frozenset(gzip_extensions), manifest):
        if source is not None and source != recorded:
            _write_manifest(manifest_path, manifest, source)
        return 0  # every file is there with its key: nothing to render, link or swap
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out_dir.name}{_TMP_MARK}{os.getpid()}-"))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; web servers must read it
        stager = _Stager(tmp, target, frozenset(gzip_extensions), manifest)
        del manifest  # the stager's is the only reference (forked staging drops it)
        written, entries = _stage_all(targets, stager, worker_count(workers), progress)
        _sync(tmp)
        _swap(tmp, target)
        _fsync_dir(parent)
        _write_manifest(manifest_path, entries, source)
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


def _all_current(
    targets: Sequence[Target], site: Path, gz: frozenset[str], manifest: dict[str, Entry]
) -> bool:
    """Whether the published site is exactly `targets`: each keyed, with the key its file
    was written with, the file (and its .gz) unchanged since, and no other file planned."""
    if not manifest or len(manifest) != len(targets):
        return False
    for target in targets:
        entry = manifest.get(target.path)
        if target.key is None or entry is None or entry[0] != target.key:
            return False
    return _intact(site, gz, manifest)


def _intact(site: Path, gz: frozenset[str], manifest: dict[str, Entry]) -> bool:
    """Whether every file of the manifest (and its .gz) is there, unchanged since written."""
    for path, entry in manifest.items():
        rel = _safe_relative(path)
        try:
            st = os.stat(site / rel)
            if rel.suffix[1:] in gz:
                os.stat(site / rel.with_name(rel.name + ".gz"))
        except OSError:
            return False
        if (st.st_ino, st.st_size, st.st_mtime_ns) != tuple(entry[1:]):
            return False
    return True


def _manifest_path(out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    return out_dir.resolve().parent / f".{out_dir.name}.manifest.json"


def read_manifest(out_dir: Path) -> tuple[dict[str, Entry], dict | None]:
    """What the manifest of the site in `out_dir` says: its files and the `source` it was
    published with (empty and None when unknown)."""
    return _read_manifest(_manifest_path(out_dir))


def site_intact(
    out_dir: Path, files: dict[str, Entry], gzip_extensions: Sequence[str] = GZIP_EXTENSIONS
) -> bool:
    """Whether the site in `out_dir` holds exactly the manifest's `files` (read_manifest),
    each with the identity (inode, size, mtime) it was written with."""
    return bool(files) and _intact(Path(out_dir).resolve(), frozenset(gzip_extensions), files)


def _read_manifest(path: Path) -> tuple[dict[str, Entry], dict | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = {p: tuple(e) for p, e in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, None
    source = data.get("source")
    return files, source if isinstance(source, dict) else None  # type: ignore[return-value]


def _write_manifest(
    path: Path, entries: dict[str, Entry], source: Mapping[str, object] | None = None
) -> None:
    """Replace the manifest in one step. A stale one is harmless: entries are only trusted
    when the file still has the inode, size and mtime recorded."""
    if not entries:  # no keyed targets: no manifest (and none stale)
        path.unlink(missing_ok=True)
        return
    tmp = path.with_name(path.name + f".{os.getpid()}")
    try:
        # one C-encoded string (json.dump encodes in Python, several times slower)
        tmp.write_text(json.dumps({"version": 1, "files": entries, "source": source}), "ascii")
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
    from feeds.build import progress_bar

    n = min(workers, max(1, len(targets) // (SERIAL_FILES_BELOW // 2)))
    fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if n <= 1 or len(targets) < SERIAL_FILES_BELOW or not fork:
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
    # visited by the children's garbage collector, so their pages stay shared.
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
    stager.manifest.clear()  # the children have their copies: this process needs it no more
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
