"""PURE page furniture: page headers (第01版:要闻, 00005版:要闻, 今日衢江 2024年10月14日 星期一
第2版), mastheads, date lines, footers (今日衢江 要闻 00005 … 2024-05-15 上一版 下一版) and
jump markers ((下转第2版), (上接第1版)). None of it is article text; header and footer dates
give the issue date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from feeds import dates
from feeds.chars import SPACE, ends_sentence, squash

_PAGE_HEADER = re.compile(
    r"^(?:第\s*[0-9０-９一二三四五六七八九十]+\s*版|\d{1,5}\s*版)"
    r"(?:\s*[:：]?\s*[^\s()（）:：，,。]{1,12})?$"
)
_DATE_LINE = re.compile(
    r"^(?:\d{4}年\d{1,2}月\d{1,2}日)\s*(?:星期[一二三四五六日天]|周[一二三四五六日天])?"
    r"\s*(?:农历\S*)?$"
)
_HEADER_BITS = re.compile(r"(星期[一二三四五六日天]|第\s*\d+\s*版|\d{1,5}版)")
_PAGE_NO = re.compile(r"第\s*\d+\s*版|\d{1,5}版")
_FOOTER_WORDS = re.compile(
    r"(上一版|下一版|返回目录|版面导航|责任编辑|本版编辑|版式设计|责编|美编|校对)"
)
JUMP = re.compile(
    r"[(（]\s*(?P<kind>下转|上接|转|接|紧接|续)第?\s*[0-9０-９一二三四五六七八九十]+\s*版\s*[)）]"
)
_LONE_PAGE_NO = re.compile(r"^[0-9０-９]{1,3}$|^[-－—]\s*[0-9０-９]{1,3}\s*[-－—]$")
_MASTHEAD_BAD = re.compile(r"[，。,.;；:：!！?？“”\d]")


@dataclass(frozen=True)
class Furniture:
    reason: str  # header | footer
    date: date | None = None  # the issue date the line states


def classify(bare: str, top: bool, alone: bool = False) -> Furniture | None:
    """Furniture kind of one stripped line; `top` is True while still above the first text,
    `alone` when blank lines stand on both sides of it."""
    if _PAGE_HEADER.match(bare):
        return Furniture("header")
    # A bare page number (2, - 2 -) above the header or alone in a page-break gap; a short
    # line of digits inside hard-wrapped text is text.
    if (top or alone) and _LONE_PAGE_NO.match(bare):
        return Furniture("header" if top else "footer")
    if _DATE_LINE.match(bare):
        return Furniture("header", dates.find_cn_date(bare))
    iso = dates.find_iso_date(bare)
    if _FOOTER_WORDS.search(bare) or (
        iso and re.search(r"\d{2,5}", bare) and not ends_sentence(bare) and "，" not in bare
    ):
        return Furniture("footer", iso or dates.find_cn_date(bare))
    if top and len(bare) <= 60 and _HEADER_BITS.search(bare) and not re.search("[，。,]", bare):
        found = dates.find_cn_date(bare)
        if found or _PAGE_NO.search(bare):
            return Furniture("header", found)
    return None


def masthead_line(lines: list[str]) -> int | None:
    """1-based number of a masthead: the paper's name as the first line, right above a header
    or date line (今日衢江 / 2024年3月6日 星期三)."""
    top = [(n, ln.strip(SPACE)) for n, ln in enumerate(lines[:12], 1) if ln.strip(SPACE)]
    if len(top) < 2:
        return None
    (number, bare), (_, below) = top[0], top[1]
    headerish = _PAGE_HEADER.match(below) or _DATE_LINE.match(below)
    if headerish and len(bare) <= 12 and not _MASTHEAD_BAD.search(bare):
        return number
    return None


def is_jump_in(kind: str) -> bool:
    """(上接第1版): the article continues from another page; its beginning is not here."""
    return kind in ("上接", "接", "紧接", "续")


# Notices and ads (公告, 通告, 启事, 声明, 公示) are not news: their title names the kind of
# notice (公　告, 2025年度《青溪报》征订启事, 关于…的公示), and instead of a byline they close with
# 特此公告 and/or a signature (the issuing body, then a date: 青溪报社 / 2024年12月).
_NOTICE_TITLE = re.compile(r"(?:公告|通告|启事|声明|公示|告示|讣告)$")
_NOTICE_CLOSE = re.compile(r"特此(?:公告|通告|声明|公示|通知|告知)[。.！!]?$")
_SIGNATURE_DATE = re.compile(r"^(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}日)?$")


def is_notice_title(text: str) -> bool:
    """A headline naming a notice or ad: 公　告, 征订启事, 遗失声明, 关于…的公示."""
    bare = squash(text)
    return (
        len(bare) <= 30 and bool(_NOTICE_TITLE.search(bare)) and not re.search("[，,。；;]", bare)
    )


def closes_notice(text: str) -> bool:
    """A notice's closing formula: 特此公告。 (alone or at the end of the last paragraph)."""
    return bool(_NOTICE_CLOSE.search(squash(text)))


def is_signature_date(text: str) -> bool:
    """A date alone on its line under a notice's signature: 2024年12月, 2024年11月7日."""
    return bool(_SIGNATURE_DATE.match(squash(text)))
