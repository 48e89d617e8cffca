"""PURE parser: the text of one newspaper page -> Page (articles, dropped lines, problems).

No files, no clock, no jieba. The stages:

1. furniture: page headers (第01版:要闻, 00005版:要闻, mastheads, date lines), footers
   (… 2024-05-15 上一版 下一版) and jump markers ((下转第2版), (上接第1版)) are taken out and
   recorded as dropped lines; header and footer dates give the issue date.
2. units: lines become logical paragraphs. Pages with blank lines between paragraphs give one
   unit per line; hard-wrapped PDF text (runs of ~20-character lines) is rejoined, a new unit
   starting at a `　　` indent, after a short (paragraph-final) line, or at a byline.
3. articles: a run of headline-like units (short, no sentence punctuation) followed by a byline,
   a dateline-led paragraph, a continuation fragment or a body paragraph opens an article; the
   run is split into banner / column / pretitle / title / subtitle. Short headline-like units
   inside an article are subheadings; a paragraph left unfinished by a page break is joined to
   the next one; credit lines at the end become authors or organisation credits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date

from feeds import dates
from feeds.model import HEADING, TEXT, Article, Dropped, Page, Paragraph, Problem

# ---------------------------------------------------------------------------- character classes

_SENTENCE_END = "。！？!?；;…”’」』）)"
_CLAUSE_PUNCT = "，,；;。！？!?：:"
_SPACE = " \u3000\t\u00a0"
_CJK = r"\u3400-\u9fff"
_NAME = rf"[{_CJK}·•]{{2,4}}"

_ROLE_WORDS = (
    "本报特约记者",
    "本报记者",
    "特约通讯员",
    "特约记者",
    "首席记者",
    "见习记者",
    "实习记者",
    "摄影记者",
    "融媒体记者",
    "全媒体记者",
    "通讯员",
    "实习生",
    "记者",
    "摄影",
)
_ROLE_ALT = "|".join(_ROLE_WORDS)
_CREDIT_SUFFIXES = ("报道", "摄影", "摄", "文图", "文/图", "图文", "文", "图", "供图", "整理")

# Furniture ------------------------------------------------------------------------------------
_PAGE_HEADER = re.compile(
    r"^(?:第\s*[0-9０-９一二三四五六七八九十]+\s*版|\d{1,5}\s*版)"
    r"(?:\s*[:：]?\s*[^\s()（）:：，,。]{1,12})?$"
)
_DATE_LINE = re.compile(
    r"^(?:\d{4}年\d{1,2}月\d{1,2}日)\s*(?:星期[一二三四五六日天]|周[一二三四五六日天])?"
    r"\s*(?:农历\S*)?$"
)
_HEADER_BITS = re.compile(r"(星期[一二三四五六日天]|第\s*\d+\s*版|\d{1,5}版)")
_FOOTER_WORDS = re.compile(r"(上一版|下一版|返回目录|版面导航|责任编辑|本版编辑|版式设计|责编)")
_JUMP = re.compile(
    r"[(（]\s*(?P<kind>下转|上接|转|接|紧接|续)第?\s*[0-9０-９一二三四五六七八九十]+\s*版\s*[)）]"
)

# Bylines --------------------------------------------------------------------------------------
_LEAD = re.compile(
    rf"^(?P<lead>本报讯|本报(?P<place>[{_CJK}]{{0,6}}?)(?P<md>\d{{1,2}}月\d{{1,2}}日)?(?:电|讯)"
    rf"|(?:新华社|中新社)[{_CJK}]{{0,6}}\d{{1,2}}月\d{{1,2}}日电)"
)
_PAREN = re.compile(r"^[(（](?P<credit>[^()（）]{1,80})[)）]")
_REPORTED = re.compile(rf"^(?P<credit>(?:{_ROLE_ALT})[^，,。:：()（）]{{1,40}}?)报道")
_ROLE_RUN = re.compile(
    rf"^(?P<credit>(?:(?:{_ROLE_ALT})[{_SPACE}]*{_NAME}(?:[{_SPACE}、]+{_NAME})*[{_SPACE}]*)+)"
    rf"(?=$|[{_SPACE}\d，,。])"
)
# A unit that is nothing but a credit: (记者 陈一鸣 通讯员 余晨光), 记者 黄子轩, 通讯员 A B.
_CREDIT_ONLY = re.compile(
    rf"^[(（]?[{_SPACE}]*(?:(?:{_ROLE_ALT})[{_SPACE}]*{_NAME}"
    rf"(?:[{_SPACE}、]+(?:{_NAME}|{'|'.join(_CREDIT_SUFFIXES[:6])}))*[{_SPACE}]*)+[)）]?$"
)
# A credit at the end of a paragraph: "… 记者 毛嘉伟 文 俞佳琪 摄" or "…（记者 X 通讯员 Y）".
_TRAILING_CREDIT = re.compile(
    rf"(?:[{_SPACE}]+|(?<=[{_SENTENCE_END}]))(?P<credit>[(（]?(?:(?:{_ROLE_ALT})[{_SPACE}]*{_NAME}"
    rf"(?:[{_SPACE}、]+(?:{_NAME}|文|摄|图|摄影|报道))*[{_SPACE}]*)+[)）]?)$"
)
_ORG_SUFFIX = re.compile(
    rf"^[{_CJK}（）()]{{2,20}}(会|局|部|委|办|中心|站|队|院|所|社|团|处|厅|室|馆|公司|集团|协会|"
    r"学校|医院|供稿|供图|宣|办公室)$"
)

# Headline roles -------------------------------------------------------------------------------
_DASHES = "—－―─-"
_SUBTITLE_SPEECH = re.compile(r"(讲话|主持|出席|致辞|参加|部署|讲授|宣讲|作报告)")
_FRAGMENT_START = re.compile(rf"^[{_CJK}A-Za-z0-9%]{{1}}[、，,。；;：:”’）)]|^[”’）)、，,。；;%]")
_DATE_START = re.compile(r"^(?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}日|^(日前|近日|近期|昨日|昨天|前不久)")

MAX_HEADLINE = 50  # display characters (spaces excluded) of a headline line
MAX_SUBHEADING = 24


def squash(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def width(text: str) -> int:
    """Display width: East Asian wide and full-width characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# ---------------------------------------------------------------------------- units

_JUMP_IN = "\x00JUMPIN\x00"  # where a (上接第N版) marker was cut out of a line


class _Wrap:
    """How hard-wrapped text was cut: the common line length in characters and in display
    width (PDF tools wrap by either). A page is hard-wrapped when most lines are that long."""

    def __init__(self, lines: list[str]) -> None:
        longish = [ln.rstrip(_SPACE) for ln in lines if len(ln.strip(_SPACE)) >= 8]
        self.chars = self._mode([len(ln) for ln in longish], below=1, above=2)
        self.width = self._mode([width(ln) for ln in longish], below=3, above=2)
        full = sum(self.is_full(ln) for ln in longish)
        self.active = bool(longish) and full >= 6 and full / len(longish) >= 0.5

    @staticmethod
    def _mode(values: list[int], below: int, above: int) -> int:
        """The value v with the most values in [v - below, v + above]."""
        if not values:
            return 0
        return max(
            sorted(set(values)),
            key=lambda v: sum(v - below <= x <= v + above for x in values),
        )

    def is_full(self, line: str) -> bool:
        """True when `line` is as long as the wrap: the paragraph goes on after it."""
        line = line.rstrip(_SPACE)
        if not line or not self.chars:
            return False
        n, w = len(line), width(line)
        return self.chars - 1 <= n <= self.chars + 4 or self.width - 3 <= w <= self.width + 6


@dataclass
class Unit:
    """A logical paragraph: one or more joined input lines."""

    text: str
    first: int
    last: int
    indented: bool = False
    jump_in: bool = False  # started with (上接第N版)

    @property
    def bare(self) -> str:
        return self.text.strip(_SPACE)


def _open_bracket(text: str) -> bool:
    return text.count("(") + text.count("（") > text.count(")") + text.count("）")


def _is_indented(line: str) -> bool:
    return line.startswith("\u3000") or line.startswith("  ") or line.startswith("\t")


def _ends_sentence(text: str) -> bool:
    text = text.rstrip(_SPACE)
    return bool(text) and text[-1] in _SENTENCE_END


def _is_credit_only(text: str) -> bool:
    bare = text.strip(_SPACE)
    return bool(_CREDIT_ONLY.match(bare)) and bool(re.search(_ROLE_ALT, bare))


def _is_byline_start(text: str) -> bool:
    return bool(_LEAD.match(text.strip(_SPACE))) or _is_credit_only(text)


def is_headline_like(text: str) -> bool:
    """Short, no sentence punctuation: a title, pretitle, subtitle, banner or subheading."""
    bare = text.strip(_SPACE)
    if not bare or _is_byline_start(bare):
        return False
    if width(squash(bare)) > 2 * MAX_HEADLINE:
        return False
    core = bare.rstrip(_DASHES + "：:")
    if not core:
        return False
    if core[-1] in "。；;，,、":
        return False
    if core[-1] in "”’）)" and len(core) > 1 and core[-2] in "。！？!?":
        return False
    commas = sum(core.count(ch) for ch in "，,；;。")
    if commas > 1 or (commas and len(core) > 16):  # a clause of running text, not a title
        return False
    if _FRAGMENT_START.match(core) or _DATE_START.match(core):
        return False
    return not re.search(r"[。；;]", core)


# ---------------------------------------------------------------------------- the parser


@dataclass
class _Draft:
    """An article being assembled."""

    title: str
    first: int
    pretitle: str | None = None
    subtitle: str | None = None
    column: str | None = None
    byline: list[str] = field(default_factory=list)
    credit_text: list[str] = field(default_factory=list)  # leading credit strings
    tail_credit: list[str] = field(default_factory=list)
    dateline: tuple[int, int] | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    continued: bool = False
    last: int = 0

    @property
    def open_paragraph(self) -> bool:
        """True when the last paragraph was cut off mid-sentence (by a page break)."""
        if not self.paragraphs or self.paragraphs[-1].kind != TEXT:
            return False
        text = self.paragraphs[-1].text
        return not _ends_sentence(text) and not _TRAILING_CREDIT.search(text)


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = text.split("\n")
        self.dropped: list[Dropped] = []
        self.problems: list[Problem] = []
        self.header_dates: list[tuple[date, str]] = []
        self.articles: list[_Draft] = []
        self.pending: list[Unit] = []
        self.current: _Draft | None = None
        self.seen_headline = False
        self.next_unit: Unit | None = None

    # -- stage 1: furniture ------------------------------------------------------------------
    def strip_furniture(self) -> list[tuple[int, str]]:
        """Return (line number, text) of content lines, furniture removed and recorded."""
        out: list[tuple[int, str]] = []
        top = True  # still in the header zone at the top of the page
        mastheads = self._mastheads()
        for number, raw in enumerate(self.lines, 1):
            line = raw.rstrip(_SPACE)
            bare = line.strip(_SPACE)
            if not bare:
                out.append((number, ""))
                continue
            reason = "masthead" if number in mastheads else self._furniture(bare, top)
            if reason:
                self.dropped.append(Dropped(number, bare, reason))
                continue
            top = False
            line = self._cut_jumps(line, number)
            out.append((number, line))
        return out

    def _furniture(self, bare: str, top: bool) -> str | None:
        if _PAGE_HEADER.match(bare):
            return "header"
        if _DATE_LINE.match(bare):
            found = dates.find_cn_date(bare)
            if found:
                self.header_dates.append((found, "header"))
            return "header"
        if _FOOTER_WORDS.search(bare) or (
            dates.find_iso_date(bare) and re.search(r"\d{2,5}", bare) and not _ends_sentence(bare)
        ):
            found = dates.find_iso_date(bare) or dates.find_cn_date(bare)
            if found:
                self.header_dates.append((found, "footer"))
            return "footer"
        if top and len(bare) <= 60 and _HEADER_BITS.search(bare) and not re.search("[，。,]", bare):
            found = dates.find_cn_date(bare)
            if found or re.search(r"第\s*\d+\s*版|\d{1,5}版", bare):
                if found:
                    self.header_dates.append((found, "header"))
                return "header"
        return None

    def _mastheads(self) -> set[int]:
        """The paper's name as the first line, right above a header or date line (今日衢江)."""
        top = [(n, ln.strip(_SPACE)) for n, ln in enumerate(self.lines[:12], 1) if ln.strip(_SPACE)]
        if len(top) < 2:
            return set()
        (number, bare), (_, below) = top[0], top[1]
        headerish = _PAGE_HEADER.match(below) or _DATE_LINE.match(below)
        if headerish and len(bare) <= 12 and not re.search(r"[，。,.;；:：!！?？“”\d]", bare):
            return {number}
        return set()

    def _cut_jumps(self, line: str, number: int) -> str:
        def cut(m: re.Match[str]) -> str:
            self.dropped.append(Dropped(number, m.group(0), "jump"))
            return _JUMP_IN if m["kind"] in ("上接", "接", "紧接", "续") else ""

        return _JUMP.sub(cut, line)

    # -- stage 2: units ------------------------------------------------------------------------
    def units(self, content: list[tuple[int, str]]) -> list[Unit]:
        lines = [(n, ln) for n, ln in content if ln.strip(_SPACE)]
        wrap = _Wrap([ln for _, ln in lines])
        # When paragraphs are marked by an indent, only an indented unit can go on over a
        # line end: unindented lines (titles, bylines) stand alone unless a bracket is open.
        indents = sum(_is_indented(ln) for _, ln in lines) >= 3
        units: list[Unit] = []
        prev_line = ""
        for i, (number, line) in enumerate(lines):
            jump_in = _JUMP_IN in line
            line = line.replace(_JUMP_IN, "")
            if not line.strip(_SPACE):
                prev_line = ""
                continue
            indented = _is_indented(line)
            joinable = (
                wrap.active
                and units
                and not indented
                and not jump_in
                and wrap.is_full(prev_line)
                and (not indents or units[-1].indented or _open_bracket(units[-1].text))
                and not _is_byline_start(line)
                and not (
                    _ends_sentence(prev_line)
                    and not wrap.is_full(line)
                    and is_headline_like(line)
                    and self._next_opens(lines, i)
                )
            )
            if joinable:
                units[-1].text += line.strip(_SPACE)
                units[-1].last = number
            else:
                units.append(Unit(line, number, number, indented, jump_in))
            prev_line = line
        for unit in units:  # markers that a hard wrap cut in two: (下转 / 第2版)
            if _JUMP.search(unit.text):
                unit.text = self._cut_jumps(unit.text, unit.last)
                unit.jump_in = unit.jump_in or _JUMP_IN in unit.text
                unit.text = unit.text.replace(_JUMP_IN, "")
        return units

    @staticmethod
    def _next_opens(lines: list[tuple[int, str]], i: int) -> bool:
        if i + 1 >= len(lines):
            return True
        nxt = lines[i + 1][1]
        return _is_indented(nxt) or _is_byline_start(nxt) or is_headline_like(nxt)

    # -- stage 3: articles -----------------------------------------------------------------------
    def run(self) -> Page:
        units = self.units(self.strip_furniture())
        for i, unit in enumerate(units):
            self.next_unit = units[i + 1] if i + 1 < len(units) else None
            self.feed(unit)
        self.flush_pending(end=True)
        issue, issue_source = self.issue_date()
        year = issue.year if issue else dates.infer_year("\n".join(self.lines))
        articles = tuple(
            self.finish(d, i, issue, year) for i, d in enumerate(self.articles)
        )
        return Page(
            source=self.source,
            articles=articles,
            issue_date=issue,
            issue_date_source=issue_source,
            year=year,
            dropped=tuple(sorted(self.dropped, key=lambda d: d.line)),
            problems=tuple(self.problems),
        )

    def issue_date(self) -> tuple[date | None, str | None]:
        for source in ("header", "footer"):
            for found, how in self.header_dates:
                if how == source:
                    return found, how
        found = dates.date_from_filename(self.source)
        if found:
            return found, "filename"
        return None, None

    def feed(self, unit: Unit) -> None:
        text = unit.bare
        cur = self.current
        # A paragraph cut by a page break continues in the next unit, whatever it looks like.
        if cur and not self.pending and cur.open_paragraph and not _is_byline_start(text):
            if not (unit.jump_in or (is_headline_like(text) and self._looks_like_new_title(unit))):
                last = cur.paragraphs[-1]
                cur.paragraphs[-1] = replace(last, text=last.text + text)
                cur.last = unit.last
                return
        if is_headline_like(text) and not unit.jump_in:
            self.pending.append(unit)
            return
        if _is_byline_start(text):
            self.byline(unit)
            return
        self.body(unit)

    def _looks_like_new_title(self, unit: Unit) -> bool:
        """A headline-like unit after an unfinished paragraph is still a title when a byline,
        a dateline-led paragraph or a continued-article marker follows it."""
        nxt = self.next_unit
        if nxt is None:
            return False
        text = nxt.bare
        return bool(_LEAD.match(text)) or nxt.jump_in or bool(_DATE_START.match(text))

    def byline(self, unit: Unit) -> None:
        text = unit.bare
        credit_only = _is_credit_only(text)
        if self.pending:
            if credit_only and self.current and not self._pending_is_headline():
                pass
            else:
                self.open_article(unit)
        elif self.current is None:
            if credit_only:
                self.unassigned(unit, "credit line outside any article")
                return
            self.problems.append(Problem(self.source, "byline without a headline", unit.first))
            self.current = _Draft(title="", first=unit.first)
            self.articles.append(self.current)
        cur = self.current
        assert cur is not None
        if credit_only:
            if cur.paragraphs:  # a byline at the END of the article: (记者 X 通讯员 Y)
                cur.tail_credit.append(text)
            else:  # a byline on lines of its own after 本报…电
                cur.byline.append(text)
                cur.credit_text.append(text)
            cur.last = unit.last
            return
        rest = self.take_byline(cur, text)
        if rest:
            self.add_paragraph(cur, Unit(rest, unit.first, unit.last, unit.indented))
        cur.last = unit.last

    def _pending_is_headline(self) -> bool:
        return True

    def take_byline(self, cur: _Draft, text: str) -> str:
        """Move the byline at the start of `text` into `cur`; return the rest of the text."""
        pos = 0
        m = _LEAD.match(text)
        if m:
            pos = m.end()
            if m["md"]:
                md = re.match(r"(\d{1,2})月(\d{1,2})日", m["md"])
                assert md
                cur.dateline = (int(md[1]), int(md[2]))
        while pos < len(text) and text[pos] in _SPACE:
            pos += 1
        rest = text[pos:]
        for pattern in (_PAREN, _REPORTED, _ROLE_RUN):
            c = pattern.match(rest)
            if c:
                cur.credit_text.append(c["credit"])
                pos += c.end()
                break
        byline = text[:pos].strip(_SPACE)
        if byline:
            cur.byline.append(byline)
        return text[pos:].strip(_SPACE)

    def body(self, unit: Unit) -> None:
        if self.pending:
            if self.current is not None and self._pending_is_subheading(unit):
                for head in self.pending:
                    self.current.paragraphs.append(Paragraph(head.bare, HEADING, head.first))
                self.pending = []
            else:
                self.open_article(unit)
        if self.current is None:
            self.unassigned(unit, "text before the first headline (article start missing?)")
            return
        self.add_paragraph(self.current, unit)

    def _pending_is_subheading(self, unit: Unit) -> bool:
        """A lone short headline-like line inside an article, followed by ordinary text."""
        cur = self.current
        if cur is None or not cur.paragraphs or len(self.pending) != 1:
            return False
        head = self.pending[0].bare
        if width(squash(head)) > 2 * MAX_SUBHEADING or head.endswith(tuple(_DASHES)):
            return False
        text = unit.bare
        if unit.jump_in or _DATE_START.match(text) or _FRAGMENT_START.match(text):
            return False
        return True

    def add_paragraph(self, cur: _Draft, unit: Unit) -> None:
        if unit.jump_in:
            cur.continued = True
        cur.paragraphs.append(Paragraph(unit.bare, TEXT, unit.first))
        cur.last = unit.last

    def unassigned(self, unit: Unit, why: str) -> None:
        self.dropped.append(Dropped(unit.first, unit.bare, "unassigned"))
        self.problems.append(Problem(self.source, f"{why}: {unit.bare[:20]}…", unit.first))

    def open_article(self, unit: Unit) -> None:
        """Turn the pending headline run into a new article (or credits of the current one)."""
        heads = list(self.pending)
        self.pending = []
        # An organisation credit line closing the previous article (区卫生健康局).
        while heads and self.current is not None and len(heads) > 1 and self._is_org(heads[0].bare):
            self.current.credits.append(heads.pop(0).bare)
        roles = self.assign_roles(heads, first_on_page=not self.seen_headline)
        self.seen_headline = True
        draft = _Draft(
            title=roles.get("title", ""),
            first=heads[0].first if heads else unit.first,
            pretitle=roles.get("pretitle"),
            subtitle=roles.get("subtitle"),
            column=roles.get("column"),
        )
        if not draft.title:
            self.problems.append(Problem(self.source, "article without a title", unit.first))
        draft.continued = unit.jump_in or bool(_FRAGMENT_START.match(unit.bare))
        self.current = draft
        self.articles.append(draft)

    @staticmethod
    def _is_org(text: str) -> bool:
        return bool(_ORG_SUFFIX.match(squash(text)))

    def assign_roles(self, heads: list[Unit], first_on_page: bool) -> dict[str, str]:
        """Split a headline run into banner/column/pretitle/title/subtitle."""
        roles: dict[str, str] = {}
        texts = [h.bare for h in heads]
        subtitle: list[str] = []
        pretitle: list[str] = []
        plain: list[int] = []
        for i, t in enumerate(texts):
            if t[:1] in _DASHES and plain:
                subtitle.append(t.lstrip(_DASHES + _SPACE))
            elif t.rstrip(_SPACE)[-1:] in _DASHES + "：:" and not subtitle:
                pretitle.append(t.rstrip(_DASHES + "：:" + _SPACE))
            elif plain and not subtitle and self._speech_subtitle(t):
                subtitle.append(t)
            elif subtitle:
                subtitle.append(t)
            else:
                plain.append(i)
        if plain:
            title_i = plain[-1]
            roles["title"] = texts[title_i]
            above = plain[:-1]
            if above and not pretitle:
                near = above.pop()
                key = "column" if self._column_shaped(texts[near]) else "pretitle"
                roles[key] = texts[near]
            if above:
                if first_on_page:
                    banner = above.pop(0)
                    self.dropped.append(Dropped(heads[banner].first, texts[banner], "banner"))
                if above:
                    roles["column"] = " ".join(
                        texts[i] for i in above + ([] if "column" not in roles else [])
                    ) if "column" not in roles else roles["column"]
                    for i in above:
                        if texts[i] not in (roles.get("column") or ""):
                            self.dropped.append(Dropped(heads[i].first, texts[i], "banner"))
        elif pretitle:
            roles["title"] = pretitle.pop()
        if pretitle:
            roles["pretitle"] = " ".join(pretitle)
        if subtitle:
            roles["subtitle"] = " ".join(subtitle)
        return roles

    @staticmethod
    def _speech_subtitle(text: str) -> bool:
        parts = text.split()
        return len(parts) >= 2 and sum(bool(_SUBTITLE_SPEECH.search(p)) for p in parts) >= 2

    @staticmethod
    def _column_shaped(text: str) -> bool:
        parts = text.split()
        return len(parts) >= 2 and all(2 <= len(p) <= 8 for p in parts)

    def flush_pending(self, end: bool = False) -> None:
        if not self.pending:
            return
        heads, self.pending = self.pending, []
        for head in heads:
            if self.current is not None and self._is_org(head.bare):
                self.current.credits.append(head.bare)
                self.current.last = head.last
            else:
                self.unassigned(head, "headline with no article text after it")

    # -- finishing ---------------------------------------------------------------------------------
    def finish(self, d: _Draft, position: int, issue: date | None, year: int | None) -> Article:
        paragraphs = list(d.paragraphs)
        credit_line = " ".join(d.tail_credit) or None
        credit_texts = list(d.credit_text)
        # A credit glued to the end of the last paragraph (photo captions: 记者 X 文 Y 摄).
        if paragraphs and paragraphs[-1].kind == TEXT:
            last = paragraphs[-1]
            m = _TRAILING_CREDIT.search(last.text)
            if m and m.start() > 0:
                paragraphs[-1] = replace(last, text=last.text[: m.start()].rstrip(_SPACE))
                credit_line = " ".join(x for x in (m["credit"], credit_line) if x)
                credit_texts.append(m["credit"])
        credit_texts += d.tail_credit
        authors = names(credit_texts)
        when, how = None, None
        if d.dateline:
            when, how = dates.resolve_month_day(*d.dateline, issue, year), "dateline"
        elif paragraphs and not d.continued:
            first_text = next((p.text for p in paragraphs if p.kind == TEXT), "")
            when, how = dates.lead_date(first_text, issue, year)
        return Article(
            title=unscramble(d.title, paragraphs),
            paragraphs=tuple(p for p in paragraphs if p.text),
            pretitle=d.pretitle,
            subtitle=d.subtitle,
            column=d.column,
            authors=tuple(authors),
            credits=tuple(d.credits),
            byline=" ".join(d.byline) or None,
            credit_line=credit_line,
            date=when if when else None,
            date_source=how if when else None,
            continued=d.continued,
            source=self.source,
            position=position,
            first_line=d.first,
            last_line=max(d.last, d.first),
        )


def _common_run(a: str, b: str) -> int:
    """Length of the longest common substring of a and b."""
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


_NOT_WORD = re.compile(rf"[^{_CJK}A-Za-z0-9]+")


def unscramble(title: str, paragraphs: list[Paragraph]) -> str:
    """Undo a layout-scrambled title whose space-separated parts came out rotated.

    Layout tools sometimes emit the last part of a two-line headline first ("习近平总书记…精神
    区委常委会召开会议 传达学习近期"). The lead sentence repeats the headline in order, so the
    rotation of the parts that shares the longest run with it is the printed order.
    """
    parts = title.split()
    lead = next((p.text for p in paragraphs if p.kind == TEXT), "")
    if len(parts) < 2 or not lead:
        return title
    lead = _NOT_WORD.sub("", lead[:160])
    scored = []
    for k in range(len(parts)):
        rotated = parts[k:] + parts[:k]
        scored.append((_common_run(_NOT_WORD.sub("", "".join(rotated)), lead), -k, rotated))
    best, _, rotated = max(scored)
    if best >= scored[0][0] + 4:
        return " ".join(rotated)
    return title


def names(credits: list[str]) -> list[str]:
    """Every person named in credit strings, in order, without role words or duplicates."""
    out: list[str] = []
    for credit in credits:
        for token in re.split(rf"[{_SPACE}、，,/()（）]+", credit):
            token = token.strip()
            changed = True
            while token and changed:
                changed = False
                for role in _ROLE_WORDS:
                    if token.startswith(role):
                        token, changed = token[len(role) :], True
                for suffix in _CREDIT_SUFFIXES:
                    if token.endswith(suffix) and len(token) > len(suffix):
                        token, changed = token[: -len(suffix)], True
            if token in _CREDIT_SUFFIXES or token in _ROLE_WORDS:
                continue
            if re.fullmatch(_NAME, token) and token not in out:
                out.append(token)
    return out


def parse_page(text: str, source: str = "<text>") -> Page:
    """Parse the text of one page. Never raises on any text input."""
    return _Parser(text, source).run()
