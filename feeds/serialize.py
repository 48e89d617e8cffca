"""Page -> the `feeds parse` output: the JSON contract read by ../shared/corpus/score.py, and a
short human-readable listing."""

from __future__ import annotations

from collections.abc import Callable

from feeds.group import Classifier, make_items
from feeds.model import Article, Item, Page


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def _items(page: Page, classify: Classifier) -> list[Item]:
    by_position = {it.article.position: it for it in make_items([page], classify)}
    return [by_position[a.position] for a in page.articles]


def article_json(article: Article, item: Item) -> dict:
    return {
        "id": item.id,
        "title": article.title,
        "pretitle": article.pretitle,
        "subtitle": article.subtitle,
        "column": article.column,
        "authors": list(article.authors),
        "credits": list(article.credits),
        "byline": article.byline,
        "credit_line": article.credit_line,
        "date": _iso(article.date),
        "date_source": article.date_source,
        "continued": article.continued,
        "primary_topic": item.primary_topic,
        "topics": list(item.topics),
        "tags": list(item.tags),
        "lines": [article.first_line, article.last_line],
        "paragraphs": [p.to_json() for p in article.paragraphs],
    }


def page_json(page: Page, classify: Classifier) -> dict:
    """One page as the JSON object of `feeds parse --json` (a stable contract)."""
    items = _items(page, classify)
    return {
        "source": page.source,
        "encoding": page.encoding,
        "issue_date": _iso(page.issue_date),
        "issue_date_source": page.issue_date_source,
        "year": page.year,
        "articles": [article_json(a, it) for a, it in zip(page.articles, items, strict=True)],
        "dropped": [d.to_json() for d in page.dropped],
        "problems": [p.to_json() for p in page.problems],
    }


def page_text(page: Page, classify: Callable) -> str:
    """A short listing: one line per article (date, topic, title, authors)."""
    lines = [f"{page.source}: {len(page.articles)} articles, issue date {_iso(page.issue_date)}"]
    for article, item in zip(page.articles, _items(page, classify), strict=True):
        who = "、".join(article.authors) or "-"
        lines.append(
            f"  {_iso(article.date) or '----------'}  {item.primary_topic:<10} "
            f"{article.title}  ({who})"
        )
    return "\n".join(lines)
