"""The `answers` command line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.build import BuildOptions, BuildResult, build
from generator.errors import ArchiveError
from generator.load import load_archive


def _add_site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    parser.add_argument("--out", type=Path, default=Path("_site"), help="output folder")
    parser.add_argument("--config", type=Path, default=None, help="config file (site.yaml)")
    parser.add_argument("--base-url", default=None, help="override base_url from the config")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument(
        "--no-cache", action="store_true", help="build from scratch; neither read nor write .cache/"
    )
    parser.add_argument(
        "--clean", action="store_true", help="delete .cache/ and the spare site, then build"
    )
    parser.add_argument(
        "--jobs", type=int, default=0, metavar="N", help="worker processes (default: one per core)"
    )


def _build_options(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        content=args.content,
        out=args.out,
        config=args.config or Path("site.yaml"),
        config_required=args.config is not None,
        base_url=args.base_url,
        quiet=args.quiet,
        cache=not getattr(args, "no_cache", False),
        clean=getattr(args, "clean", False),
        jobs=getattr(args, "jobs", 0),
    )


def _summary(result: BuildResult, out: Path) -> str:
    if result.unchanged:
        return f"nothing changed: {out}/ is up to date ({result.seconds:.2f} s)"
    if result.fast:
        return (
            f"content-only edits: {len(result.made)} files made again (and the search "
            f"index updated) in {out}/ in {result.seconds:.2f} s"
        )
    return (
        f"built {result.pages} pages ({result.questions} questions, "
        f"{result.departments} departments), {result.files} files, "
        f"{result.bytes / 1e6:.1f} MB into {out}/ in {result.seconds:.2f} s"
    )


def warn_without_libyaml() -> None:
    """Parsing front matter is a large share of a build; without libyaml it is ~6x slower."""
    from generator import yamltext

    if not yamltext.HAS_LIBYAML:
        print(
            "warning: PyYAML has no C loader (libyaml), so front matter is parsed by the "
            "pure-Python loader, about 6x slower: reinstall PyYAML with libyaml",
            file=sys.stderr,
        )


def cmd_build(args: argparse.Namespace) -> int:
    warn_without_libyaml()
    result = build(_build_options(args))
    if not args.quiet:
        print(_summary(result, args.out))
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from generator.config import load_config

    load_config(args.config or Path("site.yaml"), required=args.config is not None)
    archive = load_archive(args.content)
    print(f"{len(archive.questions)} questions and {len(archive.pages)} pages: no problems found")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve

    options = _build_options(args)
    warn_without_libyaml()
    return serve(options, host=args.host, port=args.port, summary=_summary)


def cmd_synth(args: argparse.Namespace) -> int:
    from generator.synth import write_archive

    start = time.perf_counter()
    try:
        result = write_archive(args.out, args.count, args.seed)
    except ArchiveError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("synth: nothing was written", file=sys.stderr)
        return 1
    if not args.quiet:
        print(
            f"synth: wrote {result.questions} questions (seed {args.seed}) into {args.out}/ "
            f"in {time.perf_counter() - start:.1f} s"
        )
    return 0


def _count(text: str) -> int:
    """N for `synth`: a whole number of at least 1, with a message saying so otherwise."""
    try:
        value = int(text)
    except ValueError:
        message = f"expected a whole number of questions, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 question, got {value}")
    return value


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="answers", description="Build a static archive of written questions and answers."
    )
    parser.add_argument("--version", action="version", version=f"answers {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_parser = commands.add_parser("build", help="build the site into the output folder")
    _add_site_options(build_parser)
    build_parser.set_defaults(handler=cmd_build)

    check_parser = commands.add_parser("check", help="validate content and config, build nothing")
    check_parser.add_argument("--content", type=Path, default=Path("content"))
    check_parser.add_argument("--config", type=Path, default=None)
    check_parser.set_defaults(handler=cmd_check)

    serve_parser = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild on change")
    _add_site_options(serve_parser)
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.set_defaults(handler=cmd_serve)

    synth_parser = commands.add_parser(
        "synth", help="write a synthetic archive of N realistic questions (for demos, benchmarks)"
    )
    synth_parser.add_argument("count", type=_count, metavar="N", help="number of questions")
    synth_parser.add_argument(
        "--out", type=Path, required=True, help="a new (or empty) content folder to write"
    )
    synth_parser.add_argument("--seed", type=int, default=0, help="same seed, same bytes")
    synth_parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    synth_parser.set_defaults(handler=cmd_synth)

    from generator.importers.commands import add_commands

    add_commands(commands)  # import, fetch, update
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except ArchiveError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(
            f"{count} problem{'s' if count != 1 else ''} found; nothing was built", file=sys.stderr
        )
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f"answers: internal error: {exc!r} (run with --debug for details)", file=sys.stderr)
        return 70


if __name__ == "__main__":
    raise SystemExit(main())
