"""Faults: a build killed at any moment leaves the previous site intact and the next build
completes; a full disk leaves the previous site intact with a one-line error; a served site
reloads under concurrent requests without a single error or truncated body."""

from __future__ import annotations

import http.client
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
from lxml import etree

from .conftest import CORPUS

PAGES = sorted(p.name for p in CORPUS.glob("*.txt"))


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _copy_pages(seeds: Path, names: list[str]) -> None:
    seeds.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(CORPUS / name, seeds / name)


def _build_cmd(work: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "feeds",
        "build",
        "--seeds",
        str(work / "seeds"),
        "--out",
        str(work / "site"),
        "--store",
        str(work / "store.sqlite"),
        *extra,
    ]


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, env=_clean_env(), **kwargs)


def _snapshot(src: Path, dst: Path) -> None:
    """A copy of a work dir: seeds, site (links kept as copies) and store."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)


# -- killed builds --------------------------------------------------------------------------


def test_killed_build_leaves_the_previous_site_and_the_next_build_completes(
    tmp_path: Path,
) -> None:
    base = tmp_path / "base"
    _copy_pages(base / "seeds", PAGES[:2])
    assert _run(_build_cmd(base, "--limit", "2")).returncode == 0
    previous = _tree(base / "site")
    _copy_pages(base / "seeds", PAGES[2:6])

    # how long the whole next build takes, and what it makes
    _snapshot(base, tmp_path / "whole")
    start = time.monotonic()
    assert _run(_build_cmd(tmp_path / "whole", "--limit", "2")).returncode == 0
    duration = time.monotonic() - start
    final = _tree(tmp_path / "whole" / "site")
    assert final != previous

    killed = 0
    for fraction in (0.3, 0.55, 0.75, 0.9):
        work = tmp_path / "work"
        _snapshot(base, work)
        proc = subprocess.Popen(
            _build_cmd(work, "--limit", "2"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_clean_env(),
        )
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        if proc.wait() != -signal.SIGKILL:
            continue  # it finished first: nothing to check at this point
        # all or nothing: the previous site, or (killed after the swap, while cleaning up)
        # the complete new one; never a mix
        site = _tree(work / "site")
        assert site in (previous, final), fraction
        killed += site == previous
        feed = feedparser.parse((work / "site" / "feeds" / "all.rss").read_bytes())
        assert not feed.bozo and feed.entries
        time.sleep(0.2)  # let orphaned render processes notice and stop
        again = _run(_build_cmd(work, "--limit", "2"))
        assert again.returncode == 0, again.stderr
        assert _tree(work / "site") == final, fraction
        # no temporary directory left; the site the last build replaced is the standby
        assert sorted(p.name for p in work.iterdir() if p.name.startswith(".site")) == [
            ".site.lock",
            ".site.manifest.sqlite",
            ".site.standby",
        ]
    assert killed >= 2, f"only {killed} kills landed mid-build ({duration:.1f}s builds)"


# -- disk full ------------------------------------------------------------------------------


def _limit_file_size(limit: int) -> None:
    """In the child: files may not grow past `limit` bytes; writes fail with EFBIG."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_full_disk_keeps_the_previous_site_with_a_one_line_error(tmp_path: Path) -> None:
    work = tmp_path / "work"
    _copy_pages(work / "seeds", PAGES[:3])
    assert _run(_build_cmd(work)).returncode == 0
    previous = _tree(work / "site")
    assert max(len(b) for b in previous.values()) > 40_000
    # another base URL changes every feed; feeds no longer fit
    proc = subprocess.run(
        _build_cmd(work, "--base-url", "https://news.example.org/qj"),
        capture_output=True,
        text=True,
        env=_clean_env(),
        preexec_fn=lambda: _limit_file_size(40_000),
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    assert "cannot write the site" in lines[0] and "previous site is unchanged" in lines[0]
    assert "Traceback" not in proc.stderr
    assert _tree(work / "site") == previous
    assert sorted(p.name for p in work.iterdir()) == [
        ".site.lock",
        ".site.manifest.sqlite",
        "seeds",
        "site",
        "store.sqlite",
    ] + sorted(p.name for p in work.iterdir() if p.name.startswith("store.sqlite-"))
    again = _run(_build_cmd(work, "--base-url", "https://news.example.org/qj"))
    assert again.returncode == 0
    assert b"https://news.example.org/qj/" in (work / "site" / "feeds" / "all.rss").read_bytes()


# -- reloading while serving ----------------------------------------------------------------


class Server:
    """`feeds serve` in a subprocess on a free loopback port."""

    def __init__(self, work: Path, watch: str) -> None:
        self.log = open(work / "serve.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "feeds",
                "serve",
                "--port",
                "0",
                "--seeds",
                str(work / "seeds"),
                "--store",
                str(work / "store.sqlite"),
                "--watch",
                watch,
            ],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=_clean_env(),
        )
        line = self.proc.stdout.readline()
        assert line.startswith("Serving "), line
        base = line.split(" at ", 1)[1].split("/ ", 1)[0]
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port

    def get(self, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        resp.body = resp.read()  # raises IncompleteRead on a truncated body
        conn.close()
        return resp

    def count(self) -> int:
        return len(json.loads(self.get("/feeds/all.json").body)["items"])

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(20)
        self.proc.stdout.close()
        self.log.close()


def _check(path: str, resp: http.client.HTTPResponse) -> str | None:
    """Why a response is wrong, or None."""
    if resp.status == 304:
        return None
    if resp.status != 200:
        return f"{path}: HTTP {resp.status}"
    if int(resp.getheader("Content-Length", "-1")) != len(resp.body):
        return f"{path}: Content-Length {resp.getheader('Content-Length')} != {len(resp.body)}"
    try:
        if path.endswith((".rss", ".atom", ".opml")):
            etree.fromstring(resp.body)
        elif path.endswith(".json"):
            json.loads(resp.body)
        elif not resp.body.rstrip().endswith(b"</html>"):
            return f"{path}: truncated HTML"
    except (ValueError, etree.XMLSyntaxError) as exc:
        return f"{path}: {exc}"
    return None


def _hammer(server: Server, stop: threading.Event, results: list, errors: list) -> None:
    paths = [
        "/feeds/all.rss",
        "/feeds/all.atom",
        "/feeds/all.json",
        "/feeds/party.rss",
        "/",
        "/topics/all.html",
        "/feeds.opml",
    ]
    etag = None
    n = 0
    while not stop.is_set():
        path = paths[n % len(paths)]
        n += 1
        try:
            headers = {"If-None-Match": etag} if etag and path == "/feeds/all.rss" else {}
            resp = server.get(path, headers)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{path}: {exc!r}")
            continue
        if path == "/feeds/all.rss" and resp.status == 200:
            etag = resp.getheader("ETag")
        results.append(resp.status)
        problem = _check(path, resp)
        if problem:
            errors.append(problem)


def _wait_for(condition, timeout: float = 60.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_served_site_reloads_under_concurrent_requests_without_errors(tmp_path: Path) -> None:
    work = tmp_path / "work"
    _copy_pages(work / "seeds", PAGES[:2])
    server = Server(work, "0.2")
    stop = threading.Event()
    results: list[int] = []
    errors: list[str] = []
    threads = [
        threading.Thread(target=_hammer, args=(server, stop, results, errors)) for _ in range(6)
    ]
    try:
        counts = [server.count()]
        for thread in threads:
            thread.start()
        for name in PAGES[2:5]:
            _copy_pages(work / "seeds", [name])
            assert _wait_for(lambda: server.count() > counts[-1]), f"no reload after {name}"
            counts.append(server.count())
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        server.stop()
    assert errors == []
    assert len(results) > 100 and set(results) <= {200, 304} and 304 in results
    assert counts == sorted(counts) and len(set(counts)) == 4


def test_sighup_reloads_a_server_that_does_not_poll(tmp_path: Path) -> None:
    work = tmp_path / "work"
    _copy_pages(work / "seeds", PAGES[:1])
    server = Server(work, "0")
    try:
        before = server.count()
        _copy_pages(work / "seeds", PAGES[1:2])
        time.sleep(1.0)
        assert server.count() == before  # no polling
        server.proc.send_signal(signal.SIGHUP)
        assert _wait_for(lambda: server.count() > before, 30)
    finally:
        server.stop()
    assert "Reloaded" in (work / "serve.log").read_text()
