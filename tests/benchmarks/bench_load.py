"""Load test (bounded, loopback only): serving while the archive grows and the site rebuilds.

    python tests/benchmarks/bench_load.py [--pages 200] [--seconds 30] [--no-nginx]

Two phases, each while a rebuilder keeps adding the next day's page to the seeds and running
an incremental build (same store) that publishes into the static site. A phase lasts
`--seconds` (30), or longer where one rebuild takes long here (6 x its unloaded time + 10 s for
the app, whose workers reload after the rebuild, both slower under load; 3 x + 5 s for nginx;
at most 300 s), so that at least one new site goes live under load; the verifying client must
see the feed change.

1. the Flask app under gunicorn (2 workers, FEEDS_WATCH=1: each worker notices the new page,
   collects through the store and swaps in the re-rendered site while serving);
2. nginx (the README's server block) serving the static site that the builds swap atomically.

Load: wrk, 2 threads, 64 connections, cycling through feeds, filtered feeds (Flask only),
archive pages, HTML pages and conditional requests (If-None-Match with ETags taken before the
run: 304 until a reload changes the resource, 200 after). Alongside, a Python client parses
every body it gets completely (XML with lxml, JSON, HTML end tag, gzip variants decompressed),
so a truncated or half-written file cannot pass. Pass: zero statuses other than 200/304, zero
socket errors or timeouts, zero truncated or unparsable bodies, zero failed rebuilds, and the
new site seen during the window; p99 latency is printed.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import common
import generate
from bench_archive import seeds_copy

sys.path.insert(0, str(common.REPO))
from tests.test_nginx import MAIN_CONFIG, server_block  # noqa: E402  (the README's config)

FEEDS = [
    f"feeds/{t}.{f}"
    for t in ("all", "party", "government", "volunteers")
    for f in ("rss", "atom", "json")
]
MAX_SECONDS = 300
QUERIES = ["?limit=5", "?filter=会议", "?filterout=志愿", "?limit=10&filter=衢江"]


@dataclass
class Checked:
    """What the verifying client saw."""

    requests: int = 0
    bad_status: int = 0
    broken: list[str] = field(default_factory=list)  # truncated or unparsable bodies
    errors: list[str] = field(default_factory=list)  # connection errors
    versions: set[str] = field(default_factory=set)  # ETags seen for /feeds/all.rss


def site_paths(site: Path) -> list[str]:
    """A fixed sample of the site's pages: index, topics, a few articles, tags, archives."""
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    html = [f for f in files if f.endswith(".html")]
    picks = ["index.html"] + [f for f in html if f.startswith("topics/")][:5]
    picks += [f for f in html if f.startswith("articles/")][:: max(1, len(html) // 20)][:20]
    picks += [f for f in files if f.startswith("tags/") and f.endswith(".rss")][:5]
    picks += [f for f in files if "/archive/" in f and not f.endswith(".gz")][:6]
    return picks


def mix(base: str, site: Path, queries: bool) -> list[tuple[str, dict[str, str]]]:
    """The request mix: (URL path, percent-encoded; headers); a third of the paths again as
    conditional requests with their current ETag."""
    paths = ["/" + quote(p) for p in FEEDS + site_paths(site)]
    if queries:
        for feed in ("/feeds/all.rss", "/feeds/party.atom", "/feeds/all.json"):
            paths += [feed + quote(q, safe="?=&") for q in QUERIES]
    reqs: list[tuple[str, dict[str, str]]] = [(p, {}) for p in paths]
    for path in paths[::3]:
        status, headers, _ = common.fetch(base + path)
        assert status == 200, (path, status)
        reqs.append((path, {"If-None-Match": headers["ETag"]}))
    return reqs


def verify(body: bytes, path: str) -> None:
    """Raise unless `body` is a whole document of the kind `path` names."""
    from lxml import etree, html

    ext = path.split("?")[0].rsplit(".", 1)[-1]
    if ext in ("rss", "atom", "opml"):
        etree.fromstring(body)
    elif ext == "json":
        json.loads(body)
    elif ext == "html":
        text = body.decode("utf-8")
        if not text.rstrip().endswith("</html>"):
            raise ValueError("HTML does not end with </html>")
        html.fromstring(body)


def client(port: int, reqs, deadline: float, out: Checked, seed: int) -> None:
    """Fetch the mix until the deadline, verifying every body (half of them gzip-encoded)."""
    i = seed
    while time.monotonic() < deadline:
        path, headers = reqs[i % len(reqs)]
        headers = dict(headers)
        if i % 2:
            headers["Accept-Encoding"] = "gzip"
        i += 1
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            body = resp.read()  # IncompleteRead if shorter than Content-Length
            out.requests += 1
            if resp.status not in (200, 304):
                out.bad_status += 1
                continue
            if resp.status == 200:
                if resp.getheader("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                verify(body, path)
                if path == "/feeds/all.rss" and "Accept-Encoding" not in headers:
                    out.versions.add(resp.getheader("ETag"))
        except (OSError, http.client.HTTPException) as exc:
            out.errors.append(f"{path}: {exc!r}")
        except Exception as exc:  # noqa: BLE001 - any parse failure is a broken body
            out.broken.append(f"{path}: {exc!r}"[:200])
        finally:
            conn.close()


class NewPages:
    """The pages that keep arriving: generate.page(i, n) for i = n, n + 1, ... (later dates)."""

    def __init__(self, seeds: Path, n: int) -> None:
        self.seeds, self.n, self.next = seeds, n, n

    def add(self) -> str:
        name, data = generate.page(self.next, self.n)
        self.next += 1
        (self.seeds / name).write_bytes(data)
        return name


def rebuilder(pages: NewPages, site: Path, store: Path, deadline: float, log: list) -> None:
    """Add the next page and rebuild incrementally, again and again until the deadline."""
    while time.monotonic() < deadline:
        name = pages.add()
        try:
            run, report = common.feeds_build(pages.seeds, site, store=store)
        except RuntimeError as exc:  # a failed build is a failure of the run, not of the thread
            log.append((name, None, str(exc)[-300:]))
            return
        log.append((name, run.seconds, report["written"]))


def phase(
    name: str, port: int, reqs, seconds: int, args, pages: NewPages, site: Path, store: Path
) -> dict:
    deadline = time.monotonic() + seconds
    builds: list = []
    checked = [Checked() for _ in range(2)]
    threads = [
        threading.Thread(target=rebuilder, args=(pages, site, store, deadline, builds)),
        *(
            threading.Thread(target=client, args=(port, reqs, deadline, c, k * 17))
            for k, c in enumerate(checked)
        ),
    ]
    for t in threads:
        t.start()
    fig = common.wrk(f"http://127.0.0.1:{port}", reqs, seconds, args.connections, timeout=10)
    for t in threads:
        t.join()
    total = Checked(
        sum(c.requests for c in checked),
        sum(c.bad_status for c in checked),
        [b for c in checked for b in c.broken],
        [e for c in checked for e in c.errors],
        set().union(*(c.versions for c in checked)),
    )
    socket_errors = sum(
        fig[k] for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout")
    )
    failed = [b for b in builds if b[1] is None]
    ok = (
        not failed
        and len(total.versions) >= 2  # a rebuilt site was swapped in while under load
        and fig["bad_status"] == 0
        and fig["truncated"] == 0
        and socket_errors == 0
        and total.bad_status == 0
        and not total.broken
        and not total.errors
    )
    print(
        f"   {name}: {seconds} s; wrk {fig['requests']} requests ({fig['rps']:.0f}/s), p50 {fig['p50_ms']:.1f} ms, "
        f"p99 {fig['p99_ms']:.1f} ms, max {fig['max_ms']:.0f} ms; non-200/304: {fig['bad_status']}, "
        f"truncated: {fig['truncated']} of {fig['bodies_checked']} bodies, socket errors/timeouts: "
        f"{socket_errors}"
    )
    print(
        f"   {name}: verifying client {total.requests} requests, all bodies parsed: "
        f"{len(total.broken)} broken, {total.bad_status} bad statuses, {len(total.errors)} errors; "
        f"{len(total.versions)} versions of /feeds/all.rss seen"
    )
    for line in (total.broken + total.errors)[:5]:
        print(f"      {line}")
    print(
        f"   {name}: {len(builds)} rebuilds during the run ("
        + ", ".join(f"{s:.1f}s/{w} files" for _, s, w in builds if s is not None)
        + f"): {common.verdict(ok)}"
    )
    for _, _, error in failed:
        print(f"      rebuild FAILED: {error}")
    return {
        "wrk": fig,
        "client_requests": total.requests,
        "broken": len(total.broken),
        "client_errors": len(total.errors),
        "rebuilds": len(builds),
        "versions_seen": len(total.versions),
        "ok": ok,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Load test while rebuilding")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30, help="least seconds per phase")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--no-nginx", action="store_true")
    args = parser.parse_args(argv)

    common.WORK.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="load-", dir=common.WORK))
    seeds = seeds_copy(common.archive(args.pages), work / "seeds")
    site, store = work / "site", work / "store.sqlite"
    common.feeds_build(seeds, site, store=store)
    pages = NewPages(seeds, args.pages)
    pages.add()
    warm, _ = common.feeds_build(seeds, site, store=store)
    # Long enough for a rebuild (and, for the app, the workers' reload after it) to land
    # inside the window, whatever the machine's speed; bounded.
    app_seconds = min(MAX_SECONDS, max(args.seconds, round(6 * warm.seconds + 10)))
    static_seconds = min(MAX_SECONDS, max(args.seconds, round(3 * warm.seconds + 5)))
    print(
        f"== load: {args.pages}-page archive, wrk -t2 -c{args.connections}, new page + "
        f"incremental rebuild in a loop (one takes {warm.seconds:.1f} s here)"
    )
    result: dict = {}
    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    env = common.clean_env(
        FEEDS_SEEDS=str(seeds), FEEDS_STORE=str(store), FEEDS_WATCH="1", FEEDS_BASE_URL=base
    )
    try:
        with common.server(
            common.gunicorn("feeds.web:create_app()", port, env), base + "/", env=env, cwd=work
        ):
            reqs = mix(base, site, queries=True)
            result["gunicorn"] = phase(
                "gunicorn", port, reqs, app_seconds, args, pages, site, store
            )
        if not args.no_nginx and shutil.which("nginx"):
            result["nginx"] = nginx_phase(args, static_seconds, pages, site, store, work)
    finally:
        if not os.environ.get("FEEDS_BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    result["ok"] = all(r["ok"] for r in result.values() if isinstance(r, dict))
    return result


def nginx_phase(args, seconds: int, pages: NewPages, site: Path, store: Path, work: Path) -> dict:
    tmp = work / "nginx"
    tmp.mkdir()
    port = common.free_port()
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(MAIN_CONFIG.format(user=user, tmp=tmp, server=server_block(site, port)))
    cmd = [shutil.which("nginx"), "-p", f"{tmp}/", "-c", str(conf), "-e", str(tmp / "error.log")]
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        common.wait_http(base + "/", proc, timeout=10)
        reqs = mix(base, site, queries=False)
        return phase("nginx", port, reqs, seconds, args, pages, site, store)
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
