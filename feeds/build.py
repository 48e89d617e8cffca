"""I/O edge of publishing: seeds dir -> parse -> group -> (site.py renders) -> files on disk.

`collect` reads and classifies the pages (a bad file becomes a Problem and the others still
build); `write_site` publishes a rendered site atomically: the files go into a new sibling
directory which then replaces the old one in one step (Linux renameat2 RENAME_EXCHANGE), so a
reader never sees a half-written site and a killed build leaves the previous site intact.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from feeds.errors import FeedsError, InputError
from feeds.model import Problem
from feeds.site import Collection, SiteConfig, build_site, gzip_bytes

# Compress these beside the originals for nginx `gzip_static` (text only; CSS included).
GZIP_EXTENSIONS = ("rss", "atom", "json", "html", "opml", "css")
_TMP_MARK = ".tmp-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True)
class BuildReport:
    """What `build` did, for the CLI's summary line."""

    out: Path
    pages: int
    articles: int
    files: int
    problems: tuple[Problem, ...]
    seconds: float


def collect(seeds: Path, topics_path: Path | None = None) -> Collection:
    """Read every page under `seeds` (a dir of *.txt or one file), classify, group into items."""
    from feeds.group import make_items
    from feeds.source import discover, read_page
    from feeds.topics import load_classifier

    seeds = Path(seeds)
    if not seeds.exists():
        raise InputError(str(seeds), "no such file or directory")
    classify = load_classifier(topics_path)
    pages = tuple(read_page(path) for path in discover([seeds]))
    problems = tuple(problem for page in pages for problem in page.problems)
    if not pages:
        problems += (Problem(str(seeds), "no *.txt pages found"),)
    items = tuple(make_items(pages, classify))
    return Collection(pages=pages, items=items, topics=tuple(classify.topics), problems=problems)


def with_gzip(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files plus a deterministic `<path>.gz` beside each text file."""
    out = dict(files)
    for path, data in files.items():
        if path.rsplit(".", 1)[-1] in GZIP_EXTENSIONS:
            out[path + ".gz"] = gzip_bytes(data)
    return out


def write_site(files: Mapping[str, bytes], out_dir: Path) -> None:
    """Publish `files` as `out_dir`, atomically replacing what was there.

    A file whose bytes did not change keeps its previous modification time, so a static
    server's Last-Modified and ETag (nginx: mtime + size) change only when the content does.
    """
    out_dir = Path(out_dir)
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(parent, out_dir.name)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out_dir.name}{_TMP_MARK}{os.getpid()}-"))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; web servers must read it
        _write_tree(tmp, files, parent / out_dir.name)
        _swap(tmp, parent / out_dir.name)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def _write_tree(root: Path, files: Mapping[str, bytes], previous: Path) -> None:
    for rel, data in sorted(files.items()):
        path = root / _safe_relative(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        old_mtime = _unchanged_mtime(previous / rel, data)
        if old_mtime is not None:
            os.utime(path, ns=(old_mtime, old_mtime))


def _unchanged_mtime(old: Path, data: bytes) -> int | None:
    """The mtime (ns) of the previous version of a file if its bytes equal `data`."""
    try:
        st = old.stat()
        if st.st_size == len(data) and old.read_bytes() == data:
            return st.st_mtime_ns
    except OSError:
        pass
    return None


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


def build(
    seeds: Path,
    out_dir: Path,
    config: SiteConfig | None = None,
    topics_path: Path | None = None,
    collection: Collection | None = None,
) -> BuildReport:
    """The whole static export: collect, render, gzip, publish atomically."""
    start = time.perf_counter()
    config = config or SiteConfig()
    collection = collection or collect(seeds, topics_path)
    files = build_site(collection, config)
    write_site(with_gzip(files), out_dir)
    return BuildReport(
        out=Path(out_dir),
        pages=len(collection.pages),
        articles=len(collection.items),
        files=len(files),
        problems=collection.problems,
        seconds=time.perf_counter() - start,
    )
