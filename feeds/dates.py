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
_LEAD_YESTERDAY = re.compile(r"^(昨日|昨天|昨晚|昨夜)")
_LEAD_DAY_BEFORE = re.compile(r"^(前日|前天)(?![内前后])")
# A weekday (上周五, 本周一, 周三): weekly and county papers date events this way.
_LEAD_WEEKDAY = re.compile(r"^(上|本|这)?(?:周|星期|礼拜)([一二三四五六日天])")
_WEEKDAYS = "一二三四五六日"

# (今年3月5日 too: the year is the issue's)
_ANY_MD = re.compile(r"(?<!\d年)(?:((?:19|20)\d{2})年)?(?<!\d)(\d{1,2})月(\d{1,2})日")
# 昨（19）日: yesterday, its day in brackets; 本月18日 / 上月28日: a day of this or last month
_YESTERDAY_DAY = re.compile(r"昨[（(](\d{1,2})[)）]日")
_MONTH_WORD_DAY = re.compile(r"(?<![\d年])([本上])月(\d{1,2})日")
# 元月 is January (元月4日)
_FIRST_MONTH = re.compile(r"元月(?=\d{1,2}日)")
_ANY_RECENT = re.compile(r"(日前|近日|近期)[，,]")
# 昨日，… / 昨日上午 / 昨晚 / 记者昨日从区商务局获悉 / …于昨日召开: the lead's day,
# wherever it stands
_ANY_YESTERDAY = re.compile(r"(昨日|昨天|昨晚|昨夜)(?![的之])")

ROLLOVER_DAYS = 31

# Around 春节 and 元宵 county papers date events by the lunar calendar (正月初八晚, 除夕,
# 元宵节当晚). 正月初一 (Spring Festival) by year; the days of 正月 count on from it.
SPRING_FESTIVAL = {
    2015: date(2015, 2, 19),
    2016: date(2016, 2, 8),
    2017: date(2017, 1, 28),
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}
_CN_DIGIT = "一二三四五六七八九十"
_LEAD_LUNAR = re.compile(
    r"^(?:农历)?(?:(?:正月|大年)(?P<day>初[一二三四五六七八九十]|十[一二三四五六七八九]?"
    r"|二十[一二三四五六七八九]?|廿[一二三四五六七八九]|三十)|(?P<eve>除夕|大年三十)"
    r"|(?P<lantern>元宵节?)(?=当[天晚日]|[，,上下晚当期间])|(?P<first>春节)(?=当天|[，,]))"
)


def _lunar_day(m: re.Match[str]) -> int:
    """The day of 正月 a lunar dateline names (0 for 除夕, the eve)."""
    if m["eve"]:
        return 0
    if m["lantern"]:
        return 15
    if m["first"]:
        return 1
    word = m["day"]
    if word.startswith("初"):
        return _CN_DIGIT.index(word[1]) + 1
    if word.startswith("廿"):
        return 20 + _CN_DIGIT.index(word[1]) + 1
    tens, _, ones = word.partition("十")
    return (10 * (_CN_DIGIT.index(tens) + 1) if tens else 10) + (
        _CN_DIGIT.index(ones) + 1 if ones else 0
    )


def resolve_lunar(day: int, issue: date) -> date | None:
    """Day `day` of 正月 (0 = 除夕) in the lunar year of the issue; the year before when that
    would lie more than a month after the issue."""
    for year in (issue.year, issue.year - 1):
        first = SPRING_FESTIVAL.get(year)
        if first is None:
            return None
        found = first + timedelta(days=day - 1)
        if (found - issue).days <= ROLLOVER_DAYS:
            return found
    return None


# Full-width digits and separators (２０２４年１１月２０日, ２０２４-１１-２０), as some dumps print
# them: read as ASCII wherever a date is looked for (the text itself is left as printed).
_HALF = str.maketrans("０１２３４５６７８９－．／", "0123456789-./")


# Date lines set in Chinese numerals (二〇二四年十一月二十日　星期三): a four-figure year, then
# optionally the month and the day; read as 2024年11月20日 wherever a date is looked for.
_CN_FIGURE = "〇零○０一二三四五六七八九"
_CN_NUMERAL_DATE = re.compile(
    rf"(?<![{_CN_FIGURE}十])([{_CN_FIGURE}]{{4}})年"
    r"(?:([一二三四五六七八九十]{1,2})月(?:([一二三四五六七八九十]{1,3})日)?)?"
)


def _cn_number(text: str) -> int:
    """十一 -> 11, 二十 -> 20, 三十一 -> 31, 九 -> 9 (up to 99)."""
    digit = "一二三四五六七八九".index
    if "十" not in text:
        return digit(text) + 1
    tens, _, ones = text.partition("十")
    return (digit(tens) + 1 if tens else 1) * 10 + (digit(ones) + 1 if ones else 0)


def _arabic_date(m: re.Match[str]) -> str:
    year = "".join("0" if ch in "〇零○０" else str(_cn_number(ch)) for ch in m[1])
    out = f"{year}年"
    if m[2]:
        out += f"{_cn_number(m[2])}月"
        if m[3]:
            out += f"{_cn_number(m[3])}日"
    return out


_FULL_WIDTH = re.compile("[０-９－．／]")


def ascii_digits(text: str) -> str:
    """Full-width digits and date separators as ASCII, and dates in Chinese numerals in
    Arabic ones (二〇二四年十一月 -> 2024年11月)."""
    if _FULL_WIDTH.search(text):  # (a search runs in C; translating walks a dict per char)
        text = text.translate(_HALF)
    if "年" in text and _CN_NUMERAL_DATE.search(text):
        text = _CN_NUMERAL_DATE.sub(_arabic_date, text)
    return text


def valid_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_cn_date(text: str) -> date | None:
    """The first full date written like 2024年3月6日 in `text`."""
    text = ascii_digits(text)
    for m in _CN_DATE.finditer(text):
        found = valid_date(int(m[1]), int(m[2]), int(m[3]))
        if found:
            return found
    return None


def find_iso_date(text: str) -> date | None:
    """The first date written like 2024-05-15 (or 2024.05.15) in `text`."""
    text = ascii_digits(text)
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
    text = ascii_digits(text)
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


def resolve_dateline(month: int, day: int, issue: date | None, year: int | None) -> date | None:
    """A dateline's date: month 0 is a day alone (本报衢州11日讯, see resolve_day)."""
    if month == 0:
        return resolve_day(day, issue)
    return resolve_month_day(month, day, issue, year)


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
    text = _FIRST_MONTH.sub("1月", ascii_digits(text).lstrip(" \u3000"))
    worded = _worded_day(text[:60], issue)
    if worded is not None and text.startswith(worded[1]):
        return worded[0], "text"
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
    m = _LEAD_LUNAR.match(text)
    if issue is not None and m:
        found = resolve_lunar(_lunar_day(m), issue)
        if found:
            return found, "text"
    # A feature's lead may set the scene first: 寒冬时节,暖意浓浓。1月2日上午,…
    window = _lead_window(text)
    worded = _worded_day(window, issue)
    m = _ANY_MD.search(window)
    if worded is not None and (m is None or window.find(worded[1]) < m.start()):
        return worded[0], "text"
    if m:
        if m[1]:
            return valid_date(int(m[1]), int(m[2]), int(m[3])), "text"
        return resolve_month_day(int(m[2]), int(m[3]), issue, year), "text"
    # An interview's intro states its theme before the date: 今年，… 如何…？近日，记者专访了…
    if issue is not None and _ANY_RECENT.search(_lead_window(text, 3)):
        return issue, "recent"
    if issue is not None and _ANY_YESTERDAY.search(window):
        return issue - timedelta(days=1), "yesterday"
    return None, None


def _worded_day(text: str, issue: date | None) -> tuple[date | None, str] | None:
    """The first 昨（19）日 / 本月18日 / 上月28日 in `text`: (its date, the words), or None.
    They need the issue's date."""
    if issue is None:
        return None
    found = []
    m = _YESTERDAY_DAY.search(text)
    if m:
        found.append((m.start(), resolve_day(int(m[1]), issue), m[0]))
    m = _MONTH_WORD_DAY.search(text)
    if m:
        year, month = issue.year, issue.month
        if m[1] == "上":
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        found.append((m.start(), valid_date(year, month, int(m[2])), m[0]))
    if not found:
        return None
    _, when, words = min(found, key=lambda f: f[0])
    return when, words


def _lead_window(text: str, sentences: int = 2) -> str:
    """The first sentences of a lead (two unless told; at most 60 characters each)."""
    limit = 60 * sentences
    ends = [i for i, ch in enumerate(text[:limit]) if ch in "。！？!?"]
    return text[: ends[sentences - 1] + 1] if len(ends) >= sentences else text[:limit]
