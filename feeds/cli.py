"""Thin click CLI: parse, build, serve. Maps FeedsError to one-line errors, never tracebacks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from feeds.errors import FeedsError
from feeds.site import DEFAULT_BASE_URL, DEFAULT_ID_PREFIX

DEFAULT_SEEDS = "seeds"


@click.group(
    context_settings={"auto_envvar_prefix": "FEEDS", "help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="feeds")
def cli() -> None:
    """Turn plain-text dumps of Chinese local newspaper pages into topic feeds."""


@cli.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per page.")
def parse_cmd(paths: tuple[Path, ...], as_json: bool) -> None:
    """Parse newspaper pages into articles.

    PATHS are page files (UTF-8 or GB18030 plain text) or directories of *.txt pages.
    Problems (bad files, text not placed in an article) go to stderr, one line each.

    Example:

        feeds parse --json seeds/*.txt > parsed.json
    """
    from feeds.serialize import page_json, page_text
    from feeds.source import discover, read_page
    from feeds.topics import load_classifier

    classify = load_classifier()
    out = []
    for path in discover(paths):
        page = read_page(path)
        for problem in page.problems:
            click.echo(str(problem), err=True)
        out.append(page_json(page, classify) if as_json else page_text(page, classify))
    if as_json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        click.echo("\n".join(out))


def _site_options(func):
    """Options shared by build and serve; each mirrors a FEEDS_* environment variable."""
    options = [
        click.option(
            "--seeds",
            type=click.Path(path_type=Path),
            default=DEFAULT_SEEDS,
            show_default=True,
            envvar="FEEDS_SEEDS",
            show_envvar=True,
            help="Directory of page files (*.txt), or one page file.",
        ),
        click.option(
            "--topics",
            "topics_path",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            envvar="FEEDS_TOPICS",
            show_envvar=True,
            help="Topic rules file (default: the built-in topics.toml).",
        ),
        click.option(
            "--limit",
            type=click.IntRange(min=1),
            default=50,
            show_default=True,
            envvar="FEEDS_LIMIT",
            show_envvar=True,
            help="Items per feed; older items go to RFC 5005 archive pages.",
        ),
        click.option(
            "--ttl",
            type=click.IntRange(min=1),
            default=30,
            show_default=True,
            envvar="FEEDS_TTL",
            show_envvar=True,
            help="Minutes readers may cache a feed (RSS <ttl>, Cache-Control max-age).",
        ),
        click.option(
            "--store",
            "store_path",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            envvar="FEEDS_STORE",
            show_envvar=True,
            help="Archive file (SQLite) that keeps item ids and parsed pages "
            "[default: .feeds/store.sqlite beside the seeds].",
        ),
        click.option(
            "--id-prefix",
            default=DEFAULT_ID_PREFIX,
            show_default=True,
            envvar="FEEDS_ID_PREFIX",
            show_envvar=True,
            help="tag: URI prefix of item ids; keep it fixed once published.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _report_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@cli.command("build")
@_site_options
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default="site",
    show_default=True,
    envvar="FEEDS_OUT",
    show_envvar=True,
    help="Output directory, replaced atomically.",
)
@click.option(
    "--base-url",
    default=DEFAULT_BASE_URL,
    show_default=True,
    envvar="FEEDS_BASE_URL",
    show_envvar=True,
    help="Absolute URL the site will be served at (feeds link with it).",
)
@click.option(
    "--strict", is_flag=True, help="Exit 1 and keep the old site if any input has problems."
)
@click.option("--full", is_flag=True, help="Parse every page again (ids are kept).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    envvar="FEEDS_WORKERS",
    show_envvar=True,
    help="Processes for parsing and rendering [default: all cores].",
)
def build_cmd(
    seeds: Path,
    topics_path: Path | None,
    limit: int,
    ttl: int,
    store_path: Path | None,
    id_prefix: str,
    out: Path,
    base_url: str,
    strict: bool,
    full: bool,
    workers: int | None,
) -> None:
    """Build the static site: feeds (RSS, Atom, JSON Feed), archives, tag feeds, HTML pages, OPML.

    Incremental: pages whose bytes did not change since the last build come from the archive
    (--store) without being parsed again; item ids never change. Each bad input file is
    reported on stderr as one line naming it; the other pages still build. The output
    directory is replaced in one step, so a web server never sees a half-written site; files
    whose content did not change keep their modification time. Every text file gets a .gz
    beside it (nginx gzip_static). A progress bar shows on a terminal.

    Example:

    \b
        feeds build --seeds seeds --out site --base-url https://example.org/feeds
    """
    import time

    from feeds.build import build, default_store_path
    from feeds.site import SiteConfig

    start = time.perf_counter()
    config = SiteConfig(base_url=base_url, id_prefix=id_prefix, feed_limit=limit, ttl_minutes=ttl)

    def collected(problems) -> None:  # noqa: ANN001 - before anything is written
        _report_problems(problems)
        if strict and problems:
            click.echo(f"{len(problems)} problems (--strict): {out} not written", err=True)
            sys.exit(1)

    report = build(
        seeds,
        out,
        config,
        topics_path,
        store=store_path or default_store_path(seeds),
        full=full,
        workers=workers,
        progress=None,
        on_collected=collected,
    )
    stats = report.collected
    click.echo(
        f"built {out}: {stats.pages} pages ({stats.parsed} parsed), {stats.articles} articles "
        f"({stats.new} new, {stats.changed} changed), {report.files} files "
        f"({report.written} written), {stats.problems} problems "
        f"in {time.perf_counter() - start:.2f}s"
    )


@cli.command("serve")
@_site_options
@click.option(
    "--host", default="127.0.0.1", show_default=True, envvar="FEEDS_HOST", show_envvar=True
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=5000,
    show_default=True,
    envvar="FEEDS_PORT",
    show_envvar=True,
    help="TCP port (0 picks a free one).",
)
@click.option(
    "--base-url",
    default=None,
    envvar="FEEDS_BASE_URL",
    show_envvar=True,
    help="Public URL, behind a proxy or on 0.0.0.0 [default: http://HOST:PORT].",
)
@click.option(
    "--watch",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    envvar="FEEDS_WATCH",
    show_envvar=True,
    help="Seconds between checks of the seeds and the store; a change reloads the site "
    "without a restart (0: only on SIGHUP).",
)
def serve_cmd(
    seeds: Path,
    topics_path: Path | None,
    limit: int,
    ttl: int,
    store_path: Path | None,
    id_prefix: str,
    host: str,
    port: int,
    base_url: str | None,
    watch: float,
) -> None:
    """Build the site in memory and serve it with Flask's development server.

    The site follows the seeds: a new or changed page (or a `feeds build` updating the
    store) is picked up within --watch seconds, or at once on SIGHUP, and swapped in whole.

    Links in feeds and pages use the address it serves on (or --base-url). For production
    use gunicorn, configured with the same FEEDS_* variables:

    \b
        FEEDS_BASE_URL=https://example.org gunicorn -w 2 'feeds.web:create_app()'

    Example:

    \b
        feeds serve --port 8000    # then open http://127.0.0.1:8000/
    """
    import signal

    from werkzeug.serving import make_server

    from feeds.build import default_store_path
    from feeds.watch import Watcher
    from feeds.web import create_app, reload_site

    store = store_path or default_store_path(seeds)
    watcher = Watcher(
        seeds,
        topics_path=topics_path,
        store=store,
        interval=watch,
        warn=lambda message: click.echo(f"Warning: {message}", err=True),
    )
    collection = watcher.load()
    _report_problems(collection.problems)
    server = make_server(host, port, app=_starting, threaded=True)
    shown = f"[{host}]" if ":" in host else host
    base = (base_url or f"http://{shown}:{server.server_port}").rstrip("/")
    app = create_app(
        {
            "COLLECTION": collection,
            "STORE": str(store),  # the site is published beside it (feeds.web.site_dir)
            "BASE_URL": base,
            "LIMIT": limit,
            "TTL": ttl,
            "ID_PREFIX": id_prefix,
        }
    )
    server.app = app

    def reloaded(new) -> None:  # noqa: ANN001 - a feeds.site.Collection
        reload_site(app, new)
        _report_problems(new.problems)
        click.echo(f"Reloaded: {len(new.items)} articles", err=True)

    watcher.start(reloaded)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, lambda *_: watcher.trigger())
    click.echo(
        f"Serving {len(collection.items)} articles at {base}/ (feeds: {base}/feeds/all.rss); "
        "press Ctrl+C to stop"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _starting(environ, start_response):  # noqa: ANN001, ANN202 - WSGI placeholder
    """Placeholder while the site renders; requests wait in the listen backlog meanwhile."""
    start_response("503 Service Unavailable", [("Retry-After", "1")])
    return [b"starting\n"]


def main() -> None:
    """Console-script entry point: one-line errors and exit status 1 for FeedsError."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except FeedsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)
