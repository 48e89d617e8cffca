"""Input edge: find page files and read them into Pages. Bad files never raise: each becomes a
Page with one Problem naming the file and the reason, so the other pages still build."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from feeds.decode import MAX_BYTES, decode_page
from feeds.errors import InputError
from feeds.model import Page, Problem

PAGE_SUFFIXES = (".txt", ".text")


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories to the page files inside them (sorted); keep files as given."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in PAGE_SUFFIXES)
            )
        else:
            out.append(path)
    return out


def read_page(path: str | Path, max_bytes: int = MAX_BYTES, source: str | None = None) -> Page:
    """Read, decode and parse one page file; problems are reported inside the Page.

    `source` names the page in ids and output (default: the file name; a build over nested
    folders passes the path relative to the seeds directory, so 2024/01.txt and 2025/01.txt
    stay apart)."""
    path = Path(path)
    name = str(path)
    source = source or path.name
    try:
        if path.is_dir():
            raise InputError(name, "is a directory, not a page file")
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                name, f"too large ({size / 1e6:.1f} MB, limit {max_bytes / 1e6:.0f} MB)"
            )
        data = path.read_bytes()
        text, encoding, warning = decode_page(data, name, max_bytes)
    except InputError as exc:
        return Page(source=source, problems=(Problem(name, exc.message),))
    except OSError as exc:
        return Page(source=source, problems=(Problem(name, exc.strerror or str(exc)),))
    # imported here: a build that parses no page in this process (an incremental build
    # parses in a child) never compiles the parser's patterns (a fifth of a second)
    from feeds.parse import parse_page

    page = parse_page(text, source)
    problems = tuple(Problem(name, p.message, p.line) for p in page.problems)
    if warning:
        problems = (Problem(name, warning), *problems)
    if not page.articles and not problems:
        problems = (Problem(name, "no articles found (no headline followed by text)"),)
    return _with(page, encoding=encoding, problems=problems)


def _with(page: Page, **changes: object) -> Page:
    from dataclasses import replace

    return replace(page, **changes)
