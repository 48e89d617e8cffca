"""Deterministic synthetic archive: N newspaper pages made from the real corpus pages.

    python tests/benchmarks/generate.py --pages 2000 --out /tmp/archive

Every page is built from one template, a real page of tests/data/corpus (the seed page and the
five dev pages), so encodings (UTF-8, GB18030), newlines (LF, CRLF) and layouts (blank-line
paragraphs, hard-wrapped PDF text, headers, footers, page-break splits) stay mixed like a real
archive. For each page:

- it gets an issue date: pages are spread evenly over `--years` years ending on `--end`, and
  named like a real dump, qj_20240306_01.txt (date, then the page's number on that day);
- every date in the text is moved by the same number of days (2024年3月6日 星期三 with a
  recomputed weekday, 3月4日, 2024-05-15), and bare years (2023年度) by the same number of years,
  so datelines, 昨日 and year rollovers keep their meaning;
- its articles are shuffled (an article whose beginning is missing keeps its place: it must
  follow the text it continues), and pages with blank-line paragraphs are padded with articles
  of the other such templates to a size drawn around `--page-kb` (a real page of the paper is
  ~15 KB: ten years, ~10,000 pages, ~150 MB).

Same arguments, same bytes: the randomness is seeded per page (`--seed`), so page i does not
depend on how many pages come before it and `page(n, n)` is "the next page" of an n-page archive.
Article boundaries come from feeds' own parser, run once over the templates.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from feeds.decode import decode
from feeds.parse import parse_page

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"
# The real seed page and the five dev pages; the corpus's red-team pages (page-r*, -s*, ...)
# are parser edge cases, not a newspaper's everyday layout.
TEMPLATE_NAMES = ("000_*.txt", "page-0[1-5].txt")
END = date(2024, 12, 31)
YEARS = 10
PAGE_KB = 15.0
SEED = 20240306
ROLLOVER_DAYS = 31  # a 12月30日 dateline in a January issue is last year's (feeds.dates)
WEEKDAYS = "一二三四五六日"

# One pass over every date form, so a shifted date is never shifted twice.
_DATES = re.compile(
    r"(?P<cn>(?<!\d)(?P<cy>(?:19|20)\d{2})(?P<s1>\s*)年(?P<s2>\s*)(?P<cm>\d{1,2})(?P<s3>\s*)月"
    r"(?P<s4>\s*)(?P<cd>\d{1,2})(?P<s5>\s*)日(?P<wk>\s*星期[一二三四五六日天])?)"
    r"|(?P<iso>(?<!\d)(?P<iy>(?:19|20)\d{2})(?P<sep>[-./])(?P<im>\d{1,2})(?P=sep)(?P<id>\d{1,2})(?!\d))"
    r"|(?P<md>(?<![\d年])(?P<mm>\d{1,2})月(?P<md_d>\d{1,2})日)"
    r"|(?P<year>(?<!\d)(?P<yy>(?:19|20)\d{2})(?=\s*年))"
)


@dataclass(frozen=True)
class Block:
    """The lines of one article (with the blank lines and markers after it)."""

    lines: tuple[str, ...]
    ref: date  # the date its source page was issued (or its latest dated article)
    continued: bool  # its beginning is missing: it must stay right after what it continues


@dataclass(frozen=True)
class Template:
    """A corpus page cut into furniture before, articles, and furniture after."""

    name: str
    encoding: str
    newline: str
    ref: date
    head: tuple[str, ...]
    blocks: tuple[Block, ...]
    tail: tuple[str, ...]
    wrapped: bool  # hard-wrapped PDF text: other pages' articles do not fit its layout

    @property
    def size(self) -> int:
        lines = (*self.head, *(ln for b in self.blocks for ln in b.lines), *self.tail)
        return len(self.newline.join(lines).encode(self.encoding))


def _reference_date(page) -> date:
    if page.issue_date:
        return page.issue_date
    dated = [a.date for a in page.articles if a.date]
    return max(dated) if dated else date(page.year or END.year, 12, 31)


def _template(path: Path) -> Template:
    data = path.read_bytes()
    text, encoding = decode(data, str(path))
    page = parse_page(text, path.name)
    lines = text.split("\n")
    ref = _reference_date(page)
    arts = page.articles
    blocks = []
    for i, art in enumerate(arts):
        end = arts[i + 1].first_line - 1 if i + 1 < len(arts) else art.last_line
        blocks.append(Block(tuple(lines[art.first_line - 1 : end]), ref, art.continued))
    return Template(
        name=path.name,
        encoding=encoding,
        newline="\r\n" if b"\r\n" in data else "\n",
        ref=ref,
        head=tuple(lines[: arts[0].first_line - 1]),
        blocks=tuple(blocks),
        tail=tuple(lines[arts[-1].last_line :]),
        wrapped=_is_wrapped(lines),
    )


def _is_wrapped(lines: list[str]) -> bool:
    """Hard-wrapped: few blank lines between many text lines."""
    text_lines = [ln for ln in lines if ln.strip()]
    return len(text_lines) > 2 * (len(lines) - len(text_lines))


def template_paths(corpus: Path = CORPUS) -> list[Path]:
    """The seed page and the five dev pages, in file-name order."""
    return sorted({p for pattern in TEMPLATE_NAMES for p in corpus.glob(pattern)})


@cache
def templates(corpus: Path = CORPUS) -> tuple[Template, ...]:
    """The template pages, parsed and cut into articles."""
    return tuple(_template(p) for p in template_paths(corpus))


def fingerprint() -> str:
    """What the generated bytes depend on: this script, the template pages and the parser
    (article boundaries come from it). Caches of generated archives are keyed by it."""
    import hashlib

    from feeds import parse

    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in template_paths():
        digest.update(path.read_bytes())
    for module in ("parse", "furniture", "headlines", "bylines", "chars", "dates", "decode"):
        digest.update(Path(parse.__file__).with_name(f"{module}.py").read_bytes())
    return digest.hexdigest()[:12]


# -- re-dating -------------------------------------------------------------------------------


def _month_day(month: int, day: int, ref: date) -> date | None:
    """A month/day read in the reference page's year (previous year past the rollover)."""
    for year in (ref.year, ref.year - 1):
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if found <= ref + timedelta(days=ROLLOVER_DAYS):
            return found
    return None


def _full(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def redate(text: str, ref: date, target: date) -> str:
    """Move every date of a page issued on `ref` so that the page is issued on `target`."""
    days = target - ref
    years = target.year - ref.year

    def sub(m: re.Match) -> str:
        if m["cn"]:
            old = _full(m["cy"], m["cm"], m["cd"])
            if old is None:
                return m[0]
            new = old + days
            out = (
                f"{new.year}{m['s1']}年{m['s2']}{new.month}{m['s3']}月{m['s4']}{new.day}{m['s5']}日"
            )
            if m["wk"]:
                out += m["wk"][:-1] + WEEKDAYS[new.weekday()]
            return out
        if m["iso"]:
            old = _full(m["iy"], m["im"], m["id"])
            if old is None:
                return m[0]
            new = old + days
            width = len(m["im"])
            return f"{new.year}{m['sep']}{new.month:0{width}d}{m['sep']}{new.day:0{len(m['id'])}d}"
        if m["md"]:
            old = _month_day(int(m["mm"]), int(m["md_d"]), ref)
            if old is None:
                return m[0]
            new = old + days
            return f"{new.month}月{new.day}日"
        return str(int(m["yy"]) + years)

    return _DATES.sub(sub, text)


# -- pages -----------------------------------------------------------------------------------


def issue_date(i: int, n: int, end: date = END, years: int = YEARS) -> date:
    """Page i of n: spread evenly over `years` years, the last page (i = n) on `end`."""
    span = years * 365
    return end - timedelta(days=span) + timedelta(days=(i * span) // n)


def file_name(i: int, n: int, end: date = END, years: int = YEARS) -> str:
    """qj_<yyyymmdd>_<number of the page on that day>.txt"""
    day = issue_date(i, n, end, years)
    first = i
    while first > 0 and issue_date(first - 1, n, end, years) == day:
        first -= 1
    return f"qj_{day:%Y%m%d}_{i - first + 1:02d}.txt"


def _arrange(tpl: Template, rng: random.Random, page_kb: float) -> list[Block]:
    """The template's articles shuffled (continued ones in place), padded to a drawn size."""
    free = [b for b in tpl.blocks if not b.continued]
    rng.shuffle(free)
    order = [b if b.continued else free.pop() for b in tpl.blocks]
    if tpl.wrapped or page_kb <= 0:
        return order
    goal = rng.uniform(0.6, 1.4) * page_kb * 1024
    size = tpl.size
    pool = [
        b
        for other in templates()
        if other.name != tpl.name and not other.wrapped
        for b in other.blocks
        if not b.continued
    ]
    rng.shuffle(pool)
    for block in pool:
        if size >= goal:
            break
        at = rng.randrange(len(order) + 1)
        while at < len(order) and order[at].continued:
            at += 1  # never separate a continued article from what it continues
        order.insert(at, block)
        size += len("\n".join(block.lines).encode(tpl.encoding))
    return order


def page(i: int, n: int, seed: int = SEED, page_kb: float = PAGE_KB, **when) -> tuple[str, bytes]:
    """Page i of an n-page archive: (file name, bytes). Deterministic in (i, n, seed, page_kb)."""
    rng = random.Random(f"{seed}:{i}")
    tpls = templates()
    tpl = tpls[rng.randrange(len(tpls))]
    target = issue_date(i, n, **when)
    parts = [redate("\n".join(tpl.head), tpl.ref, target)] if tpl.head else []
    for block in _arrange(tpl, rng, page_kb):
        parts.append(redate("\n".join(block.lines), block.ref, target))
    if tpl.tail:
        parts.append(redate("\n".join(tpl.tail), tpl.ref, target))
    text = "\n".join(parts).replace("\n", tpl.newline)
    return file_name(i, n, **when), text.encode(tpl.encoding)


def archive(
    n: int, seed: int = SEED, page_kb: float = PAGE_KB, **when
) -> Iterator[tuple[str, bytes]]:
    """Pages 0 .. n-1, oldest first."""
    for i in range(n):
        yield page(i, n, seed, page_kb, **when)


def write(out: Path, n: int, seed: int = SEED, page_kb: float = PAGE_KB, **when) -> int:
    """Write an n-page archive into `out` (created); returns the bytes written."""
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, data in archive(n, seed, page_kb, **when):
        (out / name).write_bytes(data)
        total += len(data)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, required=True, help="number of pages (N)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--page-kb", type=float, default=PAGE_KB, help="mean page size (0: no padding)"
    )
    parser.add_argument("--years", type=int, default=YEARS)
    parser.add_argument("--end", type=date.fromisoformat, default=END, help="last issue date")
    args = parser.parse_args(argv)
    when = {"end": args.end, "years": args.years}
    total = write(args.out, args.pages, args.seed, args.page_kb, **when)
    first, last = issue_date(0, args.pages, **when), issue_date(args.pages - 1, args.pages, **when)
    print(
        f"wrote {args.pages} pages, {total / 1e6:.1f} MB, {first} .. {last} into {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
