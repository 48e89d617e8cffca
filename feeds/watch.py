"""Keep a served site current: poll the seeds and the store, collect again when they change.

`Watcher` hands a freshly collected Collection to the web app, which swaps it in whole
(feeds.web), so a request never sees half of a site. Apart from feeds.build because only
`feeds serve` needs it (a thread, a clock); collecting itself is feeds.build's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from feeds.build import Warn, collect_report, page_files, warn_stderr
from feeds.site import Collection
from feeds.store import Store


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
        self.warn = warn or warn_stderr
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
