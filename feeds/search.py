"""Search for the Flask app (a static host cannot run it): /search?q=... and its result page.

Pure: an index of case-folded item texts (made once per collection), plain-substring matching
that ignores case (the same text and matching as the feeds' ?filter=, see site.select_items),
highlighting and snippets, and the result page, rendered with pages.py's templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

from feeds.model import Item
from feeds.pages import alternates, common_context, render_html
from feeds.site import ALL, Channel, SiteConfig, searchable_text

SEARCH_LIMIT = 100  # results listed for one query
MAX_QUERY_WORDS = 10
MAX_WORD_CHARS = 50
SNIPPET_CHARS = 60  # context on each side of the first match in a search result
_CJK_END = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef”’]$")


def query_words(query: str) -> tuple[str, ...]:
    """The whitespace-separated words of a query: distinct, at most 10 of 50 characters."""
    words = dict.fromkeys(w[:MAX_WORD_CHARS] for w in query.split())
    return tuple(words)[:MAX_QUERY_WORDS]


SearchIndex = tuple[tuple[Item, str], ...]


def search_index(items: Iterable[Item]) -> SearchIndex:
    """Each item with its case-folded title and body, made once and searched many times."""
    return tuple((item, searchable_text(item)) for item in items)


def search(index: SearchIndex, words: Sequence[str]) -> tuple[Item, ...]:
    """Items whose title or body contains every word: plain substrings, ignoring case.

    The same text and matching as the feeds' ?filter= (see `select_items`).
    """
    folded = [w.casefold() for w in words if w]
    if not folded:
        return ()
    return tuple(item for item, text in index if all(w in text for w in folded))


def _word_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """One regex for all words, longest first, each escaped (user input is never a regex)."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)), re.IGNORECASE) if words else None


def highlight(text: str, words: Sequence[str]) -> list[tuple[str, bool]]:
    """`text` as runs of (segment, is_match); the template wraps matches in <mark>."""
    pattern = _word_pattern(words)
    runs: list[tuple[str, bool]] = []
    pos = 0
    for m in pattern.finditer(text) if pattern else ():
        if m.start() > pos:
            runs.append((text[pos : m.start()], False))
        elif runs and runs[-1][1]:  # adjacent matches make one <mark>: 志愿|服务 -> 志愿服务
            runs[-1] = (runs[-1][0] + m.group(), True)
            pos = m.end()
            continue
        runs.append((m.group(), True))
        pos = m.end()
    if pos < len(text) or not runs:
        runs.append((text[pos:], False))
    return runs


def snippet(text: str, words: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """About `width` characters either side of the first match (the start if none), with …"""
    pattern = _word_pattern(words)
    m = pattern.search(text) if pattern else None
    start = max(0, m.start() - width) if m else 0
    end = min(len(text), (m.end() if m else 0) + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _plain_body(item: Item) -> str:
    """Body paragraphs as one line: CJK paragraphs join directly, others with a space."""
    out = ""
    for para in item.article.paragraphs:
        gap = " " if out and not _CJK_END.search(out) else ""
        out += gap + para.text
    return out


def _snippet_text(item: Item, words: Sequence[str]) -> str:
    """The body, led by the pretitle and subtitle when only they match (a result always
    shows where it matched)."""
    body = _plain_body(item)
    pattern = _word_pattern(words)
    a = item.article
    if pattern is None or pattern.search(a.title) or pattern.search(body):
        return body
    heads = [h for h in (a.pretitle, a.subtitle) if h]
    return " ".join([*heads, body])


def search_feed_query(words: Sequence[str]) -> str:
    """The query string of the matching feed: filter=词 once per word."""
    return urlencode([("filter", w) for w in words])


def search_page(
    query: str, index: SearchIndex, chans: Sequence[Channel], config: SiteConfig
) -> bytes:
    """The result page of /search?q=…: matches, highlighted, newest first, and their feed."""
    words = query_words(query)
    found = search(index, words)
    shown = [
        {
            "item": it,
            "title": highlight(it.article.title, words),
            "snippet": highlight(snippet(_snippet_text(it, words), words), words),
        }
        for it in found[:SEARCH_LIMIT]
    ]
    feed_query = search_feed_query(words)
    all_chan = next(c for c in chans if c.kind == "topic" and c.key == ALL)
    path = "search"
    q = " ".join(words)
    return render_html(
        "search.html",
        path,
        query=q,
        words=words,
        total=len(found),
        results=shown,
        feed_query=feed_query,
        canonical=f"{config.base_url}/search" + (f"?{urlencode({'q': q})}" if q else ""),
        alternates=[
            {**a, "href": f"{a['href']}?{feed_query}", "title": f"{a['title']} · 搜索“{q}”"}
            for a in alternates(all_chan, config, "")
        ]
        if words
        else [],
        **common_context(config, chans),
    )
