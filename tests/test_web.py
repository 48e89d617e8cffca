"""The Flask app as feed readers and pollers see it: feedparser as the client (over the test
client, a real socket and gunicorn), media types, validators and 304, HEAD, gzip, caching,
RSSHub-style query parameters, archives, tags, OPML and the HTML pages."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import replace
from datetime import UTC, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote, unquote, urlsplit

import feedparser
import lxml.html
import pytest
from werkzeug.serving import make_server
from werkzeug.test import Client

from feeds.render import MEDIA_TYPES
from feeds.serving import (
    _GZIP_BY_HEADER,
    _GZIP_MEMO_SIZE,
    DiskFiles,
    FastPath,
    Resource,
    accepts_gzip,
)
from feeds.web import DEFAULTS, create_app, reload_site, site_config, site_dir

from .conftest import SEEDS, TEST_BASE

REQUIRED = [(t, f) for t in ("all", "party", "government", "volunteers") for f in ("rss", "atom")]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _self_link(parsed) -> str:
    return next(link.href for link in parsed.feed.links if link.rel == "self")


# -- the 8 feeds ----------------------------------------------------------------------------


@pytest.mark.parametrize(("topic", "fmt"), REQUIRED)
def test_feed_parses_and_every_item_link_opens(client, topic: str, fmt: str) -> None:
    resp = client.get(f"/feeds/{topic}.{fmt}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == MEDIA_TYPES[fmt]
    parsed = feedparser.parse(resp.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == "zh-CN"
    assert _self_link(parsed) == f"{TEST_BASE}/feeds/{topic}.{fmt}"
    assert parsed.entries, "every required topic has articles in the seed"
    for entry in parsed.entries:
        assert entry.link.startswith(f"{TEST_BASE}/articles/")
        page = client.get(_path(entry.link))
        assert page.status_code == 200
        assert entry.title in page.get_data(as_text=True)


def test_all_feed_holds_every_item(client, seed_collection) -> None:
    parsed = feedparser.parse(client.get("/feeds/all.atom").data)
    assert [e.id.rsplit(":", 1)[1] for e in parsed.entries] == [
        it.id for it in seed_collection.items
    ]


@pytest.mark.parametrize(
    ("url", "media_type"),
    [
        ("/feeds/all.rss", "application/rss+xml; charset=utf-8"),
        ("/feeds/all.atom", "application/atom+xml; charset=utf-8"),
        ("/feeds/all.json", "application/feed+json; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/topics/party.html", "text/html; charset=utf-8"),
        ("/feeds.opml", "text/x-opml; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
    ],
)
def test_media_types(client, url: str, media_type: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == media_type


def test_json_feed_fields(client, seed_collection) -> None:
    resp = client.get("/feeds/all.json")
    doc = json.loads(resp.data)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == f"{TEST_BASE}/feeds/all.json"
    assert len(doc["items"]) == len(seed_collection.items)
    for item in doc["items"]:
        assert item["id"].startswith("tag:")
        assert item["content_html"].startswith("<p")
        if "date_published" in item:
            assert item["date_published"].endswith("+08:00")
        assert client.get(_path(item["url"])).status_code == 200
    assert any("date_published" in item for item in doc["items"])


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/feeds/sports.rss", "/topics/sports.html", "/feeds/x/archive/1.rss"]
)
def test_unknown_topic_is_a_helpful_404(client, url: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 404
    text = resp.get_data(as_text=True)
    assert "sports" in text or "'x'" in text
    for slug in ("all", "party", "government", "volunteers"):
        assert slug in text
    assert "党委会议" in text


def test_unknown_format_and_article_are_404(client) -> None:
    resp = client.get("/feeds/all.xml")
    assert resp.status_code == 404
    assert "rss, atom, json" in resp.get_data(as_text=True)
    assert client.get("/articles/0000000000000000.html").status_code == 404
    assert client.get("/no/such/page").status_code == 404


@pytest.mark.parametrize("value", ["abc", "0", "-1", "²", "1.5"])
def test_bad_limit_is_a_400(client, value: str) -> None:
    resp = client.get(f"/feeds/all.rss?limit={quote(value)}")
    assert resp.status_code == 400
    assert "limit" in resp.get_data(as_text=True)


# -- validators and caching -----------------------------------------------------------------


def test_etag_and_last_modified(client, seed_collection) -> None:
    resp = client.get("/feeds/party.rss")
    etag = resp.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    newest = max(it.published for it in seed_collection.items if "party" in it.topics)
    assert parsedate_to_datetime(resp.headers["Last-Modified"]) == newest
    other = client.get("/feeds/government.rss").headers["ETag"]
    assert other != etag


def test_if_none_match_gives_304_without_body(client) -> None:
    etag = client.get("/feeds/all.rss").headers["ETag"]
    resp = client.get("/feeds/all.rss", headers={"If-None-Match": etag})
    assert resp.status_code == 304
    assert resp.data == b""
    assert resp.headers["ETag"] == etag
    changed = client.get("/feeds/all.rss", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.data


def test_if_modified_since_gives_304(client) -> None:
    last = client.get("/feeds/all.atom").headers["Last-Modified"]
    resp = client.get("/feeds/all.atom", headers={"If-Modified-Since": last})
    assert resp.status_code == 304
    assert resp.data == b""
    older = format_datetime(parsedate_to_datetime(last).replace(year=2000), usegmt=True)
    assert client.get("/feeds/all.atom", headers={"If-Modified-Since": older}).status_code == 200


def test_if_none_match_takes_precedence_over_if_modified_since(client) -> None:
    last = client.get("/feeds/all.atom").headers["Last-Modified"]
    headers = {"If-Modified-Since": last, "If-None-Match": '"stale"'}
    assert client.get("/feeds/all.atom", headers=headers).status_code == 200


def test_rebuild_of_same_input_keeps_validators(app, seed_collection) -> None:
    from feeds.build import collect

    again = create_app({"COLLECTION": collect(SEEDS), "BASE_URL": TEST_BASE}).test_client()
    first = app.test_client()
    for url in ("/feeds/all.rss", "/feeds/party.atom", "/feeds/all.json", "/"):
        a, b = first.get(url), again.get(url)
        assert a.headers["ETag"] == b.headers["ETag"]
        assert a.headers["Last-Modified"] == b.headers["Last-Modified"]


def test_head_sends_headers_without_body(client) -> None:
    get = client.get("/feeds/all.rss")
    head = client.head("/feeds/all.rss")
    assert head.status_code == 200
    assert head.data == b""
    for name in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Length"):
        assert head.headers[name] == get.headers[name]
    assert int(head.headers["Content-Length"]) == len(get.data)


def test_gzip_when_accepted_with_vary(client) -> None:
    plain = client.get("/feeds/all.atom")
    zipped = client.get("/feeds/all.atom", headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data)
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    for resp in (plain, zipped):
        assert "Accept-Encoding" in resp.headers["Vary"]
    refused = client.get("/feeds/all.atom", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    again = client.get(
        "/feeds/all.atom",
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]},
    )
    assert again.status_code == 304


def test_cache_control_matches_rss_ttl(client, seed_collection) -> None:
    resp = client.get("/feeds/all.rss")
    assert resp.headers["Cache-Control"] == "public, max-age=1800"
    assert feedparser.parse(resp.data).feed.ttl == "30"
    short = create_app({"COLLECTION": seed_collection, "BASE_URL": TEST_BASE, "TTL": 5})
    resp = short.test_client().get("/feeds/all.rss")
    assert resp.headers["Cache-Control"] == "public, max-age=300"
    assert feedparser.parse(resp.data).feed.ttl == "5"


def test_security_headers_and_no_inline_script(client) -> None:
    for url in ("/", "/topics/all.html"):
        resp = client.get(url)
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert lxml.html.fromstring(resp.data).xpath("//script[not(@src)]") == []


# -- query parameters -----------------------------------------------------------------------


def _entries(client, url: str):
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    parsed = feedparser.parse(resp.data)
    assert not parsed.bozo
    return resp, parsed


def test_limit(corpus_client) -> None:
    _, full = _entries(corpus_client, "/feeds/all.rss")
    resp, parsed = _entries(corpus_client, "/feeds/all.rss?limit=2")
    assert [e.id for e in parsed.entries] == [e.id for e in full.entries[:2]]
    assert _self_link(parsed) == f"{TEST_BASE}/feeds/all.rss?limit=2"
    assert resp.headers["ETag"] != corpus_client.get("/feeds/all.rss").headers["ETag"]


def _word(corpus_collection) -> str:
    """A word in some but not all titles: the first two characters of the newest title."""
    for item in corpus_collection.items:
        word = item.article.title[:2]
        count = sum(word in it.article.title for it in corpus_collection.items)
        if 1 <= count < len(corpus_collection.items):
            return word
    raise AssertionError("no discriminating word")


def _has(item_or_entry_text: str, word: str) -> bool:
    return word.casefold() in item_or_entry_text.casefold()


def test_filter_and_filterout(corpus_client, corpus_collection) -> None:
    word = _word(corpus_collection)
    texts = {
        it.id: "\n".join([it.article.title, it.article.pretitle or "", it.article.subtitle or ""])
        + "\n"
        + it.article.body
        for it in corpus_collection.items
    }
    matching = [i for i, t in texts.items() if _has(t, word)]
    q = quote(word)
    _, kept = _entries(corpus_client, f"/feeds/all.atom?filter={q}&limit=50")
    assert sorted(e.id.rsplit(":", 1)[1] for e in kept.entries) == sorted(matching[:3])
    _, dropped = _entries(corpus_client, f"/feeds/all.atom?filterout={q}")
    ids = [e.id.rsplit(":", 1)[1] for e in dropped.entries]
    assert ids and not set(ids) & set(matching)
    _, both = _entries(corpus_client, f"/feeds/all.atom?filter={q}&filterout={q}")
    assert both.entries == []
    assert _self_link(both) == f"{TEST_BASE}/feeds/all.atom?filter={q}&filterout={q}"


def test_filtered_feed_has_own_validators_and_304(corpus_client, corpus_collection) -> None:
    url = f"/feeds/all.json?filter={quote(_word(corpus_collection))}"
    resp = corpus_client.get(url)
    doc = json.loads(resp.data)
    assert unquote(doc["feed_url"]) == unquote(TEST_BASE + url)
    assert resp.headers["Cache-Control"] == "public, max-age=1800"
    again = corpus_client.get(url, headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304
    assert resp.headers["ETag"] != corpus_client.get("/feeds/all.json").headers["ETag"]


def test_query_params_work_on_tag_feeds(corpus_client, corpus_app) -> None:
    tags = corpus_app.extensions["feeds"].tags
    tag = next(iter(tags))
    _, parsed = _entries(corpus_client, f"/tags/{quote(tag)}.rss?limit=1")
    assert len(parsed.entries) == 1


# -- archives, tags, OPML, pages ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_archives_reachable_back_to_the_oldest_item(
    corpus_client, corpus_collection, fmt: str
) -> None:
    url: str | None = f"/feeds/all.{fmt}"
    ids = []
    while url:
        resp, parsed = _entries(corpus_client, url)
        assert resp.headers["Content-Type"] == MEDIA_TYPES[fmt]
        assert len(parsed.entries) <= 3
        ids += [e.id for e in parsed.entries]
        prev = [link.href for link in parsed.feed.links if link.rel == "prev-archive"]
        url = _path(prev[0]) if prev else None
    assert len(ids) == len(set(ids)) == len(corpus_collection.items)


def test_tag_feeds_listed_on_index_and_served(corpus_client, corpus_app, corpus_collection) -> None:
    tags = corpus_app.extensions["feeds"].tags
    shared = {
        t
        for it in corpus_collection.items
        for t in it.tags
        if sum(t in other.tags for other in corpus_collection.items) >= 2
    }
    assert set(tags) == shared and shared
    index = lxml.html.fromstring(corpus_client.get("/").data)
    hrefs = set(index.xpath("//a/@href"))
    for tag in tags:
        assert f"tags/{quote(tag, safe='')}.html" in hrefs
        for fmt in ("rss", "atom", "json"):
            resp = corpus_client.get(f"/tags/{quote(tag, safe='')}.{fmt}")
            assert resp.status_code == 200
            assert resp.headers["Content-Type"] == MEDIA_TYPES[fmt]
        _, parsed = _entries(corpus_client, f"/tags/{quote(tag, safe='')}.atom")
        assert len(parsed.entries) >= 2
    assert corpus_client.get(f"/tags/{quote('没有这个标签')}.rss").status_code == 404


def test_opml_lists_topic_feeds_that_answer(client) -> None:
    from xml.etree import ElementTree as ET

    root = ET.fromstring(client.get("/feeds.opml").data)
    urls = [o.get("xmlUrl") for o in root.iter("outline")]
    assert f"{TEST_BASE}/feeds/all.rss" in urls and len(urls) >= 4
    for url in urls:
        assert client.get(_path(url)).status_code == 200


def test_index_page_lists_feeds_with_autodiscovery(client, seed_collection) -> None:
    resp = client.get("/")
    doc = lxml.html.fromstring(resp.data)
    assert doc.get("lang") == "zh-CN"
    alternates = {
        (link.get("type"), link.get("href")) for link in doc.xpath("//link[@rel='alternate']")
    }
    for topic in ("all", "party", "government", "volunteers"):
        assert ("application/rss+xml", f"feeds/{topic}.rss") in alternates
        assert ("application/atom+xml", f"feeds/{topic}.atom") in alternates
        assert ("application/feed+json", f"feeds/{topic}.json") in alternates
    text = doc.text_content()
    for title in ("党委会议", "政府工作", "志愿服务"):
        assert title in text
    for item in seed_collection.items:
        assert item.article.title in text
    for href in set(doc.xpath("//a/@href | //link[@rel!='canonical']/@href")):
        assert client.get("/" + href).status_code == 200, href
    assert client.get("/index.html").data == resp.data


def test_article_and_topic_pages(client, seed_collection) -> None:
    item = seed_collection.items[0]
    page = client.get(f"/articles/{item.id}.html")
    doc = lxml.html.fromstring(page.data)
    assert doc.xpath("string(//h1)") == item.article.title
    topic = client.get(f"/topics/{item.primary_topic}.html")
    assert item.article.title in topic.get_data(as_text=True)


# -- the fast path --------------------------------------------------------------------------


def _no_flask(environ, start_response):
    """Stands for Flask behind a FastPath: the request was not answered by the fast path."""
    raise AssertionError(f"passed on to Flask: {environ['PATH_INFO']}")


def _answer(wsgi, url: str, headers: dict[str, str] | None = None, method: str = "GET"):
    """Status line, headers (in order) and body, as a WSGI app answers."""
    resp = Client(wsgi).open(url, method=method, headers=headers or {})
    return resp.status, list(resp.headers.items()), resp.get_data()


def _url(path_info: str) -> str:
    """The URL a client sends for a WSGI PATH_INFO (UTF-8 bytes as latin-1 characters)."""
    return quote(path_info.encode("latin-1").decode())


def _conditions(res: Resource) -> list[tuple[dict[str, str], int, bool]]:
    """Request headers, with the status and the encoding (gzip?) they must get."""
    etag, gz = res.etag, res.gz_etag
    cases = [
        ({}, 200, False),
        ({"Accept-Encoding": "gzip, deflate"}, 200, True),
        ({"Accept-Encoding": "x-gzip"}, 200, True),
        ({"Accept-Encoding": "*"}, 200, True),
        ({"Accept-Encoding": "gzip;q=0, identity"}, 200, False),
        ({"If-None-Match": etag}, 304, False),
        ({"If-None-Match": gz, "Accept-Encoding": "gzip"}, 304, True),
        ({"If-None-Match": gz}, 304, False),  # either tag: it is the same content
        ({"If-None-Match": f"W/{etag}"}, 304, False),  # weak comparison (RFC 9110 13.1.2)
        ({"If-None-Match": f'"stale", {gz}', "Accept-Encoding": "gzip"}, 304, True),
        ({"If-None-Match": "*"}, 304, False),
        ({"If-None-Match": '"stale"'}, 200, False),
        ({"If-None-Match": ""}, 200, False),
    ]
    date = dict(res.headers).get("Last-Modified")
    if res.last_modified is not None:
        second = res.last_modified.astimezone(UTC) - timedelta(seconds=1)
        earlier = format_datetime(second, usegmt=True)
        cases += [
            ({"If-Modified-Since": date}, 304, False),
            ({"If-Modified-Since": date, "Accept-Encoding": "gzip"}, 304, True),
            ({"If-Modified-Since": date, "If-None-Match": '"stale"'}, 200, False),  # INM wins
            ({"If-Modified-Since": date, "If-None-Match": ""}, 304, False),
            ({"If-Modified-Since": earlier}, 200, False),
            ({"If-Modified-Since": "not a date"}, 200, False),
        ]
    return cases


def test_fast_path_answers_every_file_as_flask_does(app) -> None:
    site = app.extensions["feeds"]
    fast, flask = FastPath(app, _no_flask), app.wsgi_app.flask
    assert "/feeds/all.rss" in site.fast and "/" in site.fast
    for path_info, path in site.fast.items():
        url, res = _url(path_info), site.get(path)
        for headers, status, gz in _conditions(res):
            for method in ("GET", "HEAD"):
                got = _answer(fast, url, headers, method)
                assert got == _answer(flask, url, headers, method), (url, headers, method)
                fields = dict(got[1])
                assert int(got[0][:3]) == status, (url, headers)
                assert fields["ETag"] == (res.gz_etag if gz else res.etag), (url, headers)
                assert ("Content-Encoding" in fields) == (gz and status == 200)
                want = res.gz_body if gz else res.body
                assert got[2] == (want if status == 200 and method == "GET" else b"")
                if status == 200:
                    assert fields["Content-Length"] == str(len(want))


def test_fast_path_serves_every_file_at_its_own_url(corpus_app) -> None:
    site = corpus_app.extensions["feeds"]
    own = {"/": "index.html"} | {f"/{p}".encode().decode("latin-1"): p for p in site.resources}
    assert site.fast == own
    assert any(p.startswith("tags/") for p in site.resources)  # Chinese URLs among them
    fast, flask = FastPath(corpus_app, _no_flask), corpus_app.wsgi_app.flask
    for path_info, path in site.fast.items():
        url, res = _url(path_info), site.get(path)
        for headers, method in (
            ({}, "GET"),
            ({"Accept-Encoding": "gzip"}, "HEAD"),
            ({"If-None-Match": res.gz_etag, "Accept-Encoding": "gzip"}, "GET"),
        ):
            assert _answer(fast, url, headers, method) == _answer(flask, url, headers, method)


@pytest.mark.parametrize(
    ("url", "method"),
    [
        ("/feeds/all.rss?limit=1", "GET"),
        ("/feeds/all.rss?", "GET"),  # an empty query is no query: FastPath may answer it too
        ("/feeds/all.rss?utm_source=x", "HEAD"),
        ("/feeds/all.rss", "POST"),
        ("/feeds/all.rss", "OPTIONS"),
        ("/feeds/all.rss/", "GET"),
        ("//feeds/all.rss", "GET"),
        ("/feeds/sports.rss", "GET"),
        ("/feeds/all.xml", "GET"),
        ("/feeds/all/archive/1.rss", "GET"),
        ("/topics/party/1.html", "GET"),
        ("/tags/%FF.rss", "GET"),  # not UTF-8
        ("/search?q=会议", "GET"),
        ("/no/such/page", "HEAD"),
    ],
)
def test_other_requests_go_to_flask(app, url: str, method: str) -> None:
    """Flask answers what the fast path passes on: the same as without a fast path."""
    headers = {"Accept-Encoding": "gzip"}
    want = _answer(app.wsgi_app.flask, url, headers, method)
    assert _answer(app, url, headers, method) == want
    if url.endswith("?"):
        return
    with pytest.raises(AssertionError, match="passed on to Flask"):
        _answer(FastPath(app, _no_flask), url, headers, method)


def test_the_comparison_sees_a_wrong_fast_answer(app, monkeypatch) -> None:
    """The equality tests above can fail: a fast answer one header or byte off is told apart."""
    site = app.extensions["feeds"]
    feed, page = site.get("feeds/all.rss"), site.get("index.html")
    fast, flask = FastPath(app, _no_flask), app.wsgi_app.flask
    unchanged = {"If-None-Match": feed.etag}
    for url, wrong, headers in (
        ("/feeds/all.rss", replace(feed, headers=feed.headers[:-1]), {}),  # no Referrer-Policy
        ("/feeds/all.rss", replace(feed, body=feed.body[:-1]), {}),
        ("/feeds/all.rss", replace(feed, headers_304=feed.headers), unchanged),
        ("/", replace(page, headers=(*page.headers, ("Access-Control-Allow-Origin", "*"))), {}),
    ):
        assert _answer(fast, url, headers) == _answer(flask, url, headers)
        with monkeypatch.context() as patch:
            patch.setitem(site.resources, "wrong", wrong)  # only the fast path serves it
            patch.setitem(site.fast, url, "wrong")
            assert _answer(fast, url, headers) != _answer(flask, url, headers)


def test_file_answers_carry_their_headers_in_order(client) -> None:
    zipped = client.get("/feeds/all.rss", headers={"Accept-Encoding": "gzip"})
    security = ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"]
    assert [k for k, _ in zipped.headers] == [
        "Content-Type",
        "ETag",
        "Last-Modified",
        "Cache-Control",
        "Vary",
        "Access-Control-Allow-Origin",
        "Content-Length",
        "Content-Encoding",
        *security,
    ]
    etag = zipped.headers["ETag"]
    same = client.get("/feeds/all.rss", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert same.status_code == 304
    assert [k for k, _ in same.headers] == [
        "ETag",
        "Cache-Control",
        "Vary",
        "Access-Control-Allow-Origin",
        *security,
    ]
    assert same.headers["ETag"] == etag
    page = client.get("/")
    assert "Access-Control-Allow-Origin" not in page.headers  # CORS on feeds only
    assert "Access-Control-Allow-Origin" in client.get("/feeds.opml").headers
    assert [k for k, _ in page.headers][-3:] == security


def test_answer_headers_are_a_new_list_each_time(app) -> None:
    """A WSGI server may add to the list it is given (wsgiref adds Date): not to ours."""
    res = app.extensions["feeds"].get(app.extensions["feeds"].fast["/feeds/all.rss"])
    environ = {"REQUEST_METHOD": "GET"}
    _, headers, _ = res.answer(environ)
    headers.append(("Date", "now"))
    assert res.answer(environ)[1] == list(res.headers)


def test_fast_path_follows_a_reload(make_item, make_collection) -> None:
    app = create_app(
        {"COLLECTION": make_collection([make_item(1)]), "BASE_URL": TEST_BASE, "TESTING": True}
    )
    client = app.test_client()
    first = client.get("/feeds/all.rss")
    old = app.extensions["feeds"]
    reload_site(app, make_collection([make_item(1), make_item(2)]))
    new = app.extensions["feeds"]
    assert new is not old and new.fast and new.fast["/feeds/all.rss"] == "feeds/all.rss"
    second = client.get("/feeds/all.rss")
    assert second.headers["ETag"] != first.headers["ETag"]
    assert second.data == new.get("feeds/all.rss").body
    stale = {"If-None-Match": first.headers["ETag"]}
    assert client.get("/feeds/all.rss", headers=stale).status_code == 200
    for url in ("/feeds/all.rss", "/", f"/articles/{make_item(2).id}.html"):
        assert _answer(FastPath(app, _no_flask), url) == _answer(app.wsgi_app.flask, url)


def test_trusted_hosts_are_left_to_flask(app, monkeypatch) -> None:
    client = app.test_client()
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["localhost"])
    assert client.get("/feeds/all.rss").status_code == 200
    assert client.get("/feeds/all.rss", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize(
    ("header", "gzip"),
    [
        (None, False),
        ("", False),
        ("gzip", True),
        ("GZIP", True),
        ("x-gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0, identity", False),
        ("identity", False),
        ("br, deflate", False),
    ],
)
def test_accepts_gzip(header: str | None, gzip: bool) -> None:
    assert accepts_gzip(header) is gzip
    assert accepts_gzip(header) is gzip  # remembered


def test_accepts_gzip_remembers_a_bounded_number_of_values() -> None:
    for n in range(2 * _GZIP_MEMO_SIZE):
        assert accepts_gzip(f"gzip;q=0.{n % 9 + 1}, x-{n}") is True
    assert len(_GZIP_BY_HEADER) <= _GZIP_MEMO_SIZE


# -- real sockets ---------------------------------------------------------------------------


@pytest.fixture()
def live_url(seed_collection):
    """The app on a real loopback socket (port 0), links built for the bound port."""
    server = make_server("127.0.0.1", 0, lambda e, s: [], threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    server.app = create_app({"COLLECTION": seed_collection, "BASE_URL": base})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_feedparser_over_a_real_socket(live_url: str) -> None:
    url = f"{live_url}/feeds/party.atom"
    parsed = feedparser.parse(url)
    assert parsed.status == 200
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.headers["content-encoding"] == "gzip"  # feedparser asks for gzip
    assert _self_link(parsed) == url
    assert parsed.entries
    for entry in parsed.entries:
        with urllib.request.urlopen(entry.link, timeout=10) as resp:
            assert resp.status == 200
    again = feedparser.parse(url, etag=parsed.etag)
    assert again.status == 304
    assert again.entries == []
    since = feedparser.parse(url, modified=parsed.modified)
    assert since.status == 304


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_the_app_factory(tmp_path) -> None:
    """Production recipe: gunicorn 'feeds.web:create_app()' configured by FEEDS_* variables."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    env |= {"FEEDS_SEEDS": str(SEEDS), "FEEDS_BASE_URL": base, "FEEDS_LIMIT": "2"}
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    proc = subprocess.Popen(
        [gunicorn, "-w", "1", "-b", f"127.0.0.1:{port}", "feeds.web:create_app()"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        parsed = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/feeds/all.rss", timeout=5) as resp:
                    parsed = feedparser.parse(resp.read())
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.2)
        assert parsed is not None and not parsed.bozo
        assert _self_link(parsed) == f"{base}/feeds/all.rss"
        assert len(parsed.entries) == 2  # FEEDS_LIMIT honoured
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stderr.close()


# -- the site on disk -----------------------------------------------------------------------


def _everything(app) -> dict[str, tuple]:
    """Status, headers and body of every file of the app's site (plain and gzip)."""
    client = app.test_client()
    out = {}
    for path in app.extensions["feeds"].resources:
        for headers in ({}, {"Accept-Encoding": "gzip"}):
            resp = client.get("/" + quote(path), headers=headers)
            out[(path, bool(headers))] = (resp.status_code, list(resp.headers), resp.data)
    return out


def test_a_site_on_disk_serves_what_the_site_in_memory_serves(corpus_collection, tmp_path) -> None:
    """SITE_DIR: the app publishes its site there and serves the files (made into answers on
    first request), exactly as the in-memory site answers, file for file."""
    cfg = {"COLLECTION": corpus_collection, "BASE_URL": TEST_BASE, "LIMIT": 3, "TESTING": True}
    memory = create_app(cfg)
    disk = create_app(cfg | {"SITE_DIR": str(tmp_path / "site")})
    assert isinstance(disk.extensions["feeds"].resources, DiskFiles)
    assert (tmp_path / "site" / "feeds" / "all.rss.gz").is_file()
    assert _everything(disk) == _everything(memory)
    assert disk.extensions["feeds"].fast == memory.extensions["feeds"].fast


def test_app_workers_share_one_site_directory(corpus_collection, tmp_path) -> None:
    """A second worker over the same directory finds the site current: it renders and writes
    nothing (the directory is not even replaced) and answers with the same bytes and ETags."""
    cfg = {"COLLECTION": corpus_collection, "BASE_URL": TEST_BASE, "TESTING": True}
    cfg["SITE_DIR"] = str(tmp_path / "site")
    first = create_app(cfg)
    inode = (tmp_path / "site").stat().st_ino
    second = create_app(cfg)
    assert (tmp_path / "site").stat().st_ino == inode
    assert _everything(second) == _everything(first)


def test_the_file_cache_stays_within_its_budget(corpus_collection, tmp_path) -> None:
    cfg = {"COLLECTION": corpus_collection, "BASE_URL": TEST_BASE, "TESTING": True}
    app = create_app(cfg | {"SITE_DIR": str(tmp_path / "site"), "FILE_CACHE_MB": 0.25})
    files = app.extensions["feeds"].resources
    client = app.test_client()
    total = 0
    for path in files:
        resp = client.get("/" + quote(path))
        assert resp.status_code == 200
        total += len(resp.data)
        assert files._size <= 0.25 * (1 << 20)
        assert files._size == sum(len(r.body) + len(r.gz_body) for r in files._cache.values())
    assert total > 2 * (1 << 20), "the site is larger than the budget"
    assert 0 < len(files._cache) < len(files)


def test_a_reload_on_disk_publishes_only_what_changed(make_item, make_collection, tmp_path) -> None:
    items = [make_item(n, tags=("五城",)) for n in range(1, 5)]
    app = create_app(
        {
            "COLLECTION": make_collection(items),
            "BASE_URL": TEST_BASE,
            "TESTING": True,
            "SITE_DIR": str(tmp_path / "site"),
        }
    )
    client = app.test_client()
    old_etag = client.get("/feeds/all.rss").headers["ETag"]
    article = tmp_path / "site" / "articles" / f"{items[0].id}.html"
    inode = article.stat().st_ino
    reload_site(app, make_collection([*items, make_item(9, tags=("五城",))]))
    resp = client.get("/feeds/all.rss")
    assert resp.headers["ETag"] != old_etag
    assert f"{9:016x}" in resp.get_data(as_text=True)
    assert client.get(f"/articles/{9:016x}.html").status_code == 200
    assert article.stat().st_ino == inode, "an unchanged article page is not written again"


def test_the_default_site_directory_is_per_configuration(tmp_path) -> None:
    store = tmp_path / ".feeds" / "store.sqlite"
    one = site_dir(store, site_config(DEFAULTS))
    assert one.parent == store.parent and one.name.startswith("site-")
    assert site_dir(store, site_config(DEFAULTS)) == one
    other = site_dir(store, site_config(DEFAULTS | {"BASE_URL": "https://news.example.org"}))
    assert other != one
