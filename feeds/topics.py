"""Topic rules (data in topics.toml) -> each article's primary topic, matched topics and tags.

Pure: the classifier is given a tokenizer and a tag ranker, so this module never imports jieba;
`load_classifier()` wires in feeds.segment, whose jieba import happens at the first article.

Scoring (documented for users at the top of topics.toml): the heading (pre-title, title,
subtitle) and the body (column, paragraphs, credits) are segmented separately. A keyword matches
a run of whole consecutive tokens (so 常务会议 matches 常务/会议 as well as 常务会议); at each
position the longest keyword wins. A keyword found adds weight x strength to its topic's score,
strength = title_weight x (hits in the heading) + (1 + ln(hits in the body)) (0 for no body
hit): a heading word weighs like several body mentions, and body repeats count less and less.
A topic matches when its score reaches its threshold; the primary topic is the best match
(ties: file order), or the fallback topic when none matches. With `decisive` set, a keyword of
at least that weight in the heading (the body that holds a meeting: 区委常委会, 常务会议)
makes its topic the primary one, whatever the meeting discussed; when several topics have one,
the best of them.

Tags: term frequencies of the title (x title_weight) and of the rest (x 1) ranked by the tag
ranker (TF-IDF in feeds.segment); subtitles are not weighted up, as they often list people.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from feeds.errors import ConfigError
from feeds.model import Article, Topic

Tokenizer = Callable[[str], Sequence[str]]
# rank(term frequencies in first-occurrence order, k) -> the k best tags
TagRanker = Callable[[Mapping[str, float], int], Sequence[str]]

DEFAULT_PATH = "feeds/topics.toml"  # how the package default is named in error messages
RESERVED_SLUGS = frozenset({"all"})  # the feed of every article
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TOPIC_KEYS = {"slug", "title", "description", "threshold", "keywords"}
_SETTINGS_KEYS = {"title_weight", "tags", "fallback", "decisive"}


@dataclass(frozen=True)
class Rules:
    """Everything in a topics file: the topics in order, and the global settings."""

    topics: tuple[Topic, ...]
    title_weight: float = 3.0
    tags: int = 5
    fallback: str = "other"
    decisive: float | None = None  # see TopicClassifier


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and check a topics file (the package's topics.toml when path is None).

    Raises ConfigError with a one-line message naming the file for anything wrong in it.
    """
    name = DEFAULT_PATH if path is None else str(path)
    try:
        if path is None:
            data = resources.files("feeds").joinpath("topics.toml").read_bytes()
        else:
            data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read topic rules ({exc.strerror or exc})") from exc
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{name}: not valid TOML: {exc}") from exc
    try:
        return _rules(doc)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from exc


def load_topics(path: str | Path | None = None) -> tuple[Topic, ...]:
    """The topics of a topics file, in file order (see load_rules)."""
    return load_rules(path).topics


def _rules(doc: dict) -> Rules:
    """Build Rules from a parsed TOML document; ValueError says what is wrong."""
    unknown = set(doc) - {"settings", "topic"}
    if unknown:
        raise ValueError(f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    settings = doc.get("settings", {})
    if not isinstance(settings, dict):
        raise ValueError("[settings] must be a table")
    _no_unknown(settings, _SETTINGS_KEYS, "[settings]")
    raw_topics = doc.get("topic")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise ValueError("no topics: add [[topic]] tables")
    topics = tuple(_topic(raw, n) for n, raw in enumerate(raw_topics, 1))
    slugs = [t.slug for t in topics]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise ValueError(f"duplicate topic slug(s): {', '.join(duplicates)}")
    title_weight = _number(settings.get("title_weight", 3.0), "title_weight", minimum=0.0)
    tags = settings.get("tags", 5)
    if isinstance(tags, bool) or not isinstance(tags, int) or tags < 0:
        raise ValueError(f"settings.tags must be a whole number >= 0, not {tags!r}")
    fallback = settings.get("fallback", "other")
    if fallback not in slugs:
        raise ValueError(f"settings.fallback {fallback!r} is not a topic slug ({', '.join(slugs)})")
    decisive = settings.get("decisive")
    if decisive is not None:
        decisive = _number(decisive, "settings.decisive", minimum=0.0)
    return Rules(topics, title_weight, tags, fallback, decisive)


def _topic(raw: object, n: int) -> Topic:
    """One [[topic]] table -> Topic; ValueError names the topic."""
    if not isinstance(raw, dict):
        raise ValueError(f"topic #{n} must be a table")
    slug = raw.get("slug")
    where = f"topic #{n} ({slug})" if isinstance(slug, str) else f"topic #{n}"
    _no_unknown(raw, _TOPIC_KEYS, where)
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        raise ValueError(f"{where}: slug must be lower-case ASCII letters, digits and '-'")
    if slug in RESERVED_SLUGS:
        raise ValueError(f"{where}: slug {slug!r} is reserved")
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"{where}: title must be a non-empty string")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise ValueError(f"{where}: description must be a string")
    threshold = _number(raw.get("threshold", 1.0), f"{where}: threshold", minimum=0.0)
    keywords = raw.get("keywords", {})
    if not isinstance(keywords, dict):
        raise ValueError(f"{where}: keywords must be a table of keyword = weight")
    weights: dict[str, float] = {}
    for word, weight in keywords.items():
        key = word.strip()
        if not key or any(ch.isspace() for ch in key):
            raise ValueError(f"{where}: keyword {word!r} must be one word without spaces")
        weights[key] = _number(weight, f"{where}: keyword {word!r}")
    return Topic(slug, title.strip(), description.strip(), weights, threshold)


def _number(value: object, what: str, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a number, not {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be >= {minimum:g}, not {value!r}")
    return float(value)


def _no_unknown(table: dict, allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")


def prefixes(keywords: Iterable[str]) -> frozenset[str]:
    """Every non-empty prefix of every keyword (count_keywords stops a run at a non-prefix)."""
    return frozenset(word[:i] for word in keywords for i in range(1, len(word) + 1))


def count_keywords(
    tokens: Sequence[str],
    keywords: Collection[str],
    known_prefixes: frozenset[str] | None = None,
) -> Counter[str]:
    """Occurrences of keywords as runs of whole consecutive tokens, longest match first.

    Scanning left to right, the longest keyword starting at a token is counted and skipped, so
    a run counts once (区纪委 as 区/纪委 counts 区纪委, not also 纪委). Pass
    `prefixes(keywords)` as known_prefixes to avoid recomputing it for every text.
    """
    if known_prefixes is None:
        known_prefixes = prefixes(keywords)
    found: Counter[str] = Counter()
    end = 0
    # a run can only start at a token that is itself a keyword's prefix
    for i in [i for i, token in enumerate(tokens) if token in known_prefixes]:
        if i < end:
            continue
        text, best = "", None
        for j in range(i, len(tokens)):
            text += tokens[j]
            if text not in known_prefixes:
                break
            if text in keywords:
                best, end = text, j + 1
        if best is not None:
            found[best] += 1
    return found


class TopicClassifier:
    """Assign each article a primary topic, its matched topics and tags.

    `tokenize(text)` segments text; `keywords(tf, k)` ranks term frequencies (token -> weighted
    count, in first-occurrence order) into the k best tags. feeds.segment provides both
    (`tokenize`, `top_terms`); tests may pass any others.
    """

    def __init__(
        self,
        topics: Sequence[Topic],
        tokenize: Tokenizer,
        keywords: TagRanker,
        *,
        title_weight: float = 3.0,
        tags: int = 5,
        fallback: str = "other",
        decisive: float | None = None,
    ) -> None:
        self.topics: tuple[Topic, ...] = tuple(topics)
        if fallback not in {t.slug for t in self.topics}:
            raise ConfigError(f"fallback topic {fallback!r} is not among the topics")
        self.tokenize = tokenize
        self.keywords = keywords
        self.title_weight = title_weight
        self.tags = tags
        self.fallback = fallback
        self._all_keywords = frozenset(w for t in self.topics for w in t.keywords)
        self._prefixes = prefixes(self._all_keywords)
        # topic slug -> its keywords that decide the topic when in the heading
        self._decisive = {
            t.slug: frozenset(w for w, weight in t.keywords.items() if weight >= decisive)
            for t in self.topics
            if decisive is not None
        }

    @classmethod
    def from_rules(cls, rules: Rules, tokenize: Tokenizer, keywords: TagRanker) -> TopicClassifier:
        return cls(
            rules.topics,
            tokenize,
            keywords,
            title_weight=rules.title_weight,
            tags=rules.tags,
            fallback=rules.fallback,
            decisive=rules.decisive,
        )

    def titles(self) -> dict[str, str]:
        """Topic slug -> Chinese title, in file order (for feed and page titles)."""
        return {t.slug: t.title for t in self.topics}

    def __call__(self, article: Article) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """(primary slug, every matched slug with primary first, tags) of an article."""
        title, around, body = self._segment(article)
        in_head, in_body = self._count([*title, *around]), self._count(body)
        scores = self._scores(in_head, in_body)
        decided = self._decided(in_head)
        return (*self._choose(scores, decided), self._tags(title, [*around, *body]))

    def scores(self, article: Article) -> dict[str, float]:
        """Each topic's score for an article (to explain or tune a decision)."""
        title, around, body = self._segment(article)
        return self._scores(self._count([*title, *around]), self._count(body))

    def _segment(self, article: Article) -> tuple[list[str], list[str], list[str]]:
        """Tokens of the title, of the pre-title and subtitle, and of the body: one pass each."""
        around = " ".join(part for part in (article.pretitle, article.subtitle) if part)
        texts = [article.column or ""] + [p.text for p in article.paragraphs]
        texts += [c for c in article.credits if c not in texts]
        body = "\n".join(t for t in texts if t)
        return [*self.tokenize(article.title)], [*self.tokenize(around)], [*self.tokenize(body)]

    def _count(self, tokens: Sequence[str]) -> Counter[str]:
        """Occurrences of every topic's keywords in tokens (see count_keywords)."""
        return count_keywords(tokens, self._all_keywords, self._prefixes)

    def _scores(self, in_head: Counter[str], in_body: Counter[str]) -> dict[str, float]:
        """Topic slug -> sum of weight x strength of its keywords found in the heading and the
        body (see module doc)."""
        strength: dict[str, float] = {}
        for word in (*in_head, *in_body):
            body_hits = in_body[word]
            strength[word] = self.title_weight * in_head[word] + (
                1.0 + math.log(body_hits) if body_hits else 0.0
            )
        return {
            topic.slug: sum(
                (w * strength[word] for word, w in topic.keywords.items() if word in strength),
                0.0,
            )
            for topic in self.topics
        }

    def _decided(self, in_head: Counter[str]) -> set[str]:
        """The topics whose decisive keywords are in the heading (their counts there)."""
        return {slug for slug, words in self._decisive.items() if words.intersection(in_head)}

    def _choose(
        self, scores: Mapping[str, float], decided: Collection[str] = ()
    ) -> tuple[str, tuple[str, ...]]:
        order = {t.slug: n for n, t in enumerate(self.topics)}
        matched = sorted(
            (t.slug for t in self.topics if t.keywords and scores[t.slug] >= t.threshold),
            # a topic decided by its heading first, then by score
            key=lambda slug: (slug not in decided, -scores[slug], order[slug]),
        )
        if not matched:
            return self.fallback, (self.fallback,)
        return matched[0], tuple(matched)

    def _tags(self, title: Sequence[str], rest: Sequence[str]) -> tuple[str, ...]:
        """Tags from title tokens (x title_weight) and the rest. Subtitles are not weighted up:
        they often list people (王慧杰讲话 贵丽青主持 …), who would crowd out the subject."""
        tf: Counter[str] = Counter()
        for token in title:
            tf[token] += self.title_weight
        tf.update(rest)
        return tuple(self.keywords(tf, self.tags))


def load_classifier(path: str | Path | None = None) -> TopicClassifier:
    """A classifier from a topics file, segmenting with jieba (imported at the first article)."""
    from feeds import segment  # segment imports jieba only inside its functions

    return TopicClassifier.from_rules(load_rules(path), segment.tokenize, segment.top_terms)
