"""Golden pages: every page in tests/data/corpus scores 100% with the shared scorer, through
the real CLI (`feeds parse --json`), as users and the hidden corpus run it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.corpus import CORPUS, TRUTHS, score, truth


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict]:
    pages = [str(CORPUS / truth(t)["file"]) for t in TRUTHS]
    proc = subprocess.run(
        [sys.executable, "-m", "feeds", "parse", "--json", *pages],
        capture_output=True,
        text=True,
        check=True,
    )
    return {page["source"]: page for page in json.loads(proc.stdout)}


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_page_scores_100_percent(parsed, truth_path):
    doc = truth(truth_path)
    passed, total, failures = score(parsed[doc["file"]], doc)
    assert total > 10
    assert passed == total, failures


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_encoding_is_detected(parsed, truth_path):
    doc = truth(truth_path)
    assert parsed[doc["file"]]["encoding"] == doc["encoding"]


def test_seed_page_fields(parsed):
    """The six seed articles as issue 2 lists them."""
    page = parsed["000_6874899e96e9eef1.txt"]
    arts = page["articles"]
    assert len(arts) == 6
    assert arts[0]["column"] == "贯彻二十大精神 踔厉奋进新征程"
    assert [a["authors"] for a in arts[:5]] == [["刘威"], ["洪纲"], ["洪纲"], ["刘威"], ["刘威"]]
    assert [a["date"] for a in arts] == [
        "2024-02-19",
        "2024-02-19",
        "2024-02-20",
        "2024-02-21",
        "2024-02-19",
        None,
    ]
    assert arts[2]["subtitle"].startswith("王慧杰讲话 贵丽青主持")
    assert arts[0]["paragraphs"][0].startswith("2月19日,")
    assert arts[5]["continued"] is True
    assert arts[5]["credits"] == ["区红十字会"]
    assert page["year"] == 2024
    banner = [d for d in page["dropped"] if d["reason"] == "banner"]
    assert [d["text"] for d in banner] == [
        "持续深化“五城”建设 奋力打造“青年衢江” 加快推动产城人融合发展"
    ]
    assert not any(a["title"].startswith("持续深化") for a in arts)


def test_seed_page_break_splits_are_joined(parsed):
    arts = parsed["000_6874899e96e9eef1.txt"]["articles"]
    body = {
        i: [p if isinstance(p, str) else p["text"] for p in a["paragraphs"]]
        for i, a in enumerate(arts)
    }
    # each joined paragraph is one paragraph, not two
    assert any("打造一流产业" in p for p in body[2])
    assert any("见行动见实效" in p for p in body[2])
    assert any("“十四五”规划" in p for p in body[4])
    for paragraphs in body.values():
        for p in paragraphs[:-1]:
            assert p[-1] in "。！？”)）", p[-20:]
