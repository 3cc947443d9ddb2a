"""Command line: ``verify check PATH...`` (report contract v1). The only place that maps
exceptions to exit codes and writes to stdout."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path

from . import __version__
from .exceptions import ExitCode, UsageError, VerifyError
from .model import DocumentReport
from .options import FORMATS, Options, load_manifest, parse_date_arg
from .pipeline import iter_reports
from .profile import DEFAULT_PROFILE, load_profile
from .progress import make_progress
from .report.jsonl import write_json, write_jsonl_row
from .report.table import write_table
from .text.ocr import ENGINES

log = logging.getLogger("verify")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse exits 2 on usage errors too; keep its message format.
        self.print_usage(sys.stderr)
        sys.stderr.write(f"verify: error: {message}\n")
        raise SystemExit(ExitCode.usage)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="verify", description="Pre-screen evidence for 职称 evaluation.")
    parser.add_argument("--version", action="version", version=f"verify {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="check documents and print one report row per document")
    c.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="files (PDF, PNG, JPEG, TIFF, BMP, WebP), folders or ZIP archives")
    c.add_argument("--appointed", metavar="YYYY-MM-DD",
                   help="date the current title was conferred (聘任/起聘)")
    c.add_argument("--cutoff", metavar="YYYY-MM-DD",
                   help="last day an achievement may be dated (单位公示首日)")
    c.add_argument("--manifest", type=Path, metavar="FILE",
                   help="CSV folder,appointed,cutoff: dates per applicant folder")
    c.add_argument("--profile", default=DEFAULT_PROFILE, metavar="NAME|PATH",
                   help=f"rules profile (default {DEFAULT_PROFILE})")
    c.add_argument("--format", choices=FORMATS, default="jsonl")
    c.add_argument("--html", type=Path, metavar="FILE", help="also write an HTML report")
    c.add_argument("--jsonl", type=Path, metavar="FILE",
                   help="also write the JSONL rows to FILE (whatever --format prints)")
    c.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="worker processes (default: the machine's cores)")
    c.add_argument("--ocr", choices=ENGINES, default="tesseract", help="OCR engine")
    c.add_argument("--reread-ocr", choices=(*ENGINES, "none"), default="rapidocr",
                   help="engine of the red-channel second reading of undated documents")
    c.add_argument("--debug-dir", type=Path, metavar="DIR",
                   help="write images of what each check saw")
    c.add_argument("--timeout", type=float, default=900.0, metavar="SECONDS",
                   help="per-document time limit; a document over it is reported unreadable")
    c.add_argument("--cache", type=Path, metavar="FILE", default=None,
                   help="evidence store (SQLite) for reruns and resuming "
                        "(default: evidence.sqlite3 in the user's cache folder)")
    c.add_argument("--no-cache", action="store_true", help="neither read nor write the evidence store")
    c.add_argument("--quiet", action="store_true", help="no progress on stderr")
    c.add_argument("-v", "--verbose", action="count", default=0, help="more logging on stderr")
    from .bench import add_parser as add_bench_parser

    add_bench_parser(sub)
    return parser


def options_from_args(args: argparse.Namespace) -> Options:
    kwargs: dict[str, object] = {}
    if args.jobs is not None:
        kwargs["jobs"] = args.jobs
    if not args.no_cache:
        kwargs["cache"] = args.cache or default_cache_path()
    return Options(
        paths=tuple(args.paths),
        appointed=parse_date_arg(args.appointed, "--appointed") if args.appointed else None,
        cutoff=parse_date_arg(args.cutoff, "--cutoff") if args.cutoff else None,
        manifest=load_manifest(args.manifest) if args.manifest else None,
        profile=args.profile,
        format=args.format,
        html=args.html,
        ocr=args.ocr,
        reread_ocr=args.reread_ocr,
        debug_dir=args.debug_dir,
        timeout=args.timeout,
        quiet=args.quiet,
        **kwargs,  # type: ignore[arg-type]
    )


def default_cache_path() -> Path:
    """``evidence.sqlite3`` in the user's cache folder (``~/.cache/verify`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("verify")) / "evidence.sqlite3"


def run_check(args: argparse.Namespace) -> ExitCode:
    options = options_from_args(args)
    profile = load_profile(options.profile)
    reports: list[DocumentReport] = []
    failed = False
    with contextlib.ExitStack() as stack:
        jsonl_file = (stack.enter_context(args.jsonl.open("w", encoding="utf-8"))
                      if args.jsonl else None)
        progress = make_progress(options.quiet)
        for report in iter_reports(options, profile, progress=progress):
            reports.append(report)
            if report.worst is not None and report.worst in profile.fail_severities:
                failed = True
            if options.format == "jsonl":
                write_jsonl_row(report, sys.stdout)
            if jsonl_file is not None:
                write_jsonl_row(report, jsonl_file)
    if options.format == "json":
        write_json(reports, sys.stdout)
    elif options.format == "table":
        write_table(reports, sys.stdout)
    if options.html is not None:
        from .report.html import write_html

        write_html(reports, profile, options.html)
    return ExitCode.findings if failed else ExitCode.ok


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2) if hasattr(args, "verbose") else 30
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="verify: %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "check":
            return int(run_check(args))
        if args.command == "bench":
            from .bench import bench

            return bench(args)
    except UsageError as exc:
        sys.stderr.write(f"verify: error: {exc}\n")
        return int(exc.exit_code)
    except VerifyError as exc:
        sys.stderr.write(f"verify: error: {exc}\n")
        return int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("verify: interrupted\n")
        return 130
    return int(ExitCode.usage)
