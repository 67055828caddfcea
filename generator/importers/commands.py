"""The `answers import`, `answers fetch` and `answers update` commands."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from generator.importers.fetch import DEFAULT_API, FetchOptions, Query, newest_answer, run_fetch
from generator.importers.http import Client, FetchError
from generator.importers.run import FORMATS, ImportOptions, run_import
from generator.importers.store import Summary


def add_commands(commands: Any) -> None:
    """Register the three commands on the `answers` sub-parser collection."""
    importing = commands.add_parser(
        "import", help="import question pages (.txt) and API JSON (.json, .json.gz)"
    )
    importing.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    importing.add_argument("--format", choices=FORMATS, default="auto", help="default: by content")
    importing.add_argument(
        "--asked-on", type=_day, default=None, help="date for pages that show none (YYYY-MM-DD)"
    )
    _add_common(importing)
    importing.set_defaults(handler=cmd_import)

    fetching = commands.add_parser("fetch", help="fetch questions from the Parliament API")
    fetching.add_argument("--answered-from", type=_day)
    fetching.add_argument("--answered-to", type=_day)
    fetching.add_argument("--tabled-from", type=_day)
    fetching.add_argument("--tabled-to", type=_day)
    _add_api(fetching)
    fetching.set_defaults(handler=cmd_fetch)

    updating = commands.add_parser(
        "update", help="fetch everything answered since the newest answer in the archive"
    )
    updating.add_argument("--answered-to", type=_day, help="default: today")
    _add_api(updating)
    updating.set_defaults(handler=cmd_update)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    parser.add_argument("--force", action="store_true", help="overwrite files edited by hand")
    parser.add_argument("--quiet", action="store_true", help="no progress, only problems")


def _add_api(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--house", choices=("Commons", "Lords"))
    parser.add_argument("--department", help="only this answering body (by name)")
    parser.add_argument("--api", default=DEFAULT_API, help=f"API root (default {DEFAULT_API})")
    parser.add_argument("--rate", type=float, default=3.0, help="requests per second at most")
    parser.add_argument("--retries", type=int, default=5, help="retries per request")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--backoff", type=float, default=1.0, help="first retry wait, seconds")
    parser.add_argument("--take", type=int, default=100, help="questions per list page")
    _add_common(parser)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2021-10-31, got {text!r}") from None


def cmd_import(args: argparse.Namespace) -> int:
    options = ImportOptions(
        paths=tuple(args.paths),
        content=args.content,
        format=args.format,
        force=args.force,
        asked_on=args.asked_on,
        quiet=args.quiet,
    )
    return _report("import", run_import(options))


def cmd_fetch(args: argparse.Namespace) -> int:
    dates = ("answered_from", "answered_to", "tabled_from", "tabled_to")
    if all(getattr(args, name, None) is None for name in dates):
        print(
            "answers fetch: give at least one of --answered-from, --answered-to, "
            "--tabled-from, --tabled-to (fetching the whole API is rarely meant)",
            file=sys.stderr,
        )
        return 2
    query = Query(
        api=args.api,
        answered_from=args.answered_from,
        answered_to=args.answered_to,
        tabled_from=getattr(args, "tabled_from", None),
        tabled_to=getattr(args, "tabled_to", None),
        house=args.house,
        department=args.department,
    )
    client = Client(
        rate=args.rate, retries=args.retries, timeout=args.timeout, backoff=args.backoff
    )
    options = FetchOptions(
        query, args.content, take=args.take, force=args.force, quiet=args.quiet, client=client
    )
    try:
        summary = run_fetch(options)
    except KeyboardInterrupt:
        print("\nstopped; run the same command again to resume", file=sys.stderr)
        raise
    except FetchError as exc:
        print(f"answers fetch: {exc}", file=sys.stderr)
        print(
            "stopped; the progress so far is saved: run the same command again to resume",
            file=sys.stderr,
        )
        return 1
    return _report("fetch", summary)


def cmd_update(args: argparse.Namespace) -> int:
    args.answered_from = newest_answer(args.content)
    args.answered_to = args.answered_to or date.today()
    if not args.quiet:
        print(f"updating: answers from {args.answered_from} to {args.answered_to}")
    return cmd_fetch(args)


def _report(what: str, summary: Summary) -> int:
    for conflict in summary.conflicts:
        print(f"conflict: {conflict}", file=sys.stderr)
    print(f"{what}: {summary.line()}")
    return summary.exit_code()
