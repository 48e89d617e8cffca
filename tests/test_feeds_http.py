"""Issue 4 acceptance: the feeds as readers and pollers meet them over HTTP.

feedparser is the client, both over the Flask test client and over a real loopback socket
(the `web` fixture runs every test that takes it both ways). The app serves the golden corpus
with a feed limit of LIMIT items, so every topic and the larger tags have RFC 5005 archives.

Covered: immutable tag: ids (two builds, other host/port, fixed text), validators and 304,
gzip, HEAD, Cache-Control vs <ttl>, ?limit/?filter/?filterout (also on archive and tag feeds),
archives back to the oldest item (also from a `feeds build --limit` export on a static server),
JSON Feed fields, tag feeds, OPML, 404s, no 429/503 (concurrent polling, `feeds serve` start),
newest N items and the size budget, Last-Modified semantics, escaping in every format,
distinct Atom `updated` in page order.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.client
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

import feedparser
import lxml.etree
import lxml.html
import pytest
from werkzeug.serving import make_server

from feeds.errors import ConfigError
from feeds.group import SHANGHAI, make_items
from feeds.model import Article, Item, Page, Paragraph
from feeds.render import (
    MEDIA_TYPES,
    UNDATED,
    FeedSpec,
    entry_times,
    estimated_size,
    feed_updated,
    last_changed,
    render,
)
from feeds.site import Collection, SiteConfig
from feeds.web import create_app

from .conftest import CORPUS, SEEDS, TEST_BASE, TOPICS

LIMIT = 3
XML_FORMATS = ("rss", "atom")
ATOM = "{http://www.w3.org/2005/Atom}"
FH_ARCHIVE = "{http://purl.org/syndication/history/1.0}archive"
DEFAULT_PREFIX = "tag:feeds.localhost,2024:"


# -- two ways to reach the app ------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


class Web:
    """The app behind the Flask test client or a real socket; `base` is what its links use."""

    def __init__(self, base: str, app, *, socket: bool) -> None:
        self.base, self.app, self.socket = base, app, socket
        self.site = app.extensions["feeds"]

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
        headers = headers or {}
        if not self.socket:
            resp = self.app.test_client().open(path, method=method, headers=headers)
            return Reply(resp.status_code, {k.lower(): v for k, v in resp.headers}, resp.data)
        netloc = urlsplit(self.base).netloc
        conn = http.client.HTTPConnection(netloc, timeout=30)
        try:
            conn.request(method, path, headers=headers)
            resp = conn.getresponse()
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        finally:
            conn.close()

    def feed(self, path: str, *, etag: str | None = None, modified: str | None = None):
        """feedparser's view: over the socket feedparser does the HTTP itself."""
        if self.socket:
            return feedparser.parse(self.base + path, etag=etag, modified=modified)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        reply = self.get(path, headers)
        parsed = feedparser.parse(reply.body, response_headers=reply.headers)
        parsed["status"] = reply.status
        return parsed


@contextlib.contextmanager
def live(config: dict) -> Iterator[tuple[str, object]]:
    """create_app(config) on a loopback socket (port 0); links use the bound address."""
    server = make_server("127.0.0.1", 0, lambda e, s: [], threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app = create_app({**config, "BASE_URL": base})
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module", params=["client", "socket"])
def web(request, corpus_collection: Collection) -> Iterator[Web]:
    config = {"COLLECTION": corpus_collection, "LIMIT": LIMIT, "TESTING": True}
    if request.param == "client":
        yield Web(TEST_BASE, create_app({**config, "BASE_URL": TEST_BASE}), socket=False)
    else:
        with live(config) as (base, app):
            yield Web(base, app, socket=True)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _links(parsed, rel: str) -> list[str]:
    return [link.href for link in parsed.feed.get("links", []) if link.rel == rel]


def _feed_paths(site) -> list[str]:
    """Every feed document the app serves without a query: current feeds and archives."""
    return sorted(p for p in site.resources if p.rsplit(".", 1)[-1] in ("rss", "atom", "json"))


def _suffix(entry_id: str) -> str:
    return entry_id.rsplit(":", 1)[1]


# -- standards: every feed parses, ids --------------------------------------------------------


def test_every_feed_parses_with_self_link_and_language(web: Web) -> None:
    paths = _feed_paths(web.site)
    assert any("/archive/" in p for p in paths) and any(p.startswith("tags/") for p in paths)
    for path in paths:
        url = "/" + quote(path)
        fmt = path.rsplit(".", 1)[1]
        reply = web.get(url)
        assert reply.status == 200, path
        assert reply.headers["content-type"] == MEDIA_TYPES[fmt]
        if fmt == "json":
            doc = json.loads(reply.body)
            assert doc["feed_url"] == web.base + url and doc["language"] == "zh-CN"
            continue
        parsed = web.feed(url)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert _links(parsed, "self") == [web.base + url]
        assert parsed.feed.language == "zh-CN"


def _ids(web: Web, path: str) -> list[str]:
    reply = web.get(path)
    if path.endswith(".json"):
        return [item["id"] for item in json.loads(reply.body)["items"]]
    return [e.id for e in feedparser.parse(reply.body).entries]


def test_ids_are_stable_across_builds_hosts_and_ports(corpus_collection: Collection) -> None:
    """Two collects (= two builds), served on two ports and as http://localhost: same ids."""
    from feeds.build import collect

    again = collect(CORPUS)
    config = {"LIMIT": LIMIT}
    client = Web(TEST_BASE, create_app({**config, "COLLECTION": corpus_collection}), socket=False)
    with (
        live({**config, "COLLECTION": corpus_collection}) as (base_a, app_a),
        live({**config, "COLLECTION": again}) as (base_b, app_b),
    ):
        a, b = Web(base_a, app_a, socket=True), Web(base_b, app_b, socket=True)
        assert base_a != base_b
        for path in ("/feeds/all.rss", "/feeds/all.atom", "/feeds/all.json"):
            ids = _ids(a, path)
            assert ids and ids == _ids(b, path) == _ids(client, path)
            for item_id in ids:
                assert re.fullmatch(
                    re.escape(DEFAULT_PREFIX) + r"article:[0-9a-f]{16}(-\d+)?", item_id
                )
        # the same article has one id in every format, and its link follows the host
        rss = feedparser.parse(a.get("/feeds/all.rss").body).entries
        atom = feedparser.parse(b.get("/feeds/all.atom").body).entries
        assert [e.id for e in rss] == [e.id for e in atom]
        assert rss[0].link.startswith(base_a) and atom[0].link.startswith(base_b)


def test_id_prefix_is_configurable_and_must_be_a_tag_uri(corpus_collection: Collection) -> None:
    prefix = "tag:news.example.org,2024:quzhou/"
    app = create_app({"COLLECTION": corpus_collection, "ID_PREFIX": prefix, "LIMIT": LIMIT})
    default = create_app({"COLLECTION": corpus_collection, "LIMIT": LIMIT})
    ids = [e.id for e in feedparser.parse(app.test_client().get("/feeds/all.atom").data).entries]
    old = [
        e.id for e in feedparser.parse(default.test_client().get("/feeds/all.atom").data).entries
    ]
    assert all(i.startswith(prefix + "article:") for i in ids)
    assert [_suffix(i) for i in ids] == [_suffix(i) for i in old]
    for bad in ("http://127.0.0.1:5000/", "urn:x:", "tag:example.org:", "tag:a b,2024:"):
        with pytest.raises(ConfigError):
            SiteConfig(id_prefix=bad)


def test_ids_survive_a_reparse_that_fixes_the_body(corpus_collection: Collection) -> None:
    """The id comes from the page and the title, never from the body text."""

    def classify(article: Article) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        return "other", ("other",), ()

    pages = corpus_collection.pages
    fixed = []
    for page in pages:
        articles = tuple(
            replace(a, paragraphs=(Paragraph("更正后的正文。"), *a.paragraphs[1:]))
            for a in page.articles
        )
        fixed.append(replace(page, articles=articles))
    before = make_items(pages, classify)
    after = make_items(fixed, classify)
    assert [it.article.body for it in before] != [it.article.body for it in after]
    assert [it.id for it in before] == [it.id for it in after]
    assert [it.id for it in before] == [it.id for it in corpus_collection.items]


# -- polite to pollers ------------------------------------------------------------------------


def _sample_urls(web: Web) -> list[str]:
    tag = next(iter(web.site.tags))
    word = quote(corpus_word(web.site.collection))
    return [
        "/feeds/all.rss",
        "/feeds/party.atom",
        "/feeds/all.json",
        "/feeds/all/archive/1.atom",
        f"/tags/{quote(tag)}.rss",
        f"/feeds/all.rss?filter={word}&limit=2",
    ]


def corpus_word(collection: Collection) -> str:
    """A two-character word in some titles but not all (the start of a title)."""
    for item in collection.items:
        word = item.article.title[:2]
        count = sum(word in it.article.title for it in collection.items)
        if 2 <= count < len(collection.items):
            return word
    raise AssertionError("no discriminating word")


def test_304_on_both_validators_without_body(web: Web) -> None:
    for url in _sample_urls(web):
        first = web.get(url)
        etag, last = first.headers["etag"], first.headers["last-modified"]
        assert first.status == 200 and first.body
        assert etag.startswith('"') and etag.endswith('"')  # strong
        for headers in ({"If-None-Match": etag}, {"If-Modified-Since": last}):
            again = web.get(url, headers)
            assert again.status == 304, (url, headers)
            assert again.body == b""
            assert again.headers["etag"] == etag
        assert web.get(url, {"If-None-Match": '"other"'}).status == 200
        older = (parsedate_to_datetime(last) - timedelta(seconds=1)).strftime(
            "%a, %d %b %Y %H:%M:%S GMT"
        )
        assert web.get(url, {"If-Modified-Since": older}).status == 200


def test_feedparser_conditional_get(web: Web) -> None:
    url = "/feeds/all.atom"
    first = web.feed(url)
    assert first.status == 200 and first.entries
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    by_etag = web.feed(url, etag=etag)
    by_date = web.feed(url, modified=modified)
    for parsed in (by_etag, by_date):
        assert parsed.status == 304
        assert parsed.entries == []


def test_gzip_with_vary(web: Web) -> None:
    for url in _sample_urls(web):
        plain = web.get(url)
        zipped = web.get(url, {"Accept-Encoding": "gzip"})
        assert "content-encoding" not in plain.headers
        assert zipped.headers["content-encoding"] == "gzip"
        assert gzip.decompress(zipped.body) == plain.body
        assert zipped.headers["etag"] != plain.headers["etag"]
        for reply in (plain, zipped):
            assert "Accept-Encoding" in reply.headers["vary"]
        again = web.get(url, {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]})
        assert again.status == 304
    if web.socket:  # feedparser asks for gzip by itself
        parsed = web.feed("/feeds/all.rss")
        assert parsed.headers["content-encoding"] == "gzip" and parsed.entries


def test_head(web: Web) -> None:
    for url in _sample_urls(web):
        get, head = web.get(url), web.get(url, method="HEAD")
        assert head.status == 200 and head.body == b""
        for name in ("content-type", "etag", "last-modified", "cache-control", "vary"):
            assert head.headers[name] == get.headers[name], name
        assert int(head.headers["content-length"]) == len(get.body)


@pytest.mark.parametrize("ttl", [30, 7])
def test_cache_control_matches_rss_ttl(corpus_collection: Collection, ttl: int) -> None:
    config = {"COLLECTION": corpus_collection, "LIMIT": LIMIT, "BASE_URL": TEST_BASE}
    if ttl != 30:
        config["TTL"] = ttl
    web = Web(TEST_BASE, create_app(config), socket=False)
    for url in _sample_urls(web):
        reply = web.get(url)
        assert reply.headers["cache-control"] == f"public, max-age={ttl * 60}"
        if ".rss" in url:
            assert feedparser.parse(reply.body).feed.ttl == str(ttl)


def test_unknown_names_are_helpful_404s(web: Web) -> None:
    for url in (
        "/feeds/sports.rss",
        "/feeds/sports/archive/1.atom",
        "/feeds/sports.json?limit=1",
    ):
        reply = web.get(url)
        assert reply.status == 404
        text = reply.body.decode()
        assert "sports" in text
        for topic in web.site.topics.values():
            assert topic.key in text and topic.title in text
        assert "/feeds.opml" in text
    for url in (
        "/feeds/all/archive/999.rss",
        "/feeds/all/archive/999.rss?limit=1",
        f"/tags/{quote('没有这个标签')}.atom",
        f"/tags/{quote('没有这个标签')}/archive/1.atom",
        "/feeds/all.xml",
    ):
        assert web.get(url).status == 404, url


def test_feeds_serve_never_answers_503_while_starting(tmp_path) -> None:
    """Poll `feeds serve` from the moment it starts: refused connections, then 200s only."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    cmd = [sys.executable, "-m", "feeds", "serve", "--seeds", str(SEEDS), "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--store", str(tmp_path / "store.sqlite")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    statuses = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and 200 not in statuses:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", "/feeds/all.rss")
                statuses.append(conn.getresponse().status)
            except OSError:
                assert proc.poll() is None, "feeds serve exited"
                time.sleep(0.05)
            finally:
                conn.close()
    finally:
        proc.terminate()
        proc.wait(10)
    assert statuses and set(statuses) == {200}, statuses


def test_no_429_or_503_under_concurrent_polling(corpus_collection: Collection) -> None:
    """16 pollers at once over a real socket, with 304s and uncached filtered feeds."""
    with live({"COLLECTION": corpus_collection, "LIMIT": LIMIT, "SELECTION_CACHE_SIZE": 8}) as (
        base,
        app,
    ):
        web = Web(base, app, socket=True)
        etag = web.get("/feeds/all.rss").headers["etag"]
        samples = _sample_urls(web)
        jobs = []
        for n in range(240):
            if n % 3 == 0:
                jobs.append(("/feeds/all.rss", {"If-None-Match": etag}))
            elif n % 3 == 1:
                jobs.append((f"/feeds/all.atom?limit={n % 7 + 1}&filterout={n}", {}))
            else:
                jobs.append((samples[n % len(samples)], {"Accept-Encoding": "gzip"}))
        with ThreadPoolExecutor(16) as pool:
            replies = list(pool.map(lambda job: web.get(*job), jobs))
    statuses = {r.status for r in replies}
    assert statuses <= {200, 304}, statuses
    for (url, _headers), reply in zip(jobs, replies, strict=True):
        if reply.status == 200 and not url.endswith(".json"):
            body = (
                gzip.decompress(reply.body) if "content-encoding" in reply.headers else reply.body
            )
            assert not feedparser.parse(body).bozo, url


# -- query parameters -------------------------------------------------------------------------


def _text(item: Item) -> str:
    a = item.article
    return "\n".join([a.pretitle or "", a.title, a.subtitle or "", a.body]).casefold()


def _entry_ids(web: Web, url: str) -> tuple[Reply, list[str], object]:
    reply = web.get(url)
    assert reply.status == 200, (url, reply.body[:300])
    parsed = feedparser.parse(reply.body)
    assert not parsed.bozo
    assert _links(parsed, "self") == [web.base + url]  # the self link is the requested URL
    return reply, [_suffix(e.id) for e in parsed.entries], parsed


def test_limit_filter_filterout_combinable_with_own_etags(web: Web) -> None:
    items = web.site.topics["all"].items
    word = corpus_word(web.site.collection)
    other = next(
        it.article.title[2:4] for it in items if word not in it.article.title
    )  # a word of another title
    w, o = quote(word), quote(other)
    expect = {
        "limit=2": [it.id for it in items][:2],
        f"filter={w}": [it.id for it in items if word.casefold() in _text(it)][:LIMIT],
        f"filterout={w}": [it.id for it in items if word.casefold() not in _text(it)][:LIMIT],
        f"filter={w}&limit=1": [it.id for it in items if word.casefold() in _text(it)][:1],
        f"filter={w}&filterout={o}": [
            it.id for it in items if word.casefold() in _text(it) and other not in _text(it)
        ][:LIMIT],
        f"filter={w}%7C{o}": [
            it.id for it in items if word.casefold() in _text(it) or other in _text(it)
        ][:LIMIT],
        f"filter={w}&filter={o}": [
            it.id for it in items if word.casefold() in _text(it) and other in _text(it)
        ][:LIMIT],
        "limit=1000": [it.id for it in items][:LIMIT],  # never more than the feed limit
    }
    etags = {web.get("/feeds/all.atom").headers["etag"]}
    for query, ids in expect.items():
        url = f"/feeds/all.atom?{query}"
        reply, got, parsed = _entry_ids(web, url)
        assert got == ids, query
        assert _links(parsed, "prev-archive") == []  # a view, not the channel: no backfill
        etags.add(reply.headers["etag"])
        assert web.get(url, {"If-None-Match": reply.headers["etag"]}).status == 304
    assert len(etags) == len(expect) + 1  # every selection has its own ETag
    assert len({tuple(ids) for ids in expect.values()}) >= 4  # the queries really differ


@pytest.mark.parametrize("fmt", ["rss", "json"])
def test_filtered_self_link_in_every_format(web: Web, fmt: str) -> None:
    url = f"/feeds/party.{fmt}?filter={quote(corpus_word(web.site.collection))}&limit=2"
    reply = web.get(url)
    if fmt == "json":
        assert json.loads(reply.body)["feed_url"] == web.base + url
    else:
        assert _links(feedparser.parse(reply.body), "self") == [web.base + url]


def test_query_on_archive_pages_and_tag_feeds(web: Web) -> None:
    pages = web.site.archive_pages(web.site.topics["all"])
    assert len(pages) >= 2
    page = pages[1]  # archive page 2
    url = "/feeds/all/archive/2.rss?limit=1"
    _, ids, parsed = _entry_ids(web, url)
    assert ids == [page[0].id]
    assert _links(parsed, "prev-archive") == [f"{web.base}/feeds/all/archive/1.rss?limit=1"]
    assert _links(parsed, "current") == [f"{web.base}/feeds/all.rss?limit=1"]
    tag, chan = next(iter(web.site.tags.items()))
    _, ids, _ = _entry_ids(web, f"/tags/{quote(tag)}.atom?limit=1")
    assert ids == [chan.items[0].id]


# -- archives ---------------------------------------------------------------------------------


def _walk(fetch, url: str, fmt: str) -> list[tuple[str, object]]:
    """Follow prev-archive (next_url for JSON Feed) from a current feed; (url, doc) pairs."""
    docs = []
    seen = set()
    while url:
        assert url not in seen and len(docs) < 1000  # no loops; a bound for a broken chain
        seen.add(url)
        doc = fetch(url)
        docs.append((url, doc))
        if fmt == "json":
            url = doc.get("next_url")
        else:
            assert not doc.bozo, (url, doc.get("bozo_exception"))
            prev = _links(doc, "prev-archive")
            url = prev[0] if prev else None
    return docs


def _doc_ids(doc, fmt: str) -> list[str]:
    if fmt == "json":
        return [_suffix(item["id"]) for item in doc["items"]]
    return [_suffix(e.id) for e in doc.entries]


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_archives_reach_back_to_the_oldest_item_exactly_once(web: Web, fmt: str) -> None:
    def fetch(url: str):
        if fmt == "json":
            return json.loads(web.get(_path(url)).body)
        if web.socket:
            return feedparser.parse(url)  # feedparser follows the links over HTTP itself
        return feedparser.parse(web.get(_path(url)).body)

    walked = 0
    for chan in web.site.channels:
        docs = _walk(fetch, f"{web.base}/{quote(chan.feed_base)}.{fmt}", fmt)
        ids = [i for _, doc in docs for i in _doc_ids(doc, fmt)]
        assert sorted(ids) == sorted(it.id for it in chan.items), chan.key  # each exactly once
        assert len(ids) == len(set(ids))
        assert ids == [it.id for it in chan.items]  # newest first, all the way down
        assert all(len(_doc_ids(doc, fmt)) <= LIMIT for _, doc in docs)
        walked += len(docs) > 1
    assert walked >= len(web.site.topics)  # every topic (and some tags) has archives


def test_archive_pages_are_marked_and_linked(web: Web) -> None:
    pages = web.site.archive_pages(web.site.topics["all"])
    n = len(pages)
    for k in range(1, n + 1):
        reply = web.get(f"/feeds/all/archive/{k}.atom")
        root = ET.fromstring(reply.body)
        assert root.find(FH_ARCHIVE) is not None
        rels = {ln.get("rel"): ln.get("href") for ln in root.findall(f"{ATOM}link")}
        assert rels["current"] == f"{web.base}/feeds/all.atom"
        assert rels.get("prev-archive") == (
            f"{web.base}/feeds/all/archive/{k - 1}.atom" if k > 1 else None
        )
        newer = f"{web.base}/feeds/all/archive/{k + 1}.atom" if k < n else rels["current"]
        assert rels["next-archive"] == newer
    current = ET.fromstring(web.get("/feeds/all.atom").body)
    assert current.find(FH_ARCHIVE) is None


@pytest.fixture(scope="module")
def static_export(tmp_path_factory) -> Iterator[str]:
    """`feeds build --limit 2` over the corpus, served by a plain static file server."""
    tmp = tmp_path_factory.mktemp("export")
    out = tmp / "site"
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0),
        functools.partial(QuietHandler, directory=str(out)),
    )
    base = f"http://127.0.0.1:{server.server_port}"
    subprocess.run(
        [sys.executable, "-m", "feeds", "build", "--seeds", str(CORPUS), "--out", str(out)]
        + ["--limit", "2", "--base-url", base, "--store", str(tmp / "store.sqlite")],
        check=True,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")},
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {".rss": "application/rss+xml", ".atom": "application/atom+xml"}

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_static_export_archives_walk_back_with_feedparser(
    static_export: str, corpus_collection: Collection, fmt: str
) -> None:
    docs = _walk(feedparser.parse, f"{static_export}/feeds/all.{fmt}", fmt)
    ids = [i for _, doc in docs for i in _doc_ids(doc, fmt)]
    assert len(docs) > 2 and all(len(doc.entries) <= 2 for _, doc in docs)
    assert ids == [it.id for it in corpus_collection.items]
    for url, doc in docs:
        assert _links(doc, "self") == [url]


# -- JSON Feed, tags, OPML --------------------------------------------------------------------


def test_json_feed_fields(web: Web) -> None:
    for chan in web.site.channels:
        url = f"/{quote(chan.feed_base)}.json"
        reply = web.get(url)
        assert reply.headers["content-type"] == "application/feed+json; charset=utf-8"
        doc = json.loads(reply.body)
        assert doc["version"] == "https://jsonfeed.org/version/1.1"
        assert doc["feed_url"] == web.base + url
        assert doc["home_page_url"].startswith(web.base + "/")
        assert doc["items"]
        for item, source in zip(doc["items"], chan.items, strict=False):
            assert item["id"] == f"{DEFAULT_PREFIX}article:{source.id}"
            html = lxml.html.fromstring(item["content_html"])
            assert html.text_content().strip()
            assert source.article.paragraphs[0].text in html.text_content()
            published = item["date_published"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", published)
            assert datetime.fromisoformat(published) == source.published
            assert web.get(_path(item["url"])).status == 200


def _tag_counts(items) -> dict[str, int]:
    counts: dict[str, int] = {}
    for it in items:
        for tag in set(it.tags):
            counts[tag] = counts.get(tag, 0) + 1
    return counts


def test_tag_feeds_for_tags_in_two_articles(web: Web) -> None:
    items = web.site.collection.items
    counts = _tag_counts(items)
    shared = {t for t, n in counts.items() if n >= 2}
    assert set(web.site.tags) == shared and shared
    for tag, chan in web.site.tags.items():
        assert [it.id for it in chan.items] == [it.id for it in items if tag in it.tags]
        for fmt in ("rss", "atom", "json"):
            reply = web.get(f"/tags/{quote(tag)}.{fmt}")
            assert reply.status == 200 and reply.headers["content-type"] == MEDIA_TYPES[fmt]
    lonely = next(t for t, n in counts.items() if n == 1)
    assert web.get(f"/tags/{quote(lonely)}.rss").status == 404


def test_every_tag_feed_is_listed_on_the_index(web: Web, make_item, make_collection) -> None:
    """All of them, also beyond the most-frequent-tags cloud (site.TOP_TAGS)."""
    many = [f"标签{n:02d}" for n in range(45)]
    items = [make_item(k, tags=tuple(many[k % 3 :: 3])) for k in range(6)]
    app = create_app({"COLLECTION": make_collection(items), "BASE_URL": TEST_BASE})
    for site_web in (web, Web(TEST_BASE, app, socket=False)):
        tags = site_web.site.tags
        assert tags
        hrefs = set(lxml.html.fromstring(site_web.get("/").body).xpath("//a/@href"))
        for tag in tags:
            assert {f"tags/{quote(tag, safe='')}.html", f"tags/{quote(tag, safe='')}.rss"} & hrefs
    assert len(tags) == 45


def test_opml_lists_every_topic_feed(web: Web) -> None:
    reply = web.get("/feeds.opml")
    assert reply.headers["content-type"].startswith("text/x-opml")
    root = lxml.etree.fromstring(reply.body)  # well-formed XML or this raises
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title")
    outlines = root.findall("body/outline")
    urls = [o.get("xmlUrl") for o in outlines]
    assert urls == [f"{web.base}/feeds/{key}.rss" for key in web.site.topics]
    for outline in outlines:
        assert outline.get("type") == "rss" and outline.get("text")
        parsed = web.feed(_path(outline.get("xmlUrl")))
        assert parsed.status == 200 and not parsed.bozo and parsed.entries
        assert web.get(_path(outline.get("htmlUrl"))).status == 200


# -- size: newest N items, under 1 MB ---------------------------------------------------------


def _big_collection(make_item, make_collection, n: int, chars: int) -> Collection:
    body = ("衢江区召开会议，研究部署重点工作。" * (chars // 17 + 1))[:chars]
    return make_collection([make_item(k, body=body) for k in range(1, n + 1)])


def test_feeds_carry_the_newest_50_items_by_default(make_item, make_collection) -> None:
    collection = _big_collection(make_item, make_collection, 120, 40)
    app = create_app({"COLLECTION": collection, "BASE_URL": TEST_BASE})
    web = Web(TEST_BASE, app, socket=False)
    newest = [it.id for it in collection.items]
    for fmt in XML_FORMATS:
        _, ids, _ = _entry_ids(web, f"/feeds/all.{fmt}")
        assert ids == newest[:50]
        docs = _walk(
            lambda u: feedparser.parse(web.get(_path(u)).body), f"{TEST_BASE}/feeds/all.{fmt}", fmt
        )
        assert [len(d.entries) for _, d in docs] == [50, 20, 50]  # page 1 (oldest) is full
        assert [i for _, d in docs for i in _doc_ids(d, fmt)] == newest


def test_feeds_stay_well_under_1_mb(make_item, make_collection) -> None:
    """60 articles of 12,000 characters (~36 KB each): 50 would make a 3.6 MB feed."""
    collection = _big_collection(make_item, make_collection, 60, 12_000)
    with live({"COLLECTION": collection}) as (base, app):
        web = Web(base, app, socket=True)
        for path in _feed_paths(web.site):
            reply = web.get("/" + path)
            assert len(reply.body) < 600 * 1024, (path, len(reply.body))
        for fmt in ("rss", "atom", "json"):
            fetch = (
                (lambda u: json.loads(web.get(_path(u)).body))
                if fmt == "json"
                else feedparser.parse
            )
            docs = _walk(fetch, f"{base}/feeds/all.{fmt}", fmt)
            assert len(docs) > 2
            assert [i for _, d in docs for i in _doc_ids(d, fmt)] == [
                it.id for it in collection.items
            ]
        filtered = web.get("/feeds/all.rss?filter=%E8%A1%A2%E6%B1%9F")
        assert 0 < len(feedparser.parse(filtered.body).entries) < 50
        assert len(filtered.body) < 600 * 1024


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_estimated_size_bounds_what_an_item_adds(corpus_collection: Collection, fmt: str) -> None:
    spec = FeedSpec("all", "今日衢江", "d", TEST_BASE, TEST_BASE + "/", TEST_BASE + "/f")
    hostile = replace(
        corpus_collection.items[0],
        article=Article(title='<&">' * 50, paragraphs=(Paragraph("<a href='x'>&amp;</a>" * 200),)),
        summary="<&>" * 40,
    )
    for item in (*corpus_collection.items, hostile):
        grown = len(render(spec, [item], fmt)) - len(render(spec, [], fmt))
        assert 0 < grown <= estimated_size(item), item.id


# -- Last-Modified ----------------------------------------------------------------------------


def _validators(app, path: str) -> tuple[str, str]:
    resp = app.test_client().get(path)
    assert resp.status_code == 200, path
    return resp.headers["ETag"], resp.headers["Last-Modified"]


def test_last_modified_is_when_the_feed_last_changed(make_item, make_collection) -> None:
    items = [make_item(n, topic="party" if n % 2 else "government") for n in range(1, 9)]
    config = {"BASE_URL": TEST_BASE, "LIMIT": LIMIT}
    first = create_app({**config, "COLLECTION": make_collection(items)})
    same = create_app({**config, "COLLECTION": make_collection(list(items))})
    paths = [p for p in _feed_paths(first.extensions["feeds"]) if not p.startswith("tags/")]
    for path in paths:  # a rebuild that changes nothing changes neither validator
        assert _validators(first, "/" + path) == _validators(same, "/" + path)
        if path.endswith(".atom"):  # and Last-Modified is the feed's own <updated>
            body = first.test_client().get("/" + path).data
            updated = datetime.fromisoformat(ET.fromstring(body).findtext(f"{ATOM}updated"))
            assert parsedate_to_datetime(_validators(first, "/" + path)[1]) == updated
    party = [it for it in items if it.primary_topic == "party"]
    _, last = _validators(first, "/feeds/party.rss")
    assert parsedate_to_datetime(last) == max(it.published for it in party)

    news = make_item(30, topic="volunteers", published=datetime(2024, 3, 1, 9, 0, tzinfo=SHANGHAI))
    later = create_app({**config, "COLLECTION": make_collection([*items, news])})
    for path in ("/feeds/party.rss", "/feeds/government.atom", "/feeds/all/archive/1.json"):
        assert _validators(later, path) == _validators(first, path), path  # untouched feeds
    etag, last = _validators(later, "/feeds/all.rss")
    assert etag != _validators(first, "/feeds/all.rss")[0]
    assert parsedate_to_datetime(last) == news.published
    empty = parsedate_to_datetime(_validators(first, "/feeds/volunteers.atom")[1])
    assert empty == UNDATED  # no items yet: the fixed time the empty feed's <updated> carries

    fixed_at = datetime(2024, 4, 1, 10, 0, tzinfo=SHANGHAI)  # a re-parse fixed item 1's text
    fixed = [replace(items[0], summary="更正", updated=fixed_at), *items[1:]]
    refixed = create_app({**config, "COLLECTION": make_collection(fixed)})
    for path in ("/feeds/party/archive/1.rss", "/feeds/all/archive/1.atom"):
        etag, last = _validators(refixed, path)
        assert etag != _validators(first, path)[0]
        assert parsedate_to_datetime(last) == fixed_at
    assert _validators(refixed, "/feeds/government.rss") == _validators(
        first, "/feeds/government.rss"
    )
    assert parsedate_to_datetime(_validators(later, "/feeds/volunteers.atom")[1]) == news.published


def test_last_modified_is_never_in_the_future(make_item, make_collection) -> None:
    tomorrow = datetime.now(SHANGHAI).replace(microsecond=0) + timedelta(days=1)
    items = [make_item(1), make_item(2, published=tomorrow)]
    with live({"COLLECTION": make_collection(items)}) as (base, app):
        web = Web(base, app, socket=True)
        reply = web.get("/feeds/all.atom")
        last = parsedate_to_datetime(reply.headers["last-modified"])
        assert last <= parsedate_to_datetime(reply.headers["date"])
        assert last > datetime.now(UTC) - timedelta(minutes=5)
        again = web.get("/feeds/all.atom", {"If-Modified-Since": reply.headers["last-modified"]})
        assert again.status == 304


# -- escaping ---------------------------------------------------------------------------------

EVIL = '<script>alert(1)</script>"><img src=x onerror=alert(2)>&amp;]]>'
CONTROLS = "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\ufffe"


def test_markup_and_control_characters_are_text_in_every_format(make_item, make_collection) -> None:
    evil = make_item(1, title=f"标题{CONTROLS}{EVIL}", body=f"正文{CONTROLS}{EVIL}")
    collection = make_collection([evil, make_item(2)])
    with live({"COLLECTION": collection}) as (base, app):
        web = Web(base, app, socket=True)
        for fmt in ("rss", "atom", "json"):
            reply = web.get(f"/feeds/all.{fmt}")
            assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", reply.body)
            assert "\x85".encode() not in reply.body and "\ufffe".encode() not in reply.body
            if fmt == "json":
                item = json.loads(reply.body)["items"][-1]
                title, html = item["title"], item["content_html"]
            else:
                parsed = web.feed(f"/feeds/all.{fmt}")
                assert not parsed.bozo, parsed.get("bozo_exception")
                title = parsed.entries[-1].title
                html = _raw_content(reply.body, fmt)
            assert title == f"标题{EVIL}"
            doc = lxml.html.fromstring(f"<div>{html}</div>")
            assert doc.xpath("//script|//img") == []
            assert f"正文{EVIL}" in doc.text_content()


def _raw_content(body: bytes, fmt: str) -> str:
    """The HTML of the last entry's content exactly as a reader receives it (unsanitized)."""
    root = lxml.etree.fromstring(body)
    if fmt == "rss":
        ns = "{http://purl.org/rss/1.0/modules/content/}encoded"
        return root.findall(f"channel/item/{ns}")[-1].text
    return root.findall(f"{ATOM}entry/{ATOM}content")[-1].text


# -- Atom updated: distinct, deterministic, page order ----------------------------------------


def _same_day_pages() -> list[Page]:
    """Three pages of one day (12 articles each) and an undated page."""
    pages = []
    for p in range(3):
        source = f"2024-02-19-{p}.txt"
        articles = tuple(
            Article(
                title=f"第{p}版第{k}篇 {'同题' if k == 5 else ''}",
                paragraphs=(Paragraph(f"第{p}版第{k}篇的正文。"),),
                date=date(2024, 2, 19),
                source=source,
                position=k,
            )
            for k in range(12)
        )
        pages.append(Page(source=source, articles=articles, issue_date=date(2024, 2, 19)))
    undated = tuple(
        Article(title=f"无日期{k}", paragraphs=(Paragraph("正文"),), source="x.txt", position=k)
        for k in range(4)
    )
    pages.append(Page(source="x.txt", articles=undated))
    return pages


def _classify(article: Article) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    topic = "party" if article.position % 2 else "government"
    return topic, (topic,), ("同一标签",)


def _atom_updated(body: bytes) -> list[datetime]:
    root = ET.fromstring(body)
    return [datetime.fromisoformat(e.findtext(f"{ATOM}updated")) for e in root.iter(f"{ATOM}entry")]


def test_no_two_atom_entries_share_updated(corpus_collection: Collection) -> None:
    items = make_items(_same_day_pages(), _classify)
    # a re-parse (feeds.store) stamps every changed article of a page with one time
    stamp = datetime(2024, 3, 1, 9, 0, tzinfo=SHANGHAI)
    changed = [replace(it, updated=stamp) if n % 3 == 0 else it for n, it in enumerate(items)]
    changed[1] = replace(changed[1], updated=changed[4].published)  # collides with a published
    collections = [  # (collection, whether it has updated items)
        (corpus_collection, False),
        (Collection(items=tuple(items), topics=TOPICS), False),
        (Collection(items=tuple(changed), topics=TOPICS), True),
    ]
    checked = 0
    for collection, has_updates in collections:
        for limit in (LIMIT, 50):
            web = Web(
                TEST_BASE, create_app({"COLLECTION": collection, "LIMIT": limit}), socket=False
            )
            for path in _feed_paths(web.site):
                if path.endswith(".atom"):
                    times = _atom_updated(web.get("/" + quote(path)).body)
                    assert len(times) == len(set(times)), path
                    if not has_updates:  # no updates: entry order = time order
                        assert times == sorted(times, reverse=True), path
                    checked += 1
    assert checked > 20


def test_times_keep_page_order_within_a_day() -> None:
    """feeds.group: the n-th article of a day (pages by file name, then page order) is
    published at 12:00 minus n minutes, in +08:00."""
    pages = _same_day_pages()
    items = make_items(pages, _classify)
    again = make_items(list(reversed(pages)), _classify)
    assert [(it.id, it.published) for it in items] == [(it.id, it.published) for it in again]
    dated = [it for it in items if it.published is not None]
    in_page_order = sorted(dated, key=lambda it: (it.article.source, it.article.position))
    expected = [
        datetime(2024, 2, 19, 12, 0, tzinfo=SHANGHAI) - timedelta(minutes=n)
        for n in range(len(in_page_order))
    ]
    assert [it.published for it in in_page_order] == expected
    assert all(it.published.utcoffset() == timedelta(hours=8) for it in dated)
    spec = FeedSpec("all", "t", "d", TEST_BASE, TEST_BASE + "/", TEST_BASE + "/feeds/all.atom")
    times = _atom_updated(render(spec, items, "atom"))
    assert len(set(times)) == len(items) == 40


def test_last_modified_rule_matches_the_atom_updated_rule() -> None:
    """render.last_changed (Last-Modified) is the document's <updated>, in every case."""
    items = make_items(_same_day_pages(), _classify)
    stamp = datetime(2024, 3, 1, 9, 0, tzinfo=SHANGHAI)
    dated, undated = items[:-4], items[-4:]
    assert all(it.published is None for it in undated)
    cases = [
        items,
        dated,
        undated,
        [],
        [replace(it, updated=stamp) for it in items[::5]],
        [replace(undated[0], updated=stamp), *undated[1:]],
    ]
    for case in cases:
        assert last_changed(case) == feed_updated(entry_times(case))
