"""Shared fixtures: collections (real seeds, the golden corpus, hand-made items), the Flask
`app`/`client` (flaskr style) and a click `runner`.

Collecting runs jieba, so collections are session-scoped; they are frozen, so sharing is safe.
The test client talks to http://localhost, so apps use that as their base URL: feed self links
then equal the URLs the tests request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from feeds.build import collect
from feeds.group import SHANGHAI
from feeds.model import Article, Item, Paragraph, Topic
from feeds.site import Collection
from feeds.web import create_app

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
CORPUS = Path(__file__).parent / "data" / "corpus"  # page-*.txt and the seed page
TEST_BASE = "http://localhost"


@pytest.fixture(scope="session")
def seed_collection() -> Collection:
    return collect(SEEDS)


@pytest.fixture(scope="session")
def corpus_collection() -> Collection:
    return collect(CORPUS)


@pytest.fixture(scope="session")
def app(seed_collection: Collection):
    """The app over the real seed page, with default limit and ttl."""
    return create_app({"COLLECTION": seed_collection, "BASE_URL": TEST_BASE, "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def corpus_app(corpus_collection: Collection):
    """The app over the whole golden corpus with a small feed limit, so archives exist."""
    return create_app(
        {"COLLECTION": corpus_collection, "BASE_URL": TEST_BASE, "LIMIT": 3, "TESTING": True}
    )


@pytest.fixture()
def corpus_client(corpus_app):
    return corpus_app.test_client()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


TOPICS = (
    Topic("party", "党委会议", "党委会议与党的建设"),
    Topic("government", "政府工作", "政府常务会议与政府工作"),
    Topic("volunteers", "志愿服务", "志愿服务"),
    Topic("other", "其他", "其他文章"),
)


def _make_item(
    n: int,
    *,
    title: str | None = None,
    body: str | None = None,
    topic: str = "party",
    tags: tuple[str, ...] = (),
    published: datetime | None = None,
) -> Item:
    """A hand-made item; item n is published n hours after a fixed day (larger = newer)."""
    title = title or f"第{n}条新闻 标题"
    body = body or f"第{n}条新闻的正文。会议强调要抓好落实。"
    when = published or datetime(2024, 2, 19, 8, 0, tzinfo=SHANGHAI) + timedelta(hours=n)
    article = Article(
        title=title,
        paragraphs=(Paragraph(body, line=3), Paragraph("小标题", kind="heading", line=4)),
        authors=("刘威",),
        date=when.date(),
        source="page-x.txt",
        position=n,
        first_line=1,
        last_line=4,
    )
    return Item(
        id=f"{n:016x}",
        article=article,
        primary_topic=topic,
        topics=(topic,),
        tags=tags,
        published=when,
        summary=body[:60],
    )


@pytest.fixture()
def make_item() -> Callable[..., Item]:
    """Factory of hand-made items: make_item(n, title=..., body=..., topic=..., tags=...)."""
    return _make_item


@pytest.fixture()
def make_collection() -> Callable[..., Collection]:
    """Build a Collection from hand-made items (newest first, like make_items)."""

    def build(items: list[Item]) -> Collection:
        ordered = sorted(items, key=lambda it: (it.published, it.id), reverse=True)
        return Collection(items=tuple(ordered), topics=TOPICS)

    return build
