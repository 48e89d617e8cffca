"""The static export on a real nginx: media types, gzip_static, ETag/304, Cache-Control.

A real nginx (Debian package) runs as a child process on a loopback port, with the server block
documented in the README (NGINX_SERVER below, which the README must contain verbatim) wrapped in
a minimal main configuration under tmp_path. It serves what `feeds build` wrote for the golden
corpus. Without /usr/sbin/nginx the tests skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from feeds.build import build
from feeds.serving import CSP
from feeds.site import Collection, SiteConfig, media_type

from .conftest import REPO

# The README's nginx server block, verbatim (test_readme_documents_this_configuration checks).
NGINX_SERVER = """\
server {
    listen 80;
    server_name feeds.example.org;
    root /srv/feeds/site;  # the directory `feeds build --out` writes (swapped atomically)
    index index.html;

    # The site's media types; a types block here replaces nginx's default map.
    types {
        text/html              html;
        text/css               css;
        text/javascript        js;
        image/svg+xml          svg;
        application/rss+xml    rss;
        application/atom+xml   atom;
        application/feed+json  json;
        text/x-opml            opml;
    }
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/css text/javascript application/rss+xml application/atom+xml
                  application/feed+json text/x-opml;

    gzip_static on;  # send the .gz that `feeds build` wrote beside each text file
    gzip_vary on;
    etag on;         # mtime + size: unchanged files keep their mtime across builds

    # max-age = 60 x `feeds build --ttl` (default 30 minutes), like the Flask app.
    add_header Cache-Control "public, max-age=1800";
    add_header Access-Control-Allow-Origin "*";
    add_header X-Content-Type-Options "nosniff";
    add_header Referrer-Policy "strict-origin-when-cross-origin";
    add_header Content-Security-Policy "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    location / {
        try_files $uri $uri/ =404;
    }
}
"""

MAIN_CONFIG = """\
{user}daemon off;
master_process on;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{server}}}
"""

TTL_SECONDS = 30 * 60


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _nginx() -> str:
    path = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if path is None:
        reason = "nginx is not installed (Debian package nginx)"
        if _in_ci():
            pytest.fail(f"{reason}; required in CI")
        pytest.skip(reason)
    return path


def server_block(root: Path, port: int) -> str:
    """The README's server block pointed at `root` and listening on 127.0.0.1:`port`."""
    block = NGINX_SERVER.replace("listen 80;", f"listen 127.0.0.1:{port};")
    block = re.sub(r"root [^;]+;", f"root {root};", block, count=1)
    assert f"root {root};" in block and f":{port};" in block
    return block


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Nginx:
    port: int
    root: Path
    tmp: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        """GET with exactly these headers (http.client adds no Accept-Encoding when told)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest("GET", path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
        finally:
            conn.close()


def _wait_listening(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"nginx exited with {proc.returncode}: {log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail("nginx did not start listening within 10 s")


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory, corpus_collection: Collection) -> Path:
    """`feeds build` output for the golden corpus."""
    out = tmp_path_factory.mktemp("nginx-site") / "site"
    build(Path("unused"), out, SiteConfig(), collection=corpus_collection)
    return out


@contextmanager
def run_nginx(root: Path, tmp: Path) -> Iterator[Nginx]:
    """A real nginx serving `root` on a free loopback port; stopped by its own pid."""
    binary = _nginx()
    port = _free_port()
    # Workers run as root when the tests do (tmp_path is private to this user).
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(
        MAIN_CONFIG.format(user=user, tmp=tmp, server=server_block(root, port)), encoding="utf-8"
    )
    log = tmp / "error.log"
    args = ["-p", f"{tmp}/", "-c", str(conf), "-e", str(log)]
    check = subprocess.run([binary, "-t", *args], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(port, proc, log)
        yield Nginx(port, root, tmp)
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful shutdown of master and workers
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def nginx(request, tmp_path_factory) -> Iterator[Nginx]:
    _nginx()  # skip (or fail in CI) before building anything
    site = request.getfixturevalue("corpus_site")
    with run_nginx(site, tmp_path_factory.mktemp("nginx")) as server:
        yield server


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _url(path: str) -> str:
    return "/" + quote(path)


# -- media types ----------------------------------------------------------------------------


def test_every_kind_of_file_has_the_flask_apps_media_type(nginx: Nginx) -> None:
    files = [f for f in _files(nginx.root) if not f.endswith(".gz")]
    by_ext: dict[str, str] = {}
    for path in files:
        by_ext.setdefault(path.rsplit(".", 1)[-1], path)
    assert {"rss", "atom", "json", "opml", "html", "css"} <= set(by_ext)
    for ext, path in by_ext.items():
        status, headers, body = nginx.get(_url(path))
        assert status == 200, path
        assert headers["content-type"] == media_type(path), path
        assert "charset=utf-8" in headers["content-type"] or ext == "svg"
        assert body == (nginx.root / path).read_bytes(), path
        assert headers["x-content-type-options"] == "nosniff"


def test_a_chinese_tag_feed_is_served_at_its_percent_encoded_url(nginx: Nginx) -> None:
    tags = [f for f in _files(nginx.root) if f.startswith("tags/") and f.endswith(".rss")]
    assert tags, "the corpus has tags shared by several articles"
    path = next((t for t in tags if not t.isascii()), tags[0])
    status, headers, body = nginx.get(_url(path))
    assert status == 200
    assert headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert body == (nginx.root / path).read_bytes()


def test_index_is_served_at_the_root(nginx: Nginx) -> None:
    status, headers, body = nginx.get("/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body == (nginx.root / "index.html").read_bytes()


def test_missing_file_is_404_without_cache_control(nginx: Nginx) -> None:
    status, headers, _ = nginx.get("/feeds/nope.rss")
    assert status == 404
    assert "cache-control" not in headers  # a 404 must not be cached for the feed's ttl


# -- gzip -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["feeds/all.rss", "feeds/all.atom", "feeds/all.json", "feeds.opml", "index.html"]
)
def test_gzip_static_sends_the_precompressed_file(nginx: Nginx, path: str) -> None:
    status, headers, body = nginx.get(_url(path), {"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert body == (nginx.root / f"{path}.gz").read_bytes()  # the file on disk, not recompressed
    assert gzip.decompress(body) == (nginx.root / path).read_bytes()
    assert headers["content-type"] == media_type(path)
    assert "Accept-Encoding" in headers["vary"]


def test_without_accept_encoding_the_body_is_identity(nginx: Nginx) -> None:
    status, headers, body = nginx.get("/feeds/all.rss")
    assert status == 200
    assert "content-encoding" not in headers
    assert body == (nginx.root / "feeds/all.rss").read_bytes()
    assert "Accept-Encoding" in headers["vary"]


# -- validators and caching -----------------------------------------------------------------


@pytest.mark.parametrize("encoding", [None, "gzip"])
def test_etag_and_304_on_if_none_match(nginx: Nginx, encoding: str | None) -> None:
    base = {"Accept-Encoding": encoding} if encoding else {}
    status, headers, _ = nginx.get("/feeds/all.atom", base)
    assert status == 200
    etag = headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    status, again, body = nginx.get("/feeds/all.atom", {**base, "If-None-Match": etag})
    assert status == 304
    assert body == b""
    assert again["etag"] == etag
    assert again["cache-control"] == f"public, max-age={TTL_SECONDS}"
    status, _, body = nginx.get("/feeds/all.atom", {**base, "If-None-Match": '"other"'})
    assert status == 200 and body


def test_gzip_and_identity_have_different_etags(nginx: Nginx) -> None:
    """A cache must never answer a 304 for the identity body with the gzip one's validator."""
    _, plain, _ = nginx.get("/feeds/all.rss")
    _, packed, _ = nginx.get("/feeds/all.rss", {"Accept-Encoding": "gzip"})
    assert plain["etag"] != packed["etag"]


def test_if_modified_since_gives_304(nginx: Nginx) -> None:
    _, headers, _ = nginx.get("/feeds/all.json")
    status, _, body = nginx.get("/feeds/all.json", {"If-Modified-Since": headers["last-modified"]})
    assert status == 304 and body == b""


@pytest.mark.parametrize("path", ["/feeds/all.rss", "/index.html", "/feeds.opml"])
def test_cache_control_and_cors_match_the_flask_app(nginx: Nginx, path: str) -> None:
    _, headers, _ = nginx.get(path)
    assert headers["cache-control"] == f"public, max-age={TTL_SECONDS}"
    assert headers["access-control-allow-origin"] == "*"
    assert headers["content-security-policy"] == CSP


def test_rebuild_keeps_validators_of_unchanged_files_only(
    tmp_path: Path, corpus_collection: Collection
) -> None:
    """Through the real server: an unchanged rebuild keeps every ETag; a changed base URL moves
    the feeds' ETags while the stylesheet's stays (it did not change)."""
    _nginx()
    site = tmp_path / "site"
    (tmp_path / "nginx").mkdir()

    def rebuild(base_url: str) -> None:
        build(Path("unused"), site, SiteConfig(base_url=base_url), collection=corpus_collection)

    rebuild("http://a.example")
    with run_nginx(site, tmp_path / "nginx") as server:
        paths = ["/feeds/all.rss", "/static/style.css"]

        def etags() -> dict[str, str]:
            return {p: server.get(p)[1]["etag"] for p in paths}

        first = etags()
        rebuild("http://a.example")
        assert etags() == first
        rebuild("http://b.example")
        second = etags()
    assert second["/feeds/all.rss"] != first["/feeds/all.rss"]
    assert second["/static/style.css"] == first["/static/style.css"]


# -- the README -----------------------------------------------------------------------------


def test_readme_documents_this_configuration() -> None:
    readme = REPO / "README.md"
    if not readme.exists() and not _in_ci():
        pytest.skip("README.md not written yet")
    blocks = re.findall(r"```nginx\n(.*?)```", readme.read_text(encoding="utf-8"), re.S)
    assert _words(NGINX_SERVER) in [_words(b) for b in blocks], (
        "README.md must document the nginx server block tested here (NGINX_SERVER)"
    )


def _words(config: str) -> list[str]:
    """The configuration without layout: blank runs collapsed (comments kept)."""
    return config.split()
