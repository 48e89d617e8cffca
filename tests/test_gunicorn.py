"""Production serving: the app under gunicorn with 2 workers, as the README documents it.

test_web.py starts one worker once; here two workers run together, as in production: every
worker must serve the same bytes under the same ETag (a poller's 304 stays valid whichever
worker it reaches), and with FEEDS_WATCH each worker picks up a page added to the seeds and
serves it, with no error while it reloads. The worker that served a request is read from
gunicorn's access log (pid per line).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import feedparser
import pytest

from .conftest import CORPUS, SEEDS

WORKERS = 2
LOG_FORMAT = "%(p)s %(s)s %(U)s %(q)s"


@dataclass
class Gunicorn:
    base: str
    seeds: Path
    log: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        req = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def served_by(self, probes: set[str] = frozenset()) -> list[tuple[int, int, str, str]]:
        """(worker pid, status, path, query) per request, from the access log; waits until the
        requests whose query is in `probes` are there (a worker logs just after answering)."""
        deadline = time.monotonic() + 10
        while True:
            text = self.log.read_text(encoding="utf-8", errors="replace")
            rows = [_LOG_LINE.fullmatch(line.strip()) for line in text.splitlines()]
            found = [(int(m[1]), int(m[2]), m[3], m[4] or "") for m in rows if m]
            if probes <= {row[3] for row in found} or time.monotonic() > deadline:
                return found
            time.sleep(0.02)


_PROBES = itertools.count()
_LOG_LINE = re.compile(r"<?(\d+)>? (\d{3}) (\S+) ?(\S*)")


def control_socket_off() -> list[str]:
    """gunicorn >= 25.1 opens a control socket at one fixed path per user; servers started
    side by side (tests, benchmarks) must not share it."""
    version = tuple(int(x) for x in re.findall(r"\d+", metadata.version("gunicorn"))[:2])
    return ["--no-control-socket"] if version >= (25, 1) else []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory) -> Iterator[Gunicorn]:
    """gunicorn -w 2 'feeds.web:create_app()' over a private copy of the seeds, watching it."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    seeds = tmp / "seeds"
    shutil.copytree(SEEDS, seeds)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    env |= {
        "FEEDS_SEEDS": str(seeds),
        "FEEDS_STORE": str(tmp / "store.sqlite"),
        "FEEDS_BASE_URL": base,
        "FEEDS_WATCH": "0.5",
    }
    log = tmp / "access.log"
    cmd = [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        *("-w", str(WORKERS), "-b", f"127.0.0.1:{port}"),
        *("--access-logfile", str(log), "--access-logformat", LOG_FORMAT),
        *control_socket_off(),
        "feeds.web:create_app()",
    ]
    errors = tmp / "errors.log"
    with open(errors, "wb") as err:
        proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=err)
    server = Gunicorn(base, seeds, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, errors.read_text(errors="replace")
            try:
                if server.get("/feeds/all.rss")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within 90 s"
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        proc.wait(20)


def _answers(server: Gunicorn, path: str, n: int) -> dict[int, set[tuple[str, str]]]:
    """Request `path` n times on fresh connections: worker pid -> {(ETag, body digest)}.
    Every answer must be a 200 (also while the workers reload).

    Each request carries a probe number in its query (ignored by the app) that the access log
    repeats, so each answer is matched to the worker that gave it.
    """
    seen: dict[str, tuple[str, str]] = {}
    for _ in range(n):
        probe = f"probe={next(_PROBES)}"
        status, headers, body = server.get(f"{path}?{probe}")
        assert status == 200
        seen[probe] = (headers["ETag"], hashlib.sha256(body).hexdigest())
    by_pid: dict[int, set[tuple[str, str]]] = {}
    for pid, _, logged_path, query in server.served_by(set(seen)):
        if logged_path == path and query in seen:
            by_pid.setdefault(pid, set()).add(seen.pop(query))
    assert not seen, f"requests missing from the access log: {sorted(seen)}"
    return by_pid


def _both_workers(server: Gunicorn, path: str) -> dict[int, set[tuple[str, str]]]:
    """Ask until both workers have answered (the kernel picks which one accepts)."""
    by_pid: dict[int, set[tuple[str, str]]] = {}
    for _ in range(20):
        for pid, answers in _answers(server, path, 10).items():
            by_pid.setdefault(pid, set()).update(answers)
        if len(by_pid) >= WORKERS:
            return by_pid
    pytest.fail(f"only workers {sorted(by_pid)} answered {path}")


@pytest.mark.parametrize("path", ["/feeds/all.rss", "/feeds/party.atom", "/index.html"])
def test_workers_serve_identical_bytes_under_identical_etags(gunicorn: Gunicorn, path: str) -> None:
    by_pid = _both_workers(gunicorn, path)
    answers = set().union(*by_pid.values())
    assert len(answers) == 1, f"workers disagree: {by_pid}"


def test_a_304_from_one_worker_holds_for_the_other(gunicorn: Gunicorn) -> None:
    _, headers, _ = gunicorn.get("/feeds/all.json")
    etag = headers["ETag"]
    pids: set[int] = set()
    # Fresh connections land on whichever worker accepts first; on a loaded machine one
    # worker may take a whole round, so keep probing (bounded) until both have answered.
    for round_no in range(10):
        probes = {f"conditional={round_no}-{k}" for k in range(20)}
        for probe in probes:
            status, _, body = gunicorn.get(f"/feeds/all.json?{probe}", {"If-None-Match": etag})
            assert status == 304 and body == b""
        rows = gunicorn.served_by(probes)
        pids |= {row[0] for row in rows if row[3] in probes and row[1] == 304}
        if len(pids) == WORKERS:
            break
    assert len(pids) == WORKERS, f"only workers {sorted(pids)} answered"


def test_every_worker_picks_up_a_new_page_without_errors(gunicorn: Gunicorn) -> None:
    """FEEDS_WATCH: a page dropped into the seeds is served by both workers within seconds."""
    _, headers, body = gunicorn.get("/feeds/all.rss")
    old_etag, old_ids = headers["ETag"], {e.id for e in feedparser.parse(body).entries}
    shutil.copy(CORPUS / "page-05.txt", gunicorn.seeds / "qj_20240515_05.txt")
    deadline = time.monotonic() + 60
    while True:
        by_pid = _answers(gunicorn, "/feeds/all.rss", 10)
        etags = {etag for answers in by_pid.values() for etag, _ in answers}
        if len(by_pid) == WORKERS and old_etag not in etags:
            break
        assert time.monotonic() < deadline, "the workers did not all reload within 60 s"
        time.sleep(0.3)
    assert len(etags) == 1, "both workers serve the same new feed"
    entries = feedparser.parse(gunicorn.get("/feeds/all.rss")[2]).entries
    assert {e.id for e in entries} - old_ids, "the new page's articles are in the feed"
