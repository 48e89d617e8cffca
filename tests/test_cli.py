"""The build and serve commands: help, bad input files as one line each, --strict, FEEDS_*
environment variables, one-line errors without tracebacks, and a real `feeds serve`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from feeds.cli import cli

from .conftest import SEEDS

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


def _summary(stdout: str) -> dict[str, int]:
    """The numbers of the build command's summary line."""
    pattern = (
        r"(?P<pages>\d+) pages \((?P<parsed>\d+) parsed\), (?P<articles>\d+) articles "
        r"\((?P<new>\d+) new, (?P<changed>\d+) changed\), (?P<files>\d+) files "
        r"\((?P<written>\d+) written\), (?P<problems>\d+) problems"
    )
    m = re.search(pattern, stdout)
    assert m, stdout
    return {k: int(v) for k, v in m.groupdict().items()}


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}


@pytest.fixture()
def seeds_with_bad_files(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for page in SEEDS.glob("*.txt"):
        (seeds / page.name).write_bytes(page.read_bytes())
    (seeds / "photo.txt").write_bytes(PNG)
    (seeds / "empty.txt").write_bytes(b"")
    return seeds


@pytest.mark.parametrize("command", ["build", "serve"])
def test_help(runner, command: str) -> None:
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"feeds {command}" in result.output.split("Example:")[1]
    for option in ("--seeds", "--base-url", "--limit"):
        assert option in result.output
    assert "FEEDS_SEEDS" in result.output


def test_build_reports_each_bad_file_once_and_builds_the_rest(
    runner, seeds_with_bad_files: Path, tmp_path: Path, seed_collection
) -> None:
    out = tmp_path / "site"
    result = runner.invoke(
        cli, ["build", "--seeds", str(seeds_with_bad_files), "--out", str(out)], env=_clean_env()
    )
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    for name in ("photo.txt", "empty.txt"):
        assert len([line for line in lines if name in line]) == 1, lines
    assert "Traceback" not in result.output
    assert "1 pages" not in result.stdout  # three page files were read
    assert "3 pages" in result.stdout and "problems" in result.stdout
    articles = {p.stem for p in (out / "articles").glob("*.html")}
    assert articles == {it.id for it in seed_collection.items}
    assert feedparser.parse((out / "feeds" / "all.rss").read_bytes()).entries


def test_a_rebuild_that_changes_nothing_reports_the_same_problems_and_counts(
    runner, seeds_with_bad_files: Path, tmp_path: Path
) -> None:
    """The second build finds the site current without loading the archive (see
    feeds.build.unchanged_site) and still says what the first said: the bad files, once
    each, and the same counts; --strict still refuses."""
    out = tmp_path / "site"
    args = ["build", "--seeds", str(seeds_with_bad_files), "--out", str(out)]
    first = runner.invoke(cli, args, env=_clean_env())
    again = runner.invoke(cli, args, env=_clean_env())
    assert first.exit_code == again.exit_code == 0, again.output
    assert again.stderr == first.stderr and "photo.txt" in again.stderr
    counts = [_summary(first.stdout), _summary(again.stdout)]
    for name in ("pages", "articles", "files", "problems"):
        assert counts[0][name] == counts[1][name] > 0, name
    assert counts[0]["parsed"] == 3 and counts[0]["written"] > 0
    assert counts[1]["parsed"] == counts[1]["new"] == counts[1]["written"] == 0
    strict = runner.invoke(cli, [*args[:1], "--strict", *args[1:]], env=_clean_env())
    assert strict.exit_code == 1 and "photo.txt" in strict.stderr


def test_strict_exits_1_and_writes_nothing(
    runner, seeds_with_bad_files: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    args = ["build", "--strict", "--seeds", str(seeds_with_bad_files), "--out", str(out)]
    result = runner.invoke(cli, args, env=_clean_env())
    assert result.exit_code == 1
    assert "photo.txt" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
    clean = runner.invoke(
        cli, ["build", "--strict", "--seeds", str(SEEDS), "--out", str(out)], env=_clean_env()
    )
    assert clean.exit_code == 0, clean.output
    assert (out / "index.html").exists()


def test_environment_variables_mirror_options(runner, tmp_path: Path) -> None:
    out = tmp_path / "site"
    env = _clean_env() | {
        "FEEDS_SEEDS": str(SEEDS),
        "FEEDS_OUT": str(out),
        "FEEDS_BASE_URL": "https://example.org/qj",
        "FEEDS_LIMIT": "1",
    }
    result = runner.invoke(cli, ["build"], env=env)
    assert result.exit_code == 0, result.output
    parsed = feedparser.parse((out / "feeds" / "all.atom").read_bytes())
    assert len(parsed.entries) == 1
    assert parsed.entries[0].link.startswith("https://example.org/qj/articles/")


def test_missing_seeds_dir_is_one_line_error_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "feeds", "build", "--seeds", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        env=_clean_env(),
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ") and "nope" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_importing_the_cli_stays_light() -> None:
    code = (
        "import sys, feeds.cli; "
        "heavy = {'jieba', 'flask', 'feedgen', 'jinja2'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_serve_answers_on_the_address_it_prints(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "feeds", "serve", "--port", "0", "--seeds", str(SEEDS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_clean_env(),
        cwd=tmp_path,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("Serving "), line
        base = line.split(" at ", 1)[1].split("/ ", 1)[0]
        assert base.startswith("http://127.0.0.1:") and not base.endswith(":0")
        url = f"{base}/feeds/all.rss"
        parsed = feedparser.parse(url)
        assert parsed.status == 200 and not parsed.bozo
        assert parsed.entries and all(e.link.startswith(base + "/") for e in parsed.entries)
        self_link = next(link.href for link in parsed.feed.links if link.rel == "self")
        assert self_link == url
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(10)
        proc.stdout.close()
    assert code == 0
