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

    def from_both_workers(
        self, path: str, headers: dict[str, str] | None = None
    ) -> dict[int, tuple[int, dict, bytes]]:
        """The same request answered once by each of the two workers: worker pid -> response.

        A sync worker serves one connection at a time, so while one connection holds a worker
        with an unfinished request, a second connection can only be accepted by the other
        worker; then the first request is finished. Which worker answered each is read from
        the access log (the probe in the query string).
        """
        port = int(self.base.rsplit(":", 1)[1])
        held_probe, other_probe = f"probe={next(_PROBES)}", f"probe={next(_PROBES)}"
        lines = [f"GET {path}?{held_probe} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        with socket.create_connection(("127.0.0.1", port), timeout=30) as held:
            held.sendall(("\r\n".join(lines) + "\r\n").encode())  # no blank line yet
            other = self.get(f"{path}?{other_probe}", headers)
            held.sendall(b"\r\n")
            raw = b""
            while chunk := held.recv(65536):
                raw += chunk
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        held_headers = dict(line.split(": ", 1) for line in header_lines)
        if held_headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = _dechunk(body)
        answers = {held_probe: (int(status_line.split()[1]), held_headers, body)}
        answers[other_probe] = other
        by_pid = {}
        for pid, _, logged_path, query in self.served_by(set(answers)):
            if logged_path == path and query in answers:
                by_pid[pid] = answers.pop(query)
        assert not answers, f"requests missing from the access log: {sorted(answers)}"
        assert len(by_pid) == WORKERS, f"one worker answered both: {sorted(by_pid)}"
        return by_pid


def _dechunk(body: bytes) -> bytes:
    out = b""
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return out
        out, body = out + body[:size], body[size + 2 :]


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


@pytest.fixture(scope="module", params=["app-per-worker", "preload"])
def gunicorn(tmp_path_factory, request) -> Iterator[Gunicorn]:
    """gunicorn -w 2 'feeds.web:create_app()' over a private copy of the seeds, watching it;
    each worker makes the app, or (--preload) the master makes it once and forks the workers,
    which then start their own watcher threads."""
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
        *(["--preload"] if request.param == "preload" else []),
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


@pytest.mark.parametrize("path", ["/feeds/all.rss", "/feeds/party.atom", "/index.html"])
def test_workers_serve_identical_bytes_under_identical_etags(gunicorn: Gunicorn, path: str) -> None:
    by_pid = gunicorn.from_both_workers(path)
    answers = {
        (status, headers["ETag"], hashlib.sha256(body).hexdigest())
        for status, headers, body in by_pid.values()
    }
    assert len(answers) == 1, f"workers disagree: {answers}"
    assert next(iter(answers))[0] == 200


def test_a_304_from_one_worker_holds_for_the_other(gunicorn: Gunicorn) -> None:
    _, headers, _ = gunicorn.get("/feeds/all.json")
    by_pid = gunicorn.from_both_workers("/feeds/all.json", {"If-None-Match": headers["ETag"]})
    for pid, (status, _, body) in by_pid.items():
        assert (status, body) == (304, b""), f"worker {pid} answered {status}"


def test_every_worker_picks_up_a_new_page_without_errors(gunicorn: Gunicorn) -> None:
    """FEEDS_WATCH: a page dropped into the seeds is served by both workers within seconds."""
    _, headers, body = gunicorn.get("/feeds/all.rss")
    old_etag, old_ids = headers["ETag"], {e.id for e in feedparser.parse(body).entries}
    shutil.copy(CORPUS / "page-05.txt", gunicorn.seeds / "qj_20240515_05.txt")
    deadline = time.monotonic() + 60
    while True:
        by_pid = gunicorn.from_both_workers("/feeds/all.rss")
        assert all(status == 200 for status, _, _ in by_pid.values())
        etags = {headers["ETag"] for _, headers, _ in by_pid.values()}
        if old_etag not in etags:
            break
        assert time.monotonic() < deadline, "the workers did not all reload within 60 s"
        time.sleep(0.3)
    assert len(etags) == 1, "both workers serve the same new feed"
    entries = feedparser.parse(gunicorn.get("/feeds/all.rss")[2]).entries
    assert {e.id for e in entries} - old_ids, "the new page's articles are in the feed"
