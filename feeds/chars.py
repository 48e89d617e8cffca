"""Character classes and measures shared by the parsing modules (pure)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

SENTENCE_END = "。！？!?；;…”’」』）)"
SPACE = " \u3000\t\u00a0"
# CJK ideographs, including the compatibility block and the supplementary planes (Ext B-H:
# rare characters in names such as 𠮷, which GB18030 encodes).
CJK = r"\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
DASHES = "—－―─-"

_WS = re.compile(r"[\s\u3000]+")


def squash(text: str) -> str:
    """Text without any whitespace (how the scorer and the coverage check compare)."""
    return _WS.sub("", text)


def width(text: str) -> int:
    """Display width: East Asian wide and full-width characters count 2, others 1.
    Each character's width is looked up once per process (the parser measures every line of
    every page: this was a tenth of its time)."""
    return sum(map(_char_width, text))


@cache
def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


_CLOSERS = "”’」』）)"
# What a half-width full stop ends a sentence after: an ideograph or a closing quote/bracket
BEFORE_HALF_STOP = rf"{CJK}”’」』）\"')"
_AFTER_IDEOGRAPH = re.compile(rf"[{BEFORE_HALF_STOP}]\.$")


# A quotation closed by its attribution: “…坚持。”——沙湾社区志愿者　王美英
_ATTRIBUTION = re.compile(r"[。！？!?][”’」』]?[—－―─]{1,2}[^，。,；;“”！？!?]{1,30}$")


def ends_sentence(text: str) -> bool:
    """Ends a sentence: 。！？… or a closing quote/bracket right after one (…。” / …！）).
    A closing quote after a word (…干部担当”) is mid-sentence. A half-width full stop ends
    one after an ideograph or a closing quote (…工作会议. as some dumps print 。), not after
    a digit or a Latin letter (3. / No. / www.). A quotation's attribution closes one
    (…坚持。”——志愿者　王美英)."""
    text = text.rstrip(SPACE)
    if _ATTRIBUTION.search(text):
        return True
    if text.endswith("."):
        return _AFTER_IDEOGRAPH.search(text) is not None
    if not text or text[-1] not in SENTENCE_END:
        return False
    if text[-1] in _CLOSERS:
        return len(text) > 1 and text[-2] in SENTENCE_END
    return True


def is_indented(line: str) -> bool:
    return line.startswith("\u3000") or line.startswith("  ") or line.startswith("\t")


def open_bracket(text: str) -> bool:
    """More opening than closing parentheses: a byline wrapped inside its brackets."""
    return text.count("(") + text.count("（") > text.count(")") + text.count("）")
