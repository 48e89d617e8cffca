"""Answers for pre-rendered files: prepared headers, conditional GET, files on disk, and a
WSGI fast path in front of Flask.

A Resource is one servable file with its gzip copy, validators and the complete headers of its
four answers (200 or 304, identity or gzip), made once: a request only picks one. DiskFiles
reads a published site's files into Resources on first request, within a memory budget.
FastPath answers a GET or HEAD of a file's exact URL before Flask routing (as WhiteNoise serves
static files); feeds.web builds its URL table and sends the same answers from its views.
Only werkzeug's header parsers are used here: no Flask request context.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.http import (
    http_date,
    parse_accept_header,
    parse_date,
    parse_etags,
    remove_entity_headers,
)

from feeds.site import gzip_bytes, is_feed, media_type

if TYPE_CHECKING:
    from flask import Flask

# Pages load one external script (static/copy.js, the copy-URL button); no inline script.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# Every answer carries these (after_request adds them to answers not made from a Resource).
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)
OK, NOT_MODIFIED = "200 OK", "304 NOT MODIFIED"  # worded as werkzeug words them
Headers = tuple[tuple[str, str], ...]
Environ = dict[str, Any]


@dataclass(frozen=True)
class Resource:
    """One servable file: bytes, gzip copy, validators, and the complete headers of its four
    answers (200 or 304, identity or gzip), made once: a request only picks one."""

    body: bytes
    media_type: str
    etag: str  # strong, quoted
    last_modified: datetime | None
    gz_body: bytes
    gz_etag: str
    headers: Headers  # the 200 answer
    gz_headers: Headers  # the 200 answer, gzip
    headers_304: Headers
    gz_headers_304: Headers

    @classmethod
    def of(
        cls,
        path: str,
        body: bytes,
        last_modified: datetime | None,
        cache_control: str,
        gz_body: bytes | None = None,
    ) -> Resource:
        digest = hashlib.sha256(body).hexdigest()[:32]
        if gz_body is None:
            gz_body = gzip_bytes(body)
        etag, gz_etag = f'"{digest}"', f'"{digest}-gz"'
        head = _Head(
            media_type(path),
            None if last_modified is None else http_date(last_modified),
            cache_control,
            cors=is_feed(path) or path == "feeds.opml",
        )
        return cls(
            body=body,
            media_type=head.media_type,
            etag=etag,
            last_modified=last_modified,
            gz_body=gz_body,
            gz_etag=gz_etag,
            headers=head.ok(etag, len(body)),
            gz_headers=head.ok(gz_etag, len(gz_body), gzip=True),
            headers_304=head.not_modified(etag),
            gz_headers_304=head.not_modified(gz_etag, gzip=True),
        )

    def answer(self, environ: Environ) -> tuple[str, list[tuple[str, str]], bytes]:
        """Status, headers (a new list: a WSGI server may add to it) and body of the answer
        to a GET with the request headers in `environ`; a HEAD gets it without the body."""
        gz = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
        if self.not_modified(environ):
            return NOT_MODIFIED, list(self.gz_headers_304 if gz else self.headers_304), b""
        if gz:
            return OK, list(self.gz_headers), self.gz_body
        return OK, list(self.headers), self.body

    def not_modified(self, environ: Environ) -> bool:
        """RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only without it.

        A poller echoes the ETag it got: a header equal to one of ours needs no parsing.
        Anything else (lists, weak tags, `*`, dates) is read by werkzeug, exactly as
        Request.if_none_match and Request.if_modified_since read it."""
        match = environ.get("HTTP_IF_NONE_MATCH")
        if match:
            if match == self.etag or match == self.gz_etag:
                return True
            tags = parse_etags(match)
            if tags:  # weak comparison (RFC 9110 13.1.2): W/"x" matches "x"
                return any(tags.contains_weak(e[1:-1]) for e in (self.etag, self.gz_etag))
        since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
        if since is None or self.last_modified is None:
            return False
        return self.last_modified <= since


@dataclass(frozen=True)
class _Head:
    """What the headers of one file's answers are made of."""

    media_type: str
    last_modified: str | None  # an HTTP date
    cache_control: str
    cors: bool  # feeds (and the OPML list of them) may be read by pages of other origins

    def ok(self, etag: str, length: int, gzip: bool = False) -> Headers:
        """The 200 answer's headers, in the order Flask has always sent them."""
        headers = [("Content-Type", self.media_type), ("ETag", etag)]
        if self.last_modified is not None:
            headers.append(("Last-Modified", self.last_modified))
        headers += [("Cache-Control", self.cache_control), ("Vary", "Accept-Encoding")]
        if self.cors:
            headers.append(("Access-Control-Allow-Origin", "*"))
        headers.append(("Content-Length", str(length)))
        if gzip:
            headers.append(("Content-Encoding", "gzip"))
        return (*headers, *SECURITY_HEADERS)

    def not_modified(self, etag: str, gzip: bool = False) -> Headers:
        """The 304 answer's: the 200's without the entity headers (Content-*, Last-Modified),
        which werkzeug strips from every 304."""
        headers = list(self.ok(etag, 0, gzip))
        remove_entity_headers(headers)
        return tuple(headers)


_GZIP_BY_HEADER: dict[str | None, bool] = {}
_GZIP_MEMO_SIZE = 256


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding value takes gzip (or x-gzip), as werkzeug's
    Request.accept_encodings reads it: `gzip;q=0` refuses it, `*` takes it. Remembered per
    value (clients send a handful of different ones), at most _GZIP_MEMO_SIZE values."""
    gz = _GZIP_BY_HEADER.get(header)
    if gz is None:
        accept = parse_accept_header(header)
        gz = accept["gzip"] > 0 or accept["x-gzip"] > 0
        if len(_GZIP_BY_HEADER) < _GZIP_MEMO_SIZE:
            _GZIP_BY_HEADER[header] = gz
    return gz


class DiskFiles(Mapping[str, Resource]):
    """The files of a site published on disk (feeds.build.publish_collection), as Resources
    made on first request from the file and its .gz, and kept while they fit in
    `cache_bytes` (the oldest loaded go first). Only the paths and times stay in memory, so
    a worker's memory does not grow with the archive.

    Workers and reloads share the directory: it is replaced in one step by each publish, and
    a file read is always one whole file of one published site. A file gone since (a newer
    site dropped it) reads as missing: a 404 until this worker swaps in that site too."""

    def __init__(
        self,
        root: Path,
        times: Mapping[str, datetime | None],
        make: Callable[..., Resource],
        cache_bytes: int,
    ) -> None:
        self.root, self.times, self.make, self.cache_bytes = root, times, make, cache_bytes
        self._cache: dict[str, Resource] = {}
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.times)

    def __iter__(self):  # noqa: ANN204 - Iterator[str]
        return iter(self.times)

    def __contains__(self, path: object) -> bool:
        return path in self.times

    def __getitem__(self, path: str) -> Resource:
        res = self._cache.get(path)
        if res is not None:
            return res
        if path not in self.times:
            raise KeyError(path)
        res = self._load(path)
        if res is None:
            raise KeyError(path)
        size = len(res.body) + len(res.gz_body)
        with self._lock:
            while self._cache and self._size + size > self.cache_bytes:
                old = self._cache.pop(next(iter(self._cache)))
                self._size -= len(old.body) + len(old.gz_body)
            if path not in self._cache and size <= self.cache_bytes:
                self._cache[path] = res
                self._size += size
        return res

    def _load(self, path: str) -> Resource | None:
        """The file and its .gz, both read through one handle on their directory: a publish
        swapping the site in between cannot pair one site's file with another's .gz."""
        folder, name = os.path.split(os.path.join(self.root, path))
        for attempt in range(2):  # a lookup racing a publish's swap may land in the old tree
            try:
                body, written, gz = _read_pair(folder, name)
                break
            except OSError:
                if attempt:
                    return None
        return self.make(path, body, self.times[path], written, gz)


def _read_pair(folder: str, name: str) -> tuple[bytes, datetime, bytes | None]:
    """(bytes, mtime, bytes of the .gz or None) of `name` in `folder`."""
    dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fd = os.open(name, os.O_RDONLY, dir_fd=dir_fd)
        with open(fd, "rb") as fh:
            body = fh.read()
            mtime = os.fstat(fh.fileno()).st_mtime
        try:
            gz_fd = os.open(f"{name}.gz", os.O_RDONLY, dir_fd=dir_fd)
        except OSError:
            gz = None  # made from the body
        else:
            with open(gz_fd, "rb") as fh:
                gz = fh.read()
    finally:
        os.close(dir_fd)
    return body, datetime.fromtimestamp(mtime, UTC).replace(microsecond=0), gz


class FastPath:
    """WSGI middleware in front of Flask: a GET or HEAD of a URL in the current site's table
    (Site.fast), without a query string, is answered with the file's prepared answer
    (Resource.answer, as Flask's view sends it); every other request goes to Flask.

    The site is read once per request, so a reload never mixes two sites. With TRUSTED_HOSTS
    set, Flask answers (it checks the Host header first)."""

    def __init__(self, app: Flask, flask: Callable[[Environ, Callable], Iterable[bytes]]) -> None:
        self.app = app
        self.flask = flask  # Flask's own wsgi_app
        # Called once, by the first request this process serves (then None): the app's watcher
        # thread starts there, in the process that serves, also when gunicorn --preload made
        # the app in its master and forked the workers from it (threads do not survive a fork).
        self.on_first_request: Callable[[], None] | None = None
        self._first_lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: Callable) -> Iterable[bytes]:
        if self.on_first_request is not None:
            self._first_request()
        method = environ["REQUEST_METHOD"]
        if (method == "GET" or method == "HEAD") and not environ.get("QUERY_STRING"):
            site = self.app.extensions["feeds"]
            path = site.fast.get(environ.get("PATH_INFO"))
            res = None if path is None else site.get(path)
            if res is not None and self.app.config.get("TRUSTED_HOSTS") is None:
                status, headers, body = res.answer(environ)
                start_response(status, headers)
                return [body] if body and method == "GET" else []
        return self.flask(environ, start_response)

    def _first_request(self) -> None:
        with self._first_lock:
            start, self.on_first_request = self.on_first_request, None
        if start is not None:
            start()
