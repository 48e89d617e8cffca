"""Shared pieces of the benchmark scripts: archives, `feeds build` runs, servers, wrk.

Everything runs on this machine and talks to loopback only; every server is started as a
child process and stopped by its own pid.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import generate

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PYTHON = sys.executable
BIN = Path(sys.executable).parent
WORK = Path(os.environ.get("FEEDS_BENCH_DIR", Path(tempfile.gettempdir()) / "feeds-bench"))
CORES = os.cpu_count() or 1


def archive(pages: int, seed: int = generate.SEED) -> Path:
    """A generated archive of `pages` pages, cached under WORK and keyed by what its bytes
    depend on (generate.fingerprint), so a parser change regenerates it."""
    path = WORK / f"archive-{pages}-{seed}-{generate.fingerprint()}"
    done = path / ".complete"
    if not done.exists():
        if path.exists():
            shutil.rmtree(path)
        generate.write(path, pages, seed)
        done.write_text("ok\n")
    return path


def size_of(pages_dir: Path) -> int:
    """Bytes of the page files in a directory."""
    return sum(p.stat().st_size for p in pages_dir.glob("*.txt"))


def build_api() -> set[str]:
    """The keyword parameters of feeds.build.build in this tree (store, workers, ...)."""
    import inspect

    from feeds import build

    return set(inspect.signature(build.build).parameters)


@dataclass
class Run:
    """A finished child process: wall time, peak RSS (largest process, whole tree), output."""

    seconds: float
    max_rss_mb: float  # ru_maxrss of the largest process of the tree
    tree_rss_mb: float  # sampled peak of the process tree's total memory (PSS sum)
    stdout: str
    stderr: str
    returncode: int
    cpu_seconds: float = 0.0  # user + system time of the tree (children that were waited for)


def run_measured(cmd: Sequence[str], env: dict | None = None, sample: float = 0.1) -> Run:
    """Run a command to completion: wall time, its own rusage (wait4) and sampled tree memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    output: dict[str, str] = {}
    readers = [
        threading.Thread(target=lambda k=k, f=f: output.__setitem__(k, f.read()), daemon=True)
        for k, f in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for thread in readers:
        thread.start()
    peak = [0]
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            # every `sample` s for a minute, then every 0.5 s (long builds)
            stop.wait(sample if time.perf_counter() - start < 60 else max(sample, 0.5))

    watcher = threading.Thread(target=sampler, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's rusage, not every child's
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    watcher.join()
    for thread in readers:
        thread.join()
    proc.stdout.close()
    proc.stderr.close()
    # ru_maxrss (KiB): the largest process of the tree (the child or a descendant it waited for)
    return Run(
        seconds,
        usage.ru_maxrss / 1024,
        peak[0] / 2**20,
        output["out"],
        output["err"],
        proc.returncode,
        usage.ru_utime + usage.ru_stime,
    )


def tree_rss(pid: int) -> int:
    """Memory (bytes) of a process and all its descendants: the sum of their proportional set
    sizes (PSS: a page shared by k forked processes counts 1/k in each, so it is not counted
    k times), from /proc/<pid>/smaps_rollup; RSS where PSS is unavailable."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _pss(p)
        todo.extend(children.get(p, []))
    return total


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process's live descendants and itself."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(stat.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += stats.get(p, (0, 0.0))[1]
        todo.extend(k for k, (ppid, _) in stats.items() if ppid == p)
    return total


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def feeds_build(
    seeds: Path,
    out: Path,
    *,
    store: Path | None = None,
    workers: int | None = None,
    full: bool = False,
    single: bool = False,
) -> tuple[Run, dict]:
    """One build in a child process (build_once.py): its measurements and its JSON report."""
    cmd = [PYTHON, str(HERE / "build_once.py"), str(seeds), str(out)]
    if store is not None:
        cmd += ["--store", str(store)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    cmd += ["--full"] * full + ["--single"] * single
    run = run_measured(cmd, env=clean_env())
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{run.stderr[-3000:]}")
    return run, json.loads(run.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 600) -> None:
    """Wait until `url` answers (any status), or fail if the server died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


@contextmanager
def server(cmd: Sequence[str], url: str, env: dict | None = None, cwd=None) -> Iterator:
    """Run a server child process until the block ends; stop it by its own pid."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(list(cmd), env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_http(url, proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.seek(0)
        tail = log.read()[-3000:].decode("utf-8", "replace")
        log.close()
        if proc.returncode not in (0, -15) and tail:
            print(tail, file=sys.stderr)


def gunicorn(
    app: str, port: int, env: dict, workers: int = 2, extra: Sequence[str] = ()
) -> list[str]:
    """The gunicorn command line used by the benchmarks (sync workers, loopback)."""
    return [
        str(BIN / "gunicorn"),
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-" if os.environ.get("FEEDS_BENCH_ACCESS_LOG") else "/dev/null",
        *control_socket_off(),
        *extra,
        app,
    ]


def control_socket_off() -> list[str]:
    """gunicorn >= 25.1 opens a control socket at one path per user: not for side-by-side runs."""
    from importlib import metadata

    version = tuple(int(x) for x in re.findall(r"\d+", metadata.version("gunicorn"))[:2])
    return ["--no-control-socket"] if version >= (25, 1) else []


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


# -- wrk ---------------------------------------------------------------------------------------

# Per-thread counters gathered in done(): statuses other than 200/304, and 200 bodies whose
# end is not the end of a whole document (a truncated feed or page).
LUA_CHECKS = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("start", #threads * 7919)  -- threads start at different places in the mix
end
bad_status, truncated, checked = 0, 0, 0
local function complete(body)
  local tail = string.sub(body, -64)
  if string.sub(body, 1, 5) == "<?xml" then
    return string.find(tail, "</rss>%s*$") or string.find(tail, "</feed>%s*$")
        or string.find(tail, "</opml>%s*$")
  elseif string.sub(body, 1, 1) == "{" then
    return string.find(tail, "}%s*$")
  elseif string.find(string.sub(body, 1, 64), "<!DOCTYPE html", 1, true) then
    return string.find(tail, "</html>%s*$")
  end
  return true
end
function response(status, headers, body)
  if status ~= 200 and status ~= 304 then
    bad_status = bad_status + 1
  elseif status == 200 then
    checked = checked + 1
    if not complete(body) then truncated = truncated + 1 end
  end
end
function done(summary, latency, requests)
  local bad, trunc, chk = 0, 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("bad_status"); trunc = trunc + t:get("truncated")
    chk = chk + t:get("checked")
  end
  io.write(string.format(
    "JSON {\"requests\": %d, \"seconds\": %f, \"errors_connect\": %d, \"errors_read\": %d, "
    .. "\"errors_write\": %d, \"errors_status\": %d, \"errors_timeout\": %d, "
    .. "\"bad_status\": %d, \"truncated\": %d, \"bodies_checked\": %d, "
    .. "\"p50_ms\": %f, \"p90_ms\": %f, \"p99_ms\": %f, \"max_ms\": %f}\n",
    summary.requests, summary.duration / 1e6, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, bad, trunc, chk,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def lua_string(text: str) -> str:
    """A Lua string literal (bytes escaped, so any path or header is safe)."""
    return '"' + "".join(f"\\{b}" for b in text.encode()) + '"'


def wrk_script(requests: Sequence[tuple[str, dict[str, str]]]) -> str:
    """A wrk Lua script cycling through (path, headers) requests, with the checks above."""
    entries = []
    for path, headers in requests:
        hdrs = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        entries.append(f"  wrk.format('GET', {lua_string(path)}, {{{hdrs}}}),")
    return (
        "local reqs = nil\nlocal i = 0\n"
        "function init(args)\n  reqs = {\n" + "\n".join(entries) + "\n  }\n"
        "  i = start % #reqs\nend\n"
        "function request()\n  i = i % #reqs + 1\n  return reqs[i]\nend\n" + LUA_CHECKS
    )


def wrk(
    url: str,
    requests: Sequence[tuple[str, dict[str, str]]],
    seconds: int = 5,
    connections: int = 32,
    threads: int = 2,
    timeout: int = 10,
) -> dict:
    """Run wrk against a loopback URL; returns its figures (requests/s, latency, errors)."""
    host = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        raise ValueError(f"loopback only, got {url}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(wrk_script(requests))
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                f"--timeout={timeout}s",
                "-s",
                fh.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(fh.name)
    line = next(ln for ln in out.splitlines() if ln.startswith("JSON "))
    figures = json.loads(line[5:])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET (loopback): status, headers, body; 304 is not an error."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def table(rows: Sequence[Sequence[object]]) -> str:
    """Rows as aligned text columns."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"
