"""Nothing is lost: every non-blank input line of every corpus page ends up in an article field
or in the page's dropped list (header, footer, banner, jump marker, unassigned) with its line
number."""

from __future__ import annotations

import re

import pytest

from feeds.model import Page
from feeds.source import read_page
from tests.corpus import CORPUS

PAGES = sorted(CORPUS.glob("*.txt"))


def squash(text: str | None) -> str:
    return re.sub(r"[\s\u3000]+", "", text or "")


def uncovered(page: Page, lines: list[str]) -> list[tuple[int, str]]:
    """The non-blank input lines whose text is in no article field and no dropped entry."""
    dropped_by_line: dict[int, list[str]] = {}
    for d in page.dropped:
        dropped_by_line.setdefault(d.line, []).append(squash(d.text))
    streams = []
    for a in page.articles:
        head = [a.column, a.pretitle, a.title, a.subtitle]
        body = [p.text for p in a.paragraphs]
        streams.extend(squash(x) for x in head)
        streams.append(squash("".join([a.byline or "", *body, a.credit_line or ""])))
        # the byline was split off the paragraph it opened, which may follow an editor's note
        streams.extend(squash((a.byline or "") + text) for text in body)
        # a run-in title (●标题　正文…, a 短讯 item) is printed on the line its text starts,
        # which may end with the item's credit (…问题15个。（通讯员 周敏）)
        streams.append(squash("".join([a.title, a.byline or "", *body])))
        streams.append(squash("".join([a.title, a.byline or "", *body, a.credit_line or ""])))
        streams.extend(squash(c) for c in a.credits)
    # a dropped unit is reported whole, under its first line: the hard-wrapped lines after it
    streams.extend(squash(d.text) for d in page.dropped if d.reason != "jump")
    missing = []
    for number, line in enumerate(lines, 1):
        text = squash(line)
        for cut in dropped_by_line.get(number, []):
            text = text.replace(cut, "", 1)
        # a jump marker a hard wrap cut in two ((下转第3 / 版)) is reported under its last line
        for cut in dropped_by_line.get(number, []) + dropped_by_line.get(number + 1, []):
            text = _cut_overlap(text, cut)
        # documented normalisation: the marks of a pretitle (…—— or …：) or subtitle (——…)
        text = text.strip("—－―─-").rstrip("：:")
        if not text or any(text in s for s in streams):
            continue
        # a layout-scrambled title is printed with its parts rotated back into order
        parts = [squash(x).strip("—－―─-") for x in line.split()]
        if len(parts) > 1 and any(all(x in s for x in parts) for s in streams):
            continue
        missing.append((number, line))
    return missing


def _cut_overlap(text: str, cut: str) -> str:
    """`text` without the start or end of `cut` that it ends or starts with (2+ characters)."""
    for n in range(len(cut) - 1, 1, -1):
        if text.endswith(cut[:n]):
            return text[:-n]
        if text.startswith(cut[-n:]):
            return text[n:]
    return text


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_every_line_is_accounted_for(path):
    page = read_page(path)
    data = path.read_bytes()
    text = data.decode("gb18030" if page.encoding == "gb18030" else "utf-8-sig")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert page.articles
    assert uncovered(page, lines) == []


def test_the_checker_can_fail():
    """A page whose parse lost a line is caught."""
    path = CORPUS / "page-01.txt"
    page = read_page(path)
    lines = path.read_text(encoding="utf-8").split("\n") + ["这一行不在任何文章里"]
    assert uncovered(page, lines) == [(len(lines), "这一行不在任何文章里")]


def test_unplaced_text_is_reported():
    from feeds.parse import parse_page

    page = parse_page(
        "这是一段没有标题的正文，前面的部分丢失了。\n\n区政府召开常务会议\n\n本报讯(记者 张三)3月1日,会议召开。\n",
        "x.txt",
    )
    assert [a.title for a in page.articles] == ["区政府召开常务会议"]
    assert [d.reason for d in page.dropped] == ["unassigned"]
    assert page.problems and page.problems[0].line == 1
