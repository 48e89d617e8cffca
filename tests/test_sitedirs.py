"""feeds.sitedirs: the app's site directories beside the store are claimed while an app
serves them, and the unclaimed ones of other configurations go when an app starts."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

from feeds import sitedirs
from feeds.web import DEFAULTS, create_app, site_config

REPO = Path(__file__).resolve().parents[1]


def _app(seeds: Path, store: Path, base: str):  # noqa: ANN202
    return create_app({"SEEDS": str(seeds), "STORE": str(store), "BASE_URL": base, "TESTING": True})


def test_an_app_removes_the_site_directories_nobody_serves(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    store = tmp_path / ".feeds" / "store.sqlite"
    one = _app(seeds, store, "https://one.example.org")
    first = one.extensions["feeds_site_dir"]
    assert (first / "feeds" / "all.rss").is_file()
    two = _app(seeds, store, "https://two.example.org")
    second = two.extensions["feeds_site_dir"]
    assert second != first
    assert (first / "feeds" / "all.rss").is_file(), "still served by the first app"
    del one
    gc.collect()  # the first app is gone: its claim with it
    three = _app(seeds, store, "https://two.example.org")
    assert three.extensions["feeds_site_dir"] == second
    assert not first.exists()
    leftovers = [p.name for p in store.parent.iterdir() if first.name in p.name]
    assert leftovers == [], leftovers  # manifest, standby and lock files too
    assert (second / "feeds" / "all.rss").is_file()
    assert three.test_client().get("/feeds/all.rss").status_code == 200


def test_a_claim_in_another_process_keeps_its_directory(tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite"
    theirs = sitedirs.site_dir(store, site_config(DEFAULTS | {"LIMIT": 7}))
    (theirs / "feeds").mkdir(parents=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from feeds import sitedirs; "
            "fh = sitedirs.claim(Path(sys.argv[1])); print('ok', flush=True); time.sleep(60)",
            str(theirs),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        mine = sitedirs.site_dir(store, site_config(DEFAULTS))
        claim = sitedirs.claim(mine)
        assert sitedirs.prune(mine) == []
        assert theirs.is_dir()
    finally:
        holder.kill()
        holder.wait()
    assert sitedirs.prune(mine) == [theirs.name]
    assert not theirs.exists() and mine.parent.is_dir()
    claim.close()


def test_only_site_directories_are_pruned(tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite"
    mine = sitedirs.site_dir(store, site_config(DEFAULTS))
    for name in ("site", "site-notadigest", "public", "site-0123456789ab.txt"):
        (tmp_path / name).mkdir()
    stale = tmp_path / "site-0123456789ab"
    (stale / "feeds").mkdir(parents=True)
    (tmp_path / ".site-0123456789ab.standby").mkdir()
    (tmp_path / ".site-0123456789ab.manifest.sqlite").write_bytes(b"x")
    assert sitedirs.prune(mine) == ["site-0123456789ab"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "public",
        "site",
        "site-0123456789ab.txt",
        "site-notadigest",
    ]
