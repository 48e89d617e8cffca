"""Build throughput: MB/s of a full `feeds build` next to jieba segmentation alone.

    python tests/benchmarks/bench_build.py [--pages 2000] [--workers N]

Both are measured in this run, on the same generated archive, as child processes timed from
start to exit (interpreter start, imports and jieba's dictionary load included on both sides),
with the same number of processes. The baseline reads and decodes every page and segments its
whole text with feeds.segment.tokenize (jieba with our user dictionary), in a process pool
the size of the build's. It runs before and after the build and the mean is used, so load
drifting on a shared machine hits both sides; the ratio of CPU seconds (user + system of each
process tree) is printed too, as it hardly depends on other load. Target: build /
segmentation >= 0.8.

It then measures a floor under the build: reading back the site the build wrote, compressing
every file as the build does (feeds.site.gzip_bytes) and writing the files and their `.gz`
copies into a fresh directory, in one child process, nothing else. The CPU seconds of that
alone, added to segmentation's, bound the CPU ratio any build of this same output could reach
even if parsing, topics and rendering cost nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import common

TARGET = 0.8


def _segment_chunk(paths: list[str]) -> tuple[int, int]:
    """Worker: (bytes read, tokens) for a chunk of page files."""
    from feeds.decode import decode
    from feeds.segment import tokenize

    size = tokens = 0
    for path in paths:
        data = Path(path).read_bytes()
        text, _ = decode(data, path)
        size += len(data)
        tokens += len(tokenize(text))
    return size, tokens


def _parse_chunk(paths: list[str]) -> int:
    """Worker: articles parsed from a chunk of page files (read, decode, parse; no jieba)."""
    from feeds.source import read_page

    return sum(len(read_page(path).articles) for path in paths)


def _chunks(pages_dir: Path, workers: int) -> list[list[str]]:
    """The page files of a directory dealt into 8 chunks per worker."""
    paths = sorted(str(p) for p in pages_dir.glob("*.txt"))
    return [paths[i :: workers * 8] for i in range(workers * 8)]


def _run_self(*args: str) -> common.Run:
    """This script run with `args` (one of its hidden modes) in a child process."""
    run = common.run_measured([common.PYTHON, __file__, *args], env=common.clean_env())
    if run.returncode != 0:
        raise RuntimeError(run.stderr)
    return run


def parse_only(pages_dir: Path, workers: int) -> dict:
    """Parse every page of a directory in a pool of `workers` processes."""
    with ProcessPoolExecutor(workers) as pool:
        return {"articles": sum(pool.map(_parse_chunk, _chunks(pages_dir, workers)))}


def measure_parsing(pages_dir: Path, workers: int) -> common.Run:
    return _run_self("--parse-only", str(pages_dir), "--workers", str(workers))


def segment_only(pages_dir: Path, workers: int) -> dict:
    """Segment every page of a directory in a pool of `workers` processes."""
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(_segment_chunk, _chunks(pages_dir, workers)))
    return {"bytes": sum(r[0] for r in results), "tokens": sum(r[1] for r in results)}


def measure_segmentation(pages_dir: Path, workers: int) -> common.Run:
    return _run_self("--segment-only", str(pages_dir), "--workers", str(workers))


def write_only(site: Path, out: Path) -> dict:
    """Read every file of a built site (not its .gz copies), then compress each as the build
    does and write it and its .gz into `out`: the CPU seconds of each step."""
    from feeds.site import gzip_bytes

    files = []
    for root, _, names in os.walk(site):
        files += [os.path.join(root, n) for n in sorted(names) if not n.endswith(".gz")]
    data = [Path(f).read_bytes() for f in files]
    start = time.process_time()
    packed = [gzip_bytes(d) for d in data]
    gzipped = time.process_time()
    made: set[str] = set()
    for name, raw, gz in zip(files, data, packed, strict=True):
        target = os.path.join(out, os.path.relpath(name, site))
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        for path, blob in ((target, raw), (target + ".gz", gz)):
            with open(path, "wb") as fh:
                fh.write(blob)
    written = time.process_time()
    return {
        "files": 2 * len(files),
        "bytes": sum(map(len, data)) + sum(map(len, packed)),
        "gzip_cpu_s": gzipped - start,
        "write_cpu_s": written - gzipped,
    }


def measure_floor(site: Path) -> dict:
    """write_only in a child process (its own interpreter, like the build)."""
    with tempfile.TemporaryDirectory(dir=common.WORK) as tmp:
        run = _run_self("--write-only", str(site), str(Path(tmp) / "copy"))
        return json.loads(run.stdout.strip().splitlines()[-1])


def measure_build(pages_dir: Path, workers: int) -> tuple[common.Run, dict, dict]:
    """A full build (fresh output directory and fresh store), then the floor of its output."""
    with tempfile.TemporaryDirectory(dir=common.WORK) as tmp:
        site = Path(tmp) / "site"
        run, report = common.feeds_build(
            pages_dir, site, store=Path(tmp) / "store.sqlite", workers=workers
        )
        floor = measure_floor(site)
        shutil.rmtree(site)
        return run, report, floor


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Build throughput vs jieba segmentation")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=common.CORES)
    parser.add_argument("--segment-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--write-only", type=Path, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--parse-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.segment_only:
        print(json.dumps(segment_only(args.segment_only, args.workers)))
        return {}
    if args.parse_only:
        print(json.dumps(parse_only(args.parse_only, args.workers)))
        return {}
    if args.write_only:
        print(json.dumps(write_only(*args.write_only)))
        return {}

    common.WORK.mkdir(parents=True, exist_ok=True)
    pages = common.archive(args.pages)
    mb = common.size_of(pages) / 1e6
    has_workers = "workers" in common.build_api()
    print(f"== build throughput: {args.pages} pages, {mb:.1f} MB, {args.workers} processes")
    if not has_workers:
        print("   (feeds.build.build has no `workers` in this tree: the build runs serially)")
    seg1 = measure_segmentation(pages, args.workers)
    build, report, floor = measure_build(pages, args.workers)
    seg2 = measure_segmentation(pages, args.workers)
    parsing = measure_parsing(pages, args.workers)
    seg_seconds = (seg1.seconds + seg2.seconds) / 2
    result = {
        "pages": args.pages,
        "mb": mb,
        "workers": args.workers,
        "build_s": build.seconds,
        "build_mb_s": mb / build.seconds,
        "segment_s": seg_seconds,
        "segment_mb_s": mb / seg_seconds,
        "build_peak_rss_mb": build.tree_rss_mb,
        "report": report,
    }
    result["ratio"] = result["build_mb_s"] / result["segment_mb_s"]
    seg_cpu = (seg1.cpu_seconds + seg2.cpu_seconds) / 2
    result["build_cpu_s"], result["segment_cpu_s"] = build.cpu_seconds, seg_cpu
    result["cpu_ratio"] = seg_cpu / build.cpu_seconds if build.cpu_seconds else 0.0
    floor_cpu = floor["gzip_cpu_s"] + floor["write_cpu_s"]
    result["floor"] = floor
    result["best_cpu_ratio"] = seg_cpu / (seg_cpu + floor_cpu)
    result["parse_cpu_s"] = parsing.cpu_seconds
    result["best_cpu_ratio_parsed"] = seg_cpu / (seg_cpu + floor_cpu + parsing.cpu_seconds)
    print(
        common.table(
            [
                ("", "wall s", "MB/s", "CPU s"),
                (
                    "full build",
                    f"{build.seconds:.1f}",
                    f"{result['build_mb_s']:.2f}",
                    f"{build.cpu_seconds:.1f}",
                ),
                (
                    "jieba alone",
                    f"{seg_seconds:.1f} ({seg1.seconds:.1f}, {seg2.seconds:.1f})",
                    f"{result['segment_mb_s']:.2f}",
                    f"{seg_cpu:.1f}",
                ),
            ]
        )
    )
    print(
        f"   {report['pages']} pages, {report['articles']} articles, {report['files']} files; "
        f"collect {report['collect_s'] or 0:.1f}s, publish "
        f"{report['build_s'] - (report['collect_s'] or 0):.1f}s, peak RSS (tree) "
        f"{build.tree_rss_mb:.0f} MB"
    )
    print(
        f"   ratio build/segmentation = {result['ratio']:.2f} (target >= {TARGET}): "
        f"{common.verdict(result['ratio'] >= TARGET)}; by CPU time (load-independent): "
        f"{result['cpu_ratio']:.2f}"
    )
    print(
        f"   floor: compressing and writing the output alone ({floor['files']} files, "
        f"{floor['bytes'] / 1e6:.0f} MB with the .gz) takes {floor['gzip_cpu_s']:.1f} + "
        f"{floor['write_cpu_s']:.1f} CPU s; with segmentation's {seg_cpu:.1f}, no build of "
        f"this output can reach a CPU ratio above {result['best_cpu_ratio']:.2f}"
    )
    print(
        f"   parsing alone (read, decode, parse; no jieba) takes {parsing.cpu_seconds:.1f} CPU s "
        f"({parsing.seconds:.1f} s wall): with it, no build of this output can reach a CPU "
        f"ratio above {result['best_cpu_ratio_parsed']:.2f}"
    )
    return result


if __name__ == "__main__":
    main()
    sys.exit(0)
