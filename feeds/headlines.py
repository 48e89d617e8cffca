"""PURE headline rules: which lines are headline-like, how a run of headline lines splits into
banner / column / pretitle (引题) / title / subtitle (副题), and how a layout-scrambled title is
put back in order."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import permutations

from feeds.bylines import is_byline_start, is_source_lead, name_line
from feeds.chars import CJK, DASHES, SPACE, squash, width

MAX_HEADLINE = 50  # characters (spaces excluded) of one headline line
MAX_SUBHEADING = 24  # display width / 2 of an in-article subheading

_SPEECH = re.compile(r"(讲话|主持|出席|致辞|参加|部署|讲授|宣讲|作报告|点评|讲评|就座)")
# Text that starts mid-word after a page break: 星、浙江省… / 员,组织开展…
# (一、 and 1. are enumerations, not fragments)
# Text that begins mid-word or mid-sentence: one character, then punctuation (…设，推动). Not
# a headline's call to the reader (听，代表委员这样说 / 看，… / 瞧！…), nor a list number (一、).
_FRAGMENT = re.compile(
    rf"^(?![一二三四五六七八九十0-9][、.．])(?![听看瞧赞][，,！!])[{CJK}A-Za-z0-9%][、，,。；;：:”’）)]"
    r"|^[”’）)、，,。；;%]"
    # the end of a quotation opened elsewhere: 衢江”城市品牌… (a closing mark, no opening)
    rf"|^[{CJK}]{{1,8}}[”’]"
)
_DATE_START = re.compile(
    r"^(?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}日|^\d{1,2}日(?![内前后])"
    r"|^(日前|近日|近期|昨日|昨天|前不久)|^[上本](?:周|星期)[一二三四五六日天]"
)
_NOT_WORD = re.compile(rf"[^{CJK}A-Za-z0-9]+")
# A headline part that ends in a verb awaiting its object (研究部署, 传达学习近期, 全力冲刺).
_BARE_VERB = re.compile(
    r"^\S{0,4}(?:部署|研判|学习|冲刺|推进|研究|传达|审议|听取|落实|贯彻|动员|启动|谋划|聚焦|"
    r"推动|部署推进|安排)(?:近期)?$"
)


def is_fragment(text: str) -> bool:
    """Text that begins in the middle of a word or sentence (its beginning is elsewhere)."""
    return bool(_FRAGMENT.match(text.strip(SPACE)))


def starts_with_date(text: str) -> bool:
    """Text opening with a dateline: 3月5日, 2024年3月5日, 日前, 近日, 昨日."""
    return bool(_DATE_START.match(text.strip(SPACE)))


# A brief in a 短讯/简讯 box with its title run in before the text, after a bullet and ended
# by a full-width space (or two spaces): ●区文化馆举办培训班　日前，区文化馆…
# The bullets that open a box item or a run-in brief (●标题　正文…, ◆区市场监管局开展…).
BULLETS = "●■◆▲★□○◇◎"
_RUN_IN = re.compile(
    rf"^(?P<bullet>[{BULLETS}])[ \u3000]*(?P<title>\S{{4,30}}?)"
    # the gap: a full-width space or two spaces; one half-width space (dumps often turn the
    # full-width gap into one) only before a lead's usual opening: a date or 近日/日前/…
    r"(?:\u3000+|  +"
    r"| (?=\d{1,2}月|\d{1,2}日|近日|日前|昨日|昨天|前天|今天|今年|连日来|近期|上周|为))"
    r"(?P<rest>\S.*)$"
)


# The same without a bullet, the bold title lost in the dump: only a full-width space before
# a lead's usual opening parts them (区人大常委会开展食品安全执法检查　日前，区人大…).
_RUN_IN_BARE = re.compile(
    r"^(?P<title>[^\s，,。；;：:]{6,30}?)\u3000+"
    r"(?P<rest>(?:\d{1,2}月\d{1,2}日|\d{1,2}日|近日|日前|昨日|昨天|前天|今天|连日来|近期|上周"
    r"|本报讯|本报[^\s，,。]{0,6}讯)\S.*)$"
)


# A brief's title in square brackets run in before its text: 【…送冬衣】12月1日，…
_RUN_IN_BRACKETED = re.compile(r"^【(?P<title>[^【】\s]{6,30})】[ \u3000]*(?P<rest>\S.*)$")
# In a 短讯 box, a title closed by a colon: 县图书馆推出寒假“阅读护照”：近日，…
_RUN_IN_COLON = re.compile(r"^(?P<title>[^\s，,。；;：:【】]{8,30})[：:](?P<rest>\S.*)$")


def run_in(text: str, boxed: bool = False) -> tuple[str, str, str] | None:
    """(marks, title, text) of a brief whose title is run in before its text; else None.
    The title is set off by a bullet and a gap (●标题　正文), a full-width space alone, its
    brackets (【标题】正文) or, in a box (`boxed`: under its 简讯 label), a colon; the marks
    are those characters ("" for a gap alone). The text must read as running text (a
    sentence), not as a 导读 entry (…　2版)."""
    bare = text.strip(SPACE)
    m = _RUN_IN.match(bare) or _RUN_IN_BARE.match(bare) or _RUN_IN_BRACKETED.match(bare)
    if not m and boxed:
        m = _RUN_IN_COLON.match(bare)
    if not m:
        return None
    title, rest = m["title"], m["rest"].strip(SPACE)
    if is_source_lead(title):  # 据《浙江日报》报道　近日，…: a lead, not a title
        return None
    if not is_headline_like(title) or len(rest) < 8 or is_headline_like(rest):
        return None
    if not re.search(r"[，,。；;]", rest):
        return None
    if m.re is _RUN_IN_BRACKETED:
        return "【】", title, rest
    if m.re is _RUN_IN_COLON:
        return bare[len(title)], title, rest
    return m.groupdict().get("bullet") or "", title, rest


# An interview's question: the speaker, a colon, a question (记者：…有哪些新举措？).
_SPEAKER = re.compile(rf"^(?P<who>[{CJK}]{{1,5}})[：:].+[？?]$")


def _asks(bare: str) -> bool:
    """A question put by the interviewer (记者, 主持人, 问) or a named speaker: dialogue."""
    m = _SPEAKER.match(bare)
    if not m:
        return False
    who = m["who"]
    return who in ("记者", "本报记者", "主持人", "问") or bool(name_line(who))


# A photo caption opens with where the picture is: 图为…, 上图…
CAPTION = ("图为", "上图", "下图", "左图", "右图", "图①", "图②", "图③")


def is_headline_like(text: str) -> bool:
    """Short, no sentence punctuation: a title, pretitle, subtitle, banner or subheading."""
    bare = text.strip(SPACE)
    if not bare or is_byline_start(bare) or width(squash(bare)) > 2 * MAX_HEADLINE:
        return False
    if _asks(bare) or salutation(bare) or field_line(bare) or bare.startswith(CAPTION):
        return False
    core = bare.rstrip(DASHES + "：:")
    if not core or core[-1] in "。；;，,、":
        return False
    if core[-1] in "”’）)" and len(core) > 1 and core[-2] in "。！？!?":
        return False
    commas = sum(core.count(ch) for ch in "，,；;。")
    if commas > 1 or (commas and len(core) > 16):  # a clause of running text, not a title
        return False
    if core.count("、") > 1 and len(core) > 16:  # an enumeration in running text
        return False
    if is_fragment(core) or starts_with_date(core):
        return False
    return not re.search(r"[。；;]", core)


def is_title_shaped(text: str) -> bool:
    """Could be a headline once the context says so: short, no full stop, no trailing clause
    punctuation. Titles may hold commas (区委常委会召开会议,研究部署三季度经济工作); that
    alone cannot tell them from running text, so callers also need a byline or dateline after
    it."""
    bare = text.strip(SPACE)
    core = bare.rstrip(DASHES + "：:")
    if not core or len(squash(core)) > MAX_HEADLINE or is_byline_start(bare):
        return False
    if core[-1] in "。；;，,、" or re.search(r"[。；;]", core):
        return False
    return not (is_fragment(core) or starts_with_date(core))


# A new rule's headline opens with the day it takes effect: 6月1日起，城区部分路段实行单向通行.
_FROM_DAY = re.compile(r"^(?:\d{1,2}月\d{1,2}日|\d{1,2}月|下月|明日|明天|今起)起[，,\s]")


def from_day_title(text: str) -> bool:
    """A headline opening with the day a rule takes effect (X月X日起，…): title-shaped but for
    the date, which running text would follow with a full sentence."""
    bare = text.strip(SPACE)
    m = _FROM_DAY.match(bare)
    if not m or len(squash(bare)) > MAX_HEADLINE:
        return False
    rest = bare[m.end() :].strip(SPACE)
    return len(rest) >= 4 and not re.search(r"[。；;，,！!？?]", rest) and rest[-1] not in "、：:"


def is_subheading(text: str) -> bool:
    """Short enough to be an in-article subheading (压实责任链条, 搭建平台 就业不出村)."""
    bare = text.strip(SPACE)
    return width(squash(bare)) <= 2 * MAX_SUBHEADING and not bare.endswith(tuple(DASHES))


_ENUMERATED = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|第[一二三四五六七八九十]+[，,、]"
    r"|[\u2460-\u2473\u2474-\u2487])"  # ① … ⑳, ⑴ … ⒇
)


def enumerated(text: str) -> bool:
    """A numbered subheading or list item: 一、… （二）… 3. … 第一,… ①…"""
    return bool(_ENUMERATED.match(text.strip(SPACE)))


def siblings(a: str, b: str) -> bool:
    """Two subheadings of one series: parallel in shape (both numbered, or both with or both
    without an inner space) and in length. In-article subheadings come in such series."""
    if enumerated(a) and enumerated(b):
        return True
    a, b = a.strip(SPACE), b.strip(SPACE)
    if (" " in a or "\u3000" in a) != (" " in b or "\u3000" in b):
        return False
    la, lb = len(squash(a)), len(squash(b))
    return max(la, lb) <= 1.5 * min(la, lb)


# The speaker printed under the title of a report or speech: a post, then a name
# (区长 贵丽青, 衢江区人民政府区长 郑卫东, 区委书记　王慧杰).
_SPEAKER_LINE = re.compile(
    rf"^[{CJK}]{{0,14}}(?:书记|区长|县长|市长|省长|州长|主任|主席|部长|局长|厅长|镇长|乡长|院长"
    rf"|检察长|秘书长)[{SPACE}]+[{CJK}]{{2,4}}$"
)
# The salutation that opens a speech or a reader's letter: 各位代表：, 同志们：, 尊敬的各位来宾：,
# 编辑同志：. Body text, never a pretitle, though it ends with a colon.
_SALUTATION = re.compile(
    r"^(?:各位[^：:，,。]{0,20}|尊敬的[^：:。]{1,24}|同志们|朋友们|女士们[，,、]?先生们"
    r"|(?:编辑|记者)同志|(?:全区|全市|全县)?广大[^：:，,。]{1,16})[：:]$"
)


# A profile's title: a person's name, a colon, what the profile says of them
# (徐丽萍：把田间地头的声音带上会). A box of profiles (代表委员风采, 身边好人) prints several.
_PROFILE_TITLE = re.compile(rf"^[{CJK}]{{2,4}}[{SPACE}]*[：:][{SPACE}]*[^：:，,。；;？?！!]{{4,}}$")


def profile_title(text: str) -> bool:
    return _PROFILE_TITLE.match(text.strip(SPACE)) is not None


# A field of an event notice or a service box: 时间：…, 地点：…, 报名方式：… (body text).
_FIELD = re.compile(
    rf"^(?:活动|[{CJK}]{{1,4}}(?=时间|地点))?(?:时间|地点|对象|主办|承办|协办|内容|费用|名额|地址|电话|咨询电话|联系电话|联系人"
    r"|报名方式|报名时间|报名地点|报名电话|参加对象|适用对象)[：:]\S"
)


def field_line(text: str) -> bool:
    return _FIELD.match(text.strip(SPACE)) is not None


# The cells of a table row set apart by full-width spaces or runs of spaces:
# 冠军　樟潭街道代表队 / 1　　　樟潭街道　　286.
_CELL_GAP = re.compile(r"\u3000+| {2,}")


def table_cells(text: str) -> list[str] | None:
    """The cells of a line that reads as a table row (a short first cell, every cell short,
    no sentence punctuation), else None. A run of such lines is a table (see tables)."""
    bare = text.strip(SPACE)
    cells = [c.strip(SPACE) for c in _CELL_GAP.split(bare)]
    if len(cells) < 2 or not all(cells) or re.search(r"[。，,；;！!？?：:]", bare):
        return None
    if len(cells[0]) > 6 or any(len(c) > 16 for c in cells):
        return None
    return cells


def tables(texts: Sequence[str], least: int = 3) -> set[int]:
    """Indexes of the lines in runs of at least `least` consecutive table rows: results,
    rankings and timetables printed in a report, never headlines."""
    rows: set[int] = set()
    run: list[int] = []
    for i, text in enumerate([*texts, ""]):
        if i < len(texts) and table_cells(text):
            run.append(i)
            continue
        if len(run) >= least:
            rows.update(run)
        run = []
    return rows


def unkern(text: str | None) -> str | None:
    """A headline whose characters a PDF's kerning set apart (区 委 理 论 学 习 …), closed up:
    when most of its space-separated pieces are single ideographs."""
    if not text:
        return text
    pieces = text.split()
    single = sum(len(x) == 1 and re.fullmatch(rf"[{CJK}]", x) is not None for x in pieces)
    if len(pieces) < 4 or single < 0.75 * len(pieces):
        return text
    return re.sub(rf"(?<=[{CJK}])[ \u3000\u00a0](?=[{CJK}])", "", text)


def speaker_line(text: str) -> bool:
    return _SPEAKER_LINE.match(text.strip(SPACE)) is not None


def salutation(text: str) -> bool:
    return _SALUTATION.match(text.strip(SPACE)) is not None


# One speaker: 周启航出席并讲话, 区委书记王慧杰出席会议并讲话, 贵丽青作工作报告.
_ONE_SPEAKER = re.compile(
    rf"^[{CJK}]{{2,16}}?(?:出席(?:会议|活动)?并(?:作重要|作|发表)?讲话|出席并致辞|讲话|致辞"
    r"|作(?:工作|专题|主旨)?报告)$"
)


# Who attended, under a title: 邵建明 林晓燕等出席, 邵建明林晓燕等区领导参加
_ATTENDED = re.compile(rf"^[{CJK}{SPACE}]{{2,30}}?等(?:区领导|市领导|领导)?(?:出席|参加)$")


def speech_subtitle(text: str) -> bool:
    """A subtitle saying who spoke and presided: 王慧杰讲话 贵丽青主持 …等参加, or one
    speaker alone (周启航出席并讲话), or who attended (邵建明 林晓燕等出席)."""
    parts = text.split()
    if len(parts) == 1 and len(text) <= 24 and _ONE_SPEAKER.match(text.strip(SPACE)):
        return True
    if len(text) <= 32 and _ATTENDED.match(text.strip(SPACE)):
        return True
    return len(parts) >= 2 and sum(bool(_SPEECH.search(p)) for p in parts) >= 2


MARKED = "【[〖［■□●◆◇▲★☆"  # a column banner's brackets or bullet: 【基层动态】, ■ 民生关注


# The label of a box or a kind of item (简讯, 短评, 图片新闻): a column, never a 引题.
_SECTION_LABEL = re.compile(
    r"^[■□●◆▲★【\[〖]?\s*(?:[\u4e00-\u9fff]{0,4}(?:简\s*讯|短\s*讯|快\s*讯|动\s*态)|短\s*评"
    r"|图片新闻|编\s*后|新闻链接|链\s*接)\s*[】\]〗]?$"
)


def section_label(text: str) -> bool:
    """A box or item-kind label: 简　讯, 短评, ■图片新闻, 【短讯】."""
    return bool(_SECTION_LABEL.match(text.strip(SPACE)))


def bracketed_label(text: str) -> bool:
    """A column name in brackets: 【衢江时评】, 【学习园地】 (a 引题 is not bracketed)."""
    return bool(re.fullmatch(r"[【〖\[［][^】〗\]］]{2,12}[】〗\]］]", text.strip(SPACE)))


def column_shaped(text: str) -> bool:
    """A column banner (栏目) is two or more short slogans: 奋战一季度 冲刺开门红."""
    parts = text.split()
    return len(parts) >= 2 and all(2 <= len(p) <= 8 for p in parts)


def jump_page_title(texts: list[str]) -> bool:
    """Two plain lines over a continued article: the page it jumped to reprints its title
    only (no 引题, no 副题), here wrapped (县委常委会专题研究生态环境保护 / 督察反馈问题
    整改工作)."""
    if len(texts) != 2:
        return False
    upper, lower = (t.strip(SPACE) for t in texts)
    return not (
        re.search(rf"[{SPACE}\s]", upper + lower)  # (parts set apart are no wrap)
        or upper[-1:] in DASHES + "：:"
        or lower[:1] in DASHES
        or column_shaped(upper)
        or section_label(upper)
        or bracketed_label(upper)
        or _bracketed(lower)
    )


def _wrapped_title(upper: str, lower: str, lead: str) -> bool:  # noqa: PLR0911
    """A title broken over two lines: the lead sentence runs straight across the break
    (全区2024年度基层党组织书记 / 抓基层党建工作述职评议会召开 -> …书记抓基层党建…), where a
    pretitle or column above a title is a phrase of its own (…精神，区委…)."""
    upper_spaced = re.sub(rf"[{SPACE}]+", " ", upper)
    upper, lower, lead = squash(upper), squash(lower), squash(lead)
    k = min(4, len(upper), len(lower))
    if k >= 2 and upper[-k:] + lower[:k] in lead:
        return True
    # A last line shorter than the one above is the remainder of a wrap (…获评浙江省 / 现代化
    # 学校); the lead need only run across two characters each side (…浙江省现代化学校名单).
    if 2 <= len(lower) < len(upper) and upper[-2:] + lower[:2] in lead:
        return True
    # a meeting and the start of its agenda over the rest of it (县委常委会召开会议 听取上半年
    # / 督查检查考核工作情况汇报): the agenda's verb has its object on the line below; a line
    # ending on an adverb waits for its verb (衢江300余名志愿者连夜 / 上门送“暖冬包”)
    if _agenda_begun(upper_spaced) or _ADVERB_END.search(upper):
        return True
    # a few characters under a long line are the rest of it (…带动5000余名村民 / 家门口就业):
    # no 引题 is three times as long as its title
    return 2 <= len(lower) <= 5 and len(upper) >= 3 * len(lower) and upper[-1:] not in "—－―：:"


# Adverbs that stand before a verb: no headline line ends on one.
_ADVERB_END = re.compile(
    r"(?:连夜|连续|持续|全力|合力|集中|主动|积极|加快|深入|扎实|全面|首次|再次|率先|共同|纷纷"
    r"|相继|正在|已经|不断|进一步|大力|着力|全速|火速|迅速|及时|提前|逐步|连日|冒雨|顶风)$"
)


def _agenda_begun(line: str) -> bool:
    """A meeting held, then the start of its agenda after a space (…召开会议 听取上半年)."""
    held, _, agenda = line.strip(SPACE).rpartition(" ")
    held = held.strip(SPACE)
    return bool(held) and bool(_MEETING_HELD.search(held)) and bool(_AGENDA.match(agenda))


# A meeting headline in two decks: the meeting (区委常委会召开会议) over its agenda (研究部署…).
_MEETING_HELD = re.compile(r"(?:召开|举行)(?:\S{0,4}会议)?$|会议?召开$")
_AGENDA = re.compile(r"^(?:研究|部署|传达|学习|听取|审议|专题|动员|总结|分析|通报|谋划|推进)")


def _meeting_decks(upper: str, lower: str) -> bool:
    """The upper line reports a meeting held, the lower what it dealt with: one title, never
    引题 + 主题 (a 引题 is a slogan, it does not say that a meeting was held)."""
    return bool(_MEETING_HELD.search(upper.strip(SPACE))) and bool(
        _AGENDA.match(lower.strip(SPACE))
    )


def _figures_deck(upper: str, lower: str) -> bool:
    """Under a title saying what happened (我区27个重大项目集中开工), a longer line of figures
    in clauses (总投资86.5亿元，涵盖…) is its 副题, with or without ——; a 引题 above a title
    is a phrase or slogan, not a sentence with a comma."""
    upper, lower = upper.strip(SPACE), lower.strip(SPACE)
    if _FIGURE_LINE.match(squash(lower)) and not re.search(r"\d", upper):
        return True  # 老旧小区加装电梯“加速跑” / 今年已完工投用46台: a figure with no subject
    return (
        bool(re.search(r"[，,]", lower))
        and not re.search(r"[，,]", upper)
        and bool(re.search(r"\d", lower))
        and len(squash(lower)) > len(squash(upper))
    )


# A short line giving a figure and no subject: 今年已完工投用46台, 累计服务群众1.3万人次
_FIGURE_LINE = re.compile(
    r"^(?:今年|全年|年内|目前|截至目前|至今|累计|已|共|首批|当天|半年)[^，,。]{0,12}?"
    r"\d+(?:\.\d+)?(?:万|亿)?(?:台|个|家|户|名|人次|人|项|件|处|座|所|条|元|公里|亩|场|次|吨|套)$"
)


def _set_tight(near: int, title: int, gaps: list[int] | None) -> bool:
    """The line above the title is set closer to it than the title to what follows (no blank
    line over the title, one under it): one headline block, 引题 over 主题. A column banner
    stands apart, with as much space under it as the title has."""
    if gaps is None or near != title - 1 or title >= len(gaps):
        return False
    # no blank line anywhere in the block (a dump without blank lines): spacing cannot tell,
    # and a phrase pair right over a title is far more often its 引题 than a column
    return gaps[near] < gaps[title] or not any(gaps)


def assign_roles(
    texts: list[str], first_on_page: bool, lead: str = "", gaps: list[int] | None = None
) -> tuple[dict[str, str], list[int]]:
    """Split a run of headline lines into roles; also return the indexes of banner lines.

    Markers first: a line starting with —— is a subtitle, one ending with —— or ：a pretitle,
    a "X讲话 Y主持" line or a speaker's post and name (区长 贵丽青) after the title a
    subtitle. Of the unmarked lines the last is the title (joined with the line above when
    the lead shows one title wrapped over two lines);
    the one above it a column banner (if slogan-shaped) or pretitle; one more above that, on
    the first headline run of a page, is the page's banner headline.
    """
    texts = list(texts)
    # A deck with its own ——subtitle above a 引题—— and its title (学雷锋　志愿行 / ——…特刊
    # / 十二年如一日　义务修补暖邻里—— / 老党员毛根水的“便民修补铺”): a special page's banner
    # at the top of the page, else a column heading over the article's own headline.
    cut = next(
        (
            k
            for k in range(2, len(texts) - 1)
            if texts[k].rstrip(SPACE)[-1:] in DASHES and any(t[:1] in DASHES for t in texts[1:k])
        ),
        None,
    )
    if cut is None:
        # a special page's deck over the first title: its banner and ——…特刊 line
        cut = next(
            (
                k + 1
                for k in range(1, len(texts) - 1)
                if texts[k][:1] in DASHES
                and texts[k + 1][:1] not in DASHES
                and (
                    _ISSUE_TAG.search(texts[k].rstrip(SPACE))
                    # at the top of a page, a slogan and its —— line over a headline
                    or (first_on_page and k == 1 and column_shaped(texts[0]))
                )
            ),
            None,
        )
    if cut is not None:
        roles, banners = assign_roles(texts[cut:], False, lead, gaps[cut:] if gaps else None)
        if first_on_page:
            return roles, [*range(cut), *(b + cut for b in banners)]
        upper = " ".join(t.strip(SPACE) for t in texts[:cut])
        roles["column"] = f"{upper} {roles['column']}" if "column" in roles else upper
        return roles, banners
    dashed = any(t[:1] in DASHES for t in texts[1:])
    roles: dict[str, str] = {}
    subtitle: list[str] = []
    pretitle: list[str] = []
    plain: list[int] = []
    for i, t in enumerate(texts):
        if t[:1] in DASHES and plain:
            subtitle.append(t.lstrip(DASHES + SPACE))
        elif t.rstrip(SPACE)[-1:] in DASHES + "：:" and not subtitle:
            pretitle.append(t.rstrip(DASHES + "：:" + SPACE))
        elif (plain and (speech_subtitle(t) or speaker_line(t) or _bracketed(t))) or subtitle:
            subtitle.append(t)  # (陈静怡出席并讲话): a bracketed line under the title too
        else:
            plain.append(i)
    banners: list[int] = []
    while len(plain) >= 2:
        upper, lower = texts[plain[-2]], texts[plain[-1]]
        if _wrapped_title(upper, lower, lead):
            plain.pop()
            texts[plain[-1]] = upper.rstrip(SPACE) + lower.lstrip(SPACE)
        elif _meeting_decks(upper, lower) or _figures_deck(upper, lower):
            subtitle.insert(0, lower)  # the meeting's agenda, the news' figures: 副题
            plain.pop()
            break
        else:
            break
    if plain:
        *above, title = plain
        roles["title"] = texts[title]
        if above and not pretitle:
            near = above.pop()
            # Over a title with a ——subtitle, a slogan pair is the 引题 of a three-deck
            # headline (引题 / 主题 / ——副题), not a column banner.
            column = (
                section_label(texts[near])
                or bracketed_label(texts[near])
                or (
                    column_shaped(texts[near])
                    and (first_on_page or texts[near][:1] in MARKED)
                    and (not dashed or texts[near][:1] in MARKED)
                    and (texts[near][:1] in MARKED or not _set_tight(near, title, gaps))
                )
            )
            roles["column" if column else "pretitle"] = texts[near]
        if above and first_on_page:
            banners.append(above.pop(0))
        if above:
            extra = " ".join(texts[i] for i in above)
            roles["column"] = f"{extra} {roles['column']}" if "column" in roles else extra
    elif pretitle:
        roles["title"] = pretitle.pop()
    if pretitle:
        roles["pretitle"] = " ".join(pretitle)
    if subtitle:
        roles["subtitle"] = " ".join(subtitle)
    return roles, banners


# What names a special page or issue under its banner: ——第39个国际志愿者日特刊
_ISSUE_TAG = re.compile(r"(?:特刊|专刊|专版|增刊|特辑|专题)$")


def _bracketed(text: str) -> bool:
    """A line wholly in round brackets: (陈静怡出席并讲话)."""
    bare = text.strip(SPACE)
    return (
        len(bare) > 2
        and bare[0] in "(（"
        and bare[-1] in ")）"
        and not re.search(r"[()（）]", bare[1:-1])
    )


def _junctions(parts: list[str], lead: str) -> int:
    """How many neighbouring parts the lead sentence runs straight across (…会议,研究部署…):
    two characters of the left part and three of the right (two matching ones can be a
    coincidence: …全套 / 开办… in 拿齐全套开办材料 under 开办一家企业 / 半天就能拿齐“全套”)."""
    found = 0
    for left, right in zip(parts, parts[1:], strict=False):
        left, right = _NOT_WORD.sub("", left), _NOT_WORD.sub("", right)
        if left and right and left[-2:] + right[:3] in lead:
            found += 1
    return found


def unscramble(title: str, lead: str) -> str:
    """Undo a layout-scrambled title whose space-separated parts came out rotated.

    Layout tools sometimes emit the last part of a two-line headline first ("习近平总书记…精神
    区委常委会召开会议 传达学习近期"). The lead's first sentence repeats the headline in
    order, so the rotation whose neighbouring parts the lead runs across most often is the
    printed order; among equals, the one whose first part the lead names earliest.
    """
    parts = title.split()
    first = re.split(r"[。！？!?]", lead, maxsplit=1)[0]
    first = _NOT_WORD.sub("", first)
    if len(parts) < 2 or not first:
        return title
    best, best_key = parts, None
    for k in range(len(parts)):
        rotated = parts[k:] + parts[:k]
        head = _NOT_WORD.sub("", rotated[0])[:4]
        position = first.find(head) if head else -1
        key = (_junctions(rotated, first), -(position if position >= 0 else len(first)), -k)
        if best_key is None or key > best_key:
            best, best_key = rotated, key
    identity = _junctions(parts, first)
    assert best_key is not None
    if best_key[0] < len(parts) - 1 and 3 <= len(parts) <= 4:
        # not a rotation (区委常委会召开会议 “两节”期间各项工作 研究部署): an order the lead
        # runs across at every junction, if one does
        for order in permutations(parts):
            if _junctions(list(order), first) == len(parts) - 1:
                best, best_key = list(order), (len(parts) - 1, 0, 0)
                break
    if best_key[0] > identity:
        # a lead that restates the title in its own order (为做好…工作，区委常委会召开会议
        # 进行专题研究部署) runs across some rotation too: the printed order stands when the
        # lead names its first part before the rotation's
        def named_at(part: str) -> int:
            head = _NOT_WORD.sub("", part)[:4]
            return first.find(head) if head else -1

        printed, rotated_at = named_at(parts[0]), named_at(best[0])
        if 0 <= printed < rotated_at:
            return title
    if best_key[0] <= identity:
        # A lead that paraphrases: the scramble still shows as a headline ending in a bare
        # verb (…全力冲刺) whose object was printed first (三季度各项目标任务 …).
        if identity or not _BARE_VERB.search(parts[-1]) or _BARE_VERB.search(parts[0]):
            return title
        if first.find(_NOT_WORD.sub("", parts[1])[:4]) < 0:
            return title
        best = parts[1:] + parts[:1]
        return " ".join(best[:-1]) + best[-1]  # the verb and its object are one phrase
    # Parts the lead writes as one phrase (近期习近平…) were one line before the scramble.
    plain = squash(lead)
    out = best[0]
    for left, right in zip(best, best[1:], strict=False):
        out += ("" if left[-2:] + right[:2] in plain else " ") + right
    return out
