"""Render Items as RSS 2.0, Atom 1.0 (both with feedgen) and JSON Feed 1.1 (by hand): bytes out.

The one module that imports feedgen. Pure apart from that: no clock, no files, no network, so
the same FeedSpec and Items always give byte-identical output.

Ids: an item's RSS guid / Atom id / JSON Feed id is `spec.id_prefix + "article:" + item.id`
(a `tag:` URI, isPermaLink="false"); it never contains the serving host or port. The Atom feed
id is `spec.id_prefix + "feed:" + slug` (slug percent-encoded), shared by a feed's archives.

Times: every date is written in +08:00 (Asia/Shanghai); aware times in another zone are
converted, naive ones are rejected (ValueError). feedgen would stamp `updated`/`lastBuildDate`
with the current time; instead the feed's time is the newest entry time, or UNDATED (2000-01-01
00:00:00+08:00) for a feed without items.

Items without a publication time (`published is None`): no RSS pubDate, no Atom published, no
JSON Feed date_published/date_modified (we do not invent a date). Atom requires <updated>, so
the k-th undated item (k = 1, 2, ... in the given order) gets UNDATED minus k seconds: distinct
(the W3C validator warns on equal `updated` values), deterministic, and in the given order.
An item changed after publication (`Item.updated`: a re-parse changed its text or title and
feeds.store kept its id) has that time as Atom <updated> and JSON Feed date_modified. No two
entries of one document share `updated`: a taken time moves one second earlier until free,
unchanged entries first (see entry_times).

Text: every string is stripped of characters XML 1.0 forbids or discourages (C0/C1 controls,
lone surrogates, U+FFFE/U+FFFF) and then escaped: titles are text, bodies are HTML built here
with every text run escaped, so `<script>` in a page shows as text in every reader.

RFC 5005: prev-archive / next-archive / current links (atom:link inside the RSS channel) and
<fh:archive/> on archive pages; JSON Feed gets `next_url` (the older page) and `expired: true`
on archive pages.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feeds.group import SHANGHAI
from feeds.model import CREDIT, HEADING, Article, Item

MEDIA_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
LANGUAGE = "zh-CN"
GENERATOR = "feeds"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
UNDATED = datetime(2000, 1, 1, tzinfo=SHANGHAI)  # >= 1990: the validator calls older implausible
ITEM_OVERHEAD = 1024  # bytes per item for id, link, dates and markup (see estimated_size)
FIELD_OVERHEAD = 256  # bytes per category, author or contributor

EntryTime = tuple[datetime | None, datetime]  # (published or None, Atom updated)

# XML 1.0 forbids C0 controls except tab/newline/CR, lone surrogates and U+FFFE/U+FFFF; it
# discourages DEL and C1 controls. None of them is text a reader should ever see.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class FeedSpec:
    """Everything about one feed document except its items."""

    slug: str  # "all", a topic slug ("party"), or a tag feed ("tag:五城")
    title: str  # Chinese title, e.g. "今日衢江 · 党委会议"
    description: str
    site_url: str  # absolute site base URL, no trailing slash
    html_url: str  # absolute URL of the HTML page for this feed (alternate link)
    self_url: str  # absolute URL this document is served at (self link)
    id_prefix: str = "tag:feeds.localhost,2024:"
    ttl_minutes: int = 30
    # RFC 5005 archived feeds
    prev_archive_url: str | None = None  # older archive page
    next_archive_url: str | None = None  # newer archive page (on archive pages)
    current_url: str | None = None  # the subscription document (on archive pages)
    is_archive: bool = False  # adds <fh:archive/>
    publisher: str = "今日衢江"  # feed-level author: Atom needs one for entries without bylines


def clean(text: str) -> str:
    """Drop characters that must never reach XML (controls, surrogates, non-characters)."""
    return _NOT_XML.sub("", text)


def item_url(site_url: str, item: Item) -> str:
    """Absolute URL of the item's HTML page."""
    return f"{site_url.rstrip('/')}/articles/{item.id}.html"


def item_guid(spec: FeedSpec, item: Item) -> str:
    """The item's immutable id: a tag: URI independent of host, port and build time."""
    return f"{spec.id_prefix}article:{item.id}"


def feed_id(spec: FeedSpec) -> str:
    """The Atom feed id: a tag: URI naming the feed by slug (non-ASCII percent-encoded)."""
    return f"{spec.id_prefix}feed:{quote(spec.slug, safe=':-._~')}"


def _esc(text: str) -> str:
    return html.escape(clean(text))


def body_html(article: Article) -> str:
    """The body as HTML: <p> per text paragraph, <h3> per heading, <p class="credit"> per credit."""
    parts = []
    for para in article.paragraphs:
        if para.kind == HEADING:
            parts.append(f"<h3>{_esc(para.text)}</h3>")
        elif para.kind == CREDIT:
            parts.append(f'<p class="credit">{_esc(para.text)}</p>')
        else:
            parts.append(f"<p>{_esc(para.text)}</p>")
    return "\n".join(parts)


def content_html(article: Article) -> str:
    """Feed content: pretitle and subtitle (not part of the feed title) above the body."""
    head = []
    if article.pretitle:
        head.append(f'<p class="pretitle">{_esc(article.pretitle)}</p>')
    if article.subtitle:
        head.append(f'<p class="subtitle"><strong>{_esc(article.subtitle)}</strong></p>')
    return "\n".join([*head, body_html(article)])


def estimated_size(item: Item) -> int:
    """Bytes an item adds to a feed document, an upper estimate valid for every format.

    Content, summary and title are counted after one more level of escaping than any format
    applies (XML escapes the HTML again; JSON escapes less), plus a fixed allowance for ids,
    links and dates and one per category, author and contributor. site.py uses it to keep
    each feed document within its size budget.
    """
    article = item.article
    text = "".join((content_html(article), html.escape(_summary(item)), clean(article.title)))
    fields = len(item.topics) + len(item.tags) + len(article.authors) + len(article.credits)
    return len(html.escape(text).encode()) + ITEM_OVERHEAD + FIELD_OVERHEAD * (fields + 1)


def _shanghai(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive publication time {when.isoformat()}: need Asia/Shanghai time")
    return when if when.utcoffset() == timedelta(hours=8) else when.astimezone(SHANGHAI)


def entry_times(items: Sequence[Item]) -> list[EntryTime]:
    """(published or None, updated) per item, following the module's rules.

    No two entries of a document share `updated`: a time already taken moves one second
    earlier until it is free. Unchanged entries are placed first (their times follow the
    page-order rule of feeds.group and stay put); changed ones, which one store save may
    stamp with the same time, then give way.
    """
    natural: list[tuple[datetime | None, datetime, bool]] = []
    undated = 0
    for item in items:
        changed = _shanghai(item.updated) if item.updated is not None else None
        if item.published is None:
            undated += 1
            natural.append((None, changed or UNDATED - timedelta(seconds=undated), bool(changed)))
        else:
            published = _shanghai(item.published)
            updated = max(changed, published) if changed else published
            natural.append((published, updated, bool(changed)))
    times: dict[int, EntryTime] = {}
    used: set[datetime] = set()
    for i in sorted(range(len(natural)), key=lambda i: natural[i][2]):  # stable: unchanged first
        published, updated, _ = natural[i]
        while updated in used:
            updated -= timedelta(seconds=1)
        used.add(updated)
        times[i] = (published, updated)
    return [times[i] for i in range(len(natural))]


def last_changed(items: Sequence[Item]) -> datetime:
    """feed_updated(entry_times(items)) without the per-entry work: the document's Atom
    <updated> / RSS lastBuildDate, which the web app sends as Last-Modified."""
    times = [t for it in items for t in (it.published, it.updated) if t is not None]
    if times:
        return _shanghai(max(times))
    return UNDATED - timedelta(seconds=1) if items else UNDATED


def feed_updated(times: Sequence[EntryTime]) -> datetime:
    """The feed's lastBuildDate/updated: the newest entry time, never the clock."""
    return max((updated for _, updated in times), default=UNDATED)


def _categories(
    spec: FeedSpec, item: Item, topic_titles: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """(term, scheme, label) per topic (primary first) and per tag, without duplicates."""
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    topics = (item.primary_topic, *item.topics) if item.primary_topic else item.topics
    for kind, names in (("topic", topics), ("tag", item.tags)):
        scheme = f"{spec.id_prefix}{kind}"
        for name in names:
            term = clean(name).strip()
            if term and (kind, term) not in seen:
                seen.add((kind, term))
                label = clean(topic_titles.get(term, term)) if kind == "topic" else term
                out.append((term, scheme, label))
    return out


def _category(term: str, scheme: str, label: str) -> dict[str, str]:
    """feedgen category: RSS shows the label (else the term); Atom gets term, scheme, label."""
    cat = {"term": term, "scheme": scheme}
    if label != term:
        cat["label"] = label
    return cat


def _summary(item: Item) -> str:
    text = clean(item.summary).strip()
    return text or clean(item.article.subtitle or item.article.title)


def _names(names: Sequence[str]) -> list[str]:
    return [n for n in (clean(x).strip() for x in names) if n]


class _History(BaseExtension):
    """RFC 5005 links and <fh:archive/>; feedgen only writes the self link into RSS."""

    links: tuple[tuple[str, str], ...] = ()
    archive = False

    def extend_ns(self) -> dict[str, str]:
        return {"fh": HISTORY_NS} if self.archive else {}

    def _extend(self, parent: etree._Element, link_tag: str) -> None:
        for rel, href in self.links:
            parent.append(parent.makeelement(link_tag, {"rel": rel, "href": href}))
        if self.archive:
            parent.append(parent.makeelement(f"{{{HISTORY_NS}}}archive", {}))

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        # feedgen builds Atom elements without a namespace and declares xmlns on the root.
        self._extend(feed, "link")
        return feed

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        self._extend(feed[0], "{http://www.w3.org/2005/Atom}link")
        return feed


def _archive_links(spec: FeedSpec) -> tuple[tuple[str, str], ...]:
    links = (
        ("prev-archive", spec.prev_archive_url),
        ("next-archive", spec.next_archive_url),
        ("current", spec.current_url),
    )
    return tuple((rel, clean(href)) for rel, href in links if href)


def _generator(spec: FeedSpec, fmt: str, times: list[EntryTime]) -> FeedGenerator:
    fg = FeedGenerator()
    if fmt == "rss":
        fg.load_extension("dc", atom=False, rss=True)
    fg.register_extension("history", _History, None, atom=True, rss=True)
    fg.history.links = _archive_links(spec)
    fg.history.archive = spec.is_archive
    fg.id(feed_id(spec))
    fg.title(clean(spec.title))
    fg.description(clean(spec.description) or clean(spec.title))
    fg.language(LANGUAGE)
    fg.author(name=clean(spec.publisher))
    fg.generator(GENERATOR)
    fg.ttl(spec.ttl_minutes)
    # RSS <link> is the href of the link added last: add self first, the alternate last.
    fg.link(href=clean(spec.self_url), rel="self", type=MEDIA_TYPES[fmt].split(";")[0])
    fg.link(href=clean(spec.html_url), rel="alternate", type="text/html")
    fg.updated(feed_updated(times))
    return fg


def _new_entry(fmt: str) -> FeedEntry:
    """A feedgen entry outside any document, with the extensions its format uses."""
    entry = FeedEntry()
    if fmt == "rss":
        entry.load_extension("dc", atom=False, rss=True)
    return entry


def _fill_entry(
    entry: FeedEntry,
    spec: FeedSpec,
    item: Item,
    when: EntryTime,
    fmt: str,
    topic_titles: Mapping[str, str],
) -> FeedEntry:
    article = item.article
    entry.id(item_guid(spec, item))  # also the RSS guid, isPermaLink="false"
    entry.title(clean(article.title))
    entry.link(href=item_url(spec.site_url, item), rel="alternate", type="text/html")
    published, updated = when
    entry.updated(updated)
    if published is not None:
        entry.published(published)
    authors = _names(article.authors)
    credits = _names(article.credits)
    if fmt == "rss":
        # RSS <author> must be an e-mail address: bylines go to dc:creator instead.
        if authors:
            entry.dc.dc_creator(authors)
        if credits:
            entry.dc.dc_contributor(credits)
    else:
        for name in authors:
            entry.author(name=name)
        for name in credits:
            entry.contributor(name=name)
    cats = _categories(spec, item, topic_titles)
    if cats:
        entry.category([_category(term, scheme, label) for term, scheme, label in cats])
    # RSS <description> is HTML by convention (feedparser, Miniflux, FreshRSS): escape the text
    # so `<script>` in a summary stays text; Atom says the same explicitly with type="html".
    entry.summary(html.escape(_summary(item)), type="html")
    entry.content(content_html(article), type="html")
    return entry


class EntryMemo:
    """Serialized entries made once and spliced into every document that shows them: an item
    is in its topic feeds, `all` and its tag feeds, each an RSS, an Atom and a JSON Feed
    document. A memo belongs to one site plan (its items stay alive, so id(item) is a stable
    key). It holds at most `budget` bytes of entries: past that, the older half goes (a plan
    renders the documents of one period together, so recent entries are the ones reused)."""

    def __init__(self, budget: int = 24 << 20) -> None:
        self.budget = budget
        self._entries: dict[tuple, bytes | str] = {}
        self._size = 0
        self.hits = 0

    def get(self, key: tuple) -> bytes | str | None:
        entry = self._entries.get(key)
        if entry is not None:
            self.hits += 1
        return entry

    def put(self, key: tuple, entry: bytes | str) -> None:
        if self._size > self.budget:
            for old in list(self._entries)[: len(self._entries) // 2]:
                self._size -= len(self._entries.pop(old))
        self._entries[key] = entry
        self._size += len(entry)

    # Entries kept between builds (feeds.delta.KeptEntries): none in this memo.
    def lasting_key(self, item: object, fmt: str, when: EntryTime, spec: FeedSpec) -> str | None:
        """The key an entry is kept under between builds (None: it is not kept)."""
        return None

    def kept(self, keys: Sequence[str]) -> dict[str, bytes | str]:
        """The entries kept from earlier builds under `keys`."""
        return {}

    def keep(self, entries: list[tuple[str, bytes | str]]) -> None:
        """Keep new entries for later builds."""


# The namespaces feedgen declares on <rss> for what an item may hold (dc:creator,
# content:encoded): an item serialized under a root declaring them has none of its own, as
# in the whole document.
_RSS_ITEM_NSMAP = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
# How a document without entries ends; its entries go just before (after the channel's or
# feed's own elements, feedgen's order).
_XML_TAIL = {"rss": b"  </channel>\n</rss>\n", "atom": b"</feed>\n"}
_JSON_TAIL = '  "items": []\n}'


def _xml_fragment(entry: FeedEntry, fmt: str) -> bytes:
    """An entry's bytes exactly as lxml pretty-prints them inside a feedgen document: under
    a stand-in root at the same depth (item in rss/channel, entry in feed)."""
    if fmt == "rss":
        root = etree.Element("rss", nsmap=_RSS_ITEM_NSMAP)
        etree.SubElement(root, "channel").append(entry.rss_entry())
        start, end = b"    <item>", b"    </item>\n"
    else:
        root = etree.Element("feed")
        root.append(entry.atom_entry())
        start, end = b"  <entry>", b"  </entry>\n"
    text = etree.tostring(root, pretty_print=True, encoding="UTF-8")
    return text[text.index(start) : text.rindex(end) + len(end)]


def _json_fragment(item: dict) -> str:
    """A JSON Feed item as json.dumps(indent=2) writes it inside the document's items list
    (two levels in: JSON strings hold no raw newline, so indenting each line is exact)."""
    return "\n".join(
        "    " + line for line in json.dumps(item, ensure_ascii=False, indent=2).split("\n")
    )


def _entries(
    spec: FeedSpec,
    items: Sequence[Item],
    fmt: str,
    topic_titles: Mapping[str, str],
    memo: EntryMemo | None,
) -> tuple[list[EntryTime], list]:
    """Each item's entry in `fmt` (bytes for RSS and Atom, text for JSON), made once per
    memo: the key holds everything an entry shows besides the item (its times in this
    document, the spec's id prefix and site URL; the rest of the spec is the document's).

    Items that carry their planned rows (feeds.delta's LazyItems) may have entries kept by
    an earlier build (see EntryMemo.kept): an item is read and its entry made only when
    neither memo has it."""
    rows = getattr(items, "rows", None)
    shown = items if rows is None else rows
    times = entry_times(shown)
    out: list = []
    keys: list[tuple] = []
    missing: dict[int, str | None] = {}  # index -> lasting key
    for k, (item, when) in enumerate(zip(shown, times, strict=True)):
        key = (id(item), fmt, when, spec.id_prefix, spec.site_url, id(topic_titles))
        entry = memo.get(key) if memo is not None else None
        if entry is None:
            lasting = memo.lasting_key(item, fmt, when, spec) if memo and rows else None
            missing[k] = lasting
        keys.append(key)
        out.append(entry)
    if not missing:
        return times, out
    lasting_keys = [lk for lk in missing.values() if lk is not None]
    kept = memo.kept(lasting_keys) if memo is not None and lasting_keys else {}
    fresh: list[tuple[str, bytes | str]] = []
    for k, lasting in missing.items():
        entry = kept.get(lasting) if lasting is not None else None
        if entry is None:
            item = items[k] if rows is None else items.item(k)  # type: ignore[attr-defined]
            when = times[k]
            if fmt == "json":
                entry = _json_fragment(_json_item(spec, item, when, topic_titles))
            else:
                filled = _fill_entry(_new_entry(fmt), spec, item, when, fmt, topic_titles)
                entry = _xml_fragment(filled, fmt)
            if lasting is not None:
                fresh.append((lasting, entry))
        if memo is not None:
            memo.put(keys[k], entry)
        out[k] = entry
    if fresh and memo is not None:
        memo.keep(fresh)
    return times, out


def _render_xml(
    spec: FeedSpec,
    items: Sequence[Item],
    fmt: str,
    topic_titles: Mapping[str, str],
    memo: EntryMemo | None = None,
) -> bytes:
    """feedgen renders the document without entries; the entries (see _xml_fragment) go in
    where feedgen puts them. The bytes equal feedgen's with the entries added (a test
    checks it), at a fraction of the cost when an entry is in several documents."""
    times, entries = _entries(spec, items, fmt, topic_titles, memo)
    fg = _generator(spec, fmt, times)
    skeleton = fg.rss_str(pretty=True) if fmt == "rss" else fg.atom_str(pretty=True)
    tail = _XML_TAIL[fmt]
    if not skeleton.endswith(tail):  # not feedgen's layout: never spliced blindly
        raise RuntimeError(f"unexpected end of a feedgen {fmt} document: {skeleton[-40:]!r}")
    return b"".join([skeleton[: -len(tail)], *entries, tail])


def _json_item(
    spec: FeedSpec,
    item: Item,
    when: EntryTime,
    topic_titles: Mapping[str, str],
) -> dict:
    article = item.article
    out: dict = {
        "id": item_guid(spec, item),
        "url": item_url(spec.site_url, item),
        "title": clean(article.title),
        "content_html": content_html(article),
        "summary": _summary(item),
    }
    published = when[0]
    if published is not None:
        out["date_published"] = published.isoformat()
    if published is not None or item.updated is not None:
        out["date_modified"] = when[1].isoformat()
    authors = _names(article.authors)
    if authors:
        out["authors"] = [{"name": name} for name in authors]
    tags = list(dict.fromkeys(label for _, _, label in _categories(spec, item, topic_titles)))
    if tags:
        out["tags"] = tags
    return out


def _render_json(
    spec: FeedSpec,
    items: Sequence[Item],
    topic_titles: Mapping[str, str],
    memo: EntryMemo | None = None,
) -> bytes:
    _, entries = _entries(spec, items, "json", topic_titles, memo)
    doc: dict = {
        "version": JSONFEED_VERSION,
        "title": clean(spec.title),
        "home_page_url": clean(spec.html_url),
        "feed_url": clean(spec.self_url),
        "description": clean(spec.description) or clean(spec.title),
        "language": LANGUAGE,
        "authors": [{"name": clean(spec.publisher)}],
    }
    if spec.prev_archive_url:
        doc["next_url"] = clean(spec.prev_archive_url)  # JSON Feed pages run newest -> oldest
    if spec.is_archive:
        doc["expired"] = True  # an RFC 5005 archive page never changes
    doc["items"] = []
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    if entries:  # the items, where json.dumps puts them (a test checks the bytes are the same)
        if not text.endswith(_JSON_TAIL):
            raise RuntimeError(f"unexpected end of a JSON Feed document: {text[-40:]!r}")
        text = text[: -len(_JSON_TAIL)] + '  "items": [\n' + ",\n".join(entries) + "\n  ]\n}"
    return text.encode("utf-8") + b"\n"


def render(
    spec: FeedSpec,
    items: Sequence[Item],
    fmt: str,
    *,
    topic_titles: Mapping[str, str] | None = None,
    memo: EntryMemo | None = None,
) -> bytes:
    """One feed document as UTF-8 bytes. fmt: "rss", "atom" or "json".

    Items are rendered in the order given (newest first is the caller's job). topic_titles
    maps topic slugs to Chinese names for category labels; without it the slug is used.
    `memo` reuses entries across the documents of one site (see EntryMemo).
    """
    titles = topic_titles or {}
    if fmt == "json":
        return _render_json(spec, items, titles, memo)
    if fmt in ("rss", "atom"):
        return _render_xml(spec, items, fmt, titles, memo)
    raise ValueError(f"unknown feed format {fmt!r}: expected one of {sorted(MEDIA_TYPES)}")
