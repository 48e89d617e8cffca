"""Group parsed articles into publishable Items: stable ids, topics, tags, publication times.

Pure: no files, no clock. The topic classifier is passed in (see feeds.topics), so this module
does not import jieba.

Id rule: the first 16 hex digits of SHA-1 over "<page file name>\\n<title without whitespace>".
A second article with the same title on the same page gets "-2", "-3" appended in page order.

Time rule: every item is published on its article date (else the page's issue date, else the
latest article date on the page) in Asia/Shanghai (+08:00). Items sharing a day get distinct,
deterministic times that keep page order: the n-th item of the day (pages in file-name order,
articles in page order) is stamped 12:00:00 minus n minutes, so the first article of the day's
first page is the newest.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone

from feeds.model import TEXT, Article, Item, Page

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
SUMMARY_CHARS = 120

# classify(article) -> (primary topic slug, all matched topic slugs, tags)
Classifier = Callable[[Article], tuple[str, tuple[str, ...], tuple[str, ...]]]

_WS = re.compile(r"\s+")


def article_id(source: str, title: str) -> str:
    """Stable id of an article: independent of host, port, build time and body text."""
    key = f"{source}\n{_WS.sub('', title)}".encode()
    return hashlib.sha1(key).hexdigest()[:16]


def summary(article: Article, limit: int = SUMMARY_CHARS) -> str:
    """The first body text, cut at a sentence end near `limit` characters."""
    text = "".join(p.text for p in article.paragraphs if p.kind == TEXT)
    text = _WS.sub("", text) if re.search(r"[\u4e00-\u9fff]", text) else text
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(ch) for ch in "。!?!?;;")
    if end >= limit // 2:
        return cut[: end + 1]
    return cut + "…"


def article_day(article: Article, page: Page, fallback: date | None) -> date | None:
    return article.date or page.issue_date or fallback


def page_days(page: Page) -> list[date | None]:
    """The day each article of a page is published on (article_day, the fallback being the
    latest article date on the page)."""
    dated = [a.date for a in page.articles if a.date]
    fallback = max(dated) if dated else None
    return [article_day(article, page, fallback) for article in page.articles]


def stamp(day: date, n: int) -> datetime:
    """The publication time of the n-th item (from 0) of a day: 12:00 minus n minutes."""
    return datetime.combine(day, time(12, 0), tzinfo=SHANGHAI) - timedelta(minutes=n)


EPOCH = datetime(1970, 1, 1, tzinfo=SHANGHAI)


def order_key(item: Item) -> tuple[datetime, str]:
    """Where an item goes in the site's order (newest first: sort by this, descending)."""
    return (item.published or EPOCH, item.id)


def make_items(
    pages: Iterable[Page],
    classify: Classifier,
    summarize: Callable[[Article], str] = summary,
) -> list[Item]:
    """Turn pages into items, newest first (by publication time, then page order).
    `summarize` gives an article's summary (default: `summary`)."""
    pages = sorted(pages, key=lambda p: p.source)
    by_day: dict[date | None, list[tuple[Article, Page]]] = defaultdict(list)
    for page in pages:
        for article, day in zip(page.articles, page_days(page), strict=True):
            by_day[day].append((article, page))

    seen: dict[str, int] = {}
    items: list[Item] = []
    for day in sorted(by_day, key=lambda d: d or date.min):
        for n, (article, _page) in enumerate(by_day[day]):
            base = article_id(article.source, article.title)
            seen[base] = seen.get(base, 0) + 1
            item_id = base if seen[base] == 1 else f"{base}-{seen[base]}"
            published = None if day is None else stamp(day, n)
            primary, topics, tags = classify(article)
            items.append(
                Item(
                    id=item_id,
                    article=article,
                    primary_topic=primary,
                    topics=topics,
                    tags=tags,
                    published=published,
                    summary=summarize(article),
                )
            )
    items.sort(key=order_key, reverse=True)
    return items
