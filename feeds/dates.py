"""PURE date logic: issue dates from page furniture and file names, year inference, and
article dates from datelines (3月4日, 本报衢州5月14日讯, 日前, 近日, 昨日) with year rollover.

Rules (see ../shared/corpus/README.md and issue 3):
- A month/day takes the issue's year; a date more than 31 days after the issue date belongs to
  the previous year (a 12月30日 article in a January issue).
- 日前/近日/近期 with no explicit date mean the issue date; 昨日/昨天 the day before.
- A day alone (本报讯 11日，) takes the issue's month, or the month before when it is later than
  the issue's day; 上周五 / 本周一 / 周三 count from the issue's week (date_source "weekday").
- When the page states no issue date, the year is the largest year the text mentions, not
  counting target years (到2025年底, 力争2027年) and ranges.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_CN_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_FILE_DATE = re.compile(
    r"(?<![0-9a-fA-F])((?:19|20)\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?![0-9a-fA-F])"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# A year that names a target or the end of a range is not the year of the page.
_TARGET_BEFORE = re.compile(r"(到|至|力争|争取|计划|预计|~|-|—|－|―)\s*$")

# Article dateline at the start of the first paragraph.
_LEAD_MD = re.compile(r"^(?:((?:19|20)\d{2})年)?(\d{1,2})月(\d{1,2})日")
# A day alone (本报讯 11日，/ 18日起，): a same-month event, the usual short dateline.
_LEAD_DAY = re.compile(r"^(\d{1,2})日(?![内前后])")
_LEAD_RECENT = re.compile(r"^(日前|近日|近期|前不久)")
_LEAD_YESTERDAY = re.compile(r"^(昨日|昨天)")
_LEAD_DAY_BEFORE = re.compile(r"^(前日|前天)(?![内前后])")
# A weekday (上周五, 本周一, 周三): weekly and county papers date events this way.
_LEAD_WEEKDAY = re.compile(r"^(上|本|这)?(?:周|星期|礼拜)([一二三四五六日天])")
_WEEKDAYS = "一二三四五六日"

_ANY_MD = re.compile(r"(?<![\d年])(?:((?:19|20)\d{2})年)?(?<!\d)(\d{1,2})月(\d{1,2})日")
_ANY_RECENT = re.compile(r"(日前|近日|近期)[，,]")
_ANY_YESTERDAY = re.compile(r"(昨日|昨天)[，,上下中晚]")

ROLLOVER_DAYS = 31


def valid_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_cn_date(text: str) -> date | None:
    """The first full date written like 2024年3月6日 in `text`."""
    for m in _CN_DATE.finditer(text):
        found = valid_date(int(m[1]), int(m[2]), int(m[3]))
        if found:
            return found
    return None


def find_iso_date(text: str) -> date | None:
    """The first date written like 2024-05-15 (or 2024.05.15) in `text`."""
    for m in _ISO_DATE.finditer(text):
        found = valid_date(int(m[1]), int(m[2]), int(m[3]))
        if found:
            return found
    return None


def date_from_filename(name: str) -> date | None:
    """Issue date from a file name: 2024-03-06.txt, 20240306.txt, qj_20240306_01.txt."""
    for m in _FILE_DATE.finditer(name):
        found = valid_date(int(m[1]), int(m[2]), int(m[3]))
        if found:
            return found
    return None


def infer_year(text: str) -> int | None:
    """The largest year the text mentions (2023年度 and 2024年 give 2024), ignoring targets."""
    years = []
    for m in _YEAR.finditer(text):
        if _TARGET_BEFORE.search(text[max(0, m.start() - 4) : m.start()]):
            continue
        year = int(m[1])
        if 1949 <= year <= 2100:
            years.append(year)
    return max(years) if years else None


def resolve_month_day(month: int, day: int, issue: date | None, year: int | None) -> date | None:
    """A month/day in the issue's year, rolled back a year when it would lie after the issue."""
    if issue is not None:
        found = valid_date(issue.year, month, day)
        if found and (found - issue).days > ROLLOVER_DAYS:
            found = valid_date(issue.year - 1, month, day)
        return found
    if year is not None:
        return valid_date(year, month, day)
    return None


def resolve_day(day: int, issue: date | None) -> date | None:
    """A day without a month takes the issue's month; a day after the issue's day is in the
    month before (a 28日 event reported in a 3日 issue)."""
    if issue is None or not 1 <= day <= 31:
        return None
    year, month = issue.year, issue.month
    if day > issue.day:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return valid_date(year, month, day)


def resolve_weekday(which: str, day: str, issue: date) -> date:
    """上周五 = the Friday of the week before the issue's; 本周一 = that day of the issue's
    week; a bare 周三 = the latest Wednesday on or before the issue date."""
    weekday = _WEEKDAYS.index("日" if day == "天" else day)
    monday = issue - timedelta(days=issue.weekday())
    if which == "上":
        return monday - timedelta(days=7) + timedelta(days=weekday)
    if which:
        return monday + timedelta(days=weekday)
    return issue - timedelta(days=(issue.weekday() - weekday) % 7)


def lead_date(text: str, issue: date | None, year: int | None) -> tuple[date | None, str | None]:
    """The date an article's first paragraph opens with, and how it was obtained."""
    text = text.lstrip(" \u3000")
    m = _LEAD_MD.match(text)
    if m:
        if m[1]:
            return valid_date(int(m[1]), int(m[2]), int(m[3])), "text"
        return resolve_month_day(int(m[2]), int(m[3]), issue, year), "text"
    m = _LEAD_DAY.match(text)
    if m:
        found = resolve_day(int(m[1]), issue)
        return (found, "text") if found else (None, None)
    if issue is not None and _LEAD_RECENT.match(text):
        return issue, "recent"
    if issue is not None and _LEAD_YESTERDAY.match(text):
        return issue - timedelta(days=1), "yesterday"
    if issue is not None and _LEAD_DAY_BEFORE.match(text):
        return issue - timedelta(days=2), "yesterday"
    m = _LEAD_WEEKDAY.match(text)
    if issue is not None and m:
        return resolve_weekday(m[1] or "", m[2], issue), "weekday"
    # A feature's lead may set the scene first: 寒冬时节,暖意浓浓。1月2日上午,…
    window = _lead_window(text)
    m = _ANY_MD.search(window)
    if m:
        if m[1]:
            return valid_date(int(m[1]), int(m[2]), int(m[3])), "text"
        return resolve_month_day(int(m[2]), int(m[3]), issue, year), "text"
    if issue is not None and _ANY_RECENT.search(window):
        return issue, "recent"
    if issue is not None and _ANY_YESTERDAY.search(window):
        return issue - timedelta(days=1), "yesterday"
    return None, None


def _lead_window(text: str) -> str:
    """The first two sentences of a lead (at most 120 characters)."""
    ends = [i for i, ch in enumerate(text[:120]) if ch in "。！？!?"]
    return text[: ends[1] + 1] if len(ends) > 1 else text[:120]
