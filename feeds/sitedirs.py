"""The web app's site directories beside the store: one per configuration, and only as many
as are in use.

An app started without SITE_DIR publishes into `site-<digest of its configuration>` beside
its store, so apps serving one archive with different settings (base URL, limit) never share
a directory. Each app claims its directory for its lifetime with a shared flock on
`.<name>.inuse` (its forked workers inherit the claim). When an app starts, the directories
of other configurations that nobody claims (every app that used them has exited) are removed
with everything feeds.publish keeps beside them: standby copy, manifest, temporary and lock
files. A directory being published (feeds.build's writer lock) or claimed is left alone.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import IO

from feeds.publish import lock_file
from feeds.site import SiteConfig

_NAME = re.compile(r"site-[0-9a-f]{12}")


def site_dir(store: Path, config: SiteConfig) -> Path:
    """The app's site directory for `config`: beside the store, named by a digest of it."""
    digest = hashlib.sha256(repr(config).encode()).hexdigest()[:12]
    return Path(store).parent / f"site-{digest}"


def claim(path: Path) -> IO:
    """Mark a site directory as in use while the returned file stays open (keep it with the
    app). A pruner that removed the lock file between our open and our lock is noticed (the
    path no longer names the file we locked) and we lock the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = _inuse(path)
    while True:
        fh = open(lock_path, "a")  # noqa: SIM115 - held for the app's lifetime
        fcntl.flock(fh, fcntl.LOCK_SH)
        try:
            if os.stat(lock_path).st_ino == os.fstat(fh.fileno()).st_ino:
                return fh
        except FileNotFoundError:
            pass
        fh.close()


def prune(keep: Path) -> list[str]:
    """Remove the unclaimed site directories of other configurations beside `keep` (and
    their companions); return the names removed."""
    parent = keep.parent
    removed = []
    try:
        entries = sorted(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if entry.name == keep.name or not _NAME.fullmatch(entry.name) or not entry.is_dir():
            continue
        if _remove_unclaimed(entry):
            removed.append(entry.name)
    return removed


def _inuse(path: Path) -> Path:
    return path.parent / f".{path.name}.inuse"


def _remove_unclaimed(path: Path) -> bool:
    inuse = _inuse(path)
    writer = lock_file(path)  # feeds.build holds it while publishing
    try:
        with open(inuse, "a") as claimed, open(writer, "a") as publishing:
            for fh in (claimed, publishing):
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False  # served or being published: not ours to remove
            for companion in path.parent.glob(f".{path.name}.*"):
                if companion in (inuse, writer):
                    continue
                if companion.is_dir() and not companion.is_symlink():
                    shutil.rmtree(companion, ignore_errors=True)
                else:
                    companion.unlink(missing_ok=True)
            shutil.rmtree(path, ignore_errors=True)
            # last, while still locked: a claim that opened them meanwhile sees they are gone
            writer.unlink(missing_ok=True)
            inuse.unlink(missing_ok=True)
            return not path.exists()
    except OSError:
        return False
