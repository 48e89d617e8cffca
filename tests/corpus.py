"""Helpers for the golden corpus in tests/data/corpus: page .txt beside truth .json, scored by
the shared scorer (tests/data/score.py, a copy of ../shared/corpus/score.py)."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
from pathlib import Path

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
TRUTHS = sorted(CORPUS.glob("*.json"))


def _load_scorer():
    spec = importlib.util.spec_from_file_location("corpus_score", DATA / "score.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


scorer = _load_scorer()


def truth(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def score(parsed_page: dict, truth_doc: dict) -> tuple[int, int, str]:
    """(passed, total, failure lines) of one parsed page against its truth."""
    tally = scorer.Tally()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        scorer.score_page(parsed_page, truth_doc, tally)
    return tally.passed, tally.total, out.getvalue()
