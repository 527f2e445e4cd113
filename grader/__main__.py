"""Command line: ``grader {release,autograde,report,validate}`` (also ``python -m grader``)."""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from .core import Limits
from .release import release

__all__ = ["main"]


def _positive(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Backprop Workbook grading tools")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="regenerate lessons/ from solutions/")
    p.add_argument("--check", action="store_true",
                   help="change nothing; exit 1 and name the files when lessons/ is stale")
    p.add_argument("--lesson", action="append", metavar="ID",
                   help="only this lesson (repeatable), e.g. --lesson 01_forward_propagation")
    p.add_argument("--root", type=Path, default=None, metavar="DIR",
                   help="course folder holding solutions/ and lessons/ (default: this repository)")

    p = sub.add_parser("autograde", help="grade SUBMISSIONS/<student_id>/<lesson>.ipynb (folder or .zip)")
    p.add_argument("submissions", type=Path, help="folder or .zip of <student_id>/<lesson>.ipynb")
    p.add_argument("--out", type=Path, required=True, metavar="RESULTS", help="results folder")
    p.add_argument("--jobs", type=_positive, default=None, help="parallel workers (default: cores)")
    lim = Limits()
    p.add_argument("--timeout", type=_positive, default=lim.cell_timeout, metavar="SECONDS",
                   help=f"per cell (default {lim.cell_timeout})")
    p.add_argument("--notebook-timeout", type=_positive, default=lim.notebook_timeout, metavar="SECONDS",
                   help=f"whole notebook (default {lim.notebook_timeout})")
    p.add_argument("--memory-mb", type=_positive, default=lim.memory_mb, metavar="MB",
                   help=f"kernel memory cap (default {lim.memory_mb})")
    p.add_argument("--force", action="store_true", help="regrade what is already graded")
    p.add_argument("--quiet", action="store_true", help="no progress bar (CI logs)")
    p.add_argument("--shard", metavar="K/N", help="grade only shard K of N (students split by a stable hash)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="grade without bubblewrap (reduced isolation: student code can read files and "
                        "use the network)")

    p = sub.add_parser("report", help="write grades.csv, summary.csv, feedback/ and report.html")
    p.add_argument("results", type=Path, nargs="+", help="results folder(s); several are merged")
    p.add_argument("--out", type=Path, help="where to write (default: the single RESULTS folder)")

    p = sub.add_parser("validate", help="run a lesson notebook's visible tests like the autograder")
    p.add_argument("notebook", type=Path)
    p.add_argument("--timeout", type=_positive, default=lim.cell_timeout, metavar="SECONDS")
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "release":
        root = {} if args.root is None else {"root": args.root.resolve()}
        stale = release(check=args.check, lessons=args.lesson, **root)
        if args.check and stale:
            print("lessons/ is out of date with solutions/ (run `make lessons`):", file=sys.stderr)
            for f in stale:
                print(f"  lessons/{f}", file=sys.stderr)
            return 1
        print(f"lessons/ {'is up to date' if not stale else 'regenerated: ' + ', '.join(stale)}")
        return 0
    if args.command == "autograde":
        from .runner import NoSandbox, autograde
        from .submissions import parse_shard
        # Ctrl-C must stop a run cleanly even when the parent shell started us with SIGINT ignored
        # (background jobs of a non-interactive shell inherit SIG_IGN, and Python then never raises).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            shard = parse_shard(args.shard)
            counts = autograde(args.submissions, args.out, jobs=args.jobs, timeout=args.timeout,
                               notebook_timeout=args.notebook_timeout, memory_mb=args.memory_mb,
                               force=args.force, quiet=args.quiet, shard=shard, no_sandbox=args.no_sandbox)
        except NoSandbox as e:
            print(f"grader autograde: {e}", file=sys.stderr)
            return 2
        except (ValueError, FileNotFoundError) as e:
            print(f"grader autograde: {e}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("\ninterrupted: everything graded so far is saved; re-run the same command to "
                  "continue.", file=sys.stderr)
            return 130
        print(f"{counts['graded']} graded now, {counts['already_graded']} already graded, "
              f"{counts['with_problems']} with problems, {counts['skipped_files']} files skipped; "
              f"report in {args.out}/report.html")
        return 0
    if args.command == "report":
        from .report import write_report
        if len(args.results) > 1 and args.out is None:
            print("grader report: several RESULTS folders need --out (where to write the merged report)",
                  file=sys.stderr)
            return 2
        missing = [str(r) for r in args.results if not r.is_dir()]
        if missing:
            print(f"grader report: not a results folder: {', '.join(missing)}", file=sys.stderr)
            return 2
        counts = write_report(args.results, args.out or args.results[0])
        print(f"{counts['submissions']} submissions, {counts['rows']} rows, "
              f"{counts['needs_attention']} need attention; written to {args.out or args.results[0]}")
        return 0
    if args.command == "validate":
        from .validate import validate
        return validate(args.notebook, timeout=args.timeout)
    return 2


if __name__ == "__main__":
    sys.exit(main())
