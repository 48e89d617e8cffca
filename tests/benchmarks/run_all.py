"""Run every benchmark and print its figures, then a summary against the targets.

    python tests/benchmarks/run_all.py            # the issue's sizes (takes a while)
    python tests/benchmarks/run_all.py --quick    # small sizes: checks the scripts work

Each benchmark is also a script of its own (bench_build.py, bench_archive.py, bench_serve.py,
bench_load.py; generate.py makes the archives). Archives are cached in $FEEDS_BENCH_DIR
(default /tmp/feeds-bench). Loopback only; every server is stopped when its benchmark ends.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

import bench_archive
import bench_build
import bench_load
import bench_serve
import common


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs")
    parser.add_argument(
        "--only", nargs="*", choices=["build", "archive", "serve", "load"], help="a subset"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    only = set(args.only or ["build", "archive", "serve", "load"])
    print(
        f"feeds benchmarks: {platform.python_implementation()} {platform.python_version()}, "
        f"{common.CORES} cores, {platform.machine()}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    results: dict[str, dict] = {}
    started = time.perf_counter()
    if "build" in only:
        results["build"] = bench_build.main(["--pages", "100" if quick else "2000"])
    if "archive" in only:
        results["archive"] = bench_archive.main(["--pages", "300" if quick else "10000"])
    if "serve" in only:
        serve = ["--seconds", "2", "--rounds", "1"] if quick else []
        results["serve"] = bench_serve.main(["--pages", "60", *serve] if quick else serve)
    if "load" in only:
        load = ["--pages", "60", "--seconds", "10"] if quick else []
        results["load"] = bench_load.main(load)

    print(f"\n== summary ({time.perf_counter() - started:.0f} s)")
    rows = [("benchmark", "figure", "target", "")]
    if "build" in results:
        r = results["build"]
        rows.append(
            (
                f"build {r['pages']} pages",
                f"{r['build_mb_s']:.2f} MB/s vs jieba {r['segment_mb_s']:.2f} MB/s = "
                f"{r['ratio']:.2f} (by CPU {r['cpu_ratio']:.2f}; at most "
                f"{r['best_cpu_ratio_parsed']:.2f} for this output and parser)",
                ">= 0.8",
                common.verdict(r["ratio"] >= bench_build.TARGET),
            )
        )
    if "archive" in results:
        r = results["archive"]
        peak = r["full_max_rss_mb"]  # peak RSS: the largest process (the tree is shown too)
        rows.append(
            (
                f"memory, {r['pages']}-page build",
                f"{r['full_max_rss_mb']:.0f} MB largest process, {r['full_tree_mb']:.0f} MB tree",
                "<= 500 MB",
                common.verdict(peak <= bench_archive.TARGET_MB),
            )
        )
        rows.append(
            (
                "incremental add",
                f"{r['add_s']:.2f} s, {r['ratio']:.2f} x the page alone ({r['alone_s']:.2f} s)",
                "<= 2 s, <= 3",
                common.verdict(
                    r["add_s"] <= bench_archive.TARGET_ADD_S
                    and r["ratio"] <= bench_archive.TARGET_RATIO
                ),
            )
        )
    if "serve" in results:
        r = results["serve"]
        for status in ("200", "304"):
            rows.append(
                (
                    f"serve {status}",
                    f"{r[f'rps_{status}']:.0f} req/s vs bare {r[f'bare_rps_{status}']:.0f} = "
                    f"{r[f'ratio_{status}']:.2f}",
                    ">= 0.9",
                    common.verdict(r[f"ratio_{status}"] >= bench_serve.TARGET),
                )
            )
    if "load" in results:
        for name, r in results["load"].items():
            if not isinstance(r, dict):
                continue
            w = r["wrk"]
            rows.append(
                (
                    f"load, {name}",
                    f"{w['requests']} req, p99 {w['p99_ms']:.0f} ms, {w['bad_status']} bad, "
                    f"{w['truncated'] + r['broken']} truncated, {r['rebuilds']} rebuilds",
                    "0 bad, 0 truncated",
                    common.verdict(r["ok"]),
                )
            )
    print(common.table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
