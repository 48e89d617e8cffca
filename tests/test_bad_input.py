"""Bad files never stop the others: each gives one clear line naming the file and the reason."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from feeds.source import read_page
from tests.corpus import CORPUS

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.fixture
def bad_dir(tmp_path):
    (tmp_path / "a-good.txt").write_bytes((CORPUS / "page-01.txt").read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"\n \n\r\n")
    (tmp_path / "image.txt").write_bytes(PNG)
    (tmp_path / "nul.txt").write_bytes(b"abc\x00\x00\x00\x00def" * 50)
    (tmp_path / "latin.txt").write_bytes("caf\xe9 \xff\xfe\xfd".encode("latin-1") * 3 + b"\x80\x80")
    (tmp_path / "no-structure.txt").write_text("只是一句话，没有标题。\n", encoding="utf-8")
    (tmp_path / "subdir.txt").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.txt", "empty file"),
        ("blank.txt", "empty file"),
        ("image.txt", "not text (binary data: PNG image)"),
        ("nul.txt", "not text (binary data)"),
        ("no-structure.txt", "text before the first headline"),
        ("subdir.txt", "is a directory"),
    ],
)
def test_bad_file_becomes_one_problem(bad_dir, name, reason):
    page = read_page(bad_dir / name)
    assert page.problems, name
    assert str(page.problems[0]).startswith(str(bad_dir / name))
    assert reason in str(page.problems[0])
    assert "\n" not in str(page.problems[0])


def test_undecodable_bytes_are_named(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\xff\xff\xff\xff" * 10)
    problem = read_page(path).problems[0]
    assert "undecodable" in problem.message or "binary" in problem.message


def test_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB (sparse)
    problem = read_page(path).problems[0]
    assert "too large (52.4 MB" in problem.message


def test_cli_parse_reports_each_bad_file_and_parses_the_rest(bad_dir):
    proc = subprocess.run(
        [sys.executable, "-m", "feeds", "parse", "--json", str(bad_dir)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr
    pages = {p["source"]: p for p in json.loads(proc.stdout)}
    assert len(pages["a-good.txt"]["articles"]) == 4
    errors = proc.stderr.strip().splitlines()
    for name in ("empty.txt", "image.txt", "nul.txt", "latin.txt"):
        assert sum(line.startswith(str(bad_dir / name) + ":") for line in errors) == 1, errors


def test_cli_parse_missing_file_is_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "feeds", "parse", str(tmp_path / "nope.txt")],
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"{tmp_path / 'nope.txt'}: No such file or directory"
    ]


def test_a_few_broken_bytes_in_utf8_keep_the_page(tmp_path):
    """A damaged UTF-8 dump: the page still parses, the bad byte is reported once."""
    data = (CORPUS / "page-01.txt").read_bytes()
    cut = data.index("会议还研究了其他事项".encode())
    path = tmp_path / "damaged.txt"
    path.write_bytes(data[:cut] + b"\xff" + data[cut:])
    page = read_page(path)
    assert page.encoding == "utf-8"
    assert len(page.articles) == 4
    assert [p.message for p in page.problems] == [
        f"1 undecodable byte(s) replaced, first at offset {cut}"
    ]


def test_gb18030_page_is_not_mistaken_for_damaged_utf8():
    page = read_page(CORPUS / "page-02.txt")
    assert page.encoding == "gb18030" and not page.problems
