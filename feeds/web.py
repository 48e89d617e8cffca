"""Flask app factory: serves the site that site.py renders, politely to pollers.

At startup the app collects the seeds (through the store) and publishes the site into its site
directory, the same bytes `feeds build` writes: keyed, so only files whose content changed are
rendered, and a restart over an unchanged archive renders nothing. Files are read from there
on first request and kept in a bounded cache (FILE_CACHE_MB), so a worker's memory does not
grow with the archive (see DiskFiles). Without a store (a ready COLLECTION, as in tests) the
site is rendered into memory instead. Each file has a strong ETag (SHA-256 of its bytes) and a
Last-Modified (the newest published time of its items, but never later than the file was
written: RFC 9110 8.8.2.1), a gzip copy, and `Cache-Control: public, max-age=<ttl>` matching
the RSS <ttl>. Conditional GET answers 304 (If-None-Match first, else If-Modified-Since).

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
    SITE_DIR  where the site is published and served from   FEEDS_SITE_DIR
              (default: site-<digest of the configuration> beside STORE, claimed while
              the app runs; unclaimed ones of other configurations are removed at start
              (feeds.sitedirs); none: in memory)
    FILE_CACHE_MB  memory for files read from SITE_DIR, per worker (64)  FEEDS_FILE_CACHE_MB

Reloading (WATCH > 0, or SIGHUP to `feeds serve`; the polling thread starts with the first
request a process serves, so `gunicorn --preload` works): when the seeds or the store change (a
`feeds build` elsewhere), a background thread collects again (incrementally, through the store)
and publishes a whole new site, then swaps it in with one assignment; each request is pinned to
the site it started on, so it never sees half of one, and errors keep the previous site.

Serving a file is cheap (feeds.serving): each Resource carries the complete headers of its four
answers (200 or 304, identity or gzip), and FastPath, a WSGI layer in front of Flask (as
WhiteNoise serves static files), answers a GET or HEAD of a file's exact URL without a query
string from the site's table of URLs (fast_table, here); everything else (queries, /search,
errors) goes through Flask, whose views send the very same answers.

Production: `FEEDS_BASE_URL=https://example.org gunicorn -w 2 'feeds.web:create_app()'`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from werkzeug.exceptions import HTTPException

from feeds import sitedirs
from feeds.model import Item
from feeds.pages import page_path
from feeds.search import SearchIndex, search_index, search_page
from feeds.serving import SECURITY_HEADERS, DiskFiles, FastPath, Resource
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
    channels,
    plan,
    render_selection,
    topic_titles,
    url_path,
)
from feeds.sitedirs import site_dir

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
    # Where the app publishes its site and serves files from (see DiskFiles). Default: beside
    # the store, one directory per configuration; a ready COLLECTION without a STORE: memory.
    "SITE_DIR": None,
    "FILE_CACHE_MB": 64,  # per worker: files kept in memory once read (the hot feeds)
}
QUERY_PARAMS = ("limit", "filter", "filterout")
bp = Blueprint("site", __name__)


class UnknownName(LookupError):
    """A URL names a topic, format, tag or article that does not exist."""

    def __init__(self, kind: str, name: str, valid: list[str]) -> None:
        self.kind, self.name, self.valid = kind, name, valid
        super().__init__(f"unknown {kind}: {name}")


class BadQuery(ValueError):
    """A feed query parameter that cannot be honoured (e.g. limit=abc)."""


class Site:
    """The rendered site in memory plus the on-demand filtered feeds (LRU cached)."""

    def __init__(
        self,
        collection: Collection,
        config: SiteConfig,
        cache_size: int,
        out: Path | None = None,
        file_cache_bytes: int = 64 << 20,
    ) -> None:
        self.collection = collection
        self.config = config
        self.rendered = datetime.now(UTC).replace(microsecond=0)
        self.cache_control = f"public, max-age={config.ttl_minutes * 60}"
        self.resources: Mapping[str, Resource]
        if out is None:
            targets = plan(collection, config)  # each file rendered once, with its time
            self.resources = {t.path: self._resource(t.path, t.make(), t.modified) for t in targets}
        else:
            from feeds.build import publish_collection

            times = publish_collection(collection, out, config)  # forks only if single-threaded
            self.resources = DiskFiles(out, times, self._resource, file_cache_bytes)
        chans = channels(collection, config)
        self.channels = tuple(chans)
        self.topics = {c.key: c for c in chans if c.kind == "topic"}
        self.tags = {c.key: c for c in chans if c.kind == "tag"}
        self.titles = topic_titles(collection)
        self._cache: OrderedDict[tuple[str, str], Resource] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._archives: dict[str, list[tuple[Item, ...]]] = {}
        # PATH_INFO -> the file served there, for FastPath (see fast_table); empty until the
        # app that routes this site fills it, before the site is swapped in.
        self.fast: dict[str, str] = {}

    def get(self, path: str) -> Resource | None:
        return self.resources.get(path)  # DiskFiles: loaded on first use

    @cached_property
    def search_index(self) -> SearchIndex:
        """Case-folded article texts for /search, made on the first search (a race only
        makes it twice)."""
        return search_index(self.collection.items)

    def _resource(
        self,
        path: str,
        body: bytes,
        modified: datetime | None,
        written: datetime | None = None,
        gz_body: bytes | None = None,
    ) -> Resource:
        """A Resource whose Last-Modified is never in the future (RFC 9110 8.8.2.1): items are
        stamped 12:00 on their day (feeds.group), later than an early-morning render. Such a
        file changed, as far as this server knows, when it was written (`written`: the
        file's mtime, the same for every worker), or else when this site was rendered."""
        if modified is not None:
            modified = min(modified.replace(microsecond=0), written or self.rendered)
        return Resource.of(path, body, modified, self.cache_control, gz_body)

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
    app.register_blueprint(bp)
    app.after_request(_security_headers)
    app.wsgi_app = FastPath(app, app.wsgi_app)  # answers files before Flask sees them
    collection = app.config["COLLECTION"]
    watcher = None
    if collection is None:
        watcher = _watcher(app.config)
        collection = watcher.load()
    cfg = site_config(app.config)
    out = app.config["SITE_DIR"]
    if out:
        app.extensions["feeds_site_dir"] = Path(str(out))
    else:
        store = watcher.store if watcher is not None else app.config["STORE"]
        if store:
            # claimed for this app's lifetime; other configurations' unclaimed ones go
            out_dir = site_dir(Path(str(store)), cfg)
            app.extensions["feeds_site_dir"] = out_dir
            app.extensions["feeds_site_claim"] = sitedirs.claim(out_dir)
            sitedirs.prune(out_dir)
    app.extensions["feeds"] = _site(app, collection, cfg, int(app.config["SELECTION_CACHE_SIZE"]))
    if watcher is not None:
        app.extensions["feeds_watcher"] = watcher
        if watcher.interval > 0:  # polling starts with the first request this process serves
            app.wsgi_app.on_first_request = lambda: watcher.start(lambda n: reload_site(app, n))
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
    app.extensions["feeds"] = _site(app, collection, old.config, old._cache_size)


def _site(app: Flask, collection: Collection, config: SiteConfig, cache_size: int) -> Site:
    """A new Site with its FastPath table, ready to be swapped in: published into the app's
    site directory (only what changed is rendered) and served from there, or, without a
    directory, rendered into memory."""
    out = app.extensions.get("feeds_site_dir")
    file_cache = int(float(app.config["FILE_CACHE_MB"]) * (1 << 20))
    new = Site(collection, config, cache_size, out, file_cache)
    new.fast = fast_table(app, new)
    return new


def site() -> Site:
    """The site this request sees, pinned at first use: a reload during the request cannot
    mix two sites (a topic from one, a file from the other)."""
    if "feeds_site" not in g:
        g.feeds_site = current_app.extensions["feeds"]
    return g.feeds_site


# -- the fast path's table ------------------------------------------------------------------------
def fast_table(app: Flask, s: Site) -> dict[str, str]:
    """The URLs FastPath answers: each file's own URL (and `/`), wherever Flask's router
    sends it to a view of FILES and that view names an existing file. Keys are PATH_INFO as
    WSGI servers pass it (the UTF-8 bytes of the decoded path, as latin-1 characters)."""
    if app.url_map.host_matching or app.subdomain_matching:
        return {}  # routes would depend on the Host header
    adapter = app.url_map.bind("localhost", subdomain=app.url_map.default_subdomain or "")
    table = {}
    for url in ("/", *(f"/{path}" for path in s.resources)):
        try:
            endpoint, values = adapter.match(url, "GET")
        except HTTPException:  # no route (404), or a redirect
            continue
        name = FILES.get(endpoint)
        if name is None:
            continue
        try:
            path = name(s, **values)
        except UnknownName:
            continue
        if path in s.resources:
            table[url.encode().decode("latin-1")] = path
    return table


# -- which file a URL names -----------------------------------------------------------------
# A route that serves a pre-rendered file names it with one of these functions of the site
# and the URL's values (raising UnknownName: a helpful 404). Its view serves that file (or,
# for a feed with a query, a filtered one); FastPath serves it too (see fast_table).


def _check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> None:
    if fmt not in allowed:
        raise UnknownName("format", fmt, list(allowed))


def _topic(s: Site, name: str) -> Channel:
    if name not in s.topics:
        raise UnknownName("topic", name, list(s.topics))
    return s.topics[name]


def _tag(s: Site, name: str) -> Channel:
    if name not in s.tags:
        raise UnknownName("tag", name, list(s.tags))
    return s.tags[name]


def _index_file(s: Site) -> str:
    return "index.html"


def _topic_feed_file(s: Site, topic: str, fmt: str) -> str:
    _check_format(fmt)
    return f"{_topic(s, topic).feed_base}.{fmt}"


def _archive_feed_file(s: Site, topic: str, n: int, fmt: str) -> str:
    _check_format(fmt)
    return archive_path(_topic(s, topic), n, fmt)


def _topic_page_file(s: Site, topic: str) -> str:
    return _topic(s, topic).html_path


def _topic_page_n_file(s: Site, topic: str, n: int) -> str:
    return page_path(_topic(s, topic), n)


def _tag_page_n_file(s: Site, tag: str, n: int) -> str:
    return page_path(_tag(s, tag), n)


def _tag_file(s: Site, tag: str, fmt: str) -> str:
    _check_format(fmt, (*FORMATS, "html"))
    channel = _tag(s, tag)
    return channel.html_path if fmt == "html" else f"{channel.feed_base}.{fmt}"


def _tag_archive_feed_file(s: Site, tag: str, n: int, fmt: str) -> str:
    _check_format(fmt)
    return archive_path(_tag(s, tag), n, fmt)


def _article_file(s: Site, article_id: str) -> str:
    return f"articles/{article_id}.html"


def _opml_file(s: Site) -> str:
    return "feeds.opml"


def _static_file(s: Site, name: str) -> str:
    return f"static/{name}"


# endpoint -> the function naming the file its view serves (the views below call them)
FILES: dict[str, Callable[..., str]] = {
    "site.index": _index_file,
    "site.topic_feed": _topic_feed_file,
    "site.archive_feed": _archive_feed_file,
    "site.topic_page": _topic_page_file,
    "site.topic_page_n": _topic_page_n_file,
    "site.tag_page_n": _tag_page_n_file,
    "site.tag": _tag_file,
    "site.tag_archive_feed": _tag_archive_feed_file,
    "site.article": _article_file,
    "site.opml": _opml_file,
    "site.static": _static_file,
}


# -- responses ------------------------------------------------------------------------------


def send(res: Resource) -> Response:
    """The resource's answer to this request (validators, caching, gzip; 304 when unchanged)."""
    status, headers, body = res.answer(request.environ)
    return Response(body, status, headers)


def _security_headers(resp: Response) -> Response:
    for name, value in SECURITY_HEADERS:
        resp.headers.setdefault(name, value)
    return resp


def serve_path(path: str) -> Response:
    res = site().get(path)
    if res is None:
        abort(404)
    return send(res)


def _wants_selection() -> bool:
    return any(request.args.get(p) for p in QUERY_PARAMS)


def _request_query() -> str:
    """The query string as sent, with anything that is not a URI character percent-encoded
    (an encoded query stays as it is): the self link then equals the requested URL."""
    return quote(request.query_string, safe="/?:@!$&'()*+,;=-._~%")


def _feed(path: str, channel: Channel, fmt: str, archive: int | None = None) -> Response:
    """The feed file `path`, or a filtered copy of it when the query asks for one."""
    if _wants_selection():
        res = site().selection(channel, fmt, _request_query(), request.args, archive)
        if res is None:
            abort(404)
        return send(res)
    return serve_path(path)


# -- routes ---------------------------------------------------------------------------------


@bp.get("/")
@bp.get("/index.html")
def index() -> Response:
    return serve_path(_index_file(site()))


@bp.get("/feeds/<topic>.<fmt>")
def topic_feed(topic: str, fmt: str) -> Response:
    s = site()
    return _feed(_topic_feed_file(s, topic, fmt), s.topics[topic], fmt)


@bp.get("/feeds/<topic>/archive/<int:n>.<fmt>")
def archive_feed(topic: str, n: int, fmt: str) -> Response:
    s = site()
    return _feed(_archive_feed_file(s, topic, n, fmt), s.topics[topic], fmt, archive=n)


@bp.get("/topics/<topic>.html")
def topic_page(topic: str) -> Response:
    return serve_path(_topic_page_file(site(), topic))


@bp.get("/topics/<topic>/<int:n>.html")
def topic_page_n(topic: str, n: int) -> Response:
    return serve_path(_topic_page_n_file(site(), topic, n))


@bp.get("/tags/<tag>/<int:n>.html")
def tag_page_n(tag: str, n: int) -> Response:
    return serve_path(_tag_page_n_file(site(), tag, n))


@bp.get("/search")
def search() -> Response:
    """Articles containing every word of ?q=, rendered per request (cheap: a substring scan)."""
    s = site()
    body = search_page(request.args.get("q", ""), s.search_index, s.channels, s.config)
    resp = Response(body, content_type="text/html; charset=utf-8")
    resp.headers["Cache-Control"] = s.cache_control
    return resp


@bp.get("/tags/<tag>.<fmt>")
def tag(tag: str, fmt: str) -> Response:
    s = site()
    path = _tag_file(s, tag, fmt)
    if fmt == "html":
        return serve_path(path)
    return _feed(path, s.tags[tag], fmt)


@bp.get("/tags/<tag>/archive/<int:n>.<fmt>")
def tag_archive_feed(tag: str, n: int, fmt: str) -> Response:
    s = site()
    return _feed(_tag_archive_feed_file(s, tag, n, fmt), s.tags[tag], fmt, archive=n)


@bp.get("/articles/<article_id>.html")
def article(article_id: str) -> Response:
    return serve_path(_article_file(site(), article_id))


@bp.get("/feeds.opml")
def opml() -> Response:
    return serve_path(_opml_file(site()))


@bp.get("/static/<path:name>")
def static(name: str) -> Response:
    return serve_path(_static_file(site(), name))


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
