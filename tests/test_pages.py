"""The HTML pages, read through the Flask test client and parsed with lxml: the index cards,
paginated topic pages, article pages, search with highlighting, head metadata (title,
description, canonical, feed autodiscovery), CSP and escaping, and the static export's links."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urljoin, urlsplit

import feedparser
import lxml.html
import pytest

from feeds.build import collect
from feeds.model import Item
from feeds.pages import PER_PAGE, TOP_TAGS, pager_numbers
from feeds.publish import write_site
from feeds.search import SEARCH_LIMIT, highlight, query_words
from feeds.site import SiteConfig, build_site, searchable_text
from feeds.web import create_app

from .conftest import CORPUS, TEST_BASE, TOPICS, _make_item

FEED_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_ATTR = '"><img src=x onerror=alert(1)>'


# -- helpers --------------------------------------------------------------------------------


def _get(client, url: str):
    resp = client.get(url)
    assert resp.status_code == 200, f"{url}: {resp.status_code}"
    return resp


def _doc(client, url: str) -> lxml.html.HtmlElement:
    resp = _get(client, url)
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    return lxml.html.fromstring(resp.data)


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _target(page_url: str, href: str) -> str:
    """The path (+query) a relative link on `page_url` points to, for the test client."""
    parts = urlsplit(urljoin(TEST_BASE + page_url, href))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _links(doc) -> list[tuple[object, str]]:
    """Every link of a page except the canonical one (which is absolute by design)."""
    return [
        (el, link)
        for el, _attr, link, _pos in doc.iterlinks()
        if not (el.tag == "link" and el.get("rel") == "canonical")
    ]


def _entry_ids(doc, css: str = "ol.entries > li.entry") -> list[str]:
    ids = []
    for li in doc.cssselect(css):
        href = li.cssselect(".headline a")[0].get("href")
        ids.append(href.rsplit("/", 1)[1].removesuffix(".html"))
    return ids


def _site(app):
    return app.extensions["feeds"]


def _expected_search(items, words) -> list[str]:
    """Brute force: items whose title/body contains every word, ignoring case."""
    return [
        it.id for it in items if words and all(w.casefold() in searchable_text(it) for w in words)
    ]


@pytest.fixture(scope="module")
def paged_items() -> list[Item]:
    """45 party articles (3 listing pages) and 2 government ones, newest first."""
    items = [_make_item(n, topic="party", tags=("五城", f"t{n % 3}")) for n in range(1, 46)]
    items += [_make_item(n, topic="government", tags=("五城",)) for n in (46, 47)]
    return sorted(items, key=lambda it: it.published, reverse=True)


@pytest.fixture(scope="module")
def paged_app(paged_items):
    from feeds.site import Collection

    collection = Collection(items=tuple(paged_items), topics=TOPICS)
    return create_app({"COLLECTION": collection, "BASE_URL": TEST_BASE, "TESTING": True})


@pytest.fixture()
def paged_client(paged_app):
    return paged_app.test_client()


# -- index ----------------------------------------------------------------------------------


def test_index_has_a_card_per_topic_with_count_headlines_and_subscribe(
    corpus_client, corpus_app
) -> None:
    doc = _doc(corpus_client, "/")
    assert doc.get("lang") == "zh-CN"
    topics = _site(corpus_app).topics
    cards = doc.cssselect("li.card")
    assert [c.cssselect("h3 a")[0].text for c in cards] == [t.title for t in topics.values()]
    assert {"党委会议", "政府工作", "志愿服务", "全部"} <= {t.title for t in topics.values()}
    for card, chan in zip(cards, topics.values(), strict=True):
        assert card.cssselect("h3 a")[0].get("href") == f"topics/{chan.key}.html"
        count = card.cssselect("h3 .count")[0].text
        assert re.fullmatch(rf"{len(chan.items)} 篇", count), count
        headlines = [a.text for a in card.cssselect(".headlines a")]
        assert headlines == [it.article.title for it in chan.items[:3]]
        feeds = {a.text: a.get("href") for a in card.cssselect(".subscribe a.feed")}
        assert feeds == {
            "RSS": f"feeds/{chan.key}.rss",
            "Atom": f"feeds/{chan.key}.atom",
            "JSON Feed": f"feeds/{chan.key}.json",
        }
        for fmt, href in zip(FEED_TYPES, feeds.values(), strict=True):
            resp = _get(corpus_client, "/" + href)
            assert resp.headers["Content-Type"].startswith(FEED_TYPES[fmt])
        (button,) = card.cssselect("button.copy")
        assert button.get("data-copy") == f"feeds/{chan.key}.rss"
        assert button.get("hidden") is not None  # shown by copy.js, never a dead button
        assert card.cssselect(".copy-status[role=status]")


def test_index_links_opml_tags_and_latest(corpus_client, corpus_app, corpus_collection) -> None:
    doc = _doc(corpus_client, "/")
    hrefs = doc.xpath("//main//a/@href")
    assert "feeds.opml" in hrefs
    assert _get(corpus_client, "/feeds.opml").headers["Content-Type"].startswith("text/x-opml")
    tag_chans = list(_site(corpus_app).tags.values())
    cloud = doc.cssselect(".tag-cloud > ul.tags > li")
    assert len(cloud) == min(TOP_TAGS, len(tag_chans)) > 0
    folded = doc.cssselect(".tag-cloud details.more-tags li")
    assert len(tag_chans) > TOP_TAGS, "the corpus has more shared tags than the cloud shows"
    shown = [(li.cssselect("a")[0].text, int(li.cssselect(".count")[0].text)) for li in cloud]
    shown += [(li.cssselect("a")[0].text, int(li.cssselect(".count")[0].text)) for li in folded]
    assert shown == [(t.key, len(t.items)) for t in tag_chans]  # every tag, most frequent first
    assert [n for _, n in shown] == sorted((n for _, n in shown), reverse=True)
    for li in cloud:
        href = li.cssselect("a")[0].get("href")
        tag_page = _doc(corpus_client, "/" + href)
        assert tag_page.xpath("//link[@rel='alternate']/@href")
    latest = [a.text for a in doc.cssselect(".latest .headline a")]
    assert latest == [it.article.title for it in corpus_collection.items[:20]]
    stats = _text(doc.cssselect(".stats")[0])
    assert f"共 {len(corpus_collection.items)} 篇文章" in stats


def test_index_head_autodiscovers_every_topic_feed(corpus_client, corpus_app) -> None:
    doc = _doc(corpus_client, "/")
    alternates = [(ln.get("type"), ln.get("href")) for ln in doc.xpath("//link[@rel='alternate']")]
    expected = [
        (FEED_TYPES[f], f"feeds/{k}.{f}") for k in _site(corpus_app).topics for f in FEED_TYPES
    ]
    assert alternates == expected
    assert doc.xpath("//link[@rel='canonical']/@href") == [f"{TEST_BASE}/"]


# -- topic pages and pagination -------------------------------------------------------------


def test_topic_pages_are_paginated_from_the_oldest(paged_client, paged_items) -> None:
    """45 articles: the front page shows the newest 20; the other 25 are cut from the oldest
    on, page 1 = the oldest 20, page 2 = the 5 after them. Walking 较早 visits all, once."""
    party = [it.id for it in paged_items if it.primary_topic == "party"]
    walk = [
        ("/topics/party.html", party[:20], 45),
        ("/topics/party/2.html", party[20:25], 25),
        ("/topics/party/1.html", party[25:], 20),
    ]
    urls = [url for url, _, _ in walk]
    seen = []
    for n, (url, expected, start) in enumerate(walk):
        doc = _doc(paged_client, url)
        ids = _entry_ids(doc)
        assert ids == expected
        ol = doc.cssselect("ol.entries")[0]
        assert ol.get("start") == str(start) and ol.get("reversed") is not None
        count = _text(doc.cssselect(".channel-head .count")[0])
        if n == 0:
            assert doc.cssselect(".channel-head .total")[0].text == str(len(party))
        else:
            assert not doc.cssselect(".channel-head .total"), "older pages never show the total"
            assert f"第 {start - len(expected) + 1}–{start} 篇" in count
        seen += ids
        prev = doc.xpath("//nav[@class='pager']//a[@rel='prev']/@href")
        nxt = doc.xpath("//nav[@class='pager']//a[@rel='next']/@href")
        head_prev = doc.xpath("//head/link[@rel='prev']/@href")
        head_next = doc.xpath("//head/link[@rel='next']/@href")
        assert prev == head_prev and nxt == head_next
        assert [_target(url, h) for h in prev] == ([urls[n - 1]] if n > 0 else [])
        assert [_target(url, h) for h in nxt] == ([urls[n + 1]] if n < 2 else [])
        numbers = doc.xpath("//nav[@class='pager']//span[@class='pages']/a/@href")
        assert [_target(url, h) for h in numbers] == [u for u in urls if u != url]
    assert seen == party  # every article once, newest first
    for missing in ("/topics/party/3.html", "/topics/party/0.html", "/topics/government/1.html"):
        assert paged_client.get(missing).status_code == 404
    single = _doc(paged_client, "/topics/government.html")
    assert not single.cssselect("nav.pager") and not single.xpath("//link[@rel='next']")


def test_a_new_article_changes_only_the_newest_listing_pages() -> None:
    """Older listing pages keep their items, numbers and bytes as news arrives: only the
    front page and the pages within the pager's reach of the newest change."""
    from feeds.site import Collection

    items = sorted((_make_item(n) for n in range(1, 300)), key=lambda it: it.published)
    config = SiteConfig(base_url=TEST_BASE)

    def pages(n: int) -> dict[str, bytes]:
        collection = Collection(items=tuple(reversed(items[:n])), topics=TOPICS)
        files = build_site(collection, config)
        return {p: b for p, b in files.items() if p.startswith("topics/party")}

    for n in (200, 219, 220, 221, 240, 298):
        before, after = pages(n), pages(n + 1)
        changed = sorted(p for p in after if before.get(p) != after[p])
        older = (n + 1 - PER_PAGE + PER_PAGE - 1) // PER_PAGE  # older pages after the add
        allowed = {"topics/party.html"} | {
            f"topics/party/{k}.html" for k in range(older - 3, older + 1)
        }
        assert set(changed) <= allowed, (n, changed)
        assert set(before) <= set(after)


def test_pager_shows_ends_and_neighbours_with_gaps() -> None:
    """Display order, newest first: 0 is the front page, then older pages descending."""
    assert pager_numbers(None, 0) == []
    assert pager_numbers(None, 1) == [0, 1]
    assert pager_numbers(1, 1) == [0, 1]
    assert pager_numbers(2, 4) == [0, 4, 3, 2, 1]
    assert pager_numbers(None, 9) == [0, 9, 8, None, 1]
    assert pager_numbers(1, 9) == [0, None, 3, 2, 1]
    assert pager_numbers(9, 9) == [0, 9, 8, 7, None, 1]
    assert pager_numbers(50, 100) == [0, None, 52, 51, 50, 49, 48, None, 1]
    # an older page's pager does not depend on how many pages there are
    assert pager_numbers(50, 100) == pager_numbers(50, 1000)


def test_long_listing_pager_links_ends_and_neighbours() -> None:
    from feeds.site import Collection

    items = sorted((_make_item(n) for n in range(1, 12 * PER_PAGE)), key=lambda it: it.published)
    collection = Collection(items=tuple(reversed(items)), topics=TOPICS)
    client = create_app({"COLLECTION": collection, "BASE_URL": TEST_BASE}).test_client()
    doc = _doc(client, "/topics/party/6.html")
    pager = doc.cssselect("nav.pager .pages")[0]
    labels = [el.text for el in pager]
    assert labels == ["最新", "…", "8", "7", "6", "5", "4", "…", "1"]
    targets = [_target("/topics/party/6.html", a.get("href")) for a in pager.cssselect("a")]
    assert targets[0] == "/topics/party.html" and targets[-1] == "/topics/party/1.html"
    for target in targets:
        _get(client, target)


def test_topic_entries_show_date_authors_summary_and_tags(paged_client, paged_items) -> None:
    doc = _doc(paged_client, "/topics/party.html")
    by_id = {it.id: it for it in paged_items}
    entries = doc.cssselect("li.entry")
    assert len(entries) == PER_PAGE
    for li, item_id in zip(entries, _entry_ids(doc), strict=True):
        item = by_id[item_id]
        assert li.cssselect("time")[0].get("datetime") == item.published.isoformat()
        d = item.published
        assert li.cssselect("time")[0].text == f"{d.year}年{d.month}月{d.day}日"
        assert li.cssselect(".authors")[0].text == "、".join(item.article.authors)
        assert li.cssselect(".summary")[0].text == item.summary
        assert [t.text_content() for t in li.cssselect(".tags li")] == list(item.tags)
        assert li.cssselect(".tags a")[0].get("href") == "../tags/%E4%BA%94%E5%9F%8E.html"


def test_tag_pages_paginate_too(paged_client, paged_items) -> None:
    tagged = [it.id for it in paged_items if "五城" in it.tags]
    first = _doc(paged_client, "/tags/%E4%BA%94%E5%9F%8E.html")
    second = _doc(paged_client, "/tags/%E4%BA%94%E5%9F%8E/2.html")
    third = _doc(paged_client, "/tags/%E4%BA%94%E5%9F%8E/1.html")
    assert _entry_ids(first) + _entry_ids(second) + _entry_ids(third) == tagged
    assert first.xpath("string(//h1)") == "标签：五城"
    alts = first.xpath("//link[@rel='alternate']/@href")
    assert alts == [f"../tags/%E4%BA%94%E5%9F%8E.{f}" for f in FEED_TYPES]


def test_static_export_writes_the_same_paginated_pages(paged_app, paged_client) -> None:
    site = _site(paged_app)
    files = build_site(site.collection, SiteConfig(base_url=TEST_BASE, search=True))
    for path in ("topics/party.html", "topics/party/1.html", "topics/party/2.html"):
        assert files[path] == paged_client.get("/" + path).data
    static = build_site(site.collection, SiteConfig(base_url=TEST_BASE))
    assert {p for p in static if p.startswith("topics/party")} == {
        "topics/party.html",
        "topics/party/1.html",
        "topics/party/2.html",
    }


# -- article pages --------------------------------------------------------------------------


def test_article_pages_show_every_part(corpus_client, corpus_app, corpus_collection) -> None:
    site = _site(corpus_app)
    checked = {"pretitle": 0, "subtitle": 0, "column": 0, "heading": 0, "credits": 0}
    for item in corpus_collection.items:
        a = item.article
        doc = _doc(corpus_client, f"/articles/{item.id}.html")
        head = doc.cssselect("header.article-head")[0]
        assert head.xpath("string(h1)") == a.title
        for part in ("pretitle", "subtitle", "column"):
            found = head.cssselect(f".{part}")
            assert [e.text for e in found] == ([getattr(a, part)] if getattr(a, part) else [])
            checked[part] += bool(found)
        meta = _text(head.cssselect(".meta")[0])
        for author in a.authors:
            assert author in meta
        assert head.cssselect("time")[0].get("datetime") == item.published.isoformat()
        body = doc.cssselect(".article .body")[0]
        headings = [p.text for p in a.paragraphs if p.kind == "heading"]
        assert [h.text for h in body.cssselect("h2, h3")] == headings
        checked["heading"] += bool(headings)
        texts = [p.text for p in body.cssselect("p:not(.credit)")]
        assert texts == [p.text for p in a.paragraphs if p.kind == "text"]
        credits = [p.text for p in body.cssselect("p.credit")]
        for credit in (*a.credits, *([a.credit_line] if a.credit_line else [])):
            assert credit in credits
        checked["credits"] += bool(credits)
        source = doc.cssselect(".source")[0]
        assert source.cssselect("code")[0].text == a.source
        assert f"第 {a.first_line}–{a.last_line} 行" in _text(source)
        assert doc.xpath("//meta[@name='description']/@content") == [item.summary]
        assert doc.xpath("//link[@rel='canonical']/@href") == [
            f"{TEST_BASE}/articles/{item.id}.html"
        ]
        keys = list(dict.fromkeys((item.primary_topic, *item.topics)))
        alts = doc.xpath("//link[@rel='alternate']/@href")
        assert alts == [f"../feeds/{k}.{f}" for k in keys for f in FEED_TYPES]
        topic_links = doc.xpath("//ul[@class='topic-list']/li/a[1]/@href")
        assert topic_links == [f"../topics/{k}.html" for k in keys]
        _check_neighbours(doc, item, site.topics[item.primary_topic].items)
    assert all(checked.values()), checked  # the corpus exercises every optional part


def _check_neighbours(doc, item: Item, topic_items) -> None:
    ids = [it.id for it in topic_items]
    pos = ids.index(item.id)
    newer = doc.xpath("//nav[@class='neighbours']/a[@rel='prev']/@href")
    older = doc.xpath("//nav[@class='neighbours']/a[@rel='next']/@href")
    assert newer == ([f"{ids[pos - 1]}.html"] if pos > 0 else [])
    assert older == ([f"{ids[pos + 1]}.html"] if pos + 1 < len(ids) else [])


def test_article_tags_link_to_tag_pages_and_feeds(corpus_client, corpus_app) -> None:
    tags = _site(corpus_app).tags
    item = next(it for it in _site(corpus_app).collection.items if set(it.tags) & set(tags))
    url = f"/articles/{item.id}.html"
    doc = _doc(corpus_client, url)
    for li in doc.cssselect(".foot-tags li"):
        name = li.text_content().split()[0]
        hrefs = [a.get("href") for a in li.cssselect("a")]
        if name in tags:
            assert hrefs == [
                f"../tags/{quote(name, safe='')}.html",
                f"../tags/{quote(name, safe='')}.rss",
            ]
            for href in hrefs:
                _get(corpus_client, _target(url, href))
        else:
            assert hrefs == []  # no page or feed for a tag only one article carries


def test_every_link_on_every_page_answers(corpus_client, corpus_app) -> None:
    pages = [p for p in _site(corpus_app).resources if p.endswith(".html")]
    checked: set[str] = set()
    for page in pages:
        doc = _doc(corpus_client, "/" + page)
        for _el, link in _links(doc):
            target = _target("/" + page, link)
            if target in checked or target.endswith("#main"):
                continue
            checked.add(target)
            _get(corpus_client, target)
    assert len(checked) > len(pages)


# -- every page: head metadata, CSP, no inline script ---------------------------------------


def _all_page_urls(app) -> list[str]:
    pages = ["/" + p for p in _site(app).resources if p.endswith(".html")]
    return ["/", *pages, "/search?q=%E4%BC%9A%E8%AE%AE", "/search"]


def test_every_page_has_title_description_canonical_and_alternates(corpus_client, corpus_app):
    for url in _all_page_urls(corpus_app):
        doc = _doc(corpus_client, url)
        assert doc.get("lang") == "zh-CN"
        assert doc.findtext(".//title").strip(), url
        (desc,) = doc.xpath("//meta[@name='description']/@content")
        assert desc.strip(), url
        (canonical,) = doc.xpath("//link[@rel='canonical']/@href")
        assert canonical.startswith(TEST_BASE + "/"), url
        expected = url.split("?")[0].removeprefix("/")
        if expected not in ("", "index.html"):
            assert unquote(urlsplit(canonical).path) == "/" + expected, url
        alternates = doc.xpath("//link[@rel='alternate']")
        if url != "/search":
            assert len(alternates) >= 3, url
        for link in alternates:
            assert link.get("type") in FEED_TYPES.values() and link.get("title")
            _get(corpus_client, _target(url, link.get("href")))


def test_csp_header_and_only_external_scripts(corpus_client, corpus_app) -> None:
    for url in _all_page_urls(corpus_app):
        resp = _get(corpus_client, url)
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        doc = lxml.html.fromstring(resp.data)
        assert doc.xpath("//script[not(@src)]") == [], url
        scripts = doc.xpath("//script/@src")
        assert scripts and all(s.endswith("static/copy.js") for s in scripts)
        assert doc.xpath("//style | //*[@style]") == [], url  # style-src 'self' blocks these
        handlers = [a for el in doc.iter() for a in el.attrib if a.lower().startswith("on")]
        assert handlers == [], url
    js = _get(corpus_client, "/static/copy.js")
    assert js.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert b"navigator.clipboard" in js.data
    assert _get(corpus_client, "/static/favicon.svg").headers["Content-Type"] == "image/svg+xml"


# -- escaping -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evil_app(tmp_path_factory):
    """An app over a crafted page whose title and body carry markup."""
    seeds = tmp_path_factory.mktemp("evil-seeds")
    (seeds / "evil.txt").write_text(
        f"标题{EVIL_SCRIPT}\n\n本报讯(记者 张三)3月1日,正文{EVIL_ATTR}。又一句{EVIL_SCRIPT}结束。\n",
        encoding="utf-8",
    )
    (seeds / "evil2.txt").write_text(
        f"第二篇{EVIL_ATTR}\n\n本报讯(记者 李四)3月2日,正文{EVIL_SCRIPT}说明{EVIL_ATTR}。\n",
        encoding="utf-8",
    )
    return create_app({"SEEDS": str(seeds), "BASE_URL": TEST_BASE, "TESTING": True})


def _assert_inert(doc, url: str) -> None:
    assert doc.xpath("//script[not(@src)]") == [], url
    assert doc.xpath("//img") == [], url
    assert [a for el in doc.iter() for a in el.attrib if a.lower().startswith("on")] == [], url


def test_markup_in_pages_shows_as_text(evil_app) -> None:
    client = evil_app.test_client()
    items = _site(evil_app).collection.items
    assert len(items) == 2 and any(EVIL_SCRIPT in it.article.title for it in items)
    for url in _all_page_urls(evil_app):
        doc = _doc(client, url)
        _assert_inert(doc, url)
    for item in items:
        doc = _doc(client, f"/articles/{item.id}.html")
        assert doc.xpath("string(//h1)") == item.article.title
        body = _text(doc.cssselect(".article .body")[0])
        assert EVIL_SCRIPT in body and EVIL_ATTR in body
    index = _text(_doc(client, "/"))
    assert f"标题{EVIL_SCRIPT}" in index


@pytest.mark.parametrize("query", [EVIL_SCRIPT, EVIL_ATTR, "正文 <script>", "alert(1)"])
def test_search_escapes_the_query_and_the_matches(evil_app, query: str) -> None:
    client = evil_app.test_client()
    resp = client.get("/search", query_string={"q": query})
    doc = lxml.html.fromstring(resp.data)
    _assert_inert(doc, query)
    assert doc.xpath("//input[@name='q']/@value")[0] == " ".join(query.split())
    words = query_words(query)
    expected = _expected_search(_site(evil_app).collection.items, words)
    assert _entry_ids(doc) == expected and expected
    for mark in doc.xpath("//mark"):
        assert re.fullmatch("(?:" + "|".join(map(re.escape, words)) + ")+", mark.text, re.I)
    assert any(m.text == words[-1] for m in doc.xpath("//mark"))


# -- search ---------------------------------------------------------------------------------


def _search(client, q: str):
    return _doc(client, "/search?" + f"q={quote(q)}")


@pytest.mark.parametrize("query", ["志愿", "志愿 服务", "会议  区委", "区委 不存在的词"])
def test_search_finds_articles_with_all_words(corpus_client, corpus_collection, query) -> None:
    doc = _search(corpus_client, query)
    words = query.split()
    expected = _expected_search(corpus_collection.items, words)
    # the first SEARCH_LIMIT are listed, the total counts them all
    assert _entry_ids(doc, "section.results li.entry") == expected[:SEARCH_LIMIT]
    if expected:
        assert doc.cssselect(".results .total")[0].text == str(len(expected))
    else:
        assert "没有找到" in _text(doc.cssselect(".results")[0])
    for li in doc.cssselect("section.results li.entry"):
        marks = [m.text for m in li.xpath(".//mark")]
        assert marks, "every result shows where it matched"
        joined = "|".join(map(re.escape, words))
        assert all(re.fullmatch(f"(?:{joined})+", m) for m in marks), marks
        title = li.cssselect(".headline a")[0]
        for w in words:
            if w in title.text_content():
                assert any(w in m.text for m in title.xpath(".//mark")), (w, title)


def test_search_highlights_case_insensitively_and_never_as_regex(make_item) -> None:
    from feeds.site import Collection

    items = (
        make_item(2, title="GDP增长", body="全区GDP增长6%,gdp总量创新高。"),
        make_item(1, title="普通标题", body="没有那个词。a.c 与 abc 不同。"),
    )
    app = create_app({"COLLECTION": Collection(items=items, topics=TOPICS), "BASE_URL": TEST_BASE})
    client = app.test_client()
    doc = _search(client, "gdp")
    assert _entry_ids(doc, "section.results li.entry") == [items[0].id]
    assert [m.text for m in doc.xpath("//h3//mark")] == ["GDP"]
    assert {m.text for m in doc.xpath("//p[contains(@class,'snippet')]//mark")} == {"GDP", "gdp"}
    dot = _search(client, "a.c")
    assert _entry_ids(dot, "section.results li.entry") == [items[1].id]
    assert [m.text for m in dot.xpath("//mark")] == ["a.c"]  # not "abc": no regex
    assert _entry_ids(_search(client, ".*"), "section.results li.entry") == []


def test_highlight_runs_cover_the_text_and_merge_adjacent_matches() -> None:
    runs = highlight("志愿服务与志愿者", ["志愿", "服务"])
    assert runs == [("志愿服务", True), ("与", False), ("志愿", True), ("者", False)]
    assert "".join(t for t, _ in highlight("abc", [])) == "abc"
    assert highlight("", ["x"]) == [("", False)]


def test_search_links_the_same_query_as_a_feed(corpus_client, corpus_app) -> None:
    word = "志愿"
    doc = _search(corpus_client, word)
    href = doc.cssselect(".search-feed a.atom")[0].get("href")
    parts = urlsplit(_target("/search", href))
    assert parts.path == "/feeds/all.atom"
    assert parse_qs(parts.query) == {"filter": [word]}
    resp = _get(corpus_client, _target("/search", href))
    feed = feedparser.parse(resp.data)
    assert not feed.bozo
    results = _entry_ids(doc, "section.results li.entry")
    limit = _site(corpus_app).config.feed_limit  # 3 in the corpus app
    assert len(results) > limit
    assert [e.id.rsplit(":", 1)[1] for e in feed.entries] == results[:limit]
    alternates = doc.xpath("//link[@rel='alternate']/@href")
    assert f"feeds/all.atom?filter={quote(word)}" in alternates
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
    multi = _search(corpus_client, "志愿 服务")
    href = multi.cssselect(".search-feed a.atom")[0].get("href")
    assert parse_qs(urlsplit(href).query) == {"filter": ["志愿", "服务"]}
    feed = feedparser.parse(_get(corpus_client, _target("/search", href)).data)
    found = _entry_ids(multi, "section.results li.entry")
    assert [e.id.rsplit(":", 1)[1] for e in feed.entries] == found[:limit]  # every word


def test_empty_and_oversized_queries(corpus_client) -> None:
    for url in ("/search", "/search?q=", "/search?q=%20%20"):
        doc = _doc(corpus_client, url)
        assert doc.cssselect("form.search-form") and not doc.cssselect("section.results")
        assert doc.xpath("//link[@rel='alternate']") == []
    many = " ".join(f"词{n}" for n in range(30)) + " " + "长" * 500
    doc = _search(corpus_client, many)
    assert doc.xpath("//input[@name='q']/@value")[0] == " ".join(f"词{n}" for n in range(10))
    assert _entry_ids(doc, "section.results li.entry") == []


def test_search_form_only_where_search_runs(corpus_client, corpus_collection) -> None:
    app_index = _doc(corpus_client, "/")
    (form,) = app_index.xpath("//form[@role='search']")
    assert form.get("action") == "search" and form.get("method") == "get"
    assert form.xpath(".//input[@name='q']")
    topic = _doc(corpus_client, "/topics/party.html")
    assert topic.xpath("//form[@role='search']/@action") == ["../search"]
    static = build_site(corpus_collection, SiteConfig())
    for path, data in static.items():
        if path.endswith(".html"):
            assert lxml.html.fromstring(data).xpath("//form") == [], path


# -- static export --------------------------------------------------------------------------


def test_static_export_links_resolve_from_any_base_path(tmp_path: Path) -> None:
    base = "https://news.example.org/deep/er/qj"
    collection = collect(CORPUS)
    out = tmp_path / "site"
    write_site(build_site(collection, SiteConfig(base_url=base, feed_limit=4)), out)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > len(collection.items) + 5
    checked = 0
    for page in pages:
        doc = lxml.html.fromstring(page.read_bytes())
        rel = page.relative_to(out).as_posix()
        (canonical,) = doc.xpath("//link[@rel='canonical']/@href")
        assert canonical == (f"{base}/" if rel == "index.html" else f"{base}/{quote(rel)}")
        for el, link in _links(doc):
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc and not link.startswith("/"), link
            if parts.fragment and not parts.path:
                assert doc.get_element_by_id(parts.fragment) is not None, link
                continue
            target = page.parent / unquote(parts.path)
            assert target.resolve().is_relative_to(out.resolve()), (rel, link)
            assert target.is_file(), f"{rel}: <{el.tag}> {link}"
            checked += 1
    assert checked > 10 * len(pages)
    assert (out / "static" / "copy.js").is_file() and (out / "static" / "style.css").is_file()


def test_static_export_has_no_search_but_the_copy_script(corpus_collection) -> None:
    files = build_site(corpus_collection, SiteConfig())
    index = lxml.html.fromstring(files["index.html"])
    assert index.xpath("//form") == []
    assert not any("search" in h for h in index.xpath("//a/@href | //link/@href"))
    assert index.xpath("//script/@src") == ["static/copy.js"]
    assert b"navigator.clipboard" in files["static/copy.js"]
