"""One build in this process, as `feeds build` does it, reporting JSON on stdout.

    python tests/benchmarks/build_once.py SEEDS OUT [--store FILE] [--workers N] [--full]
    python tests/benchmarks/build_once.py PAGE OUT --single

The benchmarks run it as a child process so each build is timed and measured (wall time, peak
RSS) from interpreter start to exit, like a user's `feeds build`. It calls feeds.build's public
functions with an explicit store file, so a benchmark never picks up the default store beside
the seeds. `--single` builds one page alone (feeds.build.build_page: fresh store, one process).
"""

from __future__ import annotations

import argparse
import inspect
import json
import time
from pathlib import Path

START = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("seeds", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--store", type=Path)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--single", action="store_true")
    args = parser.parse_args()

    from feeds import build as b

    if args.single and hasattr(b, "build_page"):
        report = b.build_page(args.seeds, args.out)
    else:
        wanted = {"store": args.store, "workers": args.workers, "full": args.full or None}
        accepted = inspect.signature(b.build).parameters
        kwargs = {k: v for k, v in wanted.items() if v is not None and k in accepted}
        report = b.build(args.seeds, args.out, **kwargs)
    stats = getattr(report, "collected", None)
    print(
        json.dumps(
            {
                "pages": report.pages,
                "articles": report.articles,
                "files": report.files,
                "written": getattr(report, "written", None),
                "problems": len(report.problems),
                "parsed": getattr(stats, "parsed", None),
                "new": getattr(stats, "new", None),
                "changed": getattr(stats, "changed", None),
                "collect_s": getattr(stats, "seconds", None),
                "build_s": report.seconds,
                "process_s": time.perf_counter() - START,
            }
        )
    )


if __name__ == "__main__":
    main()
