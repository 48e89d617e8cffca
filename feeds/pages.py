"""PURE: the HTML pages of the site, rendered with Jinja from the collection's channels.

The index, one listing per topic and tag (PER_PAGE articles a page, with a pager), one page per
article, and the static assets. site.plan() adds these targets to the feeds; search.py renders
its result page with the same templates and context. The one module that imports jinja2 (lazily,
so `import feeds.cli` stays quick). HTML pages link relatively: they work from any base path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache, partial
from importlib import resources
from itertools import chain
from operator import attrgetter
from urllib.parse import quote

from feeds.model import Item
from feeds.site import (
    ALL,
    FORMATS,
    Channel,
    Collection,
    Keys,
    Lazy,
    Settled,
    SiteConfig,
    Target,
    absolute,
    newest,
    url_path,
)

STATIC_FILES = ("style.css", "copy.js", "favicon.svg")
LATEST_ON_INDEX = 20
TOP_TAGS = 30
PER_PAGE = 20  # articles per topic or tag listing page
CARD_HEADLINES = 3  # latest headlines on each topic card of the index

FORMAT_NAMES = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
# Types used in <link rel="alternate"> (no charset parameter there).
LINK_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}


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
    env.globals["page_path"] = page_path
    return env


def warm() -> None:
    """Compile every template and import the feed renderer now: render processes forked
    after this inherit them instead of each compiling its own (feeds.delta calls it while
    the new page is parsed in a child, feeds.build before a full publish)."""
    import feeds.render  # noqa: F401 - feedgen and lxml

    env = jinja_env()
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
        env.get_template(name)


def zh_date(value: datetime | None) -> str:
    """2024年2月19日 (the day in Asia/Shanghai, as stamped by feeds.group)."""
    if value is None:
        return "日期不详"
    return f"{value.year}年{value.month}月{value.day}日"


def render_html(template: str, path: str, **context) -> bytes:
    """Render a page; `root` is the relative prefix from `path` back to the site root."""
    root = "../" * path.count("/")
    return jinja_env().get_template(template).render(root=root, path=path, **context).encode()


def canonical(config: SiteConfig, path: str) -> str:
    """The absolute URL of a page; the index's is the site root itself."""
    return f"{config.base_url}/" if path == "index.html" else absolute(config, path)


def alternates(chan: Channel, config: SiteConfig, root: str) -> list[dict]:
    return [
        {
            "type": LINK_TYPES[fmt],
            "title": f"{config.title} · {chan.title} ({FORMAT_NAMES[fmt]})",
            "href": f"{root}{url_path(chan.feed_base)}.{fmt}",
        }
        for fmt in FORMATS
    ]


def page_path(chan: Channel, n: int | None) -> str:
    """A channel's listing page: the front page (n=None: topics/party.html, the newest
    PER_PAGE articles) or older page n (topics/party/1.html is the oldest)."""
    return chan.html_path if n is None else f"{chan.html_path.removesuffix('.html')}/{n}.html"


def paginate(
    items: Sequence[Item], per_page: int = PER_PAGE
) -> tuple[tuple[Item, ...], list[tuple[Item, ...]]]:
    """Newest-first items cut into the front page and the older pages (index 0 = page 1).

    The front page shows the newest `per_page` items; the others are cut into pages from the
    oldest on, like the feed archives: page 1 holds the oldest `per_page` items, page 2 the
    next, and only the newest older page may be short. A new article changes the front page
    and the newest older page; every other page keeps its items, number and bytes.
    Every page lists its items newest first.
    """
    front = tuple(items[:per_page])
    older = items[per_page:][::-1]  # oldest first
    pages = [tuple(reversed(older[i : i + per_page])) for i in range(0, len(older), per_page)]
    return front, pages


def pager_numbers(page_no: int | None, n_older: int, around: int = 2) -> list[int | None]:
    """The pager of a listing with `n_older` older pages, in display order (newest first):
    0 for the front page, then older page numbers descending; None marks a gap (…).

    It shows the front page, the oldest page (1), and `around` pages either side of the
    current one (the front page's neighbours are the newest older pages). Nothing else
    depends on how many pages there are, so an older page's pager stays put as news arrives
    unless the newest pages are within `around` of it.
    """
    if n_older == 0:
        return []
    here = n_older + 1 if page_no is None else page_no  # the front page sits above the newest
    near = range(max(1, here - around), min(n_older, here + around) + 1)
    shown = sorted({1, *near}, reverse=True)
    out: list[int | None] = [0]
    previous = n_older + 1
    for n in shown:
        if previous - n > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out


def common_context(config: SiteConfig, chans: Sequence[Channel]) -> dict:
    """Context every page template needs (masthead, topic titles, which tags have pages)."""
    topics = tuple(c for c in chans if c.kind == "topic")
    return {
        "site": {
            "title": config.title,
            "description": config.description,
            "search": config.search,
        },
        "topics": topics,
        "titles": {c.key: c.title for c in topics},
        "by_key": {c.key: c for c in topics},
        "tag_pages": frozenset(c.key for c in chans if c.kind == "tag"),
    }


def html_targets(
    collection: Collection, config: SiteConfig, chans: list[Channel], keys: Keys | None = None
) -> list[Target]:
    """The index, the listing pages of every channel and one page per article. With `keys`,
    listing and article pages carry a key (see site.plan): what they show, and nothing of
    the rest of the site, so one new article changes O(1) of these files."""
    common = common_context(config, chans)
    topics = common["topics"]
    tags = tuple(c for c in chans if c.kind == "tag")
    targets = [_index_page(collection.items, config, common, tags, keys)]
    for chan in chans:
        targets.extend(_channel_pages(chan, common, config, keys))
    by_key = {c.key: c for c in topics}
    order = {c.key: {it.id: n for n, it in enumerate(c.items)} for c in topics}
    for item in collection.items:
        home = by_key.get(item.primary_topic, topics[0])
        targets.append(_article_page(item, common, config, home, order[home.key], keys))
    return targets


def _page_key(
    keys: Keys | None, common: dict, config: SiteConfig, path: str, items: Sequence[Item], *parts
) -> str | None:
    """A listing or article page's key: its path, config, the masthead's topics, its items,
    which of their tags have pages, and `parts` (what else the page shows)."""
    if keys is None:
        return None
    nav = tuple(common["titles"].items())
    linked = tuple(
        sorted(common["tag_pages"].intersection(chain.from_iterable(it.tags for it in items)))
    )
    return keys.key(path, config.digest, nav, keys.items(items), linked, *parts)


_published, _source = attrgetter("published"), attrgetter("article.source")


def _index_page(
    items: Sequence[Item],
    config: SiteConfig,
    common: dict,
    tags: Sequence[Channel],
    keys: Keys | None = None,
    lazy: Lazy | None = None,
) -> Target:
    """The index shows a little of everything: its key digests every item and channel.
    `items`: the whole collection, newest first (feeds.delta passes its index rows)."""
    dated = list(filter(None, map(_published, items)))  # datetimes are true: None goes
    key = None
    if keys is not None:
        chans = tuple((c.kind, c.key, c.title, c.description, len(c.items)) for c in tags)
        topics = tuple((c.key, c.title, c.description, len(c.items)) for c in common["topics"])
        key = keys.key("index.html", config.digest, topics, chans, keys.items(items))
    latest = items[:LATEST_ON_INDEX]
    context = {
        "canonical": canonical(config, "index.html"),
        "alternates": [a for c in common["topics"] for a in alternates(c, config, "")],
        "latest": latest if lazy is None else lazy(latest),
        "tags": tags,
        "top_tags": TOP_TAGS,
        "headlines": CARD_HEADLINES,
        "total": len(items),
        "n_sources": len(set(map(_source, items))),
        "first": min(dated, default=None),
        "last": max(dated, default=None),
        "query": "",
    }
    return Target(
        "index.html",
        lambda: render_html("index.html", "index.html", **context, **common),
        newest(items),
        key,
    )


def _channel_pages(
    chan: Channel,
    common: dict,
    config: SiteConfig,
    keys: Keys | None = None,
    lazy: Lazy | None = None,
    settled: Settled | None = None,
) -> list[Target]:
    """A topic's or tag's listing: the front page and the older pages (see paginate);
    `settled` leaves out the oldest that cannot have changed (feeds.delta)."""
    front, older = paginate(chan.items)
    total = len(chan.items)
    head = (chan.kind, chan.key, chan.title, chan.description)
    targets = []
    skip = settled.count(older) if settled else 0
    if skip:
        settled.left.extend(page_path(chan, n) for n in range(1, skip + 1))
    for n, chunk in [(None, front), *list(enumerate(older, start=1))[skip:]]:
        path = page_path(chan, n)
        scalars = _listing_scalars(n, len(older), len(chunk), total)
        key = _page_key(keys, common, config, path, chunk, head, tuple(scalars.values()))
        shown = chunk if lazy is None else lazy(chunk)
        make = partial(_render_listing, chan, common, config, path, shown, scalars)
        targets.append(Target(path, make, newest(chunk), key))
    return targets


def _listing_scalars(n: int | None, n_older: int, size: int, total: int) -> dict:
    """What a listing page shows besides its entries: its number and the pager."""
    if n is None:
        newer, older_no, first_no = None, n_older or None, total
    else:
        newer = 0 if n == n_older else n + 1  # 0: the front page
        older_no, first_no = n - 1 or None, (n - 1) * PER_PAGE + size
    return {
        "page_no": n,
        "newer": newer,
        "older": older_no,
        "numbers": pager_numbers(n, n_older),
        "first_no": first_no,  # entries are numbered from the oldest (1), listed newest first
        "total": total if n is None else None,  # only the front page shows the count
    }


def _render_listing(
    chan: Channel, common: dict, config: SiteConfig, path: str, chunk, scalars: dict
) -> bytes:
    root = "../" * path.count("/")
    return render_html(
        "topic.html",
        path,
        channel=chan,
        entries=chunk,
        canonical=canonical(config, path),
        alternates=alternates(chan, config, root),
        query="",
        **scalars,
        **common,
    )


def _article_page(
    item: Item,
    common: dict,
    config: SiteConfig,
    home: Channel,
    order: dict[str, int],
    keys: Keys | None = None,
    lazy: Lazy | None = None,
) -> Target:
    """An article, with newer/older neighbours in its primary topic (`home`)."""
    path = f"articles/{item.id}.html"
    by_key = common["by_key"]
    topic_keys = tuple(k for k in _item_topics(item) if k in by_key and k != ALL)
    pos = order[item.id]
    newer = home.items[pos - 1] if pos > 0 else None
    older = home.items[pos + 1] if pos + 1 < len(home.items) else None
    key = None
    if keys is not None:
        shown = tuple((k, by_key[k].title) for k in topic_keys)
        neighbours = tuple((it.id, it.article.title) if it else None for it in (newer, older))
        key = _page_key(keys, common, config, path, (item,), home.key, shown, neighbours)
    if lazy is not None:
        item, newer, older = lazy((item, newer, older))
    make = partial(_render_article, item, common, config, path, home, newer, older, topic_keys)
    return Target(path, make, item.published, key)


def _render_article(
    item: Item,
    common: dict,
    config: SiteConfig,
    path: str,
    home: Channel,
    newer: Item | None,
    older: Item | None,
    topic_keys: tuple[str, ...],
) -> bytes:
    topic_chans = [common["by_key"][k] for k in topic_keys]
    return render_html(
        "article.html",
        path,
        item=item,
        article=item.article,
        home=home,
        newer=newer,
        older=older,
        item_topics=topic_chans,
        canonical=canonical(config, path),
        alternates=[a for c in topic_chans or [home] for a in alternates(c, config, "../")],
        query="",
        **common,
    )


def _item_topics(item: Item) -> tuple[str, ...]:
    return tuple(dict.fromkeys((item.primary_topic, *item.topics)))


def static_targets(keys: Keys | None = None) -> list[Target]:
    """Package assets; no item time (they change with releases, not with the news). Their
    bytes are part of the renderer version that salts every key."""
    pkg = resources.files("feeds") / "static"
    return [
        Target(f"static/{name}", (pkg / name).read_bytes, key=keys.key(name) if keys else None)
        for name in STATIC_FILES
    ]
