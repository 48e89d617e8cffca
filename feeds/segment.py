"""The one module that imports jieba: word segmentation and tags (TF-IDF keywords).

jieba is imported lazily, inside functions, so `import feeds.cli` and `feeds --help` stay instant;
the first call pays for it (about a second: jieba's prefix dictionary, then its IDF table on the
first tag request). We use a private `jieba.Tokenizer` (not jieba's global one), silence jieba's
logger (no "Building prefix dict" noise on stderr) and load the package's user dictionary
(`userdict.txt`, local terms such as 五城, 青年衢江, 区委常委会) and stop words (`stopwords.txt`).

Tags cost one segmentation pass: `analyse()` returns tokens and tags together, and
`top_terms()` ranks term frequencies that a caller has already counted (feeds.topics does).

Start-up matters (an incremental build parses one page): jieba is imported without
pkg_resources (it falls back to reading its data files directly; pkg_resources alone takes a
tenth of a second to import), its prefix-dictionary cache is read whole (`_WholeFileMarshal`:
0.2 s instead of 0.6 s), and jieba's IDF table is kept, once parsed, in a marshal cache
beside jieba's own dictionary cache (the temporary directory), keyed by the table's size and
mtime, so later processes load it in a third of the time.
"""

from __future__ import annotations

import logging
import marshal
import os
import re
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_TAGS = 5

# A tag is made of CJK ideographs or Latin letters only: no digits (2023年度, 315),
# no punctuation, and at least two characters.
_TAG = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z]{2,}")
# Chinese numerals with an optional measure word: 五个, 十四, 第十一次, 三届, 一季度 are not tags
# (五城 and 二十大 are).
_NUMERAL = re.compile(
    r"第?[零〇一二三四五六七八九十百千万亿两几数]+"
    r"(?:个|次|年|月|日|天|周|名|项|家|条|批|场|届|期|季度|季|位|人|件|支|座|种|类|级|岁)?"
)

_lock = threading.Lock()
_tokenizer: Any = None


def _data_lines(name: str) -> list[str]:
    """Non-blank, non-comment lines of a data file shipped in the package."""
    text = resources.files("feeds").joinpath(name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _get_tokenizer() -> Any:
    """jieba's tokenizer, initialised once (thread-safe) with the user dictionary."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba = _import_jieba()
                jieba.setLogLevel(logging.WARNING)
                jieba.marshal = _WholeFileMarshal  # see its docstring
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word, freq, tag in user_words():
                    tokenizer.add_word(word, freq, tag)
                _tokenizer = tokenizer
    return _tokenizer


class _WholeFileMarshal:
    """What jieba sees as `marshal`: it loads its prefix-dictionary cache (9 MB) with
    `marshal.load(file)`, which reads a file object a few bytes at a time; reading the file
    whole and unmarshalling the bytes gives the same objects about three times faster (0.2 s
    instead of 0.6 s, the largest part of an incremental build's parsing of one page)."""

    dump = staticmethod(marshal.dump)  # jieba writes its cache with it

    @staticmethod
    def load(file: Any) -> Any:
        return marshal.loads(file.read())


def _import_jieba() -> Any:
    """jieba, imported without pkg_resources when nothing has imported that yet: jieba then
    opens its package data by path, and the import costs a tenth of a second less."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails: ImportError
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


def user_words() -> list[tuple[str, int | None, str | None]]:
    """Entries of userdict.txt as (term, frequency or None, part-of-speech tag or None)."""
    entries = []
    for line in _data_lines("userdict.txt"):
        word, *rest = line.split()
        freq = int(rest.pop(0)) if rest and rest[0].isdigit() else None
        entries.append((word, freq, rest[0] if rest else None))
    return entries


@cache
def stopwords() -> frozenset[str]:
    """The stop words of stopwords.txt (lower-cased): never returned as tags."""
    return frozenset(word.lower() for word in _data_lines("stopwords.txt"))


@cache
def _idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table (word -> IDF) and its median IDF, from the cache when it is there.

    Read from jieba's package data directly: importing jieba.analyse would also load posseg.
    """
    source = Path(_import_jieba().__file__).parent / "analyse" / "idf.txt"
    stat = source.stat()
    cache = Path(tempfile.gettempdir()) / f"feeds-idf-{stat.st_size}-{stat.st_mtime_ns}.cache"
    try:
        table, median = marshal.loads(cache.read_bytes())
        if isinstance(table, dict) and isinstance(median, float):
            return table, median
    except (OSError, ValueError, EOFError, TypeError):
        pass  # no cache yet, or a damaged one: parse the table and write it again
    table = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        word, _, value = line.partition(" ")
        if value:
            table[word] = float(value)
    values = sorted(table.values())
    median = values[len(values) // 2]
    _write_cache(cache, marshal.dumps((table, median)))
    return table, median


def _write_cache(path: Path, data: bytes) -> None:
    """Write a cache file whole (a temporary file renamed over it), or not at all: a cache
    that cannot be written (read-only or full temporary directory) only costs time."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


@lru_cache(maxsize=1 << 16)
def is_tag_word(token: str) -> bool:
    """Whether a token may be a tag: 2+ letters or ideographs, not a numeral, not a stop word."""
    return (
        _TAG.fullmatch(token) is not None
        and _NUMERAL.fullmatch(token) is None
        and token.lower() not in stopwords()
    )


def tokenize(text: str) -> list[str]:
    """Segment text with jieba (precise mode, HMM on); whitespace tokens are dropped.

    Deterministic: the same text gives the same tokens in every run and process.
    """
    if not text:
        return []
    return [token for token in _get_tokenizer().cut(text) if not token.isspace()]


def top_terms(tf: Mapping[str, float], k: int = DEFAULT_TAGS) -> list[str]:
    """The k best tags from term frequencies: TF x IDF, stop words and non-words dropped.

    `tf` maps tokens to (possibly weighted) counts, in first-occurrence order; ties are broken
    by that order, so the result is stable. Only dictionary words (jieba's and userdict.txt)
    are tags: words jieba merely guesses (HMM: names, fragments of slogans such as 以学/促知)
    are not; add a name to userdict.txt to make it a tag. Words missing from jieba's IDF table
    (most user terms: 青年衢江, 区委常委会) get its median IDF, like jieba.analyse does.
    """
    if k <= 0:
        return []
    table, median = _idf()
    known = _get_tokenizer().FREQ  # dictionary words (prefixes have frequency 0)
    ranked = []
    for position, (token, count) in enumerate(tf.items()):
        if count > 0 and known.get(token) and is_tag_word(token):
            weight = count * table.get(token, median)
            ranked.append((-weight, position, token))
    ranked.sort()
    return [token for _, _, token in ranked[:k]]


def keywords(text: str, k: int = DEFAULT_TAGS) -> list[str]:
    """Tags of a text: its k best TF-IDF keywords (see top_terms)."""
    return analyse(text, k)[1]


def analyse(text: str, k: int = DEFAULT_TAGS) -> tuple[list[str], list[str]]:
    """Tokens and tags of a text from one segmentation pass."""
    tokens = tokenize(text)
    return tokens, top_terms(term_frequencies(tokens), k)


def term_frequencies(tokens: Iterable[str], weight: float = 1.0) -> Counter[str]:
    """Count tokens (each counting `weight`), keeping first-occurrence order."""
    tf: Counter[str] = Counter()
    for token in tokens:
        tf[token] += weight
    return tf
