"""PURE byline and credit rules: 本报讯(记者 A 通讯员 B C), 本报衢州5月14日讯, 本报…电 with
记者/通讯员 lines of their own, 记者X报道, end-of-article (记者 A 通讯员 B), photo captions
记者 A 文 B 摄, and organisation credit lines (区红十字会)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from feeds.chars import BEFORE_HALF_STOP, CJK, DASHES, SENTENCE_END, SPACE

# Time words that stand where a name could (通讯员 刘晓东 近日，…) are never names, nor are
# the words of a sidebar label (记者手记, 记者观察, 记者调查: a heading, not a byline).
_NOT_NAME = (
    "近日|日前|昨日|今日|今天|昨天|近期|目前|当天|此前|近来|连日|上午|下午|晚上|今年|去年"
    "|本报|综合|据|新华社"  # (本报综合), (据新华社): where a story came from, not who wrote it
    "|手记|札记|观察|调查|探访|走访|感言|随笔|点评|眼中|视角|一线|现场"
)
# A name: 2-4 ideographs; or a two-character name padded to the width of three with a
# full-width space (王　凯), as bylines are set to line up; or two or three characters a PDF's
# kerning set apart (王 芳, 祝 晓 雯: no Chinese name is one character).
NAME = (
    rf"(?!(?:{_NOT_NAME}))(?:[{CJK}·•]{{2,4}}"
    rf"|[{CJK}](?:[ \u3000\u00a0][{CJK}](?![{CJK}])){{1,2}}(?![{CJK}]))"
)
_PADDED = re.compile(
    rf"(?<![{CJK}])([{CJK}])[ \u3000\u00a0]([{CJK}])(?:[ \u3000\u00a0]([{CJK}]))?(?![{CJK}])"
)

# Longest first: 本报记者 before 记者.
ROLE_WORDS = (
    # a county's media centre credits its reporters so: 融媒体中心记者 王可欣
    "区融媒体中心记者",
    "县融媒体中心记者",
    "市融媒体中心记者",
    "融媒体中心通讯员",
    "融媒体中心记者",
    "融媒中心记者",
    "本报特约评论员",
    "本报特约记者",
    "本报评论员",
    "本报通讯员",
    "本报记者",
    "特约通讯员",
    "特约记者",
    "首席记者",
    "见习记者",
    "实习记者",
    "摄影记者",
    "特约评论员",
    "融媒体记者",
    "全媒体记者",
    "融媒记者",
    "全媒记者",
    "通讯员",
    "实习生",
    "评论员",
    "记者",
    "摄影",
)
_ROLE = "|".join(ROLE_WORDS)
ROLE = _ROLE  # the role words as a regex alternation (记者|通讯员|…)
# Typographic marks a byline line may open with: a bullet (■本报记者 X) and the 文/图 tag
# (文/图 本报记者 X: the writer also took the photos; 文/记者 X 图/通讯员 Y).
_BULLETS = "■□●○◆◇▲△▼★☆◎"
_TAG = r"(?:文|图|摄影|摄)(?:[/／丨｜](?:文|图|摄影|摄))?[/／：:丨｜]?"
_MARK = rf"(?:[{_BULLETS}][{SPACE}]*)?(?:{_TAG}[{SPACE}]*(?=(?:{_ROLE}|本报)))?"
CREDIT_SUFFIXES = (
    "报道",
    "文/摄",
    "文／摄",
    "摄影",
    "摄",
    "文图",
    "文/图",
    "文／图",
    "图/文",
    "图／文",
    "图文",
    "文",
    "图",
    "供图",
    "供稿",
    "整理",
)
_SUFFIX = "|".join(re.escape(s) for s in CREDIT_SUFFIXES)

# The date of a dateline: a month and day (本报衢州5月14日讯) or a day alone (本报衢州11日讯,
# 新华社北京11日电: the month, see feeds.dates.resolve_day).
_MD = r"(?:\d{1,2}月)?\d{1,2}日"
# Another outlet's dateline: 衢江新闻网讯, 衢州日报讯, 浙江在线客户端讯, 新华社杭州11月3日电.
_OUTLET = rf"[{CJK}A-Za-z]{{1,10}}?(?:新闻网|网|客户端|APP|日报|晚报|早报|报|融媒|电视台|之声)"
_AFTER_OUTLET = rf"(?=[{SPACE}(（，,:：\d]|$|近日|日前|近期|昨|今|{_ROLE})"
_LEAD = re.compile(
    rf"^(?P<lead>(?:[{_BULLETS}][{SPACE}]*)?(?:本报讯"
    rf"|本报(?P<place>[{CJK}]{{0,6}}?)(?P<md>{_MD})?(?:电|讯)(?!员)"
    rf"|(?:新华社|中新社)(?P<xmd>[{CJK}]{{0,6}}{_MD})?电"
    rf"|{_OUTLET}(?P<omd>[{CJK}]{{0,6}}?{_MD}电|(?:[{CJK}]{{0,6}}?"
    rf"{_MD})?讯(?!员)){_AFTER_OUTLET}))"
)
_PAREN = re.compile(r"^[(（](?P<credit>[^()（）]{1,80})[)）]")
_REPORTED = re.compile(rf"^(?P<credit>(?:{_ROLE})[^，,。:：()（）]{{1,40}}?)报道")
# what a name did, after a slash: 记者 徐晓帆/文　汪明哲/图
_DID = r"(?:[/／](?:文|图|摄影|摄))?"
_ROLE_RUN = re.compile(
    rf"^(?P<credit>(?:{_MARK}(?:{_ROLE})[{SPACE}:：]*{NAME}{_DID}"
    rf"(?:[{SPACE}、]+{NAME}{_DID})*[{SPACE}]*)+)"
    rf"(?=$|[{SPACE}\d，,。：:])"  # a colon may close it: 通讯员 郑晓：5月14日
)
# A unit that is nothing but a credit: (记者 陈一鸣 通讯员 余晨光), 记者 黄子轩, 通讯员 A B.
_CREDIT_ONLY = re.compile(
    rf"^[(（]?[{SPACE}]*(?:{_MARK}(?:{_ROLE})[{SPACE}:：]*{NAME}{_DID}"
    rf"(?:[{SPACE}、]+(?:{NAME}{_DID}|{_SUFFIX}))*[{SPACE}]*)+[)）]?$"
)
# A credit at the end of a paragraph: "… 记者 毛嘉伟 文 俞佳琪 摄" or "…。（记者 X 通讯员 Y）".
# right after a sentence's end (。 or, in half-width dumps, a full stop after an ideograph)
_AFTER_END = rf"(?:(?<=[{SENTENCE_END}])|(?<=[{BEFORE_HALF_STOP}]\.))"
_TRAILING = re.compile(
    rf"(?:[{SPACE}]+|{_AFTER_END})(?P<credit>[(（]?(?:(?:{_ROLE})[{SPACE}]*{NAME}"
    rf"(?:[{SPACE}、]+(?:{NAME}|{_SUFFIX}))*[{SPACE}]*)+[)）]?)$"
)
# A unit's photo or text credit closing a paragraph: …体验春耕乐趣。（区教育局供图）
_TRAILING_UNIT = re.compile(
    rf"{_AFTER_END}[{SPACE}]*(?P<credit>[(（][{SPACE}]*(?:图片由)?[{CJK}]{{2,20}}"
    rf"[{SPACE}]*(?:供图|供稿|提供)[{SPACE}]*[)）])$"
)
_ADMIN_START = rf"区|县|市|镇|乡|中共|[{CJK}]{{2,4}}(?:区|县|镇|乡|街道)"
# A unit's credit closing a box item: …协同能力。（区应急管理局）
_TRAILING_ORG = re.compile(
    rf"(?:(?<=[。！？!?”])|(?<=[{CJK}”\"]\.))[{SPACE}]*(?P<credit>[(（][{SPACE}]*(?:{_ADMIN_START})[{CJK}]{{1,14}}"
    rf"(?:局|委|办|部|中心|站|所|院|会|队|公司|街道|镇|乡|社区)[{SPACE}]*[)）])$"
)
_ORG = re.compile(
    rf"^[{CJK}（）()]{{2,20}}(会|局|部|委|办|中心|站|队|院|所|社|团|处|厅|室|馆|公司|集团|协会|"
    # the people's organisations' short names: 妇联, 残联, 侨联, 文联, 工商联, 科协, 社科联;
    # a town or street that sent the piece in (白沙镇, 樟潭街道: a line of its own after the text)
    r"学校|医院|供稿|供图|宣|办公室|府|联|协|镇|乡|街道)$"
)
_MONTH_DAY = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})日")


@dataclass(frozen=True)
class Byline:
    """A byline split off the start of a paragraph."""

    raw: str  # the text removed from the body: 本报讯(记者 刘威)
    credit: str | None  # the part naming people: 记者 刘威
    # from a dateline: 本报衢州5月14日讯 (5, 14), or a day alone 本报衢州11日讯 (0, 11)
    month_day: tuple[int, int] | None
    rest: str  # the body text after the byline


# An editorial's byline names no person: 本报评论员, 本报特约评论员, 本刊评论员.
_COMMENTATOR = re.compile(r"^(?:本报|本刊)?(?:特约)?评论员$")
# A lead that credits another outlet: 据《浙江日报》报道 / 据新华社消息 (a title above it).
_SOURCE = re.compile(rf"^据《?[{CJK}A-Za-z]{{2,15}}》?(?:报道|消息)(?=[{SPACE}，,]|$)")


# A web page's source line: 来源：今日衢江　作者：记者 王芳 通讯员 李明　日期：2025-03-05, or its
# fields in another order, after the paper and the date (衢州日报　2025年01月03日　来源：…　作者：
# 记者 X　浏览次数：1263; 发布时间：2025-01-03 07:58:42　来源：今日常山　作者：徐晨曦).
_WEB_FIELD = (
    r"(?:来源|本文来源|作者|日期|时间|发布时间|发布日期|浏览次数|浏览|点击数|点击|阅读|编辑|责任编辑"
    r"|审核|审校|监制|终审)"
)
_WEB_LABEL = re.compile(rf"(?:^|(?<=[{SPACE}]))(?P<label>{_WEB_FIELD})[：:]")
_WEB_CREDIT = re.compile(
    rf"(?:^|[{SPACE}])作者[：:][{SPACE}]*"
    rf"(?P<credit>(?!{_WEB_FIELD}[：:])[^：:]+?)"
    rf"(?=[{SPACE}]+{_WEB_FIELD}[：:]|$)"
)
_WEB_EDITOR_LABELS = {"编辑", "责任编辑", "审核", "审校", "监制", "终审"}
_WEB_KEY_LABELS = {"来源", "本文来源", "作者", "发布时间", "发布日期", "浏览次数", "点击数"}
# the labels that can stand alone at the start of a line (not 时间：… over a notice's 地点：…)
_WEB_LEAD_LABELS = _WEB_KEY_LABELS | _WEB_EDITOR_LABELS


def web_fields(text: str) -> bool:
    """A web page's line of labelled fields (source, author, date, hits, editors)."""
    bare = text.strip(SPACE)
    if len(bare) > 120 or ("：" not in bare and ":" not in bare):  # every label has its colon
        return False
    labels = [m["label"] for m in _WEB_LABEL.finditer(bare)]
    if not labels:
        return False
    if len(labels) >= 2:  # (or editors alone: 编辑：郑可欣　审核：陈浩)
        return bool(_WEB_KEY_LABELS.intersection(labels)) or _WEB_EDITOR_LABELS.issuperset(labels)
    return bare.startswith(labels[0]) and labels[0] in _WEB_LEAD_LABELS and len(bare) <= 40


def web_credit(text: str) -> str | None:
    """The people a web page's 来源/作者/日期 line credits (记者 王芳 通讯员 李明), else None."""
    text = text.strip(SPACE)
    m = _WEB_CREDIT.search(text) if web_fields(text) else None
    if not m or not (names([m["credit"]]) or _COMMENTATOR.match(m["credit"].strip(SPACE))):
        return None  # (作者：本报评论员: an editorial's byline, naming nobody)
    return m["credit"].strip(SPACE)


def is_credit_only(text: str) -> bool:
    bare = text.strip(SPACE)
    if _COMMENTATOR.match(bare) or web_credit(bare):
        return True
    return bool(_CREDIT_ONLY.match(bare)) and bool(re.search(_ROLE, bare))


def is_source_lead(text: str) -> bool:
    """A paragraph opening with the outlet it is taken from: 据《浙江日报》报道，近日…"""
    return bool(_SOURCE.match(text.strip(SPACE)))


# A lead opening with its bracketed byline, no 本报讯 before it: (记者 刘威 见习记者 汪洋)3月1日,…
_PAREN_LEAD = re.compile(
    rf"^[(（][{SPACE}]*(?:{_ROLE})[^()（）]{{1,60}}[)）][{SPACE}]*[^{SPACE}(（]"
)


def is_byline_start(text: str) -> bool:
    """A 本报讯/本报…电 lead, a lead opening with a bracketed byline, or a credit-only line."""
    bare = text.strip(SPACE)
    return bool(_LEAD.match(bare) or _PAREN_LEAD.match(bare)) or is_credit_only(text)


def has_lead(text: str) -> bool:
    return bool(_LEAD.match(text.strip(SPACE)))


_ADMIN_PREFIX = re.compile(
    # (团区委: the Youth League's district committee)
    r"^(?:中共)?[区县市省镇乡村]|^团[区县市]委|^(?:街道|社区|\S{2,4}(?:街道|[区县市镇乡]))"
)
# Headlines name events; unit names do not (区委召开全会 is a title, 区总工会 a unit).
_EVENT = re.compile(
    r"召开|举行|举办|开展|启动|部署|推进|获评|荣获|开幕|闭幕|落幕|走进|发布|会议|全会|大会|中心组"
)


def is_org(text: str) -> bool:
    """An organisation credit line: 区红十字会, 区卫生健康局, 区红十字会供稿.

    A unit's name is one word that starts like an administrative unit (区…, 县…, 衢江区…,
    …镇…) or says 供稿; a headline in two halves (学思践悟强党性 笃行实干开新局) is not one."""
    bare = text.strip(SPACE)
    if re.fullmatch(r"[(（][^()（）]+[)）]", bare):  # a bracketed credit line: （区医保局）
        bare = bare[1:-1].strip(SPACE)
    if re.search(r"\s", bare) or not (3 <= len(bare) <= 14) or _EVENT.search(bare):
        return False
    if bare.endswith(("供稿", "供图")):
        return True
    return is_unit_name(bare) and bool(_ADMIN_PREFIX.match(bare))


def is_unit_name(text: str) -> bool:
    """Shaped like the name of a unit (青溪报社, 自来水有限公司), as a notice is signed."""
    bare = text.strip(SPACE)
    return bool(_ORG.match(bare)) and not _EVENT.search(bare)


def split_byline(text: str) -> Byline:
    """Split `本报讯(记者 A)3月4日,…` into the byline and the body text after it."""
    pos = 0
    month_day = None
    m = _LEAD.match(text)
    if m:
        pos = m.end()
        md = _MONTH_DAY.search(m["md"] or m["xmd"] or m["omd"] or "")
        if md:
            month_day = (int(md[1] or 0), int(md[2]))
    elif src := _SOURCE.match(text):
        pos = src.end()
        while pos < len(text) and text[pos] in SPACE + "，,":
            pos += 1
        return Byline(text[:pos].strip(SPACE + "，,"), None, None, text[pos:].strip(SPACE))
    while pos < len(text) and text[pos] in SPACE + DASHES:  # 本报讯 — 记者 X, 本报讯——
        pos += 1
    credit = None
    for pattern in (_PAREN, _REPORTED, _ROLE_RUN):
        c = pattern.match(text[pos:])
        if c:
            credit = c["credit"]
            pos += c.end()
            # the colon or comma closing a byline (…通讯员 程林 报道：2月18日) goes with it
            while pos < len(text) and text[pos] in SPACE + "：:，,":
                pos += 1
            break
    return Byline(text[:pos].strip(SPACE), credit, month_day, text[pos:].strip(SPACE))


# A commentary (短评, 评论) or brief signed with the writer's bare name in brackets after its
# last sentence: …“荣誉账本”。（叶思远）. Editorial notes in brackets are not names.
_SIGNATURE = re.compile(
    rf"(?<=[{SENTENCE_END}])[{SPACE}]*(?P<credit>[(（][{SPACE}]*{NAME}[{SPACE}]*[)）])$"
)
# A brief from a town or unit is signed with the place and the writer: （全旺镇　王丽萍）.
_UNIT_WORD = r"(?:镇|乡|街道|社区|分局|局|大队|中心|公司|党委|党工委|党支部|党总支|委员会|协会)"
_PLACE_CREDIT = (
    rf"[(（][{SPACE}]*[{CJK}]{{1,12}}{_UNIT_WORD}[{SPACE}]+{NAME}(?:[{SPACE}、]+{NAME})*"
    rf"[{SPACE}]*[)）]"
)
_PLACE_SIGNATURE = re.compile(rf"(?<=[{SENTENCE_END}])[{SPACE}]*(?P<credit>{_PLACE_CREDIT})$")
_PLACE_CREDIT_LINE = re.compile(_PLACE_CREDIT)
_UNIT_TOKEN = re.compile(rf"[{CJK}]{{1,12}}{_UNIT_WORD}")
_NOT_SIGNATURE = re.compile(r"完|待续|删节|节选|摘编|摘录|有改动|选登|续|同上|下同|图略|略")


def signature(text: str) -> tuple[str, str] | None:
    """(text without it, signature) when a paragraph ends with a bracketed bare name."""
    text = text.rstrip(SPACE)
    m = _SIGNATURE.search(text) or _PLACE_SIGNATURE.search(text)
    if not m or m.start() == 0 or _NOT_SIGNATURE.search(m["credit"]):
        return None
    return text[: m.start()].rstrip(SPACE), m["credit"]


# A reader's letter is signed with who the writer is, then the name:
# 樟潭街道锦绣花园小区居民　汪建华, 衢江区某中学退休教师 王明.
_READER_SIGNATURE = re.compile(
    rf"^[{CJK}]{{0,20}}(?:居民|村民|市民|读者|网友|职工|员工|家长|学生|教师|党员|志愿者)"
    rf"[{SPACE}]+{NAME}$"
)


def reader_signature(text: str) -> bool:
    return _READER_SIGNATURE.match(text.strip(SPACE)) is not None


def signature_line(text: str) -> str | None:
    """A bracketed bare name on a line of its own (（周正）): the signature of the piece
    above it, when that ends with a full sentence."""
    bare = text.strip(SPACE)
    if _PLACE_CREDIT_LINE.fullmatch(bare):  # （全旺镇　王丽萍）
        return bare
    m = re.fullmatch(rf"[(（][{SPACE}]*{NAME}[{SPACE}]*[)）]", bare)
    if not m or _NOT_SIGNATURE.search(bare) or is_org(bare):  # （区医保局）: a unit credit
        return None
    return bare


# A photographer's bare name closing a caption: …一派丰收景象。 柴丽芳 摄, 陈一鸣 文 余晨光 摄
_TRAILING_PHOTO = re.compile(
    rf"{_AFTER_END}[{SPACE}]*(?P<credit>(?:{NAME}[{SPACE}]+文[{SPACE}]+)?{NAME}[{SPACE}]+摄影?"
    rf"|[(（][{SPACE}]*(?:{NAME}[{SPACE}]+文[{SPACE}]+)?{NAME}[{SPACE}]+摄影?[{SPACE}]*[)）])$"
)


# A photo's credit on a line of its own: 祝海鹏　摄, 图片由龙游县志愿者协会提供, 区文明办供图.
_PHOTO_LINE = re.compile(
    rf"^(?:{NAME}[{SPACE}]+(?:摄影?|供图)|图片由[{CJK}（）()]{{2,24}}提供"
    rf"|[{CJK}（）()]{{2,20}}供图)$"
)


def photo_credit_line(text: str) -> bool:
    return _PHOTO_LINE.match(text.strip(SPACE)) is not None


def trailing_credit(text: str) -> tuple[str, str] | None:
    """(text without it, credit) when a paragraph ends with a credit; else None."""
    m = (
        _TRAILING.search(text)
        or _TRAILING_UNIT.search(text)
        or _TRAILING_ORG.search(text)
        or _TRAILING_PHOTO.search(text)
    )
    if not m or m.start() == 0:
        return None
    return text[: m.start()].rstrip(SPACE), m["credit"]


def names(credits: list[str]) -> list[str]:
    """Every person named in credit strings, in order, without role words or duplicates."""
    out: list[str] = []
    for credit in credits:
        # role words apart from the names around them: 见习记者郑晓雯通讯员严丽芳, 蓝 天通讯员 陈 曦
        credit = _ROLE_SPLIT.sub(lambda m: f" {m[0]} ", credit)
        credit = _GLUED_WRITER.sub("文 ", credit)  # 记者 钟可欣 文方晨 摄 (a wrap ate the space)
        credit = _SINGLES.sub(_unpad, credit)  # 王　凯, 洪 纲 郑 可
        for token in re.split(rf"[{SPACE}{_BULLETS}、，,/／()（）:：]+", credit):
            token = _strip_roles(token.strip())
            if not token or token in CREDIT_SUFFIXES:
                continue
            if len(token) >= 3 and _UNIT_TOKEN.fullmatch(token):  # 全旺镇: a place, no name
                continue
            if re.fullmatch(NAME, token) and token not in out:
                out.append(token)
    return out


_ROLE_SPLIT = re.compile(rf"(?:{_ROLE})")
# a caption's 记者 A 文 B 摄 with the space after 文 lost: 文 before the photographer's name
_GLUED_WRITER = re.compile(rf"(?<=[{SPACE}])文(?=[{CJK}]{{2,3}}[{SPACE}]*摄)")


def after_role(text: str) -> str:
    """What follows the last role word in `text` (all of it when it has none)."""
    return _ROLE_SPLIT.split(text)[-1]


# Single characters set apart by spaces: one name or several (a two-character name padded to
# the width of three: 洪 纲 郑 可 is 洪纲 and 郑可; a kerned three-character name: 祝 晓 雯).
_SINGLES = re.compile(rf"(?<![{CJK}])[{CJK}](?:[ \u3000\u00a0][{CJK}](?![{CJK}]))+(?![{CJK}])")


def _unpad(m: re.Match) -> str:
    """The names in a run of single characters, each name's characters joined, the names
    apart. A leading 文/图 and a trailing 摄 are the credit words (文 汪 洋 摄)."""
    chars = m.group().split()
    head, tail = [], []
    if len(chars) >= 3 and chars[0] in "文图":
        head.append(chars.pop(0))
    if len(chars) >= 3 and chars[-1] == "摄":
        tail.append(chars.pop())
    return " ".join([*head, *_split_names(chars), *tail])


def _split_names(chars: list[str]) -> list[str]:
    """Characters of consecutive names (2 or 3 each), split where every name starts with a
    surname; two-character names first, as padding is for them."""
    n = len(chars)
    if n <= 3:
        return ["".join(chars)]
    sizes = [[2] * (n // 2)] if n % 2 == 0 else []
    if n % 2:  # one three-character name among two-character ones: try each place
        sizes = [[2] * k + [3] + [2] * ((n - 3) // 2 - k) for k in range((n - 3) // 2 + 1)]
        sizes = sizes[::-1]  # the three-character name last first
    if n % 2 == 0 and n >= 6:  # or two three-character names (祝 晓 雯 叶 思 远)
        sizes.append([3] * (n // 3) if n % 3 == 0 else [2] * (n // 2))
    for plan in sizes:
        parts, at = [], 0
        for size in plan:
            parts.append("".join(chars[at : at + size]))
            at += size
        if all(part[0] in _SURNAMES for part in parts):
            return parts
    plan, parts, at = sizes[0], [], 0
    for size in plan:
        parts.append("".join(chars[at : at + size]))
        at += size
    return parts


# Credit words that may be glued after a name (程浩报道, 郑雅文摄). A glued 文 or 图 is part of
# the name (何志文, 李文, 王建图): as credit words they stand apart (记者 A 文 B 摄).
_GLUED_SUFFIXES = tuple(s for s in CREDIT_SUFFIXES if s not in ("文", "图"))


def _strip_roles(token: str) -> str:
    """记者程浩报道 -> 程浩: role words glued before a name, credit words glued after it."""
    changed = True
    while token and changed:
        changed = False
        for role in ROLE_WORDS:
            if token.startswith(role):
                token, changed = token[len(role) :], True
        for suffix in _GLUED_SUFFIXES:
            if token.endswith(suffix) and len(token) > len(suffix):
                token, changed = token[: -len(suffix)], True
    return token


# A signed piece (评论, 理论文章, 副刊 prose and verse) credits its author with a name alone on
# the line under the title, often after a mark: ◎ 叶青, □ 方志诚, 文／徐晓岚, 作者 X.
_NAME_MARK = rf"(?:[{_BULLETS}]|(?:文|作者|撰文)[{SPACE}]*[/／:：丨｜|]|作者(?=[{SPACE}]))"
_NAME_LINE = re.compile(rf"^(?:(?P<mark>{_NAME_MARK})[{SPACE}]*)?(?P<name>[{CJK}·•]{{2,5}})$")
# Common surnames: a bare 2–3 character line is a name only when it starts with one (a
# 2-character title such as 春耕 does not); 复姓 take 3–4 characters.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝封占毛楼"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "司徒",
    "夏侯",
    "轩辕",
    "端木",
    "独孤",
    "南宫",
    "西门",
    "长孙",
    "宇文",
    "申屠",
)


def name_line(text: str) -> tuple[str, bool] | None:
    """(name, marked) when a line is nothing but an author's name, with or without a mark
    (◎ 叶青, □ 方志诚, 文／徐晓岚, 作者 X, or a bare 叶青); else None."""
    text = text.strip(SPACE)
    m = _NAME_LINE.match(text)
    if not m:  # a name padded to the width of three, under a mark or not: ◎ 叶　青, 徐 宁
        mark = re.match(rf"(?:{_NAME_MARK})[{SPACE}]*", text)
        at = mark.end() if mark else 0
        if _PADDED.fullmatch(text[at:]):
            joined = _PADDED.sub(lambda g: "".join(x for x in g.groups() if x), text[at:])
            m = _NAME_LINE.match(text[:at] + joined)
    if not m:
        return None
    name = m["name"]
    if not re.fullmatch(NAME, name) or name in ROLE_WORDS or name in CREDIT_SUFFIXES:
        return None
    if m["mark"]:
        return name, True
    if name.startswith(_COMPOUND_SURNAMES):
        return (name, False) if 3 <= len(name) <= 4 else None
    return (name, False) if len(name) <= 3 and name[0] in _SURNAMES else None


# A writer under the title of a 笔谈 or commentary, with the unit they work in: 区发改局　余慧敏
_UNIT_AND_NAME = re.compile(
    rf"^(?P<unit>[{CJK}]{{1,14}}(?:局|委|办|院|校|所|站|中心|部|会|镇|乡|街道|社区|公司))"
    rf"[{SPACE}]+(?P<name>[{CJK}]{{2,3}})$"
)


def unit_and_name(text: str) -> tuple[str, bool] | None:
    """(name, False) when a line is a unit and a person's name set apart (区发改局　余慧敏)."""
    m = _UNIT_AND_NAME.match(text.strip(SPACE))
    if not m:
        return None
    found = name_line(m["name"])
    return (found[0], False) if found else None


# The note closing a signed theory piece: （作者单位：中共衢江区委党校）, （作者系…）.
_AUTHOR_NOTE = re.compile(r"^[(（]作者(?:单位|系|为|是|简介)[^()（）]{1,60}[)）]$")


def author_note(text: str) -> bool:
    """A bracketed note on the author at the end of a signed piece: its credit, not text."""
    return bool(_AUTHOR_NOTE.match(text.strip(SPACE)))


_NOTE_NAME = re.compile(rf"[{SPACE}](?P<name>[{CJK}]{{2,4}})[{SPACE}]*[)）]$")


def author_note_name(text: str) -> str | None:
    """The writer an author note names last: （作者系区委党校教师 周远） -> 周远."""
    if not author_note(text):
        return None
    m = _NOTE_NAME.search(text.strip(SPACE))
    found = name_line(m["name"]) if m else None
    return found[0] if found else None
