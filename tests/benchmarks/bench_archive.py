"""A 10,000-page archive: peak memory of the full build, then one new page added incrementally.

    python tests/benchmarks/bench_archive.py [--pages 10000] [--workers N]

1. Full build of the generated archive with a fresh store (all cores): wall time and peak
   memory, both as the largest single process (wait4 ru_maxrss, what /usr/bin/time -v prints)
   and as the whole process tree (sampled sum of PSS, so pages shared by forked workers count
   once). Target: peak RSS <= 500 MB, i.e. of the largest process (RSS is a per-process
   figure); the tree's total is printed beside it.
2. Rebuild with nothing changed (what a cron job does most of the time).
3. Incremental add: the next day's page (generate.page(n, n)) is added to the seeds and the
   site rebuilt with the same store. Compared with building that page alone (fresh store,
   feeds.build.build_page), in the same run. Targets: <= 2 s and ratio <= 3.

Each build is a child process (build_once.py) timed from interpreter start to exit. With
`--keep`, the seeds, store and site stay in $FEEDS_BENCH_DIR and `--reuse` starts the next run
from them (useful at 10,000 pages, where a full build takes long).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

import common
import generate

TARGET_MB = 500
TARGET_ADD_S = 2.0
TARGET_RATIO = 3.0


def seeds_copy(archive: Path, dest: Path) -> Path:
    """A private seeds directory: hard links to the cached archive's pages (never modified)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for page in archive.glob("*.txt"):
        os.link(page, dest / page.name)
    return dest


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="10,000-page archive: memory, incremental add")
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=common.CORES)
    parser.add_argument(
        "--keep", action="store_true", help="keep the seeds, store and site for --reuse"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="start from a kept store and site: bring them up to date instead of the timed "
        "full build (no memory figure)",
    )
    args = parser.parse_args(argv)

    common.WORK.mkdir(parents=True, exist_ok=True)
    archive = common.archive(args.pages)
    work = common.WORK / f"bench-archive-{args.pages}"
    site, store = work / "site", work / "store.sqlite"
    reuse = args.reuse and store.exists() and site.exists()
    if reuse:
        seeds = work / "seeds"
        for page in seeds.glob("*.txt"):
            if not (archive / page.name).exists():
                page.unlink()  # the page a previous run added
    else:
        if work.exists():
            shutil.rmtree(work)
        seeds = seeds_copy(archive, work / "seeds")
    mb = common.size_of(seeds) / 1e6
    api = common.build_api()
    print(f"== archive: {args.pages} pages, {mb:.1f} MB, {args.workers} processes")
    if "store" not in api:
        print("   (feeds.build.build has no `store` in this tree: every build is a full build)")

    full, report = common.feeds_build(seeds, site, store=store, workers=args.workers)
    label = "catch-up build of the kept archive" if reuse else "full build"
    print(
        f"   {label}: {full.seconds:.1f} s ({mb / full.seconds:.2f} MB/s, "
        f"{full.cpu_seconds:.0f} CPU s), parsed {report['parsed']} pages, "
        f"{report['articles']} articles, {report['files']} files"
    )
    peak = full.max_rss_mb
    print(
        f"   peak RSS: {full.max_rss_mb:.0f} MB, the largest process (ru_maxrss, what "
        f"/usr/bin/time -v reports); target <= {TARGET_MB} MB"
        + ("" if reuse else f": {common.verdict(peak <= TARGET_MB)}")
    )
    print(
        f"   whole process tree: {full.tree_rss_mb:.0f} MB (sampled sum of PSS: the parse "
        "workers each hold jieba's dictionary; render processes share the parent's pages)"
    )

    same, same_report = common.feeds_build(seeds, site, store=store, workers=args.workers)
    print(
        f"   rebuild, nothing changed: {same.seconds:.2f} s "
        f"(parsed {same_report['parsed']}, files written {same_report['written']})"
    )

    name, data = generate.page(args.pages, args.pages)
    new_page = seeds / name
    assert not new_page.exists(), new_page
    new_page.write_bytes(data)
    add, add_report = common.feeds_build(seeds, site, store=store, workers=args.workers)
    alone = Path(tempfile.mkdtemp(dir=common.WORK))
    shutil.copy(new_page, alone / name)
    single, single_report = common.feeds_build(alone / name, alone / "site", single=True)
    shutil.rmtree(alone)
    ratio = add.seconds / single.seconds
    ok = add.seconds <= TARGET_ADD_S and ratio <= TARGET_RATIO
    print(
        f"   add {name} ({len(data) / 1e3:.0f} KB, {single_report['articles']} articles): "
        f"{add.seconds:.2f} s (parsed {add_report['parsed']}, new {add_report['new']}, "
        f"files written {add_report['written']} of {add_report['files']}); "
        f"that page alone: {single.seconds:.2f} s"
    )
    print(
        f"   ratio add/alone = {ratio:.2f}; targets <= {TARGET_ADD_S} s and ratio <= "
        f"{TARGET_RATIO}: {common.verdict(ok)}"
    )
    result = {
        "pages": args.pages,
        "mb": mb,
        "reused": reuse,
        "full_s": full.seconds,
        "full_max_rss_mb": full.max_rss_mb,
        "full_tree_mb": full.tree_rss_mb,
        "nochange_s": same.seconds,
        "add_s": add.seconds,
        "alone_s": single.seconds,
        "ratio": ratio,
        "add_report": add_report,
        "met": ok and (reuse or peak <= TARGET_MB),
    }
    if not (args.keep or os.environ.get("FEEDS_BENCH_KEEP")):
        shutil.rmtree(work, ignore_errors=True)
    return result


if __name__ == "__main__":
    main()
