"""PURE: a collection of items -> every file of the site, as bytes keyed by relative path.

The static export (`feeds build`) writes these files; the web app serves the same bytes from
memory. No files, no clock: two calls with the same collection and config give identical bytes.

This module holds the site's model (SiteConfig, Collection, Channel, Target), the feeds with
their archives and ?filter= selections, OPML, and `plan`, which lists every file. The HTML pages
live in feeds.pages (the one module that imports jinja2) and search in feeds.search; they build
on the channels and targets defined here.

URL map (paths relative to the base URL):

    index.html                          the index page (also served at /)
    topics/<topic>.html                 one page per topic (all, party, government, ...)
    topics/<topic>/<n>.html             its older articles, PER_PAGE a page (n = 2, 3, ...)
    articles/<id>.html                  one page per article
    tags/<tag>.html                     tag pages, for tags shared by >= 2 articles
    tags/<tag>/<n>.html                 and their further pages, like topics
    feeds/<topic>.rss|.atom|.json       the newest `feed_limit` items of a topic
    feeds/<topic>/archive/<n>.<fmt>     RFC 5005 archived feeds, n = 1 is the oldest
    tags/<tag>.rss|.atom|.json          per-tag feeds
    tags/<tag>/archive/<n>.<fmt>        and their archives
    feeds.opml                          every topic feed, to subscribe at once
    static/style.css, copy.js, favicon.svg   stylesheet, copy-URL button script, icon
    search?q=...                        search results (Flask app only; see feeds.search)

Dictionary keys are file-system paths (a tag stays Chinese: `tags/五城.rss`); URLs
percent-encode each segment (`tags/%E4%BA%94%E5%9F%8E.rss`), see `url_path`. HTML pages link
relatively (they work from any base path); feeds and OPML use absolute URLs.

Archive rule: a feed document holds at most `feed_limit` items and, beyond its first item, at
most `feed_max_bytes` of estimated item size (render.estimated_size), so every feed stays well
under 1 MB. The current feed takes the newest items; the rest are cut, oldest first, into
archive pages; page 1 holds the oldest items, so older archive pages never change when new items
arrive (only the newest archive page fills up). Archive pages link to their neighbours
(prev-archive = older, next-archive = newer; the newest page's next-archive is the current feed)
and to the current feed (`current`); topic and tag feeds alike.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import xml.etree.ElementTree as ET
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, partial
from itertools import accumulate
from operator import attrgetter
from urllib.parse import quote, urlsplit

from feeds.errors import ConfigError
from feeds.model import Item, Page, Problem, Topic

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_ID_PREFIX = "tag:feeds.localhost,2024:"
FORMATS = ("rss", "atom", "json")
ALL = "all"
_MEDIA_BY_EXT = {
    "html": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "opml": "text/x-opml; charset=utf-8",
    "js": "text/javascript; charset=utf-8",  # nosniff: a script needs a script type
    "svg": "image/svg+xml",
}
# RFC 4151: tag:<DNS name or e-mail>,<YYYY[-MM[-DD]]>:<specific> - the prefix of item ids.
_TAG_PREFIX = re.compile(
    r"tag:(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|[^\s@:,]+@[A-Za-z0-9.-]+)"
    r",\d{4}(?:-\d{2}(?:-\d{2})?)?:[A-Za-z0-9._~!$&'()*+,;=:@/?%-]*"
)
# A tag becomes a file name: no separators, no control characters, no leading dot.
_SAFE_TAG = re.compile(r"[^\x00-\x1f\x7f/\\.][^\x00-\x1f\x7f/\\]{0,49}")


@dataclass(frozen=True)
class SiteConfig:
    """Everything that shapes the site besides the items themselves."""

    base_url: str = DEFAULT_BASE_URL  # absolute; feeds and OPML link with it
    id_prefix: str = DEFAULT_ID_PREFIX  # item ids never depend on base_url
    feed_limit: int = 50  # items per feed document (current and archive pages)
    feed_max_bytes: int = 512 * 1024  # estimated item bytes per feed document (see archives)
    ttl_minutes: int = 30  # RSS <ttl> and HTTP Cache-Control max-age
    title: str = "今日衢江"
    description: str = "今日衢江报纸版面的分类订阅源：党委会议、政府工作、志愿服务。"
    min_tag_articles: int = 2  # a tag gets a feed when this many articles carry it
    # Pages show a search form. Only the Flask app can answer /search; a static export has
    # no server to search with, so it leaves the form out rather than show a dead one.
    search: bool = False

    def __post_init__(self) -> None:
        url = self.base_url.rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"base URL must be absolute http(s), got {self.base_url!r}")
        if parts.query or parts.fragment:
            raise ConfigError(f"base URL must not have a query or fragment: {self.base_url!r}")
        if self.feed_limit < 1 or self.ttl_minutes < 1:
            raise ConfigError("feed limit and ttl must be at least 1")
        if self.feed_max_bytes < 1:
            raise ConfigError("feed size budget must be at least 1 byte")
        if not _TAG_PREFIX.fullmatch(self.id_prefix):
            raise ConfigError(
                f"id prefix must be a tag: URI prefix (RFC 4151) such as "
                f"'tag:example.org,2024:', got {self.id_prefix!r}"
            )
        object.__setattr__(self, "base_url", url)

    @cached_property
    def digest(self) -> str:
        """A digest of every setting, for target keys (cheaper than their repr each time)."""
        return hashlib.blake2b(repr(self).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Collection:
    """What a build publishes: parsed pages, their items (newest first), topics, problems."""

    pages: tuple[Page, ...] = ()
    items: tuple[Item, ...] = ()
    topics: tuple[Topic, ...] = ()  # from the classifier, without the pseudo topic `all`
    problems: tuple[Problem, ...] = ()
    # Item id -> render.estimated_size, where the collector already knows it (a lean
    # collection's bodies stay in the store: measuring them again would read every one).
    sizes: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    # Item id -> digest of everything the item shows besides its id, times and classes (a
    # lean collection's: see item_digest); empty: items are digested whole (DigestMemo).
    shown: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    # Page path -> its mark in the store (feeds.store.Store.load), as loaded (a store's
    # collection): what feeds.delta's index remembers of the pages.
    marks: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Channel:
    """A stream of items published as feeds: a topic (incl. `all`) or a tag."""

    kind: str  # "topic" | "tag"
    key: str  # topic slug or tag text
    title: str  # Chinese display name (党委会议, or the tag itself)
    description: str
    items: tuple[Item, ...] = field(repr=False)

    @property
    def feed_base(self) -> str:
        """Path of the current feed without extension."""
        return f"feeds/{self.key}" if self.kind == "topic" else f"tags/{self.key}"

    @property
    def html_path(self) -> str:
        return f"topics/{self.key}.html" if self.kind == "topic" else f"tags/{self.key}.html"

    @property
    def slug(self) -> str:
        """Feed identity for render.feed_id: the topic slug, or "tag:<tag>"."""
        return self.key if self.kind == "topic" else f"tag:{self.key}"


@dataclass(frozen=True)
class Target:
    """One file of the site: its path, how to make its bytes, when its content last changed."""

    path: str
    make: Callable[[], bytes] = field(repr=False, compare=False)
    modified: datetime | None = None
    # A digest of everything the bytes depend on, where cheap to compute (None: unknown).
    # feeds.publish.publish does not render a target whose key equals the key its current
    # file was written with; a key that misses an input leaves that file stale.
    key: str | None = field(default=None, compare=False)


# -- channels -------------------------------------------------------------------------------


def topic_channels(collection: Collection, config: SiteConfig) -> list[Channel]:
    """`all` first, then every classifier topic in its configured order (even when empty)."""
    chans = [all_channel(collection.items, config)]
    for topic in collection.topics:
        if topic.slug == ALL:
            continue
        items = tuple(it for it in collection.items if in_topic(it, topic.slug))
        chans.append(Channel("topic", topic.slug, topic.title, topic.description, items))
    return chans


def in_topic(item: Item, slug: str) -> bool:
    """An item belongs to its primary topic and to every secondary topic it matched."""
    return slug == ALL or item.primary_topic == slug or slug in item.topics


def tag_channels(collection: Collection, config: SiteConfig) -> list[Channel]:
    """Tags carried by at least `min_tag_articles` items, most frequent first, then by name."""
    by_tag: dict[str, list[Item]] = {}  # one pass over the items, in their order
    for it in collection.items:
        for tag in dict.fromkeys(it.tags):
            by_tag.setdefault(tag, []).append(it)
    tags = [t for t, its in by_tag.items() if len(its) >= config.min_tag_articles]
    tags = [t for t in tags if is_safe_tag(t)]
    tags.sort(key=lambda t: (-len(by_tag[t]), t))
    return [tag_channel(tag, tuple(by_tag[tag]), config) for tag in tags]


def all_channel(items: Sequence[Item], config: SiteConfig) -> Channel:
    return Channel("topic", ALL, "全部", f"{config.title}全部文章", items)  # type: ignore[arg-type]


def tag_channel(tag: str, items: Sequence[Item], config: SiteConfig) -> Channel:
    return Channel("tag", tag, tag, f"{config.title}标签“{tag}”的文章", items)  # type: ignore[arg-type]


def is_safe_tag(tag: str) -> bool:
    """A tag that can be a file name and a single URL segment."""
    return bool(_SAFE_TAG.fullmatch(tag)) and tag.strip() == tag


def channels(collection: Collection, config: SiteConfig) -> list[Channel]:
    return topic_channels(collection, config) + tag_channels(collection, config)


Sizer = Callable[[Item], int]


def item_digest(
    item_id: str,
    published: datetime | None,
    updated: datetime | None,
    primary: str,
    topics: Sequence[str],
    tags: Sequence[str],
    shown: str,
) -> str:
    """The digest of an item whose article, summary and size are digested in `shown`
    (Collection.shown): what an incremental build (feeds.delta) keeps per item, and what a
    full build of the same collection computes, so both make the same target keys."""
    text = "\x1f".join(
        (
            item_id,
            published.isoformat() if published else "",
            updated.isoformat() if updated else "",
            primary,
            "\x1e".join(topics),
            "\x1e".join(tags),
            shown,
        )
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class DigestMemo(dict):
    """A digest of everything an item shows (id, times, topics, tags, the whole article),
    computed once per item object: the part of a target key that the item contributes.
    Call it with an item; the dict maps id(item) -> digest (the collection keeps every item
    alive while the memo is in use). With `shown` (Collection.shown), an item is digested
    by item_digest."""

    def __init__(self, shown: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.shown = shown or {}

    def __call__(self, item: Item) -> str:
        key = id(item)
        digest = self.get(key)
        if digest is None:
            shown = self.shown.get(item.id)
            if shown is None:
                digest = hashlib.blake2b(repr(item).encode(), digest_size=16).hexdigest()
            else:
                digest = item_digest(
                    item.id,
                    item.published,
                    item.updated,
                    item.primary_topic,
                    item.topics,
                    item.tags,
                    shown,
                )
            self[key] = digest
        return digest

    def joined(self, items: Sequence[Item]) -> str:
        """The items' digests, concatenated in order."""
        try:
            return "".join(map(self.__getitem__, map(id, items)))  # all known: no Python loop
        except KeyError:
            return "".join(map(self, items))


def target_key(salt: str, *parts: object) -> str:
    """A Target.key: a digest of `salt` (the renderer's version) and every input of a file.
    Parts are plain values (strings, numbers, tuples, frozen dataclasses without items);
    their repr is deterministic."""
    return hashlib.blake2b(repr((salt, parts)).encode(), digest_size=20).hexdigest()


@dataclass(frozen=True)
class Keys:
    """What target keys are made of: the renderer version (`salt`) and item digests. A plan
    without Keys has no keys (every file is rendered, as the web app does)."""

    salt: str
    digest: DigestMemo = field(default_factory=DigestMemo, compare=False)

    def key(self, *parts: object) -> str:
        return target_key(self.salt, *parts)

    def items(self, items: Sequence[Item]) -> str:
        """One digest of the items' digests, in order."""
        joined = self.digest.joined(items)
        return hashlib.blake2b(joined.encode(), digest_size=20).hexdigest()


def size_memo(known: Mapping[str, int] | None = None) -> Sizer:
    """render.estimated_size, computed once per item object (an item is in many feeds), or
    taken from `known` (item id -> size, see Collection.sizes)."""
    from feeds.render import estimated_size

    sizes: dict[int, int] = {}
    known = known or {}

    def size(item: Item) -> int:
        key = id(item)  # the collection keeps every item alive while the memo is in use
        if key not in sizes:
            hint = known.get(item.id)
            sizes[key] = estimated_size(item) if hint is None else hint
        return sizes[key]

    return size


def fitting(
    items: Sequence[Item], limit: int, max_bytes: int | None = None, size: Sizer | None = None
) -> int:
    """How many of `items`, taken in order, fit into one feed document: at most `limit`, and
    beyond the first item at most `max_bytes` of estimated size (render.estimated_size)."""
    if max_bytes is None:
        return min(limit, len(items))
    if size is None:
        from feeds.render import estimated_size as size
    totals = list(accumulate(map(size, items[:limit])))  # sizes are >= 0: ascending
    return bisect_right(totals, max_bytes, lo=1) if totals else 0


def archive_chunks(
    items: Sequence[Item], limit: int, max_bytes: int | None = None, size: Sizer | None = None
) -> tuple[tuple[Item, ...], list[tuple[Item, ...]]]:
    """Split newest-first items into the current page and archive pages (index 0 = oldest).

    The current page takes the newest items that fit (see `fitting`); the others fill archive
    pages from the oldest on, so a page's boundaries never move when news arrives. Every page
    is newest first, like the current feed.
    """
    k = fitting(items, limit, max_bytes, size)
    current = tuple(items[:k])
    older = items[k:][::-1]  # oldest first
    archives = []
    if max_bytes is None:
        bounds = [(a, min(a + limit, len(older))) for a in range(0, len(older), limit)]
    else:
        bounds = _chunk_bounds(older, limit, max_bytes, size)
    for start, end in bounds:
        archives.append(tuple(older[start:end][::-1]))
    return current, archives


def _chunk_bounds(
    older: Sequence[Item], limit: int, max_bytes: int, size: Sizer | None
) -> list[tuple[int, int]]:
    """`fitting` applied from each page's first item on, as (start, end) slices of `older`,
    from one running total of the sizes (a binary search per page, not a sum per item)."""
    if size is None:
        from feeds.render import estimated_size as size
    totals = list(accumulate(map(size, older)))  # ascending: sizes are >= 0
    bounds = []
    start, base, n = 0, 0, len(totals)
    while start < n:
        # fitting: at most `limit` items, the first always, the rest while the page's total
        # (the running total less `base`, what the pages before hold) is <= max_bytes
        end = bisect_right(totals, base + max_bytes, start + 1, min(start + limit, n))
        bounds.append((start, end))
        base, start = totals[end - 1], end
    return bounds


_published, _updated = attrgetter("published"), attrgetter("updated")


def newest(items: Iterable[Item]) -> datetime | None:
    """The latest publication or update time of the items (a file's Last-Modified)."""
    items = items if isinstance(items, Sequence) else list(items)
    # filter(None, ...) keeps every datetime (always true) and drops None: loops in C
    times = [
        max(filter(None, map(_published, items)), default=None),
        max(filter(None, map(_updated, items)), default=None),
    ]
    return max(filter(None, times), default=None)


# -- URLs -----------------------------------------------------------------------------------


def url_path(path: str) -> str:
    """Percent-encode each segment of a site path (UTF-8), keeping the slashes."""
    return "/".join(quote(seg, safe="") for seg in path.split("/"))


def absolute(config: SiteConfig, path: str) -> str:
    return f"{config.base_url}/{url_path(path)}"


def media_type(path: str) -> str:
    """The Content-Type a file is served with, from its extension."""
    from feeds.render import MEDIA_TYPES

    ext = path.rsplit(".", 1)[-1]
    return MEDIA_TYPES.get(ext) or _MEDIA_BY_EXT.get(ext, "application/octet-stream")


def is_feed(path: str) -> bool:
    return path.rsplit(".", 1)[-1] in FORMATS and not path.startswith("static/")


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip (no timestamp, no file name): same input, same bytes. Level 6
    (zlib's default): on feeds and pages its output is within 0.2% of level 9's, made in a
    third of the time (every file of a build is compressed)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


# -- feeds ----------------------------------------------------------------------------------


def feed_spec(
    channel: Channel,
    config: SiteConfig,
    fmt: str,
    *,
    archive: int | None = None,
    n_archives: int = 0,
    self_url: str | None = None,
    title_suffix: str = "",
    query: str = "",
):
    """The FeedSpec of a channel's current feed (archive=None) or of archive page `archive`.

    `query` (an encoded query string) is appended to the archive links, so that walking a
    filtered archive page's neighbours keeps the filter.
    """
    from feeds.render import FeedSpec

    tail = f"?{query}" if query else ""

    def archive_url(n: int) -> str:
        return absolute(config, archive_path(channel, n, fmt)) + tail

    title = (
        f"{config.title} · {channel.title}"
        if channel.kind == "topic"
        else (f"{config.title} · 标签:{channel.title}")
    )
    current_url = absolute(config, f"{channel.feed_base}.{fmt}")
    if archive is None:
        prev_url = archive_url(n_archives) if n_archives else None
        next_url = None
        url = current_url
    else:
        title += f" · 存档第{archive}页"
        prev_url = archive_url(archive - 1) if archive > 1 else None
        # The newest archive page's successor is the current feed (RFC 5005 readers walk
        # prev-archive; a next link on every page also keeps a lone page from looking cut off).
        next_url = archive_url(archive + 1) if archive < n_archives else current_url + tail
        url = archive_url(archive)
    return FeedSpec(
        slug=channel.slug,
        title=title + title_suffix,
        description=channel.description or title,
        site_url=config.base_url,
        html_url=absolute(config, channel.html_path),
        self_url=self_url or url,
        id_prefix=config.id_prefix,
        ttl_minutes=config.ttl_minutes,
        prev_archive_url=prev_url,
        next_archive_url=next_url,
        current_url=current_url + tail if archive is not None else None,
        is_archive=archive is not None,
        publisher=config.title,
    )


def topic_titles(collection: Collection) -> dict[str, str]:
    """Topic slug -> Chinese title, for category labels."""
    return titles_of(collection.topics)


def titles_of(topics: Iterable[Topic]) -> dict[str, str]:
    return {ALL: "全部"} | {t.slug: t.title for t in topics}


def feed_time(items: Sequence[Item]) -> datetime:
    """When a feed document last changed: its Atom `updated` / RSS lastBuildDate, i.e. the
    newest item time (a fixed early time for a feed without dated items, see feeds.render)."""
    from feeds.render import last_changed

    return last_changed(items)


def archive_path(channel: Channel, n: int, fmt: str) -> str:
    """Site path of archive page n (1 = oldest) of a topic or tag feed."""
    return f"{channel.feed_base}/archive/{n}.{fmt}"


Lazy = Callable[[Sequence[Item]], Sequence[Item]]  # items as planned -> items to render


@dataclass
class Settled:
    """For feeds.delta: the oldest `unchanged` items of a channel are the same as when its
    files were last written (same items, same digests), and were beyond its current page
    then. Archive and listing pages are cut from the oldest item on, so a page made of them
    only, with an unchanged item after it (the next page's first: it decides where a page
    ends), and at least MARGIN pages below the newest (whose links and pager do not reach
    it) has the same bytes as before: it is left out of the plan, its paths go to `left`."""

    unchanged: int
    left: list[str] = field(default_factory=list)
    MARGIN = 4

    def count(self, older: Sequence[Sequence[Item]]) -> int:
        """How many of the oldest pages `older` (oldest first) are settled."""
        covered = n = 0
        for chunk in older:
            covered += len(chunk)
            if covered >= self.unchanged:
                break
            n += 1
        return max(0, n - self.MARGIN)


def feed_targets(
    channel: Channel,
    config: SiteConfig,
    titles: dict,
    size: Sizer | None = None,
    keys: Keys | None = None,
    memo: object | None = None,
    lazy: Lazy | None = None,
    settled: Settled | None = None,
) -> list[Target]:
    """Current feed (all formats) plus its RFC 5005 archive pages, for topics and tags; the
    formats of one page are adjacent (they render the same items).

    With `keys`, each target's key digests what its spec is made of (links included), its
    items and the topic titles: an archive page whose items and neighbours did not change
    keeps its key. The spec itself is made when the file is rendered (a plan stays small).
    `lazy` turns planned items (feeds.delta's index rows) into the items rendered;
    `settled` leaves out the oldest archive pages that cannot have changed (see Settled)."""
    current, archives = archive_chunks(
        channel.items, config.feed_limit, config.feed_max_bytes, size
    )
    skip = settled.count(archives) if settled else 0
    if skip:
        settled.left.extend(
            archive_path(channel, n, fmt) for n in range(1, skip + 1) for fmt in FORMATS
        )
    pages = [(None, current), *list(enumerate(archives, start=1))[skip:]]
    head = (channel.kind, channel.key, channel.title, channel.description)
    titles_key = tuple(sorted(titles.items())) if keys else ()
    n_archives = len(archives)
    targets = []
    for n, chunk in pages:
        digests = keys.items(chunk) if keys else ()
        when = feed_time(chunk)
        # what the links show: the current page points at the newest archive page, an
        # archive page at its neighbours (the newest one at the current feed)
        links = n_archives if n is None else n == n_archives
        shown = chunk if lazy is None else lazy(chunk)
        for fmt in FORMATS:
            path = f"{channel.feed_base}.{fmt}" if n is None else archive_path(channel, n, fmt)
            key = (
                keys.key(path, head, fmt, n, links, config.digest, titles_key, digests)
                if keys
                else None
            )
            make = partial(_render_page, channel, config, fmt, n, n_archives, shown, titles, memo)
            targets.append(Target(path, make, when, key=key))
    return targets


def _render_page(
    channel: Channel,
    config: SiteConfig,
    fmt: str,
    n: int | None,
    n_archives: int,
    items: Sequence[Item],
    titles: dict,
    memo: object | None = None,
) -> bytes:
    from feeds.render import render

    spec = feed_spec(channel, config, fmt, archive=n, n_archives=n_archives)
    return render(spec, items, fmt, topic_titles=titles, memo=memo)  # type: ignore[arg-type]


def select_items(
    items: Sequence[Item],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    limit: int | None = None,
) -> tuple[Item, ...]:
    """RSSHub-style selection: keep items whose title or body matches every `include` value
    and no `exclude` value; then the first `limit`.

    A value matches when the text contains any of its `|`-separated alternatives
    (`filter=党委|政府`, as in RSSHub); repeating `filter` narrows further. Alternatives are
    plain substrings compared case-insensitively, never regular expressions.
    """
    inc = [alts for alts in map(_alternatives, include) if alts]
    exc = [w for value in exclude for w in _alternatives(value)]
    out = []
    for item in items:
        text = searchable_text(item)
        if not all(any(w in text for w in alts) for alts in inc):
            continue
        if any(w in text for w in exc):
            continue
        out.append(item)
        if limit is not None and len(out) >= limit:
            break
    return tuple(out)


def _alternatives(value: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in value.split("|") if w)


def searchable_text(item: Item) -> str:
    a = item.article
    parts = [a.pretitle or "", a.title, a.subtitle or "", a.body]
    return "\n".join(parts).casefold()


def render_selection(
    channel: Channel,
    config: SiteConfig,
    fmt: str,
    self_url: str,
    *,
    limit: int | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    titles: dict[str, str] | None = None,
    archive: tuple[int, tuple[Item, ...], int] | None = None,
    query: str = "",
) -> tuple[bytes, datetime]:
    """A filtered feed (for ?limit=&filter=&filterout=), with its own self link.

    On a current feed the selection runs over the channel's whole history and the result
    carries no archive links (it is a view, not the channel). With `archive` = (page number,
    page items, number of pages) it runs over that archive page, whose links then carry the
    same `query`. At most `feed_limit` items and the size budget, like every feed.
    """
    from feeds.render import render

    limit = min(limit or config.feed_limit, config.feed_limit)
    pool = channel.items if archive is None else archive[1]
    items = select_items(pool, include, exclude, limit)
    items = items[: fitting(items, limit, config.feed_max_bytes)]
    words = [f"含“{w}”" for w in include if w] + [f"不含“{w}”" for w in exclude if w]
    suffix = f" · {' '.join(words)}" if words else ""
    spec = feed_spec(
        channel,
        config,
        fmt,
        archive=archive[0] if archive else None,
        n_archives=archive[2] if archive else 0,
        self_url=self_url,
        title_suffix=suffix,
        query=query if archive else "",
    )
    return render(spec, items, fmt, topic_titles=titles), feed_time(items)


# -- OPML -----------------------------------------------------------------------------------


def opml(chans: Sequence[Channel], config: SiteConfig) -> bytes:
    """OPML 2.0 listing every topic feed (RSS), so a reader can subscribe to all at once."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"{config.title} 订阅源"
    ET.SubElement(head, "ownerId").text = absolute(config, "index.html")
    body = ET.SubElement(root, "body")
    for ch in chans:
        if ch.kind != "topic":
            continue
        ET.SubElement(
            body,
            "outline",
            type="rss",
            text=f"{config.title} · {ch.title}",
            title=f"{config.title} · {ch.title}",
            xmlUrl=absolute(config, f"{ch.feed_base}.rss"),
            htmlUrl=absolute(config, ch.html_path),
        )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def opml_target(
    chans: Sequence[Channel], config: SiteConfig, last: datetime | None, keys: Keys | None
) -> Target:
    """feeds.opml: the topic feeds (`last`: the newest item time)."""
    nav = tuple((c.key, c.title) for c in chans if c.kind == "topic")
    key = (
        keys.key("feeds.opml", config.digest, nav, last.isoformat() if last else None)
        if keys
        else None
    )
    return Target("feeds.opml", lambda: opml(chans, config), last, key)


# -- the whole site -------------------------------------------------------------------------


def plan(collection: Collection, config: SiteConfig, keys: Keys | None = None) -> list[Target]:
    """Every file of the site, not yet rendered, in a deterministic order (newest first).

    With `keys` (the static export), feeds, listing and article pages carry a key: a digest
    of everything they show, so feeds.publish skips rendering those whose key is unchanged."""
    # Imported here: feeds.pages builds on this module's channels and targets (an import at
    # the top would be circular), and jinja2 loads only when pages are planned.
    from feeds.pages import html_targets, static_targets

    chans = channels(collection, config)
    last = newest(collection.items)
    titles = topic_titles(collection)
    targets: list[Target] = []
    size = size_memo(collection.sizes)
    from feeds.render import EntryMemo

    memo = EntryMemo()
    if keys is not None and collection.shown:
        keys = Keys(keys.salt, DigestMemo(collection.shown))
    for chan in chans:
        targets.extend(feed_targets(chan, config, titles, size, keys, memo))
    targets.append(opml_target(chans, config, last, keys))
    targets.extend(html_targets(collection, config, chans, keys))
    targets.extend(static_targets(keys))
    return newest_first(targets)


def newest_first(targets: list[Target]) -> list[Target]:
    """Targets newest first, across channels: the documents that show an item (its feeds,
    archive and listing pages, its article page) are made close together, while its feed
    entries and body are still in the memos (EntryMemo, feeds.store.Bodies). Stable:
    deterministic."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    targets.sort(key=lambda t: t.modified or epoch, reverse=True)
    return targets


def build_site(collection: Collection, config: SiteConfig | None = None) -> dict[str, bytes]:
    """Render every file of the site: relative path -> bytes."""
    return {t.path: t.make() for t in plan(collection, config or SiteConfig())}


def site_times(collection: Collection, config: SiteConfig | None = None) -> dict[str, datetime]:
    """When each file's content last changed: the newest published time of its items.

    A rebuild of the same input gives the same times (used for Last-Modified and file mtimes).
    """
    return {
        t.path: t.modified
        for t in plan(collection, config or SiteConfig())
        if t.modified is not None
    }
