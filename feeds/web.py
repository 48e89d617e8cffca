"""Flask app factory: serves the site that site.py renders, from memory, politely to pollers.

At startup the app collects the seeds and renders every file ONCE (the same bytes `feeds build`
writes); a request is a dictionary lookup. Each file has a strong ETag (SHA-256 of its bytes)
and a Last-Modified (the newest published time of its items), a gzip copy made once, and
`Cache-Control: public, max-age=<ttl>` matching the RSS <ttl>. Conditional GET answers 304.

RSSHub-style query parameters on every current feed (`?limit=N&filter=词&filterout=词`) are
rendered on demand and kept in an LRU cache, each with its own ETag and self link.

Configuration (defaults < FEEDS_* environment variables < the `config` argument):

    SEEDS     pages dir (default "seeds")        FEEDS_SEEDS
    TOPICS    topic rules file (default built-in) FEEDS_TOPICS
    BASE_URL  absolute base URL of links          FEEDS_BASE_URL
    ID_PREFIX tag: URI prefix of item ids         FEEDS_ID_PREFIX
    LIMIT     items per feed (default 50)         FEEDS_LIMIT
    TTL       minutes, RSS ttl and max-age (30)   FEEDS_TTL
    TITLE     site title (今日衢江)                FEEDS_TITLE
    COLLECTION  an already collected feeds.site.Collection (skips reading SEEDS)

Production: `FEEDS_BASE_URL=https://example.org gunicorn -w 2 'feeds.web:create_app()'`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request

from feeds.site import (
    ALL,
    DEFAULT_BASE_URL,
    DEFAULT_ID_PREFIX,
    FORMATS,
    Channel,
    Collection,
    SiteConfig,
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
}
QUERY_PARAMS = ("limit", "filter", "filterout")
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
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
        self.resources = {p: Resource.of(p, b, times.get(p)) for p, b in files.items()}
        chans = channels(collection, config)
        self.topics = {c.key: c for c in chans if c.kind == "topic"}
        self.tags = {c.key: c for c in chans if c.kind == "tag"}
        self.titles = topic_titles(collection)
        self._cache: OrderedDict[tuple[str, str], Resource] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def get(self, path: str) -> Resource | None:
        return self.resources.get(path)

    def selection(self, channel: Channel, fmt: str, query: str, args) -> Resource:
        """A filtered feed; `query` (the raw query string) keys the cache and the self link."""
        key = (f"{channel.feed_base}.{fmt}", query)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        limit = _limit(args.get("limit"))
        self_url = f"{self.config.base_url}/{url_path(key[0])}?{query}"
        body, modified = render_selection(
            channel,
            self.config,
            fmt,
            self_url,
            limit=limit,
            include=args.getlist("filter"),
            exclude=args.getlist("filterout"),
            titles=self.titles,
        )
        res = Resource.of(key[0], body, modified)
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
    )


def create_app(config: dict | None = None) -> Flask:
    """Build the app: read config, collect the seeds and render the site once."""
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("FEEDS")
    if config:
        app.config.update(config)
    collection = app.config["COLLECTION"]
    if collection is None:
        from feeds.build import collect

        topics = app.config["TOPICS"]
        collection = collect(Path(str(app.config["SEEDS"])), Path(topics) if topics else None)
    cfg = site_config(app.config)
    app.extensions["feeds"] = Site(collection, cfg, int(app.config["SELECTION_CACHE_SIZE"]))
    app.register_blueprint(bp)
    app.after_request(_security_headers)
    return app


def site() -> Site:
    return current_app.extensions["feeds"]


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
    return res.last_modified.replace(microsecond=0) <= since


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


def _feed(channel: Channel, fmt: str) -> Response:
    if _wants_selection():
        query = request.query_string.decode("utf-8", "replace")
        return send(site().selection(channel, fmt, query, request.args), cors=True)
    return serve_path(f"{channel.feed_base}.{fmt}", cors=True)


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
    _topic(topic)
    return serve_path(f"feeds/{topic}/archive/{n}.{fmt}", cors=True)


@bp.get("/topics/<topic>.html")
def topic_page(topic: str) -> Response:
    return serve_path(_topic(topic).html_path)


@bp.get("/tags/<tag>.<fmt>")
def tag(tag: str, fmt: str) -> Response:
    _check_format(fmt, (*FORMATS, "html"))
    tags = site().tags
    if tag not in tags:
        raise UnknownName("tag", tag, list(tags))
    if fmt == "html":
        return serve_path(tags[tag].html_path)
    return _feed(tags[tag], fmt)


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
