"""Serving: wrk against the feeds app under gunicorn, next to a bare Flask app, same run.

    python tests/benchmarks/bench_serve.py [--pages 100] [--seconds 5] [--rounds 3]

Both apps run under the same gunicorn command (2 sync workers, 127.0.0.1). The bare app
(bare_app.py) answers with the exact bytes and headers the feeds app gave for the same feed,
recorded first, so the difference is what feeds does per request. Measured for the 200 answer
and for the 304 answer to If-None-Match with the current ETag; the cells are interleaved for
`--rounds` rounds and the median requests/s is compared. Target: feeds / bare >= 0.9, both.

On a shared machine requests/s swing with other load, so two load-independent figures are
printed beside them: the server's CPU time per request (user + system of the gunicorn
process tree during each wrk run, divided by the requests served) and the CPU time per
request of each app called in-process through the WSGI test client.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import statistics
import tempfile
from contextlib import ExitStack
from pathlib import Path

import common

TARGET = 0.9
PATH = "/feeds/all.rss"
SKIP = {"date", "server", "connection", "content-length", "transfer-encoding"}


def record(base: str, path: str) -> dict:
    """What the feeds app answers for `path`: body and headers of the 200 and of the 304."""
    status, headers, body = common.fetch(base + path)
    assert status == 200, status
    etag = headers["ETag"]
    status_304, headers_304, _ = common.fetch(base + path, {"If-None-Match": etag})
    assert status_304 == 304, status_304
    keep = lambda hs: [(k, v) for k, v in hs.items() if k.lower() not in SKIP]  # noqa: E731
    return {
        "path": path,
        "etag": etag,
        "body": base64.b64encode(body).decode(),
        "headers_200": keep(headers),
        "headers_304": keep(headers_304),
        "bytes": len(body),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="feeds app vs bare Flask app under gunicorn")
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args(argv)

    common.WORK.mkdir(parents=True, exist_ok=True)
    pages = common.archive(args.pages)
    feeds_port, bare_port = common.free_port(), common.free_port()
    feeds_url, bare_url = f"http://127.0.0.1:{feeds_port}", f"http://127.0.0.1:{bare_port}"
    print(
        f"== serving: gunicorn -w 2 on 127.0.0.1, {PATH} of a {args.pages}-page archive, "
        f"wrk -t2 -c{args.connections} -d{args.seconds}s x {args.rounds} rounds"
    )
    tmp = Path(tempfile.mkdtemp(dir=common.WORK))
    try:
        return _run(args, pages, tmp, feeds_port, bare_port, feeds_url, bare_url)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(args, pages: Path, tmp: Path, feeds_port, bare_port, feeds_url, bare_url) -> dict:  # noqa: ANN001
    tmp_store = tmp / "store.sqlite"
    with ExitStack() as stack:
        env = common.clean_env(
            FEEDS_SEEDS=str(pages), FEEDS_STORE=str(tmp_store), FEEDS_BASE_URL=feeds_url
        )
        feeds_proc = stack.enter_context(
            common.server(
                common.gunicorn("feeds.web:create_app()", feeds_port, env),
                feeds_url + PATH,
                env=env,
                cwd=tmp,
            )
        )
        spec = record(feeds_url, PATH)
        (tmp / "spec.json").write_text(json.dumps(spec))
        bare_env = common.clean_env(BARE_SPEC=str(tmp / "spec.json"))
        bare_proc = stack.enter_context(
            common.server(
                common.gunicorn("bare_app:create_app()", bare_port, bare_env),
                bare_url + PATH,
                env=bare_env,
            )
        )
        bare = record(bare_url, PATH)
        assert bare["body"] == spec["body"] and bare["headers_200"] == spec["headers_200"]
        assert bare["headers_304"] == spec["headers_304"]
        conditional = [(PATH, {"If-None-Match": spec["etag"]})]
        cells = {
            ("feeds", "200"): (feeds_url, [(PATH, {})], feeds_proc.pid),
            ("bare", "200"): (bare_url, [(PATH, {})], bare_proc.pid),
            ("feeds", "304"): (feeds_url, conditional, feeds_proc.pid),
            ("bare", "304"): (bare_url, conditional, bare_proc.pid),
        }
        rps: dict[tuple[str, str], list[float]] = {k: [] for k in cells}
        p99: dict[tuple[str, str], list[float]] = {k: [] for k in cells}
        cpu: dict[tuple[str, str], list[float]] = {k: [] for k in cells}
        for _ in range(args.rounds):
            for key, (url, reqs, pid) in cells.items():
                before = common.tree_cpu(pid)
                fig = common.wrk(url, reqs, args.seconds, args.connections)
                cpu[key].append((common.tree_cpu(pid) - before) / fig["requests"] * 1e6)
                expected = "200" if key[1] == "200" else "304"
                errors = fig["bad_status"] + fig["errors_timeout"] + fig["truncated"]
                if errors:
                    raise RuntimeError(f"{key}: {errors} bad responses (want {expected}): {fig}")
                rps[key].append(fig["rps"])
                p99[key].append(fig["p99_ms"])
    med = {k: statistics.median(v) for k, v in rps.items()}
    server_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    result = {"bytes": spec["bytes"], "pages": args.pages}
    rows = [
        (
            "",
            "feeds req/s",
            "bare req/s",
            "ratio",
            "p99 feeds/bare ms",
            "server CPU us/req feeds/bare",
            "target",
        )
    ]
    ok = True
    for status in ("200", "304"):
        ratio = med[("feeds", status)] / med[("bare", status)]
        ok &= ratio >= TARGET
        result[f"rps_{status}"] = med[("feeds", status)]
        result[f"bare_rps_{status}"] = med[("bare", status)]
        result[f"ratio_{status}"] = ratio
        result[f"cpu_ratio_{status}"] = server_cpu[("bare", status)] / server_cpu[("feeds", status)]
        rows.append(
            (
                status,
                f"{med[('feeds', status)]:.0f}",
                f"{med[('bare', status)]:.0f}",
                f"{ratio:.2f}",
                f"{statistics.median(p99[('feeds', status)]):.1f} / "
                f"{statistics.median(p99[('bare', status)]):.1f}",
                f"{server_cpu[('feeds', status)]:.0f} / {server_cpu[('bare', status)]:.0f} "
                f"(ratio {result[f'cpu_ratio_{status}']:.2f})",
                f">= {TARGET}: {common.verdict(ratio >= TARGET)}",
            )
        )
    print(
        f"   body {spec['bytes']} bytes; per-round req/s: "
        + "; ".join(f"{k[0]} {k[1]}: {', '.join(f'{x:.0f}' for x in v)}" for k, v in rps.items())
    )
    print(common.table(rows))
    result["met"] = ok
    result["cpu_us"] = per_request_cpu(pages, tmp_store, feeds_url, spec)
    cpu = result["cpu_us"]
    print(
        "   per-request CPU in one process (WSGI test client, no server; load-independent): "
        + "; ".join(
            f"{st}: feeds {cpu[('feeds', st)]:.0f} us, bare {cpu[('bare', st)]:.0f} us"
            for st in ("200", "304")
        )
    )
    return result


def per_request_cpu(pages: Path, store: Path, base: str, spec: dict, n: int = 2000) -> dict:
    """CPU microseconds per request of each app, called in-process (best of 3 runs of n)."""
    import os
    import time

    import bare_app

    from feeds.web import create_app

    feeds = create_app({"SEEDS": str(pages), "STORE": str(store), "BASE_URL": base}).test_client()
    os.environ["BARE_SPEC"] = str(store.with_name("spec.json"))
    bare = bare_app.create_app().test_client()
    out = {}
    for status, headers in (("200", {}), ("304", {"If-None-Match": spec["etag"]})):
        for name, client in (("feeds", feeds), ("bare", bare)):
            assert client.get(PATH, headers=headers).status_code == int(status)
            runs = []
            for _ in range(3):
                start = time.process_time()
                for _ in range(n):
                    client.get(PATH, headers=headers)
                runs.append((time.process_time() - start) / n * 1e6)
            out[(name, status)] = min(runs)
    return out


if __name__ == "__main__":
    main()
