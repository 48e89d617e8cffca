"""PURE: a collection of items -> every file of the site, as bytes keyed by relative path.

The static export (`feeds build`) writes these files; the web app serves the same bytes from
memory. No files, no clock: two calls with the same collection and config give identical bytes.

URL map (paths relative to the base URL):

    index.html                          the index page (also served at /)
    topics/<topic>.html                 one page per topic (all, party, government, ...)
    articles/<id>.html                  one page per article
    tags/<tag>.html                     tag pages, for tags shared by >= 2 articles
    feeds/<topic>.rss|.atom|.json       the newest `feed_limit` items of a topic
    feeds/<topic>/archive/<n>.<fmt>     RFC 5005 archived feeds, n = 1 is the oldest
    tags/<tag>.rss|.atom|.json          per-tag feeds
    feeds.opml                          every topic feed, to subscribe at once
    static/style.css                    the stylesheet

Dictionary keys are file-system paths (a tag stays Chinese: `tags/五城.rss`); URLs
percent-encode each segment (`tags/%E4%BA%94%E5%9F%8E.rss`), see `url_path`. HTML pages link
relatively (they work from any base path); feeds and OPML use absolute URLs.

Archive rule: the items that do not fit into the current feed are cut, oldest first, into pages
of `feed_limit` items; page 1 holds the oldest items, so older archive pages never change when
new items arrive (only the newest archive page fills up).
"""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from urllib.parse import quote, urlsplit

from feeds.errors import ConfigError
from feeds.model import Item, Page, Problem, Topic

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_ID_PREFIX = "tag:feeds.localhost,2024:"
FORMATS = ("rss", "atom", "json")
ALL = "all"
STATIC_FILES = ("style.css",)
LATEST_ON_INDEX = 20
TOP_TAGS = 30

FORMAT_NAMES = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
# Types used in <link rel="alternate"> (no charset parameter there).
LINK_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
_MEDIA_BY_EXT = {
    "html": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "opml": "text/x-opml; charset=utf-8",
}
# A tag becomes a file name: no separators, no control characters, no leading dot.
_SAFE_TAG = re.compile(r"[^\x00-\x1f\x7f/\\.][^\x00-\x1f\x7f/\\]{0,49}")


@dataclass(frozen=True)
class SiteConfig:
    """Everything that shapes the site besides the items themselves."""

    base_url: str = DEFAULT_BASE_URL  # absolute; feeds and OPML link with it
    id_prefix: str = DEFAULT_ID_PREFIX  # item ids never depend on base_url
    feed_limit: int = 50  # items per feed document (current and archive pages)
    ttl_minutes: int = 30  # RSS <ttl> and HTTP Cache-Control max-age
    title: str = "今日衢江"
    description: str = "今日衢江报纸版面的分类订阅源:党委会议、政府工作、志愿服务。"
    min_tag_articles: int = 2  # a tag gets a feed when this many articles carry it

    def __post_init__(self) -> None:
        url = self.base_url.rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"base URL must be absolute http(s), got {self.base_url!r}")
        if parts.query or parts.fragment:
            raise ConfigError(f"base URL must not have a query or fragment: {self.base_url!r}")
        if self.feed_limit < 1 or self.ttl_minutes < 1:
            raise ConfigError("feed limit and ttl must be at least 1")
        object.__setattr__(self, "base_url", url)


@dataclass(frozen=True)
class Collection:
    """What a build publishes: parsed pages, their items (newest first), topics, problems."""

    pages: tuple[Page, ...] = ()
    items: tuple[Item, ...] = ()
    topics: tuple[Topic, ...] = ()  # from the classifier, without the pseudo topic `all`
    problems: tuple[Problem, ...] = ()


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


# -- channels -------------------------------------------------------------------------------


def topic_channels(collection: Collection, config: SiteConfig) -> list[Channel]:
    """`all` first, then every classifier topic in its configured order (even when empty)."""
    chans = [
        Channel("topic", ALL, "全部", f"{config.title}全部文章", collection.items),
    ]
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
    counts = Counter(tag for it in collection.items for tag in dict.fromkeys(it.tags))
    tags = [t for t, n in counts.items() if n >= config.min_tag_articles and is_safe_tag(t)]
    tags.sort(key=lambda t: (-counts[t], t))
    return [
        Channel(
            "tag",
            tag,
            tag,
            f"{config.title}标签“{tag}”的文章",
            tuple(it for it in collection.items if tag in it.tags),
        )
        for tag in tags
    ]


def is_safe_tag(tag: str) -> bool:
    """A tag that can be a file name and a single URL segment."""
    return bool(_SAFE_TAG.fullmatch(tag)) and tag.strip() == tag


def channels(collection: Collection, config: SiteConfig) -> list[Channel]:
    return topic_channels(collection, config) + tag_channels(collection, config)


def archive_chunks(items: Sequence[Item], limit: int) -> tuple[tuple[Item, ...], list]:
    """Split newest-first items into the current page and archive pages (index 0 = oldest).

    Every page is newest first, like the current feed.
    """
    current = tuple(items[:limit])
    older = list(reversed(items[limit:]))  # oldest first
    archives = [tuple(reversed(older[i : i + limit])) for i in range(0, len(older), limit)]
    return current, archives


def newest(items: Iterable[Item]) -> datetime | None:
    times = [it.published for it in items if it.published is not None]
    return max(times) if times else None


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
    """Deterministic gzip (no timestamp, no file name): same input, same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


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
):
    """The FeedSpec of a channel's current feed (archive=None) or of archive page `archive`."""
    from feeds.render import FeedSpec

    def archive_url(n: int) -> str:
        return absolute(config, f"feeds/{channel.key}/archive/{n}.{fmt}")

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
        next_url = archive_url(archive + 1) if archive < n_archives else None
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
        current_url=current_url if archive is not None else None,
        is_archive=archive is not None,
        publisher=config.title,
    )


def _render(spec, items: Sequence[Item], fmt: str, titles: dict) -> Callable[[], bytes]:
    from feeds.render import render

    return lambda: render(spec, items, fmt, topic_titles=titles)


def topic_titles(collection: Collection) -> dict[str, str]:
    """Topic slug -> Chinese title, for category labels."""
    return {ALL: "全部"} | {t.slug: t.title for t in collection.topics}


def feed_targets(channel: Channel, config: SiteConfig, titles: dict) -> list[Target]:
    """Current feed (all formats) plus archives; tag feeds carry no archives (they are small)."""
    limit = config.feed_limit
    if channel.kind == "topic":
        current, archives = archive_chunks(channel.items, limit)
    else:
        current, archives = channel.items[:limit], []
    targets = []
    for fmt in FORMATS:
        spec = feed_spec(channel, config, fmt, n_archives=len(archives))
        targets.append(
            Target(
                f"{channel.feed_base}.{fmt}", _render(spec, current, fmt, titles), newest(current)
            )
        )
        for n, chunk in enumerate(archives, start=1):
            spec = feed_spec(channel, config, fmt, archive=n, n_archives=len(archives))
            path = f"feeds/{channel.key}/archive/{n}.{fmt}"
            targets.append(Target(path, _render(spec, chunk, fmt, titles), newest(chunk)))
    return targets


def select_items(
    items: Sequence[Item],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    limit: int | None = None,
) -> tuple[Item, ...]:
    """RSSHub-style selection: keep items whose title or body contains any `include` word
    (all items when none is given) and none of the `exclude` words; then the first `limit`.

    Words are plain substrings, compared case-insensitively; never regular expressions.
    """
    inc = [w.casefold() for w in include if w]
    exc = [w.casefold() for w in exclude if w]
    out = []
    for item in items:
        text = searchable_text(item)
        if inc and not any(w in text for w in inc):
            continue
        if any(w in text for w in exc):
            continue
        out.append(item)
        if limit is not None and len(out) >= limit:
            break
    return tuple(out)


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
) -> tuple[bytes, datetime | None]:
    """A filtered feed of a channel (for ?limit=&filter=&filterout=), with its own self link."""
    from feeds.render import render

    limit = min(limit or config.feed_limit, config.feed_limit)
    items = select_items(channel.items, include, exclude, limit)
    words = [f"含“{w}”" for w in include if w] + [f"不含“{w}”" for w in exclude if w]
    suffix = f" · {' '.join(words)}" if words else ""
    spec = feed_spec(channel, config, fmt, self_url=self_url, title_suffix=suffix)
    return render(spec, items, fmt, topic_titles=titles), newest(items)


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


# -- HTML -----------------------------------------------------------------------------------


@cache
def jinja_env():
    """The template environment: package templates, autoescape on for everything."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("feeds", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["segment"] = lambda s: quote(str(s), safe="")
    env.filters["zh_date"] = zh_date
    env.filters["iso"] = lambda dt: dt.isoformat() if dt else ""
    env.globals["url_path"] = url_path
    return env


def zh_date(value: datetime | None) -> str:
    """2024年2月19日 (the day in Asia/Shanghai, as stamped by feeds.group)."""
    if value is None:
        return "日期不详"
    return f"{value.year}年{value.month}月{value.day}日"


def render_html(template: str, path: str, **context) -> bytes:
    """Render a page; `root` is the relative prefix from `path` back to the site root."""
    root = "../" * path.count("/")
    return jinja_env().get_template(template).render(root=root, path=path, **context).encode()


def alternates(chan: Channel, config: SiteConfig, root: str) -> list[dict]:
    return [
        {
            "type": LINK_TYPES[fmt],
            "title": f"{config.title} · {chan.title} ({FORMAT_NAMES[fmt]})",
            "href": f"{root}{url_path(chan.feed_base)}.{fmt}",
        }
        for fmt in FORMATS
    ]


def html_targets(collection: Collection, config: SiteConfig, chans: list[Channel]) -> list[Target]:
    topics = tuple(c for c in chans if c.kind == "topic")
    tags = tuple(c for c in chans if c.kind == "tag")
    common = {
        "site": {"title": config.title, "description": config.description},
        "topics": topics,
        "titles": {c.key: c.title for c in topics},
        "tag_pages": frozenset(c.key for c in tags),
    }
    all_chan = topics[0]
    targets = [
        Target(
            "index.html",
            lambda: render_html(
                "index.html",
                "index.html",
                alternates=[a for c in topics for a in alternates(c, config, "")],
                latest=collection.items[:LATEST_ON_INDEX],
                tags=tags[:TOP_TAGS],
                **common,
            ),
            newest(collection.items),
        )
    ]
    for chan in chans:
        targets.append(_channel_page(chan, common, config))
    for item in collection.items:
        targets.append(_article_page(item, common, config, all_chan))
    return targets


def _channel_page(chan: Channel, common: dict, config: SiteConfig) -> Target:
    path = chan.html_path
    root = "../"
    return Target(
        path,
        lambda: render_html(
            "topic.html",
            path,
            channel=chan,
            alternates=alternates(chan, config, root),
            **common,
        ),
        newest(chan.items),
    )


def _article_page(item: Item, common: dict, config: SiteConfig, all_chan: Channel) -> Target:
    path = f"articles/{item.id}.html"
    topic_chans = [c for c in common["topics"] if c.key != ALL and c.key in _item_topics(item)]
    feeds_for = topic_chans or [all_chan]
    return Target(
        path,
        lambda: render_html(
            "article.html",
            path,
            item=item,
            article=item.article,
            item_topics=topic_chans,
            alternates=[a for c in feeds_for for a in alternates(c, config, "../")],
            **common,
        ),
        item.published,
    )


def _item_topics(item: Item) -> tuple[str, ...]:
    return tuple(dict.fromkeys((item.primary_topic, *item.topics)))


def static_targets() -> list[Target]:
    """Package assets; no item time (they change with releases, not with the news)."""
    pkg = resources.files("feeds") / "static"
    return [Target(f"static/{name}", (pkg / name).read_bytes) for name in STATIC_FILES]


# -- the whole site -------------------------------------------------------------------------


def plan(collection: Collection, config: SiteConfig) -> list[Target]:
    """Every file of the site, not yet rendered, in a deterministic order."""
    chans = channels(collection, config)
    last = newest(collection.items)
    titles = topic_titles(collection)
    targets: list[Target] = []
    for chan in chans:
        targets.extend(feed_targets(chan, config, titles))
    targets.append(Target("feeds.opml", lambda: opml(chans, config), last))
    targets.extend(html_targets(collection, config, chans))
    targets.extend(static_targets())
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
