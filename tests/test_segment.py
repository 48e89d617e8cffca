"""feeds.segment: the one jieba module. Lazy import, quiet, user dictionary, meaningful tags."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from feeds import segment

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_6874899e96e9eef1.txt"

# From the seed page: the banner and the opening of the 新春第一会 and 常务会 reports.
SEED_TEXT = (
    "持续深化“五城”建设 奋力打造“青年衢江” 加快推动产城人融合发展\n"
    "区政府召开第50次常务会\n"
    "2月19日,区委副书记、区长贵丽青主持召开区政府第50次常务会。会议指出,要加大宣传力度,"
    "进一步激发广大党员干部干事创业的责任感、使命感,为深化“五城”建设、打造青年衢江贡献更多力量。"
)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter with the repository importable."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True
    )


def test_importing_the_cli_does_not_import_jieba():
    proc = run_python("import feeds.cli, sys; assert 'jieba' not in sys.modules")
    assert proc.returncode == 0, proc.stderr


def test_cli_help_does_not_import_jieba():
    code = (
        "import sys\n"
        "from feeds.cli import cli\n"
        "try:\n"
        "    cli.main(['--help'], prog_name='feeds')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "assert 'jieba' not in sys.modules\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert "Usage" in proc.stdout


def test_importing_segment_is_lazy_and_first_use_loads_jieba():
    code = (
        "import sys\n"
        "from feeds import segment\n"
        "assert 'jieba' not in sys.modules\n"
        "segment.tokenize('区委常委会召开会议')\n"
        "assert 'jieba' in sys.modules\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr


def test_jieba_is_quiet():
    """No "Building prefix dict" / "Loading model" lines on stderr."""
    proc = run_python("from feeds import segment; print(segment.keywords('志愿者献血', 2))")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "献血" in proc.stdout


def test_tokenize_precise_mode_keeps_local_terms_whole():
    tokens = segment.tokenize(SEED_TEXT)
    for term in ("五城", "青年衢江", "区政府", "常务会", "产城人融合"):
        assert term in tokens
    assert "".join(tokens) == "".join(SEED_TEXT.split())  # nothing lost but whitespace


def test_every_user_term_is_one_token():
    words = [w for w, _, _ in segment.user_words()]
    assert len(words) > 100
    split = {w: segment.tokenize(w) for w in words if segment.tokenize(w) != [w]}
    assert not split


def test_user_dictionary_has_the_local_terms():
    words = {w for w, _, _ in segment.user_words()}
    wanted = {"五城", "青年衢江", "衢江", "区委常委会", "常务会议", "志愿服务队", "红十字会"}
    wanted |= {"蓝天救援队", "学雷锋", "理论学习中心组", "民生实事", "共富工坊"}
    assert wanted <= words


def test_tokenize_drops_whitespace_and_handles_empty_text():
    assert segment.tokenize("") == []
    assert segment.tokenize(" \n\u3000 ") == []
    assert segment.tokenize("志愿者 \n 献血") == ["志愿者", "献血"]


def test_stop_words_include_the_meaningless_ones():
    stop = segment.stopwords()
    assert {"工作", "发展", "推进", "全区", "我区", "会议", "要", "进一步"} <= stop
    assert not stop & {"五城", "青年衢江", "志愿者", "常务会议"}


@pytest.mark.parametrize(
    ("token", "ok"),
    [
        ("五城", True),
        ("青年衢江", True),
        ("二十大", True),
        ("AED", True),
        ("工作", False),  # stop word
        ("发展", False),
        ("志", False),  # single character
        ("2023", False),  # number
        ("2023年度", False),
        ("一季度", False),  # numeral + measure word
        ("第十一次", False),
        ("十四", False),
        ("。", False),
        ("“五城”", False),  # punctuation
    ],
)
def test_is_tag_word(token, ok):
    assert segment.is_tag_word(token) is ok


def test_seed_page_tags_are_meaningful():
    text = SEED.read_text(encoding="utf-8")
    tags = segment.keywords(text, k=10)
    assert len(tags) == 10
    assert {"五城", "青年衢江"} <= set(tags)
    assert not set(tags) & {"工作", "发展", "会议", "推进", "全区"}


def test_stop_words_never_appear_as_tags():
    text = SEED.read_text(encoding="utf-8")
    tags = segment.keywords(text, k=200)
    assert len(tags) == 200
    assert not set(tags) & segment.stopwords()
    assert all(len(tag) >= 2 and not any(ch.isdigit() for ch in tag) for tag in tags)


def test_tags_exclude_words_jieba_only_guesses():
    """Names and slogan fragments found by jieba's HMM (王慧杰, 以学) are not tags."""
    text = "以学促知 以知促行。区委书记王慧杰讲话。王慧杰强调,以学促知。"
    tokens = segment.tokenize(text)
    assert "王慧杰" in tokens
    assert "王慧杰" not in segment.keywords(text, k=20)


def test_tags_are_ranked_by_tf_idf_with_stable_ties():
    # 青年衢江 and 区委常委会 are not in jieba's IDF table: both get its median IDF, a tie.
    assert segment.top_terms({"青年衢江": 1, "区委常委会": 1}, 2) == ["青年衢江", "区委常委会"]
    assert segment.top_terms({"区委常委会": 1, "青年衢江": 1}, 2) == ["区委常委会", "青年衢江"]
    # frequency beats first occurrence
    assert segment.top_terms({"区委常委会": 1, "青年衢江": 2}, 1) == ["青年衢江"]
    # a rare word beats a common one at the same count
    assert segment.top_terms({"项目": 1, "献血": 1}, 1) == ["献血"]
    assert segment.top_terms({"青年衢江": 1}, 0) == []


def test_analyse_is_one_pass_of_tokenize_and_keywords():
    tokens, tags = segment.analyse(SEED_TEXT, 3)
    assert tokens == segment.tokenize(SEED_TEXT)
    assert tags == segment.keywords(SEED_TEXT, 3)
    assert len(tags) == 3


def test_tags_are_stable_across_processes():
    """Same text, same tags and tokens, whatever the hash seed of the process."""
    code = (
        "import json, pathlib\n"
        "from feeds import segment\n"
        "text = pathlib.Path('seeds/000_6874899e96e9eef1.txt').read_text(encoding='utf-8')\n"
        "tokens, tags = segment.analyse(text, 20)\n"
        "print(json.dumps([len(tokens), tags], ensure_ascii=False))\n"
    )
    runs = [run_python(code, PYTHONHASHSEED=seed) for seed in ("1", "2")]
    assert all(proc.returncode == 0 for proc in runs), runs[0].stderr
    first, second = (json.loads(proc.stdout) for proc in runs)
    assert first == second
    here = segment.analyse(SEED.read_text(encoding="utf-8"), 20)
    assert first == [len(here[0]), here[1]]


def test_idf_cache_is_written_once_and_a_damaged_one_is_rebuilt(tmp_path: Path) -> None:
    """The IDF table parsed from jieba's idf.txt equals the one loaded from the cache; a
    damaged cache file is parsed again and rewritten, never an error."""
    code = (
        "import json; from feeds import segment; table, median = segment._idf(); "
        "print(json.dumps([len(table), median, table['献血'], "
        "segment.keywords('衢江区召开区委常委会，研究部署志愿服务、无偿献血工作。', 3)], "
        "ensure_ascii=False))"
    )
    env = {"TMPDIR": str(tmp_path)}
    first = run_python(code, **env)
    assert first.returncode == 0, first.stderr
    caches = list(tmp_path.glob("feeds-idf-*.cache"))
    assert len(caches) == 1
    written = caches[0].stat().st_mtime_ns
    second = run_python(code, **env)
    assert second.stdout == first.stdout
    assert caches[0].stat().st_mtime_ns == written  # read, not written again
    caches[0].write_bytes(b"\x00not marshal")
    third = run_python(code, **env)
    assert third.returncode == 0, third.stderr
    assert third.stdout == first.stdout
    assert caches[0].stat().st_size > 1000  # rewritten whole
    assert not list(tmp_path.glob("*.tmp"))
    size, median, idf, tags = json.loads(first.stdout)
    import jieba

    lines = (Path(jieba.__file__).parent / "analyse" / "idf.txt").read_text("utf-8").splitlines()
    assert size == sum(" " in line for line in lines) and median > 0
    assert f"献血 {idf}" in lines or any(
        line.startswith("献血 ") and float(line.split()[1]) == idf for line in lines
    )
    assert tags == ["无偿献血", "区委常委会", "志愿服务"]


def test_jieba_is_imported_without_pkg_resources() -> None:
    result = run_python(
        "import sys; from feeds import segment; segment.tokenize('衢江'); "
        "print('pkg_resources' in sys.modules)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_whole_file_marshal_loads_what_marshal_load_does(tmp_path: Path) -> None:
    import marshal

    value = ({"衢江": 3, "衢": 0, "区委": 7}, 10)
    path = tmp_path / "x.cache"
    with open(path, "wb") as fh:
        segment._WholeFileMarshal.dump(value, fh)
    with open(path, "rb") as fh:
        assert segment._WholeFileMarshal.load(fh) == value
    with open(path, "rb") as fh:
        assert marshal.load(fh) == value


def test_jieba_dictionary_cache_gives_the_same_tokenizer_as_building_it(tmp_path: Path) -> None:
    """jieba's prefix dictionary, built (first process: no cache in TMPDIR, jieba writes one
    through our marshal) or loaded whole from that cache (second process), is the same."""
    code = (
        "import json, jieba; from feeds import segment; t = segment._get_tokenizer(); "
        "print(json.dumps([jieba.marshal is segment._WholeFileMarshal, len(t.FREQ), t.total, "
        f"segment.tokenize({SEED_TEXT!r})], ensure_ascii=False))"
    )
    env = {"TMPDIR": str(tmp_path)}
    first = run_python(code, **env)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "jieba.cache").stat().st_size > 1_000_000
    second = run_python(code, **env)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    shimmed, size, total, tokens = json.loads(first.stdout)
    assert shimmed and size > 300_000 and total > 0
    assert "青年衢江" in tokens and "常务会" in "".join(tokens)
