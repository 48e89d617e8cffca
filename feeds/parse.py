"""PURE parser: the text of one newspaper page -> Page (articles, dropped lines, problems).

No files, no clock, no jieba. The stages:

1. furniture (feeds.furniture): page headers, mastheads, date lines, footers and jump markers
   are taken out and recorded as dropped lines; header and footer dates give the issue date.
2. units: lines become logical paragraphs. Pages with blank lines between paragraphs give one
   unit per line; hard-wrapped PDF text (most lines equally long) is rejoined, a new unit
   starting at a `　　` indent, after a short (paragraph-final) line, or at a byline.
3. articles: a run of headline-like units (feeds.headlines) followed by a byline
   (feeds.bylines), a dateline-led paragraph, a continuation fragment or body text opens an
   article, and the run is split into banner / column / pretitle / title / subtitle. A short
   headline-like unit inside an article is a subheading; a paragraph left unfinished by a page
   break is joined to the next unit; credit lines at the end become authors or credits.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from feeds import bylines, dates, furniture, headlines
from feeds.chars import CJK, DASHES, SPACE, ends_sentence, is_indented, open_bracket, squash, width
from feeds.model import HEADING, TEXT, Article, Dropped, Page, Paragraph, Problem

# A bullet before a box item's title (◆区市场监管局开展…, ●湖南镇…): typography, not title.
_BULLET = re.compile(rf"^[{headlines.BULLETS}][ \u3000]*")


# A photo caption inside an article opens with 图为… or with a triangle (▲ 网格员…　X 摄).
_CAPTION_OPENINGS = (*headlines.CAPTION, "▲", "△")


# A town's or a street's name alone: 杜泽镇, 樟潭街道
_PLACE_NAME = re.compile(rf"[{CJK}]{{2,4}}(?:镇|乡|街道)")
# A short list item, numbered and without a clause: ①“钱江源护水”生态志愿服务项目
_LIST_ITEM = re.compile(r"^[\u2460-\u2487][^，,。；;！？!?]{2,30}$")


def _notice_heads(heads: list[str]) -> bool:
    """Headline lines of a notice: titled like one (关于…的通知), maybe with the salutation
    under the title (各参保居民：)."""
    if heads and len(heads[-1]) <= 16 and heads[-1].endswith(("：", ":")):
        heads = heads[:-1]
    return bool(heads) and furniture.is_notice_title(heads[-1])


def _quote_wraps(unit: Unit, line: str, number: int) -> bool:
    """A headline line that opens a quotation, the next line closing it: one title wrapped
    inside its quotation marks (老旧小区加装电梯 从“民 / 心愿”到“民心梯”), which no line
    of its own would leave open. The rest may come after a page break's blank lines, then
    short like a headline's (数字赋能 让居民生活更“智 / … / 慧”更便捷)."""
    text, bare = unit.text.rstrip(SPACE), line.strip(SPACE)
    # (the next line, or the one after a blank line on a page that parts every line so)
    if unit.first != unit.last or is_indented(line):
        return False
    if number > unit.last + 2 and len(squash(bare)) > headlines.MAX_HEADLINE:
        return False
    if text.count("“") != text.count("”") + 1 or text.rfind("“") < text.rfind("”"):
        return False
    close = bare.find("”")
    return (
        0 < close
        and "“" not in bare[:close]
        and headlines.is_headline_like(text + "”")
        and len(squash(text + bare)) <= 2 * headlines.MAX_HEADLINE
        and not ends_sentence(bare)
    )


def _closed_by_credit(line: str) -> bool:
    """A line ending a paragraph with a credit after its last sentence: bracketed, or a
    photo credit (… 记者 钟可欣 通讯员 毛 丹 摄 closes a caption)."""
    found = bylines.trailing_credit(line.rstrip(SPACE))
    if not found or not ends_sentence(found[0]):
        return False
    credit = found[1]
    if open_bracket(credit[:1]):
        return credit[-1:] in ")）"  # closed: （记者 叶思 / 远 …） goes on
    return credit.endswith(("摄", "摄影"))


_NO_START = "text before the first headline (article start missing?)"
# A later item of a numbered series (二、 三、 （三） 4.): never the first title on a page.
_LATER_ITEM = re.compile(
    r"^(?:[二三四五六七八九十][、.．]|[（(][二三四五六七八九十][)）]|[2-9][、.．])"
)
# A background box after an article: 新闻链接, 相关链接, 【链接】 (the article's own).
_LINK_LABEL = re.compile(r"^[【\[〖■]?\s*(?:新闻|相关|背景)?链\s*接\s*[】\]〗]?$")
# How a news lead opens when it has no date: 上周, 连日来, 今年以来, 记者从…获悉, 元旦期间.
_NEWS_OPENING = re.compile(
    r"^(?:上周|本周|连日来|近日来|今年以来|入冬以来|入夏以来|近年来|近期|日前|记者从|记者近日从"
    r"|[\u4e00-\u9fff]{2,4}期间，)"
)
# A brief's lead: a purpose clause, then a unit doing something (为保障…，区市场监管局组织…;
# 为缓解…，区献血办联合区红十字会…开展…)
_BRIEF_LEAD = re.compile(
    r"^为[^，。；]{2,30}，[^，。；]{0,12}?(?:区|县|市|镇|乡|街道|村|社区|局|办|会|中心|站|所|院)"
    r"[^，。；]{0,30}?(?:开展|举办|组织|启动|召开|举行|推出|发起)"
)
# A quotation and who said it: “志愿服务不是一时的热情，而是一辈子的坚持。”——志愿者　王美英
_QUOTE_LINE = re.compile(r"^[“\"「][^“”]{4,200}[”\"」][—－―─]{1,2}[^，。,；;“”]{1,30}$")
# A line of dialogue: who speaks, a colon (记者：…, 方建华：…, 网友“衢江小陈”：…).
_DIALOGUE = re.compile(r"^(?P<who>[^：:，,。；;！!？?\s]{1,12})[：:]\S")
# A standfirst speaks of the page it opens: 本版聚焦…, 本期…
_OF_THE_PAGE = re.compile(r"本版|本期|本专版|本专刊")
_JUMP_IN = "\x00JUMPIN\x00"  # where a (上接第N版) marker was cut out of a line
_JUMP_OUT = "\x00JUMPOUT\x00"  # where a (下转第N版) marker was: the article goes on elsewhere


@dataclass
class Unit:
    """A logical paragraph: one or more joined input lines."""

    text: str
    first: int
    last: int
    indented: bool = False
    jump_in: bool = False  # started with (上接第N版)
    jump_out: bool = False  # ended with (下转第N版): nothing after it on this page continues it
    run_in: bool = False  # a brief's title run in before its text (●标题　正文)

    @property
    def bare(self) -> str:
        return self.text.strip(SPACE)


def _closes_credit(text: str, line: str) -> bool:
    """`line` is the end of a bracketed credit that a wrap cut after its name (…（记者　毛嘉伟
    / 　摄）): its space looks like an indent, but it closes the bracket left open."""
    rest = line.strip(SPACE)
    return open_bracket(text) and len(rest) <= 4 and rest.endswith((")", "）"))


class _Wrap:
    """How hard-wrapped text was cut: the common line length in characters and in display
    width (PDF tools wrap by either). A page is hard-wrapped when most lines are that long."""

    def __init__(self, lines: list[str]) -> None:
        longish = [ln.rstrip(SPACE) for ln in lines if len(ln.strip(SPACE)) >= 8]
        self.chars = self._mode([len(ln) for ln in longish], below=1, above=2)
        self.width = self._mode([width(ln) for ln in longish], below=3, above=2)
        full = [ln for ln in longish if self.is_full(ln)]
        # a wrap cuts lines of text wherever the width ends, seldom at a sentence's end:
        # lines of text of about one length that end sentences are one-line paragraphs
        text = [ln for ln in full if not headlines.is_headline_like(ln)]
        closed = sum(ends_sentence(ln) for ln in text)
        self.active = (
            bool(longish)
            and len(full) >= 6
            and len(full) / len(longish) >= 0.5
            and closed < 0.6 * max(1, len(text))
        )

    @staticmethod
    def _mode(values: list[int], below: int, above: int) -> int:
        """The value v with the most values in [v - below, v + above]."""
        if not values:
            return 0
        ordered = sorted(values)
        return max(
            sorted(set(values)),
            key=lambda v: bisect_right(ordered, v + above) - bisect_left(ordered, v - below),
        )

    def is_full(self, line: str) -> bool:
        """True when `line` is as long as the wrap: the paragraph goes on after it."""
        line = line.rstrip(SPACE)
        if not line or not self.chars:
            return False
        n, w = len(line), width(line)
        return self.chars - 1 <= n <= self.chars + 4 or self.width - 3 <= w <= self.width + 6


# An editor's note set above an article's lead (编者按：… / 【编者按】…): not the lead.
_EDITOR_NOTE = re.compile(r"^[【\[（(]?(?:编者按|编者的话|编前语?|编者注)")
_TAIL_RUN = re.compile(rf"[{CJK}]+$")
_HEAD_RUN = re.compile(rf"^[{CJK}]+")


def _byline_gap(text: str, line: str) -> str:
    """The separator for a wrap inside a byline's brackets: a space between two whole names
    (通讯员蔡文博 / 占丽君), after a role word (通讯员 / 吴 斌) and inside a run of padded
    names (方 勇 蓝 天 / 吴 斌); nothing inside one name (通讯员余 / 晨光, 徐 / 可馨)."""
    if not (bylines.has_lead(text) and open_bracket(text)):
        return ""
    line = line.strip(SPACE)
    left, right = _TAIL_RUN.search(text), _HEAD_RUN.search(line)
    if not (left and right):
        return ""
    name = bylines.after_role(left[0])  # what of the last name the line ends with
    if not name:
        return " "  # the line ends with a role word: the next one starts a name
    padded = len(name) == 1 and len(right[0]) == 1 and text[-2:-1] in SPACE
    if padded and line[1:2] in SPACE:
        return " "  # 方 勇 蓝 天 / 吴 斌: single characters on both sides
    if min(len(name), len(right[0])) >= 2 and len(name) + len(right[0]) >= 5:
        return " "
    return ""


def _rejoin_bylines(units: list[Unit]) -> list[Unit]:
    """A byline a page break cut inside its brackets (本报讯(记者 郑一帆 见习记者 徐 / … /
    可馨)4月8日下午,…) is one unit again: the next one closes the bracket within a name or
    two of its start."""
    out: list[Unit] = []
    for unit in units:
        prev = out[-1] if out else None
        head = unit.bare[:16]
        close = min((head.find(c) for c in ")）" if c in head), default=-1)
        if (
            prev is not None
            and close > 0
            and not any(c in head[:close] for c in "(（")
            and bylines.has_lead(prev.bare)
            and open_bracket(prev.text)
        ):
            prev.text = prev.text.rstrip(SPACE) + _byline_gap(prev.text, unit.bare) + unit.bare
            prev.last, prev.jump_out = unit.last, unit.jump_out
            continue
        out.append(unit)
    return out


def _opens(unit: Unit) -> bool:
    """Whether `unit` opens something (a continued part, a headline, a byline, a dateline, a
    记者从…获悉 lead, a brief's 为…，区X局开展…): text going on from a page break does not."""
    text = unit.bare
    return bool(
        unit.jump_in
        or headlines.is_headline_like(text)
        or bylines.is_byline_start(text)
        or headlines.starts_with_date(text)
        or dates.lead_date(text, None, 2000)[0] is not None
        or _NEWS_OPENING.match(text)
        or _BRIEF_LEAD.match(text)
        or bylines.has_lead(text)
    )


def _usual_gap(units: list[Unit]) -> int:
    """The lines most often between one unit and the next (blank lines between paragraphs,
    or none): a page break leaves more."""
    gaps = Counter(b.first - a.last - 1 for a, b in zip(units, units[1:], strict=False))
    return gaps.most_common(1)[0][0] if gaps else 1


def _join_cut(cur: _Draft, unit: Unit) -> None:
    """`unit` goes on the paragraph a page break cut at the end of `cur`."""
    last = cur.paragraphs[-1]
    cur.paragraphs[-1] = replace(last, text=last.text + unit.bare)
    cur.last = unit.last
    cur.jumped_out = unit.jump_out


@dataclass
class _Draft:
    """An article being assembled."""

    heads: list[Unit]  # the headline lines; roles are assigned once the lead is known
    first: int
    first_on_page: bool = False
    byline: list[str] = field(default_factory=list)  # raw byline texts taken from the body
    credit_text: list[str] = field(default_factory=list)  # the parts naming people
    tail_credit: list[str] = field(default_factory=list)  # credit lines after the body
    signed_off: bool = False  # a signature under the text ends the piece: no subheading after
    boxed: bool = False  # an item of a 简讯 / 快讯 box (its label over the first item's title)
    notes: list[Unit] = field(default_factory=list)  # 编者按 printed over its title
    captions: list[Unit] = field(default_factory=list)  # its photo's caption, set elsewhere
    dateline: tuple[int, int] | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    continued: bool = False
    last: int = 0
    jumped_out: bool = False  # a (下转第N版) marker: the rest of it is on another page
    notice: bool = False  # titled like a notice or ad (公告, 征订启事): dropped if it is one
    signature: list[Unit] = field(default_factory=list)  # lines under a notice: body, date
    signed: bool = False  # opened by an author's name under its title (◎ 叶青): a signed piece
    lead_line: int = 0  # the line of the byline or text that opened it
    verse: bool = False  # a poem: its short unpunctuated lines are its paragraphs

    @property
    def open_paragraph(self) -> bool:
        """True when the last paragraph was cut off mid-sentence (by a page break)."""
        if self.jumped_out or self.verse or self.signature or not self.paragraphs:
            return False
        if self.paragraphs[-1].kind != TEXT:
            return False
        text = self.paragraphs[-1].text
        if _LIST_ITEM.match(text):  # ③“暖蜂驿站”新就业群体关爱项目: an item, whole
            return False
        return not (ends_sentence(text) or bylines.trailing_credit(text) or bylines.signature(text))


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = text.split("\n")
        self.dropped: list[Dropped] = []
        self.problems: list[Problem] = []
        self.stated_dates: list[tuple[date, str]] = []
        self.articles: list[_Draft] = []
        self.pending: list[Unit] = []  # headline-like units not yet placed
        self.current: _Draft | None = None
        self.seen_headline = False
        self.all_units: list[Unit] = []
        self._unit_index: dict[int, int] = {}  # id(unit) -> its index in all_units
        self.index = 0  # of the unit being placed
        self.hard_wrapped = False  # lines cut at a fixed width (see _Wrap)
        self.held_notes: list[Unit] = []  # 编者按 over the next title: the next article's
        self.opens_block: set[int] = set()  # see _block_openers
        self.held_captions: list[Unit] = []  # captions found inside another article's break
        self.paragraph_gap = 1  # lines between two paragraphs, as the page mostly has them
        self.indented_page = False  # paragraphs open with an indent
        self.left_open: _Draft | None = None  # an article a page break cut, another after it

    @property
    def next_unit(self) -> Unit | None:
        j = self.index + 1
        return self.all_units[j] if j < len(self.all_units) else None

    # -- stage 1: furniture --------------------------------------------------------------------
    def strip_furniture(self) -> list[tuple[int, str]]:
        """(line number, text) of the content lines; furniture is removed and recorded."""
        out: list[tuple[int, str]] = []
        top = True  # still above the first line of text
        masthead = furniture.masthead_line(self.lines)
        ads = furniture.ad_lines(self.lines)
        colophon = furniture.colophon_lines(self.lines)
        contents = furniture.contents_labels(self.lines)
        last = max((n for n, ln in enumerate(self.lines, 1) if ln.strip(SPACE)), default=0)
        seen: set[str] = set()
        reprint = False  # after a web page's pagination: its title and fields again
        for number, raw in enumerate(self.lines, 1):
            bare = raw.strip(SPACE)
            if not bare:
                continue
            reprint = reprint and bare in seen
            seen.add(bare)
            if reprint:
                self.dropped.append(Dropped(number, bare, "header"))
                continue
            reprint = furniture.is_pagination(bare)
            kind = furniture.Furniture("masthead") if number == masthead else None
            if number in ads:
                kind = furniture.Furniture("notice")
            if number in contents:
                kind = furniture.Furniture("contents")
            if number in colophon:
                kind = furniture.Furniture("footer")
            # alone in a page-break gap, or the last line of the page (a page number there)
            alone = number == last or not (self._text_at(number - 1) or self._text_at(number + 1))
            kind = kind or furniture.classify(bare, top, alone)
            dated = None if kind else furniture.web_byline_date(bare)
            if dated:  # 来源：… 作者：…　日期：2025-03-05: a web page's byline gives the date
                self.stated_dates.append((dated, "header"))
            if kind:
                self.dropped.append(Dropped(number, bare, kind.reason))
                if kind.date:
                    self.stated_dates.append((kind.date, kind.reason))
                continue
            top = False
            out.append((number, self.cut_jumps(raw.rstrip(SPACE), number)))
        return out

    def _text_at(self, number: int) -> bool:
        """Whether 1-based line `number` exists and is not blank."""
        return 1 <= number <= len(self.lines) and bool(self.lines[number - 1].strip(SPACE))

    def cut_jumps(self, text: str, number: int) -> str:
        """Jump markers out of a line ((下转第2版): where the article goes on), and pointers
        to another page ((相关报道见第4版): no text of the article)."""

        def cut(m):  # noqa: ANN001, ANN202 - re.sub callback
            self.dropped.append(Dropped(number, m.group(0), "jump"))
            if m.re is furniture.SEE_PAGE:
                return ""
            return _JUMP_IN if furniture.is_jump_in(m["kind"]) else _JUMP_OUT

        return furniture.SEE_PAGE.sub(cut, furniture.JUMP.sub(cut, text))

    # -- stage 2: units ------------------------------------------------------------------------
    def units(self, lines: list[tuple[int, str]]) -> list[Unit]:
        wrap = _Wrap([ln for _, ln in lines])
        self.hard_wrapped = wrap.active
        # When paragraphs are marked by an indent, only an indented unit can go on over a
        # line end: unindented lines (titles, bylines) stand alone unless a bracket is open.
        indents = sum(is_indented(ln) for _, ln in lines) >= 3
        self.indented_page = indents
        rows = headlines.tables([ln for _, ln in lines])  # table rows stand alone
        units: list[Unit] = []
        prev = ""
        carried = False  # (上接第N版) on a line of its own: it opens the next unit
        for i, (number, line) in enumerate(lines):
            jump_in = _JUMP_IN in line or carried
            jump_out = _JUMP_OUT in line
            line = line.replace(_JUMP_IN, "").replace(_JUMP_OUT, "")
            if not line.strip(SPACE):
                if jump_out and units:  # (下转第N版) on a line of its own
                    units[-1].jump_out = True
                carried = jump_in
                prev = ""
                continue
            carried = False
            # A blank line after a full line that ends a sentence ends the paragraph (pages
            # with blank lines between paragraphs); a page break cuts mid-sentence.
            gap_after_sentence = bool(units) and number > units[-1].last + 1 and ends_sentence(prev)
            joinable = (
                wrap.active
                and units
                and i not in rows
                and i - 1 not in rows
                and not headlines.field_line(line)
                and not _BULLET.match(line.lstrip(SPACE))  # ◆ opens a box item
                and not line.lstrip(SPACE).startswith(headlines.CAPTION)  # 图为… a caption
                and not _closed_by_credit(prev)  # …。（区应急管理局） closes one
                and not gap_after_sentence
                and not units[-1].jump_out
                and (not is_indented(line) or _closes_credit(units[-1].text, line))
                and not jump_in
                and (wrap.is_full(prev) or _closes_credit(units[-1].text, line))
                and not bylines.is_credit_only(prev)
                and (
                    not indents
                    or units[-1].indented
                    or headlines.enumerated(units[-1].text)  # an unindented list item
                    or open_bracket(units[-1].text)
                    or self._title_wraps(units[-1], line)
                    # the page's first line, full: the page opens inside a paragraph
                    or (len(units) == 1 and not headlines.is_headline_like(line))
                )
                and not bylines.is_byline_start(line)
                and not (
                    ends_sentence(prev)
                    and headlines.is_headline_like(line)
                    and self._next_opens(lines, i)
                    and (not wrap.is_full(line) or self._marked_headline(lines, i, wrap))
                )
                and not (
                    indents
                    and units[-1].indented
                    and not open_bracket(units[-1].text)  # a credit wrapped in its brackets
                    and self._title_across_columns(lines, i, wrap)
                )
            )
            if units and _quote_wraps(units[-1], line, number):
                units[-1].text += line.strip(SPACE)  # 从“民 / 心愿”到“民心梯”: one line
                units[-1].last = number
            elif joinable:
                gap = _byline_gap(units[-1].text, line) or (" " if line[:1] == " " else "")
                if not gap and self.lines[units[-1].last - 1].endswith("\u3000"):
                    gap = "\u3000"  # a wrap right after a run-in title's gap (…乡镇　/ 近日，)
                units[-1].text += gap + line.strip(SPACE)
                units[-1].last = number
            else:
                units.append(Unit(line, number, number, is_indented(line), jump_in))
            units[-1].jump_out = units[-1].jump_out or jump_out
            prev = line
        units = _rejoin_bylines(units)
        for unit in units:  # markers that a hard wrap cut in two: (下转 / 第2版)
            if furniture.JUMP.search(unit.text) or furniture.SEE_PAGE.search(unit.text):
                unit.text = self.cut_jumps(unit.text, unit.last)
                unit.jump_in = unit.jump_in or _JUMP_IN in unit.text
                unit.jump_out = unit.jump_out or _JUMP_OUT in unit.text
                unit.text = unit.text.replace(_JUMP_IN, "").replace(_JUMP_OUT, "")
        return units

    @staticmethod
    def _title_wraps(unit: Unit, line: str) -> bool:
        """A headline too long for the column goes on, unindented, on the next line."""
        text, line = unit.text.strip(SPACE), line.strip(SPACE)
        return (
            unit.first == unit.last
            and headlines.is_headline_like(text)
            and headlines.is_headline_like(line)
            and not bylines.is_byline_start(line)
            and not (bylines.name_line(line) or ("", False))[1]  # ◎ 叶青: the author
            and not text.endswith(tuple(DASHES + "：:"))  # a pretitle ends there
            and line[:1] not in DASHES  # a subtitle starts there
            and not headlines.speech_subtitle(line)
        )

    @staticmethod
    def _marked_headline(lines: list[tuple[int, str]], i: int, wrap: _Wrap) -> bool:
        """A full-width line is still a headline when it is marked as a pretitle (…——) or the
        next line is a byline, a subtitle (——…) or another headline."""
        line = lines[i][1].rstrip(SPACE)
        if line.endswith(tuple(DASHES + "：:")):
            return True
        nxt = lines[i + 1][1].strip(SPACE) if i + 1 < len(lines) else ""
        return (
            bylines.is_byline_start(nxt)
            # a paragraph opens under it: a line with no closing punctuation ends none
            or (i + 1 < len(lines) and is_indented(lines[i + 1][1]))
            or nxt[:1] in DASHES
            or (
                bool(nxt)
                and not is_indented(lines[i + 1][1])
                and not wrap.is_full(nxt)
                and headlines.is_headline_like(nxt)
            )
        )

    @staticmethod
    def _title_across_columns(lines: list[tuple[int, str]], i: int, wrap: _Wrap) -> bool:
        """A short headline line under a paragraph's full line cut mid-sentence, over an
        indented paragraph or a byline: the next article's title, where a dump read a page's columns
        one after the other (…要坚持以科技 / 区政府召开第21次常务会议 / 　　3月11日，…); the
        cut paragraph goes on after that article. (Its last line would end a sentence, and
        the rest of a paragraph a page break cut opens nothing.)"""
        line = lines[i][1]
        if i + 1 >= len(lines) or is_indented(line) or wrap.is_full(line) or ends_sentence(line):
            return False
        nxt = lines[i + 1][1]
        if not (
            len(squash(line)) >= 6
            and headlines.is_headline_like(line)
            and not headlines.is_fragment(line)
            and (is_indented(nxt) or bylines.is_byline_start(nxt))
        ):
            return False
        # what follows opens an article: a byline, a dated or news-like lead
        return _opens(Unit(nxt, lines[i + 1][0], lines[i + 1][0], is_indented(nxt), False))

    @staticmethod
    def _next_opens(lines: list[tuple[int, str]], i: int) -> bool:
        """Whether the line after line i opens something. After the page's last line nothing
        does: a title with no text under it is none (…变成“活资产”； / 要强化要素保障，加快推进
        ends a page in mid-paragraph), though a unit's credit line (区红十字会 供稿) stands."""
        if i + 1 >= len(lines):
            last = squash(lines[i][1])
            return bylines.is_org(last) or last.endswith(("供稿", "供图"))
        nxt = lines[i + 1][1]
        return (
            is_indented(nxt)
            or bylines.is_byline_start(nxt)
            or headlines.is_headline_like(nxt)
            # an article whose start is lost: its title, then text from mid-word (员,多年来…)
            or headlines.is_fragment(nxt.strip(SPACE))
        )

    # -- stage 3: articles ---------------------------------------------------------------------
    def run(self) -> Page:
        units = self.units(self.strip_furniture())
        self.all_units = units
        self._unit_index = {id(u): i for i, u in enumerate(units)}
        self.table_rows = headlines.tables([u.bare for u in units])
        self.opens_block = self._block_openers(units)
        self.paragraph_gap = _usual_gap(units)
        for i, unit in enumerate(units):
            self.index = i
            self.feed(unit)
        self.flush_pending()
        if self.held_captions and self.articles:  # no article after it: the last one's
            self.articles[-1].captions += self.held_captions
        self.drop_orphan_tail()
        self.drop_standfirst()
        self.drop_notices()
        self.drop_quote_boxes()
        issue, issue_source = self.issue_date()
        # years are read from the rejoined paragraphs: a hard wrap may cut "2025" from "年"
        year = issue.year if issue else dates.infer_year("\n".join(u.text for u in units))
        return Page(
            source=self.source,
            articles=tuple(self.finish(d, i, issue, year) for i, d in enumerate(self.articles)),
            issue_date=issue,
            issue_date_source=issue_source,
            year=year,
            dropped=tuple(sorted(self.dropped, key=lambda d: d.line)),
            problems=tuple(self.problems),
        )

    def _block_openers(self, units: list[Unit]) -> set[int]:
        """Units after a blank line, on pages where blank lines separate articles only: every
        unit after one is headline-like, never text going on (ids of the units; else empty)."""
        after = [
            u
            for prev, u in zip(units, units[1:], strict=False)
            if any(not self.lines[n - 1].strip(SPACE) for n in range(prev.last + 1, u.first))
        ]
        if len(after) < 3 or not all(headlines.is_headline_like(u.bare) for u in after):
            return set()
        return {id(u) for u in after}

    def drop_orphan_tail(self) -> None:
        """A page that opens in the middle of an article continued from another page, at one of
        its later numbered subheadings (三、抓实责任落实): that is no article. Its lines are
        reported as unassigned, like any text before the page's first title."""
        if len(self.articles) < 2:
            return
        d = self.articles[0]
        title = d.heads[-1].bare if d.heads else ""
        if d.byline or d.credit_text or not _LATER_ITEM.match(title):
            return
        self._drop_draft(d, "unassigned")
        self.problems.append(Problem(self.source, f"{_NO_START}: {title[:20]}…", d.first))

    def drop_standfirst(self) -> None:
        """A special page's standfirst (导语): the page's first piece, under its banner, one
        unsigned paragraph that speaks of the page itself (本版聚焦…, 本期…), with articles
        after it. Not an article: its lines are dropped, the banner as `banner`."""
        if len(self.articles) < 2:
            return
        d = self.articles[0]
        if d.byline or d.credit_text or d.tail_credit or d.continued or len(d.paragraphs) != 1:
            return
        if not d.first_on_page or not _OF_THE_PAGE.search(d.paragraphs[0].text):
            return
        self._drop_draft(d, "standfirst", heads_as="banner")

    def _drop_draft(self, d: _Draft, reason: str, heads_as: str | None = None) -> None:
        """Take an assembled article back: each of its lines not yet dropped is dropped with
        `reason` (its headline lines with `heads_as`, when given)."""
        self.articles.remove(d)
        heads = {n for h in d.heads for n in range(h.first, h.last + 1)} if heads_as else set()
        whole = {x.line for x in self.dropped}
        for number in range(d.first, d.last + 1):
            bare = self.lines[number - 1].strip(SPACE)
            if bare and number not in whole:
                self.dropped.append(Dropped(number, bare, heads_as if number in heads else reason))

    def drop_notices(self) -> None:
        """A notice or ad (公告 … 特此公告 / 青溪报社 2024年12月) is not news: its lines are
        dropped as `notice`. It is one when it is titled like one, has no byline, and closes
        like one: with 特此公告 or a signature (issuing body, date)."""
        for d in [d for d in self.articles if d.notice and not d.byline]:
            closed = any(furniture.closes_notice(p.text) for p in d.paragraphs[-2:])
            if not (closed or d.credits or d.signature):
                continue
            self.articles.remove(d)
            whole = {x.line for x in self.dropped if x.reason != "jump"}  # furniture lines
            for unit in self.all_units:
                if d.first <= unit.first <= d.last:
                    for number in range(unit.first, unit.last + 1):  # each line of a wrap
                        bare = self.lines[number - 1].strip(SPACE)
                        if bare and number not in whole:
                            self.dropped.append(Dropped(number, bare, "notice"))

    def drop_quote_boxes(self) -> None:
        """A box of quotations under a label (志愿者心声 / “…。”——志愿者　王美英 / …) is a
        sidebar, not news: with no byline, every paragraph a quotation and its attribution,
        its lines are dropped as `quotes`."""
        for d in [d for d in self.articles if not d.byline and not d.credit_text]:
            texts = [p.text for p in d.paragraphs]
            if len(texts) < 2 or not all(_QUOTE_LINE.match(t) for t in texts):
                continue
            self._drop_draft(d, "quotes")

    def issue_date(self) -> tuple[date | None, str | None]:
        """From the header, else the footer, else the file name."""
        for source in ("header", "footer"):
            for found, how in self.stated_dates:
                if how == source:
                    return found, how
        found = dates.date_from_filename(self.source)
        return (found, "filename") if found else (None, None)

    def feed(self, unit: Unit) -> None:
        text = unit.bare
        cur = self.current
        # An editor's note over a series' next title (【新春走基层】 / 编者按：… / title):
        # it opens what follows, never ends what came before.
        if _EDITOR_NOTE.match(text) and cur is not None and cur.paragraphs:
            nxt = self.next_unit
            if nxt is not None and headlines.is_headline_like(nxt.bare):
                self.held_notes.append(unit)
                return
        # a web page repeats its title as the first line of the text (or twice over it)
        above = self.pending[-1].bare if self.pending else None
        if above is None and cur is not None and cur.heads and not cur.paragraphs:
            above = cur.heads[-1].bare
        if above is not None and squash(text) == squash(above):
            self.dropped.append(Dropped(unit.first, text, "duplicate"))
            return
        if cur is not None and self.index in self.table_rows:
            # a table in a report (results, rankings): its rows are text, the labels just
            # above it (■ 最终排名, 团体总分前五名) its headings
            for head in self.pending:
                cur.paragraphs.append(Paragraph(head.bare, HEADING, head.first))
            self.pending = []
            self.add_paragraph(cur, unit)
            return
        # A 短讯 item, ●title　text: the title opens a new article, the text is its body.
        boxed = (cur is not None and cur.boxed and not self.pending) or any(
            headlines.section_label(h.bare) for h in self.pending
        )
        run_in = None if unit.jump_in else headlines.run_in(text, boxed)
        if run_in:
            marks, title, rest = run_in
            for mark in marks:  # ● / 【 】 / ：, typography
                self.dropped.append(Dropped(unit.first, mark, "bullet"))
            self.pending.append(Unit(title, unit.first, unit.first, run_in=True))
            self.feed(Unit(rest, unit.first, unit.last, unit.indented, jump_out=unit.jump_out))
            return
        # A photo caption the dump set inside a page break (…加装电 / 图为…　记者 X 摄 / 梯项目…)
        # is another article's: held for the next one, and the cut paragraph goes on.
        if (
            cur
            and not self.pending
            and cur.open_paragraph
            and text.startswith(headlines.CAPTION)
            and bylines.trailing_credit(text)
            and self.next_unit is not None
            and not headlines.is_headline_like(self.next_unit.bare)
            and not bylines.is_byline_start(self.next_unit.bare)
        ):
            self.held_captions.append(unit)
            return
        # A list the paragraph introduces (…分别是： / ①…项目 / ②…), item after item: text
        if (
            cur
            and not self.pending
            and not unit.jump_in
            and cur.paragraphs
            and cur.paragraphs[-1].kind == TEXT
            and _LIST_ITEM.match(text)
            and (
                cur.paragraphs[-1].text.endswith(("：", ":"))
                or _LIST_ITEM.match(cur.paragraphs[-1].text)
            )
        ):
            self.add_paragraph(cur, unit)
            return
        # A paragraph cut by a page break continues in the next unit, whatever it looks like.
        if (
            cur
            and not self.pending
            and cur.open_paragraph
            and not bylines.is_byline_start(text)
            and self.index - 1 not in self.table_rows  # a table's last row ends no sentence
            and not headlines.field_line(text)  # 地点：… under 时间：… is a line of its own
        ):
            titled = headlines.is_title_shaped(text) and self._title_follows(text)
            # a list the paragraph introduces: …获得： / 1.参与…
            colon = cur.paragraphs[-1].text.endswith(("：", ":"))
            listed = colon and headlines.enumerated(text)
            if colon and self.indented_page and unit.indented and not unit.jump_in:
                # …重点抓好三方面工作： / 　　一是紧盯…: the indent opens the next paragraph
                self.add_paragraph(cur, unit)
                return
            if not (unit.jump_in or titled or listed):
                _join_cut(cur, unit)
                return
        if cur and not self.pending and bylines.author_note(text):  # （作者单位：…）
            cur.credits.append(text)
            cur.signed_off = True  # the note closes the piece: a headline after it is the next
            cur.last = unit.last
            return
        if (
            cur
            and not self.pending
            and not cur.open_paragraph
            and (bylines.signature_line(text) or bylines.reader_signature(text))
        ):
            # （周正） under a commentary's last sentence, 小区居民 汪建华 under a letter
            cur.tail_credit.append(text)
            cur.signed_off = True
            cur.last = unit.last
            return
        if cur and not self.pending and cur.paragraphs and bylines.photo_credit_line(text):
            # 祝海鹏　摄 / 图片由…提供 on a line of its own under a photo's caption
            cur.tail_credit.append(text)
            cur.signed_off = cur.signed_off or len(cur.paragraphs) <= 2
            cur.last = unit.last
            return
        signed = self._signed_name(unit)
        if signed:
            self.sign(unit, signed)
            return
        if cur and self._verse_line(unit):
            cur.verse = True
            self.add_paragraph(cur, unit)
            return
        headline = (
            headlines.is_headline_like(text)
            or (headlines.is_title_shaped(text) and self._title_follows(text))
            or headlines.from_day_title(text)
        )
        # an indented line ending with a colon among an article's paragraphs introduces what
        # follows (此次发布的六大品牌项目分别是：), no 引题
        nxt = self.next_unit
        introduces = (
            cur is not None
            and bool(cur.paragraphs)
            and not self.pending
            and text.rstrip(SPACE).endswith(("：", ":"))
            and (
                (self.indented_page and unit.indented)
                or (nxt is not None and headlines.enumerated(nxt.bare))  # …分别是： / ①…
            )
        )
        if headline and not unit.jump_in and not introduces:
            self.pending.append(unit)
        elif bylines.is_byline_start(text) or (self.pending and bylines.is_source_lead(text)):
            self.byline(unit)
        else:
            self.body(unit)

    def _signed_name(self, unit: Unit) -> str | None:
        """The author's name when `unit` is a name alone right under a title (◎ 叶青, □ 方志诚,
        文／徐晓岚): commentaries, theory pieces and 副刊 prose and verse are signed so. A bare
        name must start with a surname and have running text, not another headline, below."""
        if not self.pending or unit.jump_in:
            return None
        found = bylines.name_line(unit.bare) or bylines.unit_and_name(unit.bare)
        title = self.pending[-1].bare
        if not found or title[:1] in headlines.MARKED or headlines.section_label(title):
            return None
        name, marked = found
        if marked:
            return name
        if self._verse_ahead(self.index + 1):  # title / 郑一苇 / a poem
            return name
        nxt = self.next_unit
        if nxt is None or nxt.jump_in or headlines.is_headline_like(nxt.bare):
            return None
        if bylines.is_byline_start(nxt.bare) or headlines.is_fragment(nxt.bare):
            return None
        return name

    def sign(self, unit: Unit, name: str) -> None:
        self.open_article(unit)
        cur = self.current
        assert cur is not None
        cur.byline.append(unit.bare)
        cur.credit_text.append(name)
        cur.signed = True
        cur.verse = self._verse_ahead(self.index + 1)
        cur.last = unit.last

    def _verse_line(self, unit: Unit) -> bool:
        """A line of a poem: under a signed title (title / ◎ 郑一苇 / lines), short. The poem
        ends where a line has a byline, a name or running text below it: that line is the
        next piece's title."""
        cur = self.current
        if cur is None or self.pending or not cur.signed or (cur.paragraphs and not cur.verse):
            return False
        if not self._short_line(self.index):
            return False
        # the next piece's title, over its dedication and its writer: 守林人 / ——致… / □ 余小溪
        units, j = self.all_units, self.index
        if (
            j + 2 < len(units)
            and units[j + 1].bare[:1] in DASHES
            and bylines.name_line(units[j + 2].bare)
        ):
            return False
        if cur.verse and not headlines.is_headline_like(unit.bare):
            return True  # a punctuated line of verse (…砚台，) is no title
        if not headlines.is_headline_like(unit.bare):
            return False
        nxt = self.next_unit
        return nxt is None or self._short_line(self.index + 1)

    def _short_line(self, j: int, limit: int = 24) -> bool:
        """Unit `j` is a short plain line, as a line of verse is."""
        if j >= len(self.all_units):
            return False
        u = self.all_units[j]
        text = u.bare
        return not (
            u.jump_in
            or len(squash(text)) > limit
            or text[:1] in headlines.MARKED
            or headlines.section_label(text)
            or bylines.is_byline_start(text)
            or bylines.name_line(text)
        )

    def _verse_ahead(self, j: int) -> bool:
        """Three short lines from unit `j` on: a poem starts there, not prose."""
        return all(self._short_line(k, 16) for k in range(j, j + 3))

    def _title_follows(self, text: str) -> bool:
        """A title-shaped unit is a title when a byline (本报讯…), a continued-article marker,
        or — for a short one — a dateline-led paragraph follows it."""
        nxt = self.next_unit
        if nxt is None:
            return False
        if bylines.has_lead(nxt.bare) or nxt.jump_in:
            return True
        # A byline line of its own (记者 X 通讯员 Y) opens the article below; a closing credit
        # is bracketed: (记者 X).
        if bylines.is_credit_only(nxt.bare) and not open_bracket(nxt.bare[:1]):
            return True
        # a writer's name marked with a bullet (□ 江一帆) signs the piece below a title
        signed = bylines.name_line(nxt.bare)
        if signed and signed[1]:
            return True
        return headlines.starts_with_date(nxt.bare) and len(squash(text)) <= 30

    def byline(self, unit: Unit) -> None:
        text = unit.bare
        credit_only = bylines.is_credit_only(text)
        if self.pending:
            self.open_article(unit)
        elif self.current is None:
            if credit_only:
                self.unassigned(unit, "credit line outside any article")
                return
            self.problems.append(Problem(self.source, "byline without a headline", unit.first))
            self.current = _Draft(heads=[], first=unit.first)
            self.articles.append(self.current)
        cur = self.current
        assert cur is not None
        cur.last = unit.last
        if not cur.paragraphs:
            cur.boxed = False  # an article with a byline of its own is no box item
        if credit_only:
            web = bylines.web_credit(text)  # 来源：… 作者：记者 X　日期：…: only 作者 credits
            if web and not cur.paragraphs:
                cur.byline.append(text)
                cur.credit_text.append(web)
                return
            if cur.paragraphs:  # a byline at the END of the article: (记者 X 通讯员 Y)
                cur.tail_credit.append(text)
                # bracketed, it closes the piece (a brief's credit): a headline below is
                # the next piece's title, not a subheading. A photo's credit (…摄) closes
                # a photo item, not an article its picture sits in.
                photo = text.rstrip(")） \u3000").endswith(("摄", "摄影"))
                if (open_bracket(text[:1]) and not photo) or (photo and len(cur.paragraphs) <= 2):
                    cur.signed_off = True
            else:  # credit lines of their own after 本报…电
                cur.byline.append(text)
                cur.credit_text.append(text)
            return
        found = bylines.split_byline(text)
        if found.raw:
            cur.byline.append(found.raw)
        if found.credit:
            cur.credit_text.append(found.credit)
        cur.dateline = cur.dateline or found.month_day
        if found.rest:
            rest = Unit(found.rest, unit.first, unit.last, unit.indented, jump_out=unit.jump_out)
            self.add_paragraph(cur, rest)

    def body(self, unit: Unit) -> None:
        if unit.jump_in and self._resume_jumped(unit):
            return
        if self._resumes_left_open(unit):
            # the rest of a paragraph cut by a page break, after another piece the dump set
            # inside the break (a photo and its caption, a brief): that article goes on
            left, self.left_open = self.left_open, None
            assert left is not None
            _join_cut(left, unit)
            self.current = left
            return
        cur = self.current
        if cur is not None and cur.notice and furniture.is_signature_date(unit.bare):
            # a notice's signature: the issuing body (pending, headline-like) and the date
            cur.signature += [*self.pending, unit]
            self.pending = []
            cur.last = unit.last
            cur.signed_off = True  # what follows is the next piece
            return
        if (
            self.pending
            and cur is not None
            and cur.paragraphs
            and _LINK_LABEL.match(self.pending[0].bare)
        ):
            # 新闻链接 / 相关链接 (and the box's own heading): background to the article above
            for head in self.pending:
                cur.paragraphs.append(Paragraph(head.bare, HEADING, head.first))
            self.pending = []
        if self.pending and self._cut_at_break(unit):
            # the last headline-like line was a paragraph's first words, cut by a page break
            # (会议强调 / … / ，民生实事是…): the lines above it are the article's subheadings
            assert cur is not None
            start = self.pending.pop()
            for head in self.pending:
                cur.paragraphs.append(Paragraph(head.bare, HEADING, head.first))
            self.pending = []
            self.add_paragraph(cur, start)
            _join_cut(cur, unit)
            return
        if (
            self.pending
            and cur is not None
            and cur.notice
            and cur.paragraphs
            and all(
                headlines.enumerated(h.bare)
                or self._unit_index.get(id(h)) in self.table_rows
                or re.search(r"\S[\u3000 ]{2,}\S", h.bare)  # a row's cells: 成年居民　　　420
                or h.bare.endswith(("：", ":"))  # …标准如下：
                for h in self.pending
            )
        ):
            # inside a notice, until its signature: its numbered headings (一、缴费时间) and
            # a table's rows are its own
            for head in self.pending:
                kind = HEADING if headlines.enumerated(head.bare) else TEXT
                cur.paragraphs.append(Paragraph(head.bare, kind, head.first))
            self.pending = []
        if self.pending:
            if not self.pending[-1].run_in and self._pending_is_subheading(unit):
                assert self.current is not None
                head = self.pending.pop()
                self.current.paragraphs.append(Paragraph(head.bare, HEADING, head.first))
            else:
                self.open_article(unit)
        if self.current is None:
            self.unassigned(unit, _NO_START)
            return
        self.add_paragraph(self.current, unit)

    def _resumes_left_open(self, unit: Unit) -> bool:
        """Whether `unit` goes on the paragraph a page break left open at the end of an
        earlier article (left_open), another piece between them: that piece is closed, a
        page-break gap stands above `unit`, `unit` opens nothing (no headline, byline or
        dateline) and reads as the rest of a sentence: it starts mid-sentence, or the cut
        paragraph stops at a comma or 、, or it lacks the indent paragraphs open with."""
        left, cur = self.left_open, self.current
        if left is None or cur is None or cur is left or self.pending or not cur.paragraphs:
            return False
        if not left.open_paragraph or cur.open_paragraph or self.index == 0:
            return False
        if _opens(unit):
            return False
        # a page-break gap above it, or the piece between closed by its credit: a dump that
        # read a page's columns one after the other marks nothing (…以科技 / another article
        # / （记者 X 通讯员 Y） / 创新引领…)
        if not (self._page_break(self.all_units[self.index - 1], unit) or cur.signed_off):
            return False
        text = unit.bare
        tail = left.paragraphs[-1].text.rstrip(SPACE)
        return (
            headlines.is_fragment(text)
            or tail[-1:] in "、，,：:；;（(“"
            or (self.indented_page and not unit.indented)
        )

    def _cut_at_break(self, unit: Unit) -> bool:
        """Whether the last pending line is the start of a paragraph of the running article
        that a page break cut, `unit` its rest (see _cut_start)."""
        cur, head = self.current, self.pending[-1]
        if cur is None or not cur.paragraphs:
            return False
        if cur.signed_off or cur.notice or cur.verse or cur.boxed or cur.jumped_out:
            return False
        j = self.index - 1
        return j >= 0 and self.all_units[j] is head and self._cut_start(j)

    def _cut_start(self, j: int) -> bool:
        """Whether headline-like unit `j` is a paragraph's first words and unit j+1 their
        rest, a page break between them: unit j stands right above a page-break gap (more
        lines than between paragraphs), it is unmarked and ends no sentence, and the next
        unit goes on from it: it starts mid-sentence (，民生实事是…), or it is text that
        opens no article (no dateline, no 记者从…获悉 lead, no brief's 为…，区X局开展…). A
        title is not cut from its article's first lines by a page break; a paragraph's first
        words are, when the break falls early in its first line."""
        units = self.all_units
        if j + 1 >= len(units):
            return False
        head, unit = units[j], units[j + 1]
        bare = head.bare.strip(SPACE)
        if (
            head.jump_in
            or head.jump_out
            or head.run_in
            or bare[:1] in headlines.MARKED
            or bare[:1] in DASHES
            or bare.endswith(tuple(DASHES + "：:"))
            or headlines.section_label(bare)
            or headlines.enumerated(bare)
            or ends_sentence(bare)
            # a space between two phrases is a headline's (引进订单 车间搬到村口): prose has none
            or re.search(rf"[{CJK}][ \u3000]+[{CJK}]", bare)
        ):
            return False
        text = unit.bare
        if not self._page_break(head, unit):
            # no page-break gap: only running text (a clause after a comma, an open quote)
            # over a fragment (“救援是一份责任,也是一份承 / 诺。”这是…) is cut, never a title
            # over its article's cut-off start (衢江“无偿献血之家”获评… / 员,组织开展…)
            running = bare.count("“") > bare.count("”") or any(c in bare for c in "，,")
            return running and headlines.is_fragment(text)
        return headlines.is_fragment(text) or not _opens(unit)

    def _page_break(self, above: Unit, below: Unit) -> bool:
        """More lines between two units than between paragraphs (at least two): a page break
        cut there."""
        return below.first - above.last - 1 >= max(2, self.paragraph_gap + 1)

    def _resume_jumped(self, unit: Unit) -> bool:
        """(上接第1版) text whose article jumped out earlier in this dump ((下转第2版) on page
        1, both pages dumped in one file): that article goes on here, and the paragraph the
        page break cut is joined again. Over it there is no headline, or its title repeated
        (dropped as a duplicate). A jump to page 2 is never continued from page 2."""
        jumped = next((d for d in reversed(self.articles) if d.jumped_out), None)
        if jumped is None or not jumped.paragraphs or len(self.pending) > 2:
            return False
        title = squash("".join(h.bare for h in jumped.heads))
        if any(squash(h.bare) not in title for h in self.pending):
            return False
        to = self._jump_pages(jumped.lead_line, jumped.last + 1, out=True)
        since = self._jump_pages(unit.first, unit.first, out=False)
        if to and since and to[-1] == since[0]:
            return False
        for head in self.pending:
            self.dropped.append(Dropped(head.first, head.bare, "duplicate"))
        self.pending = []
        jumped.jumped_out = False
        self.current = jumped
        if jumped.open_paragraph and not bylines.is_byline_start(unit.bare):
            _join_cut(jumped, unit)
        else:
            self.add_paragraph(jumped, unit)
        return True

    def _jump_pages(self, first: int, last: int, *, out: bool) -> list[str]:
        """The pages named by the jump markers cut from lines `first`..`last` (out: 下转 ones,
        else 上接 ones)."""
        pages = []
        for d in self.dropped:
            if d.reason == "jump" and first <= d.line <= last:
                m = furniture.JUMP.search(d.text)
                if m and furniture.is_jump_in(m["kind"]) != out:
                    pages.append(furniture.jump_page(d.text))
        return [p for p in pages if p]

    def _pending_is_subheading(self, unit: Unit) -> bool:
        """A lone short headline-like line inside an article, followed by ordinary text."""
        cur = self.current
        if cur is None or not cur.paragraphs or len(self.pending) != 1 or cur.jumped_out:
            return False
        head = self.pending[0].bare
        if not headlines.is_subheading(head) or furniture.is_notice_title(head):
            return False
        if headlines.from_day_title(head):  # a subheading never opens with a date
            return False
        if cur.signed_off:  # (周正) / 小区居民 汪建华 under its text: the piece ended there
            return False
        if cur.boxed:  # in a 简讯 box a headline is the next item's title
            return False
        # In an interview (记者：… / 方建华：…), a headline over a line spoken by someone not
        # in it (网友“衢江小陈”：…) opens the next piece, a Q&A of its own.
        said = {m["who"] for p in cur.paragraphs if (m := _DIALOGUE.match(p.text))}
        speaker = _DIALOGUE.match(unit.bare)
        if len(said) >= 2 and speaker and speaker["who"] not in said:
            return False
        text = unit.bare
        if unit.jump_in or headlines.starts_with_date(text) or headlines.is_fragment(text):
            return False
        # Profiles in a box (代表委员风采): under a title naming a person (徐丽萍：…), a line
        # of the same shape (叶建国：…) is the next profile's title, not a subheading.
        if (
            cur.heads
            and headlines.profile_title(cur.heads[-1].bare)
            and headlines.profile_title(head)
        ):
            return False
        # Subheadings come in series (压实责任链条 / 紧盯重点领域 / …); a lone headline line
        # inside an article is the title of the next, byline-less article.
        if headlines.enumerated(head):
            return True
        earlier = [p.text for p in cur.paragraphs if p.kind == HEADING]
        # an unmarked headline over a brief's lead (为保障…，区市场监管局组织…) in an article
        # with no subheadings yet opens the brief, however parallel the titles after it are
        if not earlier and _BRIEF_LEAD.match(text) and head[:1] not in headlines.BULLETS:
            return False
        if any(headlines.siblings(head, h) for h in earlier + self._later_subheadings()):
            return True
        # A lone one is the title of a byline-less article when what follows is dated
        # (寒冬时节…1月2日上午…) or closes with a unit's credit line (区慈善总会) or a photo
        # credit (通讯员 X 摄); otherwise it is still a subheading of the running article.
        # (under a byline, among subheadings of its own, an undated lead is the article's)
        in_series = bool(earlier) and bool(cur.byline or cur.credit_text)
        return not (
            dates.lead_date(text, None, 2000)[0] is not None
            or (_NEWS_OPENING.match(text) and not in_series)
            or self._section_has_credit()
            # one lone title-length line in an article with no subheadings at all is the
            # next article's title (a sidebar label such as 人物名片 is short)
            or (
                len(squash(_BULLET.sub("", head))) >= 8
                and not earlier
                and not self._later_subheadings()
            )
            # on a page whose blank lines part articles only, one after a blank line
            or (id(self.pending[0]) in self.opens_block and not earlier)
        )

    def _section_has_credit(self) -> bool:
        """A unit credit line (区红十字会) or a photo credit before the next headline."""
        units = self.all_units
        for j in range(self.index, len(units)):
            u = units[j]
            if j > self.index and (bylines.has_lead(u.bare) or u.jump_in):
                return False
            if j > self.index and headlines.is_headline_like(u.bare) and not bylines.is_org(u.bare):
                return False  # the next headline: the section ends here
            nxt = units[j + 1].bare if j + 1 < len(units) else ""
            if bylines.is_org(u.bare) and (not nxt or headlines.is_headline_like(nxt)):
                return True
            credit = bylines.trailing_credit(u.bare)
            if credit and credit[1].rstrip(")）").endswith(("摄", "摄影")):
                return True
            # a bracketed closing byline: (通讯员 方可 记者 钟可欣) ends a piece of its own
            if credit and open_bracket(credit[1][:1]) and re.search(bylines.ROLE, credit[1]):
                return True
            if bylines.is_credit_only(u.bare) and open_bracket(u.bare[:1]):
                return True
        return False

    def _later_subheadings(self) -> list[str]:
        """Headline-like units further on in the same article (up to the next byline) that
        stand between paragraphs of running text, as subheadings do."""
        units = self.all_units
        found = []
        for j in range(self.index + 1, len(units)):
            u = units[j]
            if bylines.has_lead(u.bare) or u.jump_in:
                break
            if not headlines.is_headline_like(u.bare) or bylines.is_org(u.bare):
                continue
            if self._cut_start(j):  # a paragraph's first words over a page break
                continue
            before, after = units[j - 1].bare, units[j + 1].bare if j + 1 < len(units) else ""
            if (
                after
                and not headlines.is_headline_like(before)
                and (not headlines.is_headline_like(after) or self._cut_start(j + 1))
                and not bylines.is_byline_start(after)
                and not headlines.starts_with_date(after)
            ):
                found.append(u.bare)
        return found

    def add_paragraph(self, cur: _Draft, unit: Unit) -> None:
        # …。（通讯员 余晨光） closes a brief as a credit line of its own would
        if _closed_by_credit(unit.bare) and not unit.bare.rstrip(")） ").endswith("摄"):
            cur.signed_off = True
        cur.continued = cur.continued or unit.jump_in
        cur.jumped_out = cur.jumped_out or unit.jump_out
        cur.paragraphs.append(Paragraph(unit.bare, TEXT, unit.first))
        cur.last = unit.last

    def unassigned(self, unit: Unit, why: str) -> None:
        self.dropped.append(Dropped(unit.first, unit.bare, "unassigned"))
        self.problems.append(Problem(self.source, f"{why}: {unit.bare[:20]}…", unit.first))

    def open_article(self, unit: Unit) -> None:
        """Turn the pending headline run into a new article opened by `unit`."""
        heads, self.pending = self.pending, []
        cur = self.current
        if cur is not None and cur.open_paragraph:
            self.left_open = cur  # its rest may come after this one (see _resumes_left_open)
        # A notice's signature ends with its date (青溪报社 / 2024年12月): all up to it is its.
        dated = [i for i, h in enumerate(heads[:-1]) if furniture.is_signature_date(h.bare)]
        if cur is not None and cur.notice and dated:
            cur.signature += heads[: dated[-1] + 1]
            cur.last = heads[dated[-1]].last
            heads = heads[dated[-1] + 1 :]
        # An organisation credit line closing the previous article (区卫生健康局), or the
        # body that signs a notice (青溪报社).
        while (
            self.current is not None
            and len(heads) > 1
            and (
                bylines.is_org(heads[0].bare)
                or (self.current.notice and bylines.is_unit_name(heads[0].bare))
                # a town closing a brief that names no one (…开展宣讲。/ 杜泽镇)
                or (
                    not self.current.byline
                    and not self.current.credit_text
                    and _PLACE_NAME.fullmatch(heads[0].bare.strip(SPACE)) is not None
                )
            )
            and heads[1].bare[:1] not in DASHES  # ——… is the subtitle of the line above
        ):
            self.current.credits.append(heads[0].bare)
            self.current.last = heads.pop(0).last
        # A unit signing the piece under its title (高家镇党委, 区委组织部): its byline.
        unit_byline = None
        if (
            len(heads) >= 2
            and bylines.is_org(_BULLET.sub("", heads[-1].bare))
            and headlines.is_title_shaped(heads[-2].bare)
            and not bylines.is_org(heads[-2].bare)
        ):
            unit_byline = heads.pop()
        draft = _Draft(
            heads=heads,
            first=heads[0].first if heads else unit.first,
            lead_line=unit.first,
            first_on_page=not self.seen_headline,
            continued=unit.jump_in or headlines.is_fragment(unit.bare),
            notice=_notice_heads([h.bare for h in heads]),
        )
        if unit_byline is not None:
            draft.credits.append(_BULLET.sub("", unit_byline.bare))
        # the items of a box: under its label, and each lone title after a boxed item
        draft.boxed = any(headlines.section_label(h.bare) for h in heads) or (
            cur is not None and cur.boxed and len(heads) == 1
        )
        draft.notes, self.held_notes = self.held_notes, []
        draft.captions, self.held_captions = self.held_captions, []
        self.seen_headline = True
        self.current = draft
        self.articles.append(draft)

    def flush_pending(self) -> None:
        """Headline-like lines left at the end: credits of the last article, or reported."""
        heads, self.pending = self.pending, []
        for head in heads:
            if self.current is not None and self.current.notice:  # its signature
                self.current.signature.append(head)
                self.current.last = head.last
            elif self.current is not None and bylines.is_org(head.bare):
                self.current.credits.append(head.bare)
                self.current.last = head.last
            else:
                self.unassigned(head, "headline with no article text after it")

    def _gaps(self, d: _Draft) -> list[int]:
        """Blank lines under each headline line of `d` (the last: down to its first text).
        On hard-wrapped text, blank lines are the dump's (none at all, or one after every
        line) and tell nothing of the layout: every gap is 0 then."""
        if not d.heads:
            return []
        if self.hard_wrapped:
            return [0] * len(d.heads)
        ends = [h.last for h in d.heads]
        starts = [h.first for h in d.heads[1:]] + [d.lead_line or 0]
        return [
            sum(not self._text_at(n) for n in range(end + 1, start)) if start > end else 0
            for end, start in zip(ends, starts, strict=True)
        ]

    # -- finishing -----------------------------------------------------------------------------
    def finish(self, d: _Draft, position: int, issue: date | None, year: int | None) -> Article:
        notes = [Paragraph(u.bare, TEXT, u.first) for u in d.notes]
        own = list(d.paragraphs)
        own[1:1] = [Paragraph(u.bare, TEXT, u.first) for u in d.captions]  # after the lead
        paragraphs = [p for p in [*notes, *own] if p.text]
        credit_texts = list(d.credit_text)
        # （作者系区委党校教师 周远） under a signed piece names its writer
        credit_texts += [n for c in d.credits if (n := bylines.author_note_name(c))]
        tail = list(d.tail_credit)
        # a photo caption inside the article (图为…　记者 X 摄): its credit leaves the body
        for i, para in enumerate(paragraphs[:-1]):
            if para.kind == TEXT and para.text.startswith(_CAPTION_OPENINGS):
                found = bylines.trailing_credit(para.text)
                if found:
                    paragraphs[i] = replace(para, text=found[0])
                    tail.append(found[1])
        # A credit glued to the end of the last paragraph (photo captions: 记者 X 文 Y 摄).
        if paragraphs and paragraphs[-1].kind == TEXT:
            found = bylines.trailing_credit(paragraphs[-1].text) or bylines.signature(
                paragraphs[-1].text
            )
            if found:
                paragraphs[-1] = replace(paragraphs[-1], text=found[0])
                tail.insert(0, found[1])
        when, how = None, None
        # the lead: the first paragraph of the news, not an editor's note set before it
        lead = next(
            (p.text for p in paragraphs if p.kind == TEXT and not _EDITOR_NOTE.match(p.text)), ""
        )
        if d.dateline:
            when, how = dates.resolve_dateline(*d.dateline, issue, year), "dateline"
        if when is None and paragraphs and not d.continued:
            # (a day-alone dateline needs the issue's month: without it, the lead may tell)
            when, how = dates.lead_date(lead, issue, year)
        heads = [h.bare for h in d.heads]
        if d.continued and headlines.jump_page_title(heads):
            # a continued article's page reprints its title alone, wrapped or not
            heads = [heads[0].rstrip(SPACE) + heads[1].lstrip(SPACE)]
        roles, banners = headlines.assign_roles(heads, d.first_on_page, lead, self._gaps(d))
        for i in banners:
            self.dropped.append(Dropped(d.heads[i].first, d.heads[i].bare, "banner"))
        bullet = _BULLET.match(roles.get("title", ""))
        if bullet:  # ◆区市场监管局开展…: the box item's bullet is typography, kept as dropped
            line = next((h.first for h in d.heads if h.bare in roles["title"]), d.first)
            self.dropped.append(Dropped(line, bullet[0].strip(SPACE), "bullet"))
            roles["title"] = roles["title"][bullet.end() :]
        if not roles.get("title"):
            self.problems.append(Problem(self.source, "article without a title", d.first))
        if when is None and (roles.get("subtitle") or "").lstrip("—－― ").startswith(("19", "20")):
            # a report or speech: ——2025年1月7日在区十届人大五次会议上 states when it was given
            when, how = dates.find_cn_date(roles["subtitle"][:16]), "subtitle"
        return Article(
            title=headlines.unscramble(headlines.unkern(roles.get("title", "")) or "", lead),
            paragraphs=tuple(paragraphs),
            pretitle=roles.get("pretitle"),
            subtitle=roles.get("subtitle"),
            column=roles.get("column"),
            authors=tuple(bylines.names(credit_texts + tail)),
            credits=tuple(d.credits),
            byline=" ".join(d.byline) or None,
            credit_line=" ".join(tail) or None,
            date=when,
            date_source=how if when else None,
            continued=d.continued,
            source=self.source,
            position=position,
            first_line=min([d.first, *(u.first for u in d.notes)]),
            last_line=max(d.last, d.first),
        )


def parse_page(text: str, source: str = "<text>") -> Page:
    """Parse the text of one page. Never raises on any text input."""
    return _Parser(text, source).run()
