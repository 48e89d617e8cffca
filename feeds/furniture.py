"""PURE page furniture: page headers (第01版:要闻, 00005版:要闻, 今日衢江 2024年10月14日 星期一
第2版), mastheads, date lines, footers (今日衢江 要闻 00005 … 2024-05-15 上一版 下一版) and
jump markers ((下转第2版), (上接第1版)). None of it is article text; header and footer dates
give the issue date."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from feeds import bylines, dates
from feeds.chars import CJK, SPACE, ends_sentence, squash

_PAGE_HEADER = re.compile(
    r"^(?:第\s*[0-9０-９一二三四五六七八九十]+\s*版|\d{1,5}\s*版)"
    r"(?:\s*[:：]?\s*[^\s()（）:：，,。]{1,12})?$"
)
# A masthead's date line may also carry the lunar date, the issue number and the page count:
# 2025年2月12日　星期三　农历乙巳年正月十五　第2841期　今日4版.
_DATE_LINE = re.compile(
    r"^(?:\d{4}年\d{1,2}月\d{1,2}日)(?:\s*(?:星期[一二三四五六日天]|周[一二三四五六日天]"
    r"|农历\S*|(?:总\s*)?第\s*\d+\s*期|(?:今日|本期|共)\s*\d+\s*版))*\s*$"
)
# Masthead lines under the paper's name: its pinyin (JINRI QUJIANG), the publisher and the
# serial numbers (…主办　国内统一连续出版物号：CN33-0079　邮发代号：31-52), the weather.
_PINYIN = re.compile(r"^[A-Z][A-Z ]{3,40}$")
_PUBLISHER = re.compile(r"主办|出版物号|CN\s*\d{2}\s*-\s*\d{4}|邮发代号|国际标准刊号")
_WEATHER = re.compile(r"^(?:今日|今天)?天气\s*[：:]")
# A front page's contents box (今日导读 / ▲ 非遗巡游闹元宵　　2版): a label, then entries that
# end with the page they point to.
_CONTENTS_LABEL = re.compile(r"^[【\[]?\s*(?:今日|本期|本版)?导\s*读\s*[】\]]?$")
_CONTENTS_ENTRY = re.compile(
    r"^[▲△►▶●■◆◇★☆·]\s*[^，。,；;]{2,40}?[\s\u3000]+(?:第\s*)?[0-9０-９]{1,2}\s*版$"
)
# A page number: 第3版, 00005版, or a city paper's lettered section page (A05版, 第B2版).
_HEADER_BITS = re.compile(r"(星期[一二三四五六日天]|第\s*[A-Z]?\d+\s*版|[A-Z]?\d{1,5}版)")
_PAGE_NO = re.compile(r"第\s*[A-Z]?\d+\s*版|[A-Z]?\d{1,5}版")
_FOOTER_WORDS = re.compile(
    r"(上一版|下一版|返回目录|版面导航|责任编辑|本版编辑|版式设计|责编|美编|校对)"
)
JUMP = re.compile(
    r"[(（【\[〔]\s*(?P<kind>下转|上接|转|接|紧接|续)第?\s*"
    r"(?P<page>[A-ZＡ-Ｚ]?[0-9０-９一二三四五六七八九十]+)\s*版\s*[)）】\]〕]"
)
# A pointer to another page: (相关报道见第4版), （详见A3版）, (图见第2版).
SEE_PAGE = re.compile(
    r"[(（【\[]\s*(?:相关|详细|更多)?(?:报道|新闻|图片|图文|评论|内容|图)?\s*(?:详)?见"
    r"\s*(?:本报)?第?\s*[A-ZＡ-Ｚ]?[0-9０-９一二三四五六七八九十]+\s*版\s*[)）】\]]"
)
_CN_DIGITS = "〇一二三四五六七八九"
# The sponsors of a special page (专版), under its banner: 中共衢州市衢江区委组织部　主办,
# 区委宣传部　主办　区融媒体中心　承办.
_SPONSOR = re.compile(
    rf"^(?:[{CJK}（）()]{{2,30}}(?:[{SPACE}]+[{CJK}（）()]{{2,30}})*[{SPACE}]*"
    rf"(?:主办|承办|协办|联办|合办)[{SPACE}]*)+$"
    # or the field first: 主办：衢州市衢江区残疾人联合会　承办：今日衢江编辑部
    rf"|^(?:(?:主办|承办|协办|联办|合办|支持)(?:单位)?[{SPACE}]*[：:][{SPACE}]*"
    rf"[{CJK}（）()、]{{2,40}}(?:[{SPACE}]+[{CJK}（）()、]{{2,40}})*?[{SPACE}]*"
    rf"(?=$|(?:主办|承办|协办|联办|合办|支持)))+$"
)
_WEB_RESIDUE = re.compile(
    r"^(?:【(?:打印|关闭|收藏|返回顶部|字号)[^】]{0,4}】\s*)+$|^分享到[：:]?[^，。,.]{0,40}$"
    r"|^(?:上一篇|下一篇)[：:].{0,60}$"
    # a site's navigation bar: 首页 | 电子版 | 往期回顾 | 上一篇 | 下一篇
    r"|^(?:[^|｜\s][^|｜]{0,9}\s*[|｜]\s*){2,}[^|｜\s][^|｜]{0,9}$"
    r"|^(?:打印本页|关闭窗口|返回顶部|返回目录|\[打印\]|\[关闭\])(?:\s*\S{0,8})$"
    # where the page sits (当前位置：首页 > 区县新闻), its font buttons, its pagination
    r"|^(?:当前位置|您的位置|你的位置|您现在的位置|所在位置)[：:].{0,60}$|^首页\s*[>＞»›].{0,60}$"
    r"|^【?\s*字[体号][：:]?\s*[大中小\s]+】?$"
    # the title the story had elsewhere, the hits
    r"|^原标题[：:].{2,80}$|^(?:阅读|浏览|点击)(?:次数|量|数)?[：:]?\s*\d+(?:\s*次)?$"
)
_LONE_PAGE_NO = re.compile(r"^[0-9０-９]{1,3}$|^[-－—]\s*[0-9０-９]{1,3}\s*[-－—]$")
_MASTHEAD_BAD = re.compile(r"[，。,.;；:：!！?？“”\d]")


# A web page's pagination: 共2页：[1] 2 [下一页], 上一页　1　2　下一页.
_PAGINATION = re.compile(
    r"^(?=.*页)(?:共\s*\d+\s*页[：:]?|\[?\s*(?:上一页|下一页|首页|尾页|\d{1,3})\s*\]?|\s)+$"
)


def is_pagination(bare: str) -> bool:
    """A web page's pagination line; the next page reprints the title and its fields."""
    return _PAGINATION.match(bare) is not None


@dataclass(frozen=True)
class Furniture:
    reason: str  # header | footer | masthead | contents | weather | notice
    date: date | None = None  # the issue date the line states


def classify(bare: str, top: bool, alone: bool = False) -> Furniture | None:
    """Furniture kind of one stripped line; `top` is True while still above the first text,
    `alone` when blank lines stand on both sides of it."""
    bare = dates.ascii_digits(bare)  # ２０２４年１１月２０日　第２版 reads like 2024年11月20日
    if _PAGE_HEADER.match(bare):
        return Furniture("header")
    # A bare page number (2, - 2 -) above the header or alone in a page-break gap; a short
    # line of digits inside hard-wrapped text is text.
    if (top or alone) and _LONE_PAGE_NO.match(bare):
        return Furniture("header" if top else "footer")
    if _DATE_LINE.match(bare) and (top or not _SIGNATURE_DATE.match(squash(bare))):
        # (a bare date under text is a signature's: a notice's, a letter's, not a header)
        return Furniture("header", dates.find_cn_date(bare))
    if is_weather(bare):
        return Furniture("weather")
    if _CONTENTS_ENTRY.match(bare) or (top and _CONTENTS_LABEL.match(bare)):
        return Furniture("contents")
    if top and (_PINYIN.match(bare) or _masthead_bits(bare)):
        return Furniture("masthead")
    if len(bare) <= 60 and _SPONSOR.match(bare):  # a special page's sponsors (专版)
        return Furniture("header")
    if _dated_label_line(bare):  # 今日衢江　党建　2025年4月10日: a running head or foot
        return Furniture("header" if top else "footer", dates.find_cn_date(bare))
    iso = dates.find_iso_date(bare)
    if bylines.web_fields(bare):  # 来源：… 作者：记者 X　日期：…: a byline (feeds.bylines)
        if bylines.web_credit(bare):
            return None
        return Furniture("header", iso or dates.find_cn_date(bare))  # 作者：(nobody)
    if is_pagination(bare):
        return Furniture("footer")
    if _WEB_RESIDUE.match(bare):  # a web page's buttons: 【打印】【关闭】, 分享到：
        # or a running head set with bars: 今日衢江 | 2025-01-04 | 第3版 | 综合
        found = iso or dates.find_cn_date(bare)
        if found and (_PAGE_NO.search(bare) or re.search(r"(?<![A-Za-z])[A-Z]\d{1,3}(?!\d)", bare)):
            return Furniture("header" if top else "footer", found)
        return Furniture("footer")
    if _FOOTER_WORDS.search(bare) or (
        iso and re.search(r"\d{2,5}", bare) and not ends_sentence(bare) and "，" not in bare
    ):
        # a running head may name its editors too (6　教育　2025年3月12日　责任编辑：方敏)
        return Furniture("header" if top else "footer", iso or dates.find_cn_date(bare))
    if top and len(bare) <= 60 and _HEADER_BITS.search(bare) and not re.search("[，。,]", bare):
        found = dates.find_cn_date(bare)
        if found or _PAGE_NO.search(bare):
            return Furniture("header", found)
    return None


_DATE_TOKEN = re.compile(
    r"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|(?:星期|周)[一二三四五六日天]"
    rf"|第[A-Z]?[\d一二三四五六七八九十]+版(?:[：:][{CJK}·]{{1,8}})?"
    r"|[A-Z]?\d{1,3}版|[A-Z]\d{1,3}"  # a page: 5版, A05版, A02
)
_LABEL_TOKEN = re.compile(rf"[{CJK}A-Za-z·]{{1,8}}")


def web_byline_date(bare: str) -> date | None:
    """The date on a web page's 来源/作者/日期 line (the page's publication date)."""
    if not bylines.web_fields(bare):
        return None
    ascii_line = dates.ascii_digits(bare)
    return dates.find_iso_date(ascii_line) or dates.find_cn_date(ascii_line)


def _dated_label_line(bare: str) -> bool:
    """A short line of space-separated labels around a full date (paper, section, date,
    weekday, page): the running head or foot of a page, wherever it is printed."""
    tokens = bare.split()
    if len(bare) > 40 or len(tokens) < 2 or not any(_DATE_TOKEN.fullmatch(t) for t in tokens):
        return False
    if not any(re.search(r"\d年\d{1,2}月\d{1,2}日", t) for t in tokens):
        return False
    return all(_DATE_TOKEN.fullmatch(t) or _LABEL_TOKEN.fullmatch(t) for t in tokens)


def _masthead_bits(bare: str) -> bool:
    """A publisher / serial-number line or a weather line of a masthead."""
    if _PUBLISHER.search(bare) and len(bare) <= 80 and not ends_sentence(bare):
        return True
    return bool(_WEATHER.match(bare)) and len(bare) <= 40 and not ends_sentence(bare)


def masthead_line(lines: list[str]) -> int | None:
    """1-based number of a masthead: the paper's name as the first line, right above a header
    or date line (今日衢江 / 2024年3月6日 星期三)."""
    top = [(n, ln.strip(SPACE)) for n, ln in enumerate(lines[:12], 1) if ln.strip(SPACE)]
    if len(top) < 2:
        return None
    (number, bare), (_, below) = top[0], top[1]
    headerish = (
        _PAGE_HEADER.match(below)
        or _DATE_LINE.match(below)
        or _PINYIN.match(below)
        or _masthead_bits(below)
    )
    if headerish and len(bare) <= 12 and not _MASTHEAD_BAD.search(bare):
        return number
    return None


def jump_page(marker: str) -> str | None:
    """The page a jump marker names, one spelling for all: (下转第2版), (下转第二版) and
    (下转第０２版) give "2"; (上接A04版) gives "A4"."""
    m = JUMP.search(marker)
    if not m:
        return None
    page = unicodedata.normalize("NFKC", m["page"])
    letter = page[:1] if page[:1].isalpha() and page[:1].isascii() else ""
    digits = page[len(letter) :]
    if digits.isdigit():
        return f"{letter}{int(digits)}"
    tens, _, ones = digits.partition("十")  # 十二, 二十, 二十三, 十
    if "十" in digits:
        number = (_CN_DIGITS.index(tens) if tens else 1) * 10
        return f"{letter}{number + (_CN_DIGITS.index(ones) if ones else 0)}"
    return f"{letter}{_CN_DIGITS.index(digits)}" if len(digits) == 1 else None


def is_jump_in(kind: str) -> bool:
    """(上接第1版): the article continues from another page; its beginning is not here."""
    return kind in ("上接", "接", "紧接", "续")


# Notices and ads (公告, 通告, 启事, 声明, 公示) are not news: their title names the kind of
# notice (公　告, 2025年度《青溪报》征订启事, 关于…的公示), and instead of a byline they close with
# 特此公告 and/or a signature (the issuing body, then a date: 青溪报社 / 2024年12月).
_NOTICE_TITLE = re.compile(
    r"(?:公告|通告|启事|声明|公示|告示|讣告|倡议书|(?:停电|停水|停气|限电)(?:预告|通知))$"
    r"|^关于.{2,40}的通知$"
)
_NOTICE_CLOSE = re.compile(r"特此(?:公告|通告|声明|公示|通知|告知)[。.！!]?$")
_SIGNATURE_DATE = re.compile(r"^(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}日)?$")


def is_notice_title(text: str) -> bool:
    """A headline naming a notice or ad: 公　告, 征订启事, 遗失声明, 关于…的公示 / 通知,
    停电预告."""
    bare = squash(text)
    return (
        len(bare) <= 44 and bool(_NOTICE_TITLE.search(bare)) and not re.search("[，,。；;]", bare)
    )


def closes_notice(text: str) -> bool:
    """A notice's closing formula: 特此公告。 (alone or at the end of the last paragraph)."""
    return bool(_NOTICE_CLOSE.search(squash(text)))


def is_signature_date(text: str) -> bool:
    """A date alone on its line under a notice's signature: 2024年12月, 2024年11月7日."""
    return bool(_SIGNATURE_DATE.match(squash(text)))


# Boxes that are not news (a 综合 page carries them between the stories): the weather box
# (天气预报 / 今天：中雨　23℃～29℃ / 区气象台6月17日16时发布) and advertisements, which end
# with contact lines (营销中心：…, 咨询热线：0570-…) and a disclaimer (以合同为准).
_WEATHER_LABEL = re.compile(r"^[【\[]?(?:天气预报|气象预报|今日天气|天气)[】\]]?$")
_FORECAST = re.compile(
    r"^(?:今天|明天|后天|今日|明日|今夜|夜间|白天|\d{1,2}日(?:白天|夜间)?)\s*[：:\s]"
    r"[^。，,；;]{0,30}(?:℃|°C)[^。，,；;]{0,12}$"
)
_WEATHER_ISSUED = re.compile(r"^\S{0,12}气象台\S{0,16}发布$")
# A phone line alone: 咨询热线：0570-8886666, 举报电话：0570-3011234.
_PHONE = re.compile(r"^\S{0,6}(?:热线|电话|专线|手机)\s*[：:]\s*[\d\-－—–\s()（）/、]{7,40}$")
# Lines only an advertisement or a notice carries: its disclaimer, label or 举报电话 (a 公示).
_AD_STRONG = re.compile(
    r"^[(（]?[^。]{0,12}(?:以合同为准|以实际为准|广告仅供参考|本广告)[^。]{0,12}[)）]?$"
    r"|^[【\[]?广\s*告[】\]]?$|^(?:举报|监督)电话\s*[：:]"
)


def is_weather(bare: str) -> bool:
    """A line of a weather box: its label, a forecast with ℃, or the 气象台…发布 line."""
    return bool(_WEATHER_LABEL.match(bare) or _FORECAST.match(bare) or _WEATHER_ISSUED.match(bare))


def ad_lines(lines: list[str]) -> set[int]:
    """1-based numbers of the lines of advertisement blocks and of a notice's 举报电话 line.

    A disclaimer (以合同为准), a 广告 label or a 举报电话 line marks one; a phone line does when
    another such line is within three lines of it. The short unpunctuated lines set right above
    the first marked line, with no blank line between (the slogan, 营销中心：地址), belong to
    the ad too."""
    bare = [ln.strip(SPACE) for ln in lines]
    strong = {n for n, b in enumerate(bare, 1) if b and _AD_STRONG.match(b)}
    phones = {n for n, b in enumerate(bare, 1) if b and _PHONE.match(b)}
    found = set(strong)
    for n in phones:
        if any(abs(n - m) <= 3 for m in (strong | phones) - {n}):
            found.add(n)
    for n in sorted(found):
        if n - 1 in found or bare[n - 1].startswith(("举报", "监督")):  # a notice's line
            continue
        up = n - 1
        while up >= 1 and n - up <= 3 and bare[up - 1] and _ad_text(bare[up - 1]):
            found.add(up)
            up -= 1
    return found


def _ad_text(bare: str) -> bool:
    """A slogan or address line of an ad: short, no sentence in it."""
    return len(bare) <= 40 and not ends_sentence(bare) and not re.search("[，。,；;]", bare)


# The paper's colophon under the last page's text: 地址：…　邮编：…　新闻热线：…, 印刷：…
_COLOPHON = re.compile(
    r"^(?:本报)?(?:地址|社址|邮编|邮政编码|(?:新闻|广告|发行|订阅|读者)?热线|电话|传真|印刷|承印"
    r"|法律顾问|定价|零售价|国内统一连续出版物号|国内统一刊号|邮发代号|网址|电子信箱|电子邮箱"
    r"|投稿邮箱|社长|总编辑|主管|主办|出版)\s*[：:]"
)

_PAPER_FIELD = re.compile(
    r"邮编|邮政编码|印刷|承印|法律顾问|定价|零售价|连续出版物号|统一刊号|邮发代号|总编辑|社长"
    r"|(?:新闻|广告|发行|订阅)热线"
)


def colophon_lines(lines: list[str]) -> set[int]:
    """1-based numbers of the colophon lines that end a page (地址：…　邮编：…, 印刷：…): from
    the last line up, while every line opens with a colophon field (or is the wrapped end of
    one). A line of an article that opens so (地址：… in a notice) has the article's text
    after it, not the page's end."""
    found: set[int] = set()
    wrapped: list[int] = []  # lines a hard wrap cut from a field line above them
    for n in range(len(lines), 0, -1):
        bare = lines[n - 1].strip(SPACE)
        if not bare:
            continue
        if _COLOPHON.match(bare):
            found.update([n, *wrapped])
            wrapped = []
        elif ends_sentence(bare) or len(wrapped) >= 2:
            break
        else:
            wrapped.append(n)
    # a service's 地址：… 电话：… closing an article is its text: the paper's own fields
    # (邮编, 印刷, 新闻热线, 定价, 刊号) mark a colophon
    if not any(_PAPER_FIELD.search(lines[n - 1]) for n in found):
        return set()
    return found


def contents_labels(lines: list[str]) -> set[int]:
    """1-based numbers of 导读 labels set over a contents box (▲ 标题　2版) anywhere on a page."""
    found = set()
    bare = [ln.strip(SPACE) for ln in lines]
    for n, b in enumerate(bare, 1):
        if b and _CONTENTS_LABEL.match(b):
            nxt = next((x for x in bare[n:] if x), "")
            if _CONTENTS_ENTRY.match(nxt):
                found.add(n)
    return found
