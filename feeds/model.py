"""Frozen dataclasses shared by every stage: Page, Article, Paragraph, Item, Topic, Problem.

The parsing core produces Pages of Articles; grouping turns Articles into Items (id, topics,
tags, publication time); rendering and the web app only read Items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# Paragraph kinds: ordinary body text, an in-article subheading, a credit line
# (organisation or person credited at the end of an article, e.g. 区红十字会).
TEXT = "text"
HEADING = "heading"
CREDIT = "credit"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One body paragraph; `line` is the 1-based input line it starts on."""

    text: str
    kind: str = TEXT
    line: int = 0

    def to_json(self) -> str | dict:
        if self.kind == TEXT:
            return self.text
        return {"text": self.text, "kind": self.kind, "line": self.line}


@dataclass(frozen=True, slots=True)
class Dropped:
    """An input line the parser deliberately kept out of every article, and why.

    reason is one of: header, footer, dateline (issue date line), masthead, banner,
    jump (下转/上接 marker), contents (a front page's 今日导读 box: ▲ 标题　2版),
    notice (a 公告/启事/公示 block or an advertisement: not news), weather (a 天气预报 box),
    bullet (the ● or ■ opening a run-in 短讯 item or a box title), standfirst (a special page's
    导语 under its banner: 本版聚焦…), duplicate (a web dump's title repeated over the text, or a
    jumped article's over its continuation), quotes (a box of quotations under a label:
    志愿者心声 / “…。”——志愿者 王美英), unassigned (text before the first article that belongs
    nowhere).
    """

    line: int
    text: str
    reason: str

    def to_json(self) -> dict:
        return {"line": self.line, "text": self.text, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with an input: a bad file, or text the parser could not place."""

    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"

    def to_json(self) -> dict:
        return {"source": self.source, "line": self.line, "message": self.message}


@dataclass(frozen=True, slots=True)
class Article:
    """One article as printed on a page."""

    title: str
    paragraphs: tuple[Paragraph, ...] = ()
    pretitle: str | None = None
    subtitle: str | None = None
    column: str | None = None
    authors: tuple[str, ...] = ()
    credits: tuple[str, ...] = ()  # organisations credited at the end (区红十字会)
    byline: str | None = None  # raw byline removed from the body (本报讯(记者 刘威))
    credit_line: str | None = None  # raw trailing credit ((记者 X 通讯员 Y), 记者 X 文 Y 摄)
    date: date | None = None
    # How `date` was obtained: dateline (本报讯…3月4日 / 本报衢州5月14日讯), text (a date
    # opening the first paragraph), recent (日前/近日 -> issue date), yesterday (昨日),
    # weekday (上周五/本周三/周一, counted from the issue's week), subtitle (a report's
    # ——2025年1月7日在…会议上), or None when unknown.
    date_source: str | None = None
    continued: bool = False  # the beginning is missing (上接 / starts mid-sentence)
    source: str = ""  # file name of the page
    position: int = 0  # 0-based order on the page
    first_line: int = 0
    last_line: int = 0

    @property
    def body(self) -> str:
        """Body text, paragraphs joined by newlines."""
        return "\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed page: its articles, what was dropped and why, and problems."""

    source: str
    articles: tuple[Article, ...] = ()
    issue_date: date | None = None
    # header | footer | filename | None (unknown: see `year`)
    issue_date_source: str | None = None
    year: int | None = None  # the year articles are dated in (from issue date or inferred)
    encoding: str | None = None
    dropped: tuple[Dropped, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Topic:
    """A topic feed: ASCII slug (used in URLs), Chinese title, description, keyword weights."""

    slug: str
    title: str
    description: str = ""
    keywords: dict[str, float] = field(default_factory=dict)
    threshold: float = 1.0


@dataclass(frozen=True, slots=True)
class Item:
    """An article ready for publishing: immutable id, topics, tags and publication time."""

    id: str  # short ASCII id, stable across rebuilds of the same input
    article: Article
    primary_topic: str
    topics: tuple[str, ...] = ()  # every matched topic, primary first
    tags: tuple[str, ...] = ()
    published: datetime | None = None  # timezone-aware, Asia/Shanghai (+08:00)
    summary: str = ""
    # When the article's text or title last changed after it was first published (a re-parse
    # kept its id, see feeds.store); None: never. Timezone-aware, Asia/Shanghai.
    updated: datetime | None = None
