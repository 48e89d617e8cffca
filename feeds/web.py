"""Flask app factory: serves the site that site.py renders, from memory, politely to pollers.

At startup the app collects the seeds and renders every file ONCE (the same bytes `feeds build`
writes); a request is a dictionary lookup. Each file has a strong ETag (SHA-256 of its bytes)
and a Last-Modified (the newest published time of its items, but never later than the moment
the app rendered it: RFC 9110 8.8.2.1), a gzip copy made once, and
`Cache-Control: public, max-age=<ttl>` matching the RSS <ttl>. Conditional GET answers 304
(If-None-Match first, else If-Modified-Since).

RSSHub-style query parameters on every feed, archive pages included
(`?limit=N&filter=词&filterout=词`, see site.select_items), are rendered on demand and kept in
an LRU cache, each with its own ETag and a self link equal to the requested URL.

Configuration (defaults < FEEDS_* environment variables < the `config` argument):

    SEEDS     pages dir (default "seeds")        FEEDS_SEEDS
    TOPICS    topic rules file (default built-in) FEEDS_TOPICS
    BASE_URL  absolute base URL of links          FEEDS_BASE_URL
    ID_PREFIX tag: URI prefix of item ids         FEEDS_ID_PREFIX
    LIMIT     items per feed (default 50)         FEEDS_LIMIT
    TTL       minutes, RSS ttl and max-age (30)   FEEDS_TTL
    TITLE     site title (今日衢江)                FEEDS_TITLE
    STORE     archive file (default .feeds/store.sqlite beside SEEDS)  FEEDS_STORE
    WATCH     seconds between checks of SEEDS and STORE for changes (0: never)  FEEDS_WATCH
    COLLECTION  an already collected feeds.site.Collection (skips reading SEEDS)

Reloading (WATCH > 0, or SIGHUP to `feeds serve`): when the seeds or the store change (a
`feeds build` elsewhere), a background thread collects again (incrementally, through the store)
and renders a whole new site, then swaps it in with one assignment; each request is pinned to
the site it started on, so it never sees half of one, and errors keep the previous site.

Production: `FEEDS_BASE_URL=https://example.org gunicorn -w 2 'feeds.web:create_app()'`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Flask, Response, abort, current_app, g, request

from feeds.model import Item
from feeds.pages import page_path
from feeds.search import SearchIndex, search_index, search_page
from feeds.site import (
    ALL,
    DEFAULT_BASE_URL,
    DEFAULT_ID_PREFIX,
    FORMATS,
    Channel,
    Collection,
    SiteConfig,
    archive_chunks,
    archive_path,
    build_site,
    channels,
    gzip_bytes,
    media_type,
    render_selection,
    site_times,
    topic_titles,
    url_path,
)

DEFAULTS = {
    "SEEDS": "seeds",
    "TOPICS": None,
    "BASE_URL": DEFAULT_BASE_URL,
    "ID_PREFIX": DEFAULT_ID_PREFIX,
    "LIMIT": 50,
    "TTL": 30,
    "TITLE": "今日衢江",
    "COLLECTION": None,
    "SELECTION_CACHE_SIZE": 256,
    "STORE": None,
    "WATCH": 0,
}
QUERY_PARAMS = ("limit", "filter", "filterout")
# Pages load one external script (static/copy.js, the copy-URL button); no inline script.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

bp = Blueprint("site", __name__)


class UnknownName(LookupError):
    """A URL names a topic, format, tag or article that does not exist."""

    def __init__(self, kind: str, name: str, valid: list[str]) -> None:
        self.kind, self.name, self.valid = kind, name, valid
        super().__init__(f"unknown {kind}: {name}")


class BadQuery(ValueError):
    """A feed query parameter that cannot be honoured (e.g. limit=abc)."""


@dataclass(frozen=True)
class Resource:
    """One servable file: bytes, gzip copy, validators."""

    body: bytes
    media_type: str
    etag: str  # strong, quoted
    last_modified: datetime | None
    gz_body: bytes
    gz_etag: str

    @classmethod
    def of(cls, path: str, body: bytes, last_modified: datetime | None) -> Resource:
        digest = hashlib.sha256(body).hexdigest()[:32]
        return cls(
            body=body,
            media_type=media_type(path),
            etag=f'"{digest}"',
            last_modified=last_modified,
            gz_body=gzip_bytes(body),
            gz_etag=f'"{digest}-gz"',
        )


class Site:
    """The rendered site in memory plus the on-demand filtered feeds (LRU cached)."""

    def __init__(self, collection: Collection, config: SiteConfig, cache_size: int) -> None:
        self.collection = collection
        self.config = config
        files = build_site(collection, config)
        times = site_times(collection, config)
        self.rendered = datetime.now(UTC).replace(microsecond=0)
        self.resources = {p: self._resource(p, b, times.get(p)) for p, b in files.items()}
        chans = channels(collection, config)
        self.channels = tuple(chans)
        self.topics = {c.key: c for c in chans if c.kind == "topic"}
        self.tags = {c.key: c for c in chans if c.kind == "tag"}
        self.titles = topic_titles(collection)
        self._cache: OrderedDict[tuple[str, str], Resource] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._archives: dict[str, list[tuple[Item, ...]]] = {}

    def get(self, path: str) -> Resource | None:
        return self.resources.get(path)

    @cached_property
    def search_index(self) -> SearchIndex:
        """Case-folded article texts for /search, made on the first search (a race only
        makes it twice)."""
        return search_index(self.collection.items)

    def _resource(self, path: str, body: bytes, modified: datetime | None) -> Resource:
        """A Resource whose Last-Modified is never in the future (RFC 9110 8.8.2.1): items are
        stamped 12:00 on their day (feeds.group), later than an early-morning render. Such a
        file changed, as far as this server knows, when it rendered it."""
        if modified is not None:
            modified = min(modified.replace(microsecond=0), self.rendered)
        return Resource.of(path, body, modified)

    def archive_pages(self, channel: Channel) -> list[tuple[Item, ...]]:
        """The channel's archive pages (oldest first), as site.py cut them for the files."""
        pages = self._archives.get(channel.feed_base)
        if pages is None:  # a race only computes the same pages twice
            cfg = self.config
            pages = archive_chunks(channel.items, cfg.feed_limit, cfg.feed_max_bytes)[1]
            self._archives[channel.feed_base] = pages
        return pages

    def selection(
        self, channel: Channel, fmt: str, query: str, args, archive: int | None = None
    ) -> Resource | None:
        """A filtered feed or archive page (None: no such page); `query`, the query string
        as sent (URI-encoded), keys the cache and is the self link's query."""
        path = (
            f"{channel.feed_base}.{fmt}" if archive is None else archive_path(channel, archive, fmt)
        )
        key = (path, query)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        page = None
        if archive is not None:
            pages = self.archive_pages(channel)
            if not 1 <= archive <= len(pages):
                return None
            page = (archive, pages[archive - 1], len(pages))
        body, modified = render_selection(
            channel,
            self.config,
            fmt,
            f"{self.config.base_url}/{url_path(path)}?{query}",
            limit=_limit(args.get("limit")),
            include=args.getlist("filter"),
            exclude=args.getlist("filterout"),
            titles=self.titles,
            archive=page,
            query=query,
        )
        res = self._resource(path, body, modified)
        with self._lock:
            self._cache[key] = res
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return res


def _limit(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise BadQuery(f"limit must be a positive integer, got {value!r}")
    return int(value)


def site_config(cfg: dict) -> SiteConfig:
    """SiteConfig from Flask config values (which may come from FEEDS_* env as JSON/strings)."""
    return SiteConfig(
        base_url=str(cfg["BASE_URL"]),
        id_prefix=str(cfg["ID_PREFIX"]),
        feed_limit=int(cfg["LIMIT"]),
        ttl_minutes=int(cfg["TTL"]),
        title=str(cfg["TITLE"]),
        search=True,  # the app answers /search, so its pages carry the search form
    )


def create_app(config: dict | None = None) -> Flask:
    """Build the app: read config, collect the seeds and render the site once."""
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("FEEDS")
    if config:
        app.config.update(config)
    collection = app.config["COLLECTION"]
    watcher = None
    if collection is None:
        watcher = _watcher(app.config)
        collection = watcher.load()
    cfg = site_config(app.config)
    app.extensions["feeds"] = Site(collection, cfg, int(app.config["SELECTION_CACHE_SIZE"]))
    if watcher is not None:
        app.extensions["feeds_watcher"] = watcher
        if watcher.interval > 0:
            watcher.start(lambda new: reload_site(app, new))
    app.register_blueprint(bp)
    app.after_request(_security_headers)
    return app


def _watcher(cfg: dict):  # noqa: ANN202 - feeds.watch.Watcher, imported lazily
    """Collects SEEDS through the archive STORE (ids stay immutable) and watches both."""
    from feeds.build import default_store_path
    from feeds.watch import Watcher

    seeds = Path(str(cfg["SEEDS"]))
    topics, store = cfg["TOPICS"], cfg["STORE"]
    return Watcher(
        seeds,
        topics_path=Path(str(topics)) if topics else None,
        store=Path(str(store)) if store else default_store_path(seeds),
        interval=float(cfg["WATCH"] or 0),
    )


def reload_site(app: Flask, collection: Collection) -> None:
    """Render `collection` as a new Site, then swap it in whole (one assignment)."""
    old = app.extensions["feeds"]
    app.extensions["feeds"] = Site(collection, old.config, old._cache_size)


def site() -> Site:
    """The site this request sees, pinned at first use: a reload during the request cannot
    mix two sites (a topic from one, a file from the other)."""
    if "feeds_site" not in g:
        g.feeds_site = current_app.extensions["feeds"]
    return g.feeds_site


# -- responses ------------------------------------------------------------------------------


def send(res: Resource, *, cors: bool = False) -> Response:
    """The resource with validators, caching and content negotiation; 304 when unchanged."""
    gz = request.accept_encodings["gzip"] > 0 or request.accept_encodings["x-gzip"] > 0
    etag = res.gz_etag if gz else res.etag
    resp = Response(status=200)
    resp.headers["ETag"] = etag
    if res.last_modified is not None:
        resp.last_modified = res.last_modified
    resp.headers["Cache-Control"] = f"public, max-age={site().config.ttl_minutes * 60}"
    resp.headers["Vary"] = "Accept-Encoding"
    if cors:
        resp.headers["Access-Control-Allow-Origin"] = "*"
    if _not_modified(res):
        resp.status_code = 304
        return resp
    resp.set_data(res.gz_body if gz else res.body)
    resp.headers["Content-Type"] = res.media_type
    if gz:
        resp.headers["Content-Encoding"] = "gzip"
    return resp


def _not_modified(res: Resource) -> bool:
    """RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only without it."""
    if request.if_none_match:
        return any(request.if_none_match.contains_weak(e[1:-1]) for e in (res.etag, res.gz_etag))
    since = request.if_modified_since
    if since is None or res.last_modified is None:
        return False
    return res.last_modified <= since


def _security_headers(resp: Response) -> Response:
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return resp


def serve_path(path: str, *, cors: bool = False) -> Response:
    res = site().get(path)
    if res is None:
        abort(404)
    return send(res, cors=cors)


def _check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> None:
    if fmt not in allowed:
        raise UnknownName("format", fmt, list(allowed))


def _topic(name: str) -> Channel:
    topics = site().topics
    if name not in topics:
        raise UnknownName("topic", name, list(topics))
    return topics[name]


def _wants_selection() -> bool:
    return any(request.args.get(p) for p in QUERY_PARAMS)


def _request_query() -> str:
    """The query string as sent, with anything that is not a URI character percent-encoded
    (an encoded query stays as it is): the self link then equals the requested URL."""
    return quote(request.query_string, safe="/?:@!$&'()*+,;=-._~%")


def _feed(channel: Channel, fmt: str, archive: int | None = None) -> Response:
    """A current feed or an archive page, filtered when the query asks for it."""
    if _wants_selection():
        res = site().selection(channel, fmt, _request_query(), request.args, archive)
        if res is None:
            abort(404)
        return send(res, cors=True)
    if archive is None:
        return serve_path(f"{channel.feed_base}.{fmt}", cors=True)
    return serve_path(archive_path(channel, archive, fmt), cors=True)


# -- routes ---------------------------------------------------------------------------------


@bp.get("/")
@bp.get("/index.html")
def index() -> Response:
    return serve_path("index.html")


@bp.get("/feeds/<topic>.<fmt>")
def topic_feed(topic: str, fmt: str) -> Response:
    _check_format(fmt)
    return _feed(_topic(topic), fmt)


@bp.get("/feeds/<topic>/archive/<int:n>.<fmt>")
def archive_feed(topic: str, n: int, fmt: str) -> Response:
    _check_format(fmt)
    return _feed(_topic(topic), fmt, archive=n)


@bp.get("/topics/<topic>.html")
def topic_page(topic: str) -> Response:
    return serve_path(_topic(topic).html_path)


@bp.get("/topics/<topic>/<int:n>.html")
def topic_page_n(topic: str, n: int) -> Response:
    return serve_path(page_path(_topic(topic), n))


@bp.get("/tags/<tag>/<int:n>.html")
def tag_page_n(tag: str, n: int) -> Response:
    tags = site().tags
    if tag not in tags:
        raise UnknownName("tag", tag, list(tags))
    return serve_path(page_path(tags[tag], n))


@bp.get("/search")
def search() -> Response:
    """Articles containing every word of ?q=, rendered per request (cheap: a substring scan)."""
    s = site()
    body = search_page(request.args.get("q", ""), s.search_index, s.channels, s.config)
    resp = Response(body, content_type="text/html; charset=utf-8")
    resp.headers["Cache-Control"] = f"public, max-age={s.config.ttl_minutes * 60}"
    return resp


@bp.get("/tags/<tag>.<fmt>")
def tag(tag: str, fmt: str) -> Response:
    _check_format(fmt, (*FORMATS, "html"))
    tags = site().tags
    if tag not in tags:
        raise UnknownName("tag", tag, list(tags))
    if fmt == "html":
        return serve_path(tags[tag].html_path)
    return _feed(tags[tag], fmt)


@bp.get("/tags/<tag>/archive/<int:n>.<fmt>")
def tag_archive_feed(tag: str, n: int, fmt: str) -> Response:
    _check_format(fmt)
    tags = site().tags
    if tag not in tags:
        raise UnknownName("tag", tag, list(tags))
    return _feed(tags[tag], fmt, archive=n)


@bp.get("/articles/<article_id>.html")
def article(article_id: str) -> Response:
    return serve_path(f"articles/{article_id}.html")


@bp.get("/feeds.opml")
def opml() -> Response:
    return serve_path("feeds.opml", cors=True)


@bp.get("/static/<path:name>")
def static(name: str) -> Response:
    return serve_path(f"static/{name}")


# -- errors ---------------------------------------------------------------------------------


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@bp.app_errorhandler(UnknownName)
def unknown_name(exc: UnknownName) -> Response:
    labels = {"topic": "主题", "format": "格式", "tag": "标签"}
    if exc.kind == "topic":
        titles = site().topics
        valid = ", ".join(f"{k} ({titles[k].title})" for k in exc.valid)
    elif exc.kind == "tag":
        valid = ", ".join(exc.valid[:50]) or "(none)"
    else:
        valid = ", ".join(exc.valid)
    message = (
        f"404 未找到{labels.get(exc.kind, exc.kind)}“{exc.name}”。\n"
        f"Unknown {exc.kind} {exc.name!r}. Valid {exc.kind}s: {valid}\n"
        f"Feeds: /feeds/<topic>.rss, /feeds/<topic>.atom, /feeds/<topic>.json "
        f"(e.g. /feeds/{ALL}.rss); all feeds at /feeds.opml"
    )
    return _text(404, message)


@bp.app_errorhandler(BadQuery)
def bad_query(exc: BadQuery) -> Response:
    return _text(400, f"400 Bad request: {exc}")


@bp.app_errorhandler(404)
def not_found(exc: Exception) -> Response:
    topics = ", ".join(site().topics)
    return _text(
        404,
        "404 未找到此页面 / Not found.\n"
        f"Index: /  Topics: {topics}\n"
        "Feeds: /feeds/<topic>.rss|.atom|.json  Pages: /topics/<topic>.html  OPML: /feeds.opml",
    )
