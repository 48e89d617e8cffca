"""Property tests (hypothesis): the parser never raises, and it invents no text: every output
field is, after whitespace and the documented normalisations, a subsequence of the input."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.decode import decode, normalise
from feeds.parse import parse_page
from tests.corpus import CORPUS

_WS = re.compile(r"[\s\u3000]+")
SEED_LINES = [
    ln
    for path in sorted(CORPUS.glob("page-0[13-5].txt"))
    for ln in path.read_text(encoding="utf-8").splitlines()
]

# Pieces of real page text, plus the characters that drive the parser's decisions.
page_line = st.one_of(
    st.sampled_from(SEED_LINES),
    st.text(
        alphabet="本报讯记者通讯员()（）第版:：上接下转12年月日——　 ,，。区委会议召开\n\r\t\x00\x0c",
        max_size=40,
    ),
    st.text(max_size=30),
)
pages = st.lists(page_line, max_size=40).map("\n".join)


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def fields(page) -> list[str]:
    out = []
    for a in page.articles:
        out += [a.title, a.pretitle or "", a.subtitle or "", a.column or "", a.byline or ""]
        out += [a.credit_line or "", *a.authors, *a.credits, *(p.text for p in a.paragraphs)]
    out += [d.text for d in page.dropped]
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages)
def test_any_text_parses_and_nothing_is_invented(text):
    clean = normalise(text)
    page = parse_page(clean, "random.txt")
    source = _WS.sub("", clean)
    for value in fields(page):
        squashed = _WS.sub("", value)
        assert is_subsequence(squashed, source), value
    for article in page.articles:
        assert article.first_line <= article.last_line


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_fail_with_a_reason(data):
    from feeds.errors import InputError

    try:
        text, encoding = decode(data, "x.txt")
    except InputError as exc:
        assert str(exc).startswith("x.txt: ")
        return
    assert encoding in {"utf-8", "utf-8-sig", "gb18030", "utf-16"}
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)
    parse_page(text, "x.txt")


def test_subsequence_check_can_fail():
    assert not is_subsequence("会议召开", "会议")


def _chunks_by_fitting(items, limit, max_bytes, size):
    """archive_chunks as its docstring says it: `fitting` page after page from the oldest."""
    from feeds.site import fitting

    k = fitting(items, limit, max_bytes, size)
    older = items[k:][::-1]
    pages, start = [], 0
    while start < len(older):
        n = fitting(older[start : start + limit], limit, max_bytes, size)
        pages.append(tuple(reversed(older[start : start + n])))
        start += n
    return tuple(items[:k]), pages


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=400), max_size=120),
    st.integers(min_value=1, max_value=12),
    st.one_of(st.none(), st.integers(min_value=0, max_value=1500)),
)
def test_archive_pages_are_fitting_page_after_page(sizes, limit, max_bytes):
    from feeds.site import archive_chunks

    items = [(n, size) for n, size in enumerate(sizes)]  # (identity, estimated size)
    size = lambda item: item[1]  # noqa: E731
    got = archive_chunks(items, limit, max_bytes, size)
    assert got == _chunks_by_fitting(items, limit, max_bytes, size)
    current, pages = got
    assert [it for page in [current, *reversed(pages)] for it in page] == items


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), max_size=60, unique=True))
def test_a_rows_position_is_its_index_in_the_site_order(stamps):
    from datetime import datetime, timedelta

    from feeds.delta import Row, _position
    from feeds.group import SHANGHAI, order_key

    start = datetime(2024, 3, 1, 12, tzinfo=SHANGHAI)

    def row(n):
        when = start + timedelta(minutes=n) if n % 7 else None  # some undated
        return Row(f"id{n:03d}", "p.txt", n, "", when, None, "other", (), (), 1, "", "", "t")

    rows = sorted(map(row, stamps), key=order_key, reverse=True)
    for n, r in enumerate(rows):
        assert _position(rows, r) == n
    for probe in (row(51), row(56)):  # not in the list: where it would go
        at = _position(rows, probe)
        placed = [*rows[:at], probe, *rows[at:]]
        assert placed == sorted(placed, key=order_key, reverse=True)


# -- fast paths equal their plain definitions ----------------------------------------------


def _count_keywords_plain(tokens: list[str], keywords: frozenset[str]) -> dict[str, int]:
    """Longest keyword run at each position, left to right, a run counted once."""
    found: dict[str, int] = {}
    i = 0
    while i < len(tokens):
        best, end = None, i + 1
        for j in range(i + 1, len(tokens) + 1):
            if "".join(tokens[i:j]) in keywords:
                best, end = "".join(tokens[i:j]), j
        if best is not None:
            found[best] = found.get(best, 0) + 1
        i = end
    return found


_TOKENS = st.lists(st.sampled_from(["区", "纪委", "区委", "常委会", "会议", "志愿", "者", "，"]))


@given(_TOKENS)
def test_count_keywords_equals_the_plain_longest_match_scan(tokens: list[str]) -> None:
    from feeds.topics import count_keywords

    keywords = frozenset({"区纪委", "纪委", "区委常委会", "常委会会议", "志愿者", "区委"})
    expected = _count_keywords_plain(tokens, keywords)
    assert dict(count_keywords(tokens, keywords)) == expected


@given(st.text(alphabet="衢江ab 1　，。ＡＢ①—", max_size=40))
def test_width_counts_wide_and_full_width_characters_twice(text: str) -> None:
    import unicodedata

    from feeds.chars import width

    assert width(text) == sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@given(st.lists(st.integers(0, 40), max_size=60), st.integers(0, 3), st.integers(0, 3))
def test_wrap_mode_is_the_value_with_most_values_in_its_window(values, below, above) -> None:
    from feeds.parse import _Wrap

    expected = (
        max(sorted(set(values)), key=lambda v: sum(v - below <= x <= v + above for x in values))
        if values
        else 0
    )
    assert _Wrap._mode(values, below, above) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 10**6)), st.one_of(st.none(), st.integers(0, 10**6))
        ),
        max_size=30,
    )
)
def test_newest_is_the_latest_of_every_publication_and_update_time(pairs) -> None:
    from datetime import datetime, timedelta

    from feeds.delta import Row
    from feeds.group import SHANGHAI
    from feeds.site import newest

    start = datetime(2024, 3, 1, tzinfo=SHANGHAI)
    at = lambda n: None if n is None else start + timedelta(seconds=n)  # noqa: E731
    rows = [
        Row(f"id{k}", "p.txt", k, "", at(p), at(u), "other", (), (), 1, "", "", "t")
        for k, (p, u) in enumerate(pairs)
    ]
    plain = [t for r in rows for t in (r.published, r.updated) if t is not None]
    expected = max(plain) if plain else None
    assert newest(rows) == expected
    assert newest(iter(rows)) == expected  # any iterable, once


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="０１２３４５６７８９－．／0123456789年月日二〇十一零○ 　abc", max_size=40))
def test_ascii_digits_translates_only_when_there_is_something_to_translate(text: str) -> None:
    from feeds import dates

    plain = text.translate(dates._HALF)  # the definition: translate every line
    if "年" in plain and dates._CN_NUMERAL_DATE.search(plain):
        plain = dates._CN_NUMERAL_DATE.sub(dates._arabic_date, plain)
    assert dates.ascii_digits(text) == plain
