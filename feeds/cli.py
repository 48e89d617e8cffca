"""Thin click CLI: parse, build, serve. Maps FeedsError to one-line errors, never tracebacks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from feeds.errors import FeedsError

DEFAULT_SEEDS = "seeds"


@click.group(context_settings={"auto_envvar_prefix": "FEEDS", "help_option_names": ["-h", "--help"]})
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
