"""feeds.render: RSS/Atom/JSON Feed bytes, read back with feedparser and lxml (never as strings).

Realistic items are built from tests/data/render_seed_articles.json (the six articles of the
seed page, transcribed by hand) through feeds.group.make_items, so ids and times follow the
real rules.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest

from feeds.group import make_items
from feeds.model import CREDIT, HEADING, Article, Item, Page, Paragraph
from feeds.render import (
    MEDIA_TYPES,
    UNDATED,
    EntryMemo,
    FeedSpec,
    body_html,
    item_guid,
    item_url,
    render,
)

DATA = Path(__file__).parent / "data" / "render_seed_articles.json"
SITE = "http://127.0.0.1:5000"
SH = timezone(timedelta(hours=8))
TOPIC_TITLES = {"party": "党委会议", "government": "政府工作", "volunteers": "志愿服务"}
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "fh": "http://purl.org/syndication/history/1.0",
}
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'
FORMATS = ("rss", "atom", "json")


def _article(raw: dict, source: str, position: int) -> Article:
    paras = tuple(
        Paragraph(p) if isinstance(p, str) else Paragraph(p["text"], p["kind"])
        for p in raw["paragraphs"]
    )
    return Article(
        title=raw["title"],
        paragraphs=paras,
        subtitle=raw.get("subtitle"),
        column=raw.get("column"),
        authors=tuple(raw["authors"]),
        credits=tuple(raw.get("credits", ())),
        date=date.fromisoformat(raw["date"]) if raw["date"] else None,
        source=source,
        position=position,
    )


@pytest.fixture(scope="module")
def seed_items() -> list[Item]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    articles = [_article(a, data["source"], i) for i, a in enumerate(data["articles"])]
    by_title = {a["title"]: a for a in data["articles"]}
    page = Page(
        source=data["source"],
        articles=tuple(articles),
        issue_date=date.fromisoformat(data["issue_date"]),
    )

    def classify(article: Article) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        raw = by_title[article.title]
        return raw["topics"][0], tuple(raw["topics"]), tuple(raw["tags"])

    return make_items([page], classify)


def make_spec(fmt: str, slug: str = "party", site: str = SITE, **kw) -> FeedSpec:
    return FeedSpec(
        slug=slug,
        title="今日衢江 · 党委会议",
        description="区委常委会、党委会议报道",
        site_url=site,
        html_url=f"{site}/topics/{slug}.html",
        self_url=f"{site}/feeds/{slug}.{fmt}",
        **kw,
    )


def make_item(n: int, published: datetime | None, **art) -> Item:
    art.setdefault("title", f"测试文章{n}")
    art.setdefault("paragraphs", (Paragraph("正文第一段。"),))
    return Item(
        id=f"{n:016x}",
        article=Article(**art),
        primary_topic="party",
        topics=("party",),
        tags=("五城",),
        published=published,
        summary=f"摘要{n}",
    )


def parse(data: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def xml(data: bytes) -> lxml.etree._Element:
    return lxml.etree.fromstring(data)


def html_tree(fragment: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(fragment, create_parent="div")


# --- channel / feed level -------------------------------------------------------------------


def test_rss_channel(seed_items):
    spec = make_spec("rss")
    feed = parse(render(spec, seed_items, "rss", topic_titles=TOPIC_TITLES))
    assert feed.version == "rss20"
    assert feed.feed.title == "今日衢江 · 党委会议"
    assert feed.feed.subtitle == "区委常委会、党委会议报道"
    assert feed.feed.language == "zh-CN"
    # feedgen takes the channel <link> from the last link added: it must be the HTML page.
    assert feed.feed.link == spec.html_url
    assert [ln.href for ln in feed.feed.links if ln.rel == "self"] == [spec.self_url]
    assert feed.feed.ttl == "30"
    assert feed.feed.generator == "feeds"
    newest = max(it.published for it in seed_items)
    assert feed.feed.updated == "Wed, 21 Feb 2024 12:00:00 +0800"
    assert calendar.timegm(feed.feed.updated_parsed) == newest.timestamp()


def test_atom_feed(seed_items):
    spec = make_spec("atom")
    data = render(spec, seed_items, "atom")
    feed = parse(data)
    assert feed.version == "atom10"
    assert feed.feed.title == "今日衢江 · 党委会议"
    assert feed.feed.language == "zh-CN"
    assert xml(data).get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    links = {ln.rel: ln.href for ln in feed.feed.links}
    assert links == {"self": spec.self_url, "alternate": spec.html_url}
    assert feed.feed.id == "tag:feeds.localhost,2024:feed:party"
    assert feed.feed.updated == max(it.published for it in seed_items).isoformat()
    assert feed.feed.author == "今日衢江"  # covers entries without a byline


def test_ttl_is_configurable(seed_items):
    feed = parse(render(make_spec("rss", ttl_minutes=45), seed_items, "rss"))
    assert feed.feed.ttl == "45"


def test_updated_is_newest_item_not_now(seed_items):
    older = seed_items[2:]
    for fmt in ("rss", "atom"):
        feed = parse(render(make_spec(fmt), older, fmt))
        newest = max(it.published for it in older)
        assert calendar.timegm(feed.feed.updated_parsed) == newest.timestamp()


def test_empty_feed_has_fixed_time():
    for fmt in ("rss", "atom"):
        feed = parse(render(make_spec(fmt), [], fmt))
        assert feed.entries == []
        assert calendar.timegm(feed.feed.updated_parsed) == UNDATED.timestamp()
    doc = json.loads(render(make_spec("json"), [], "json"))
    assert doc["items"] == []


# --- items ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_items_ids_links_titles_in_given_order(seed_items, fmt):
    spec = make_spec(fmt)
    feed = parse(render(spec, seed_items, fmt))
    assert [e.id for e in feed.entries] == [item_guid(spec, it) for it in seed_items]
    assert [e.link for e in feed.entries] == [item_url(SITE, it) for it in seed_items]
    assert [e.title for e in feed.entries] == [it.article.title for it in seed_items]
    assert all(e.id.startswith("tag:feeds.localhost,2024:article:") for e in feed.entries)


def test_given_order_is_kept_even_if_not_sorted(seed_items):
    shuffled = [seed_items[3], seed_items[0], seed_items[5]]
    spec = make_spec("atom")
    feed = parse(render(spec, shuffled, "atom"))
    assert [e.id for e in feed.entries] == [item_guid(spec, it) for it in shuffled]


def test_rss_guid_is_not_a_permalink(seed_items):
    root = xml(render(make_spec("rss"), seed_items, "rss"))
    guids = root.findall("channel/item/guid")
    assert len(guids) == len(seed_items)
    assert {g.get("isPermaLink") for g in guids} == {"false"}
    assert not any(e.guidislink for e in parse(render(make_spec("rss"), seed_items, "rss")).entries)


def test_item_url_and_guid():
    item = make_item(1, None)
    assert item_url(SITE, item) == f"{SITE}/articles/{item.id}.html"
    spec = make_spec("rss", id_prefix="tag:example.org,2024:")
    assert item_guid(spec, item) == f"tag:example.org,2024:article:{item.id}"


def test_ids_do_not_depend_on_host(seed_items):
    a = parse(render(make_spec("atom"), seed_items, "atom"))
    b = parse(render(make_spec("atom", site="https://news.example.org:8443"), seed_items, "atom"))
    assert [e.id for e in a.entries] == [e.id for e in b.entries]
    assert a.feed.id == b.feed.id
    assert [e.link for e in a.entries] != [e.link for e in b.entries]


def test_rss_dates_are_plus_0800(seed_items):
    feed = parse(render(make_spec("rss"), seed_items, "rss"))
    for entry, item in zip(feed.entries, seed_items, strict=True):
        assert entry.published.endswith(" +0800")
        assert entry.published == item.published.strftime("%a, %d %b %Y %H:%M:%S +0800")
        assert calendar.timegm(entry.published_parsed) == item.published.timestamp()


def test_atom_dates_are_plus_0800_and_distinct(seed_items):
    feed = parse(render(make_spec("atom"), seed_items, "atom"))
    for entry, item in zip(feed.entries, seed_items, strict=True):
        assert entry.published == entry.updated == item.published.isoformat()
        assert entry.published.endswith("+08:00")
        assert calendar.timegm(entry.published_parsed) == item.published.timestamp()
    # the W3C validator warns when entries share an `updated`
    assert len({e.updated for e in feed.entries}) == len(feed.entries)


def test_utc_times_are_written_in_shanghai_time():
    instant = datetime(2024, 2, 19, 4, 0, tzinfo=UTC)
    item = make_item(1, instant)
    atom = parse(render(make_spec("atom"), [item], "atom"))
    assert atom.entries[0].published == "2024-02-19T12:00:00+08:00"
    doc = json.loads(render(make_spec("json"), [item], "json"))
    assert doc["items"][0]["date_published"] == "2024-02-19T12:00:00+08:00"


def test_naive_times_are_rejected():
    item = make_item(1, datetime(2024, 2, 19, 12, 0))
    for fmt in FORMATS:
        with pytest.raises(ValueError, match="naive"):
            render(make_spec(fmt), [item], fmt)


def test_rss_authors_are_dc_creator_not_author(seed_items):
    root = xml(render(make_spec("rss"), seed_items, "rss"))
    items = root.findall("channel/item")
    for node, item in zip(items, seed_items, strict=True):
        assert node.find("author") is None
        creators = [c.text for c in node.findall("dc:creator", NS)]
        assert creators == list(item.article.authors)
    feed = parse(render(make_spec("rss"), seed_items, "rss"))
    assert feed.entries[0].author == seed_items[0].article.authors[0]


def test_atom_authors_and_credits(seed_items):
    feed = parse(render(make_spec("atom"), seed_items, "atom"))
    root = xml(render(make_spec("atom"), seed_items, "atom"))
    entries = root.findall("atom:entry", NS)
    for entry, node, item in zip(feed.entries, entries, seed_items, strict=True):
        names = [a.findtext("atom:name", namespaces=NS) for a in node.findall("atom:author", NS)]
        assert names == list(item.article.authors)
        if item.article.credits:
            assert [c.name for c in entry.contributors] == list(item.article.credits)
    credited = [it for it in seed_items if it.article.credits]
    assert credited, "fixture should include the credited volunteer article"


def test_categories_topics_first_then_tags(seed_items):
    rss = xml(render(make_spec("rss"), seed_items, "rss", topic_titles=TOPIC_TITLES))
    atom = parse(render(make_spec("atom"), seed_items, "atom", topic_titles=TOPIC_TITLES))
    for node, entry, item in zip(
        rss.findall("channel/item"), atom.entries, seed_items, strict=True
    ):
        topics = list(dict.fromkeys((item.primary_topic, *item.topics)))
        want = [TOPIC_TITLES[t] for t in topics] + list(item.tags)
        assert [c.text for c in node.findall("category")] == want
        assert [t.term for t in entry.tags] == topics + list(item.tags)
        assert [t.label for t in entry.tags][: len(topics)] == [TOPIC_TITLES[t] for t in topics]
    government = next(it for it in seed_items if it.topics == ("party", "government"))
    assert government.primary_topic == "party"


def test_categories_fall_back_to_slugs(seed_items):
    feed = parse(render(make_spec("rss"), seed_items[:1], "rss"))
    assert feed.entries[0].tags[0].term == seed_items[0].primary_topic


def test_summary_and_full_content(seed_items):
    rss = parse(render(make_spec("rss"), seed_items, "rss"))
    atom = parse(render(make_spec("atom"), seed_items, "atom"))
    for entry in (*rss.entries, *atom.entries):
        assert entry.content and entry.content[0].type == "text/html"
    for r, a, item in zip(rss.entries, atom.entries, seed_items, strict=True):
        assert r.summary == a.summary == item.summary
        for entry in (r, a):
            tree = html_tree(entry.content[0].value)
            body = [p.text_content() for p in tree.xpath("p[not(@class)]")]
            texts = [p.text for p in item.article.paragraphs if p.kind not in (HEADING, CREDIT)]
            assert body == texts
    root = xml(render(make_spec("rss"), seed_items, "rss"))
    encoded = root.findall("channel/item/content:encoded", NS)
    assert len(encoded) == len(seed_items)


def test_subtitle_and_pretitle_go_into_content():
    item = make_item(1, None, pretitle="引题文字", subtitle="副题文字")
    feed = parse(render(make_spec("atom"), [item], "atom"))
    tree = html_tree(feed.entries[0].content[0].value)
    assert tree.xpath("string(p[@class='pretitle'])") == "引题文字"
    assert tree.xpath("string(p[@class='subtitle'])") == "副题文字"
    assert feed.entries[0].title == "测试文章1"


def test_body_html_kinds_and_escaping():
    article = Article(
        title="t",
        paragraphs=(
            Paragraph("第一段 <b>不是粗体</b> & 符号"),
            Paragraph("小标题", HEADING),
            Paragraph("第二段"),
            Paragraph("区红十字会", CREDIT),
        ),
    )
    tree = html_tree(body_html(article))
    assert [(el.tag, el.get("class"), el.text_content()) for el in tree] == [
        ("p", None, "第一段 <b>不是粗体</b> & 符号"),
        ("h3", None, "小标题"),
        ("p", None, "第二段"),
        ("p", "credit", "区红十字会"),
    ]
    assert tree.find(".//b") is None


# --- hostile text, control characters ------------------------------------------------------


def hostile_item() -> Item:
    return Item(
        id="00000000000000aa",
        article=Article(
            title=HOSTILE,
            paragraphs=(Paragraph("正文" + HOSTILE), Paragraph(HOSTILE, HEADING)),
            subtitle=HOSTILE,
            authors=(HOSTILE,),
        ),
        primary_topic="party",
        topics=("party",),
        tags=(HOSTILE,),
        published=datetime(2024, 2, 19, 12, tzinfo=SH),
        summary="摘要" + HOSTILE,
    )


def assert_inert(fragment: str) -> None:
    """The HTML shows HOSTILE as text and contains no element it would create."""
    tree = html_tree(fragment)
    assert tree.xpath(".//script | .//img | .//*[@onerror]") == []
    assert HOSTILE in tree.text_content()


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_hostile_text_stays_text_in_xml_feeds(fmt):
    feed = parse(render(make_spec(fmt), [hostile_item()], fmt))
    entry = feed.entries[0]
    assert entry.title == HOSTILE
    assert entry.title_detail.type == "text/plain"
    assert_inert(entry.content[0].value)
    assert entry.summary_detail.type == "text/html"
    assert_inert(entry.summary)
    assert HOSTILE in [t.term for t in entry.tags]


def test_hostile_text_stays_text_in_json_feed():
    doc = json.loads(render(make_spec("json"), [hostile_item()], "json"))
    item = doc["items"][0]
    assert item["title"] == HOSTILE  # JSON Feed title and summary are plain text
    assert item["summary"] == "摘要" + HOSTILE
    assert_inert(item["content_html"])


def test_control_characters_never_reach_the_feed():
    dirty = "区委\x00常委会\x07召开\x1b会议\x0b\x0c\x7f\x85\ufffe"
    item = Item(
        id="00000000000000bb",
        article=Article(
            title=dirty,
            paragraphs=(Paragraph(dirty),),
            authors=("刘\x08威",),
            credits=("区红十字会\x01",),
        ),
        primary_topic="party",
        topics=("party",),
        tags=("五\x02城",),
        published=datetime(2024, 2, 19, 12, tzinfo=SH),
        summary=dirty,
    )
    for fmt in ("rss", "atom"):
        data = render(make_spec(fmt), [item], fmt)
        xml(data)  # well-formed XML 1.0
        entry = parse(data).entries[0]
        assert entry.title == "区委常委会召开会议"
        assert entry.summary == "区委常委会召开会议"
        assert html_tree(entry.content[0].value).text_content() == "区委常委会召开会议"
        assert "五城" in [t.term for t in entry.tags]
    doc = json.loads(render(make_spec("json"), [item], "json"))
    assert doc["items"][0]["title"] == "区委常委会召开会议"
    assert doc["items"][0]["authors"] == [{"name": "刘威"}]


# --- determinism, undated items -------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_rendering_is_deterministic(seed_items, fmt):
    first = render(make_spec(fmt), seed_items, fmt, topic_titles=TOPIC_TITLES)
    rebuilt = [replace(it) for it in seed_items]  # equal values, new objects
    second = render(make_spec(fmt), rebuilt, fmt, topic_titles=TOPIC_TITLES)
    assert first == second
    assert first != render(make_spec(fmt), seed_items[1:], fmt, topic_titles=TOPIC_TITLES)


def undated_items() -> list[Item]:
    t0 = datetime(2024, 2, 21, 12, tzinfo=SH)
    return [make_item(1, t0), make_item(2, None), make_item(3, None)]


def test_undated_items_rss():
    items = undated_items()
    root = xml(render(make_spec("rss"), items, "rss"))
    dates = [node.findtext("pubDate") for node in root.findall("channel/item")]
    assert dates == ["Wed, 21 Feb 2024 12:00:00 +0800", None, None]
    feed = parse(render(make_spec("rss"), items, "rss"))
    assert len(feed.entries) == 3
    assert calendar.timegm(feed.feed.updated_parsed) == items[0].published.timestamp()


def test_undated_items_atom():
    feed = parse(render(make_spec("atom"), undated_items(), "atom"))
    assert "published" in feed.entries[0]
    assert "published" not in feed.entries[1] and "published" not in feed.entries[2]
    updated = [e.updated for e in feed.entries]
    assert updated == [
        "2024-02-21T12:00:00+08:00",
        "1999-12-31T23:59:59+08:00",
        "1999-12-31T23:59:58+08:00",
    ]
    assert feed.feed.updated == "2024-02-21T12:00:00+08:00"


def test_undated_items_json():
    doc = json.loads(render(make_spec("json"), undated_items(), "json"))
    assert [("date_published" in it) for it in doc["items"]] == [True, False, False]


# --- RFC 5005 ------------------------------------------------------------------------------


def archive_spec(fmt: str) -> FeedSpec:
    return make_spec(
        fmt,
        prev_archive_url=f"{SITE}/feeds/party/archive/1.{fmt}",
        next_archive_url=f"{SITE}/feeds/party/archive/3.{fmt}",
        current_url=f"{SITE}/feeds/party.{fmt}",
        is_archive=True,
    )


def test_rfc5005_links_in_rss(seed_items):
    spec = archive_spec("rss")
    root = xml(render(spec, seed_items, "rss"))
    channel = root.find("channel")
    links = {ln.get("rel"): ln.get("href") for ln in channel.findall("atom:link", NS)}
    assert links == {
        "self": spec.self_url,
        "prev-archive": spec.prev_archive_url,
        "next-archive": spec.next_archive_url,
        "current": spec.current_url,
    }
    assert channel.find("fh:archive", NS) is not None
    assert channel.findtext("link") == spec.html_url
    parse(render(spec, seed_items, "rss"))


def test_rfc5005_links_in_atom(seed_items):
    spec = archive_spec("atom")
    data = render(spec, seed_items, "atom")
    links = {ln.rel: ln.href for ln in parse(data).feed.links}
    assert links["prev-archive"] == spec.prev_archive_url
    assert links["next-archive"] == spec.next_archive_url
    assert links["current"] == spec.current_url
    assert links["self"] == spec.self_url
    assert xml(data).find("fh:archive", NS) is not None


def test_subscription_document_has_prev_archive_only(seed_items):
    spec = make_spec("atom", prev_archive_url=f"{SITE}/feeds/party/archive/2.atom")
    data = render(spec, seed_items, "atom")
    rels = sorted(ln.rel for ln in parse(data).feed.links)
    assert rels == ["alternate", "prev-archive", "self"]
    assert xml(data).find("fh:archive", NS) is None
    plain = render(make_spec("rss"), seed_items, "rss")
    assert xml(plain).find("channel/atom:link[@rel='prev-archive']", NS) is None


def test_rfc5005_in_json_feed(seed_items):
    doc = json.loads(render(archive_spec("json"), seed_items, "json"))
    assert doc["next_url"] == f"{SITE}/feeds/party/archive/1.json"
    assert doc["expired"] is True
    plain = json.loads(render(make_spec("json"), seed_items, "json"))
    assert "next_url" not in plain and "expired" not in plain


# --- JSON Feed ------------------------------------------------------------------------------


def test_json_feed_fields(seed_items):
    spec = make_spec("json")
    data = render(spec, seed_items, "json", topic_titles=TOPIC_TITLES)
    doc = json.loads(data.decode("utf-8"))
    assert "区委" in data.decode("utf-8")  # ensure_ascii=False: Chinese is not \u-escaped
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] == spec.title
    assert doc["home_page_url"] == spec.html_url
    assert doc["feed_url"] == spec.self_url
    assert doc["language"] == "zh-CN"
    assert doc["description"] == spec.description
    assert [it["id"] for it in doc["items"]] == [item_guid(spec, it) for it in seed_items]
    for out, item in zip(doc["items"], seed_items, strict=True):
        assert out["url"] == item_url(SITE, item)
        assert out["title"] == item.article.title
        assert out["summary"] == item.summary
        assert datetime.fromisoformat(out["date_published"]) == item.published
        assert out["date_published"].endswith("+08:00")
        assert out["date_modified"] == out["date_published"]
        assert out.get("authors", []) == [{"name": a} for a in item.article.authors]
        assert out["tags"][0] == TOPIC_TITLES[item.primary_topic]
        assert list(item.tags) == out["tags"][-len(item.tags) :]
        paras = html_tree(out["content_html"]).xpath("p[not(@class)]")
        assert [p.text_content() for p in paras][0] == item.article.paragraphs[0].text


# --- misc -----------------------------------------------------------------------------------


def test_tag_feed_slug_gives_ascii_feed_id(seed_items):
    spec = make_spec("atom", slug="tag:五城")
    feed = parse(render(spec, seed_items, "atom"))
    assert feed.feed.id == "tag:feeds.localhost,2024:feed:tag:%E4%BA%94%E5%9F%8E"
    assert feed.feed.id.isascii()


def test_unknown_format_is_an_error(seed_items):
    with pytest.raises(ValueError, match="unknown feed format"):
        render(make_spec("rss"), seed_items, "rdf")


def test_media_types():
    assert MEDIA_TYPES == {
        "rss": "application/rss+xml; charset=utf-8",
        "atom": "application/atom+xml; charset=utf-8",
        "json": "application/feed+json; charset=utf-8",
    }


def _feedgen_whole(spec: FeedSpec, items, fmt: str, titles) -> bytes:
    """What feedgen itself writes with the entries added to the document (and json.dumps
    with the items in the document): the reference the spliced rendering must equal."""
    from feeds import render as r

    times = r.entry_times(items)
    if fmt == "json":
        doc = json.loads(r._render_json(spec, items, titles))
        doc["items"] = [
            r._json_item(spec, it, w, titles) for it, w in zip(items, times, strict=True)
        ]
        return json.dumps(doc, ensure_ascii=False, indent=2).encode() + b"\n"
    fg = r._generator(spec, fmt, times)
    for item, when in zip(items, times, strict=True):
        r._fill_entry(fg.add_entry(order="append"), spec, item, when, fmt, titles)
    return fg.rss_str(pretty=True) if fmt == "rss" else fg.atom_str(pretty=True)


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
@pytest.mark.parametrize("archive", [False, True])
def test_spliced_documents_equal_feedgens_whole_documents(corpus_collection, fmt, archive):
    """Entries are serialized once and spliced into each document (render.EntryMemo); the
    bytes equal feedgen's (json.dumps') whole document: every corpus item, undated and
    updated ones, authors and credits, RFC 5005 links and no items at all."""
    items = list(corpus_collection.items)
    undated = replace(items[0], id="f" * 16, published=None)
    updated = replace(items[1], id="e" * 16, updated=items[1].published + timedelta(days=2))
    items = [updated, *items, undated]
    links = {"prev_archive_url": f"{SITE}/feeds/party/archive/1.{fmt}"}
    if archive:
        links |= {"next_archive_url": f"{SITE}/feeds/party.{fmt}", "is_archive": True}
        links["current_url"] = f"{SITE}/feeds/party.{fmt}"
    spec = make_spec(fmt, **links)
    titles = {"party": "党委会议", "government": "政府工作"}
    memo = EntryMemo()
    for chunk in (items, items[:3], items[2:9], []):
        expected = _feedgen_whole(spec, chunk, fmt, titles)
        assert render(spec, chunk, fmt, topic_titles=titles, memo=memo) == expected
        assert render(spec, chunk, fmt, topic_titles=titles) == expected
    assert memo.hits >= 10


def test_entries_shared_across_feed_documents_render_the_same_bytes(corpus_collection) -> None:
    """A site plan makes each entry once and adds it to every document that shows it
    (render.EntryMemo): every document is byte for byte what it is without the memo."""
    from feeds.site import SiteConfig, _render_page, plan

    feeds = [
        t
        for t in plan(corpus_collection, SiteConfig(feed_limit=3))
        if t.path.endswith((".rss", ".atom", ".json"))
    ]
    shared = {t.path: t.make() for t in feeds}
    memo = feeds[0].make.args[-1]
    assert memo.hits > len(feeds)  # entries were reused, many times
    alone = {t.path: _render_page(*t.make.args[:-1], None) for t in feeds}
    assert shared == alone


def test_the_entry_memo_stays_within_its_budget(corpus_collection) -> None:
    items = list(corpus_collection.items)
    memo = EntryMemo(budget=20_000)
    largest = 0
    for fmt in FORMATS:
        spec = make_spec(fmt)
        for start in range(0, len(items), 3):
            chunk = items[start : start + 6]
            assert render(spec, chunk, fmt, memo=memo) == render(spec, chunk, fmt)
            largest = max([largest, *(len(e) for e in memo._entries.values())])
            assert memo._size <= memo.budget + largest
            assert memo._size == sum(len(e) for e in memo._entries.values())
    assert memo.hits > 0
