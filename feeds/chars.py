"""Character classes and measures shared by the parsing modules (pure)."""

from __future__ import annotations

import re
import unicodedata

SENTENCE_END = "。！？!?；;…”’」』）)"
SPACE = " \u3000\t\u00a0"
CJK = r"\u3400-\u9fff"
DASHES = "—－―─-"

_WS = re.compile(r"[\s\u3000]+")


def squash(text: str) -> str:
    """Text without any whitespace (how the scorer and the coverage check compare)."""
    return _WS.sub("", text)


def width(text: str) -> int:
    """Display width: East Asian wide and full-width characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def ends_sentence(text: str) -> bool:
    text = text.rstrip(SPACE)
    return bool(text) and text[-1] in SENTENCE_END


def is_indented(line: str) -> bool:
    return line.startswith("\u3000") or line.startswith("  ") or line.startswith("\t")


def open_bracket(text: str) -> bool:
    """More opening than closing parentheses: a byline wrapped inside its brackets."""
    return text.count("(") + text.count("（") > text.count(")") + text.count("）")
