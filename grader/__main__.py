"""Command line: ``grader {release,autograde,report,validate,manual,export}`` (also ``python -m grader``)."""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from . import lms
from .core import Limits
from .export import add_export_parser
from .hub import add_hub_parser, run_hub
from .manual.cli import add_manual_parser
from .release import ROOT, release

__all__ = ["main"]


def _positive(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _add_release_parser(sub) -> None:
    """``grader release``: lessons/ from solutions/, or each student's own variant (``--roster``)."""
    p = sub.add_parser("release", help="regenerate lessons/ from solutions/")
    p.add_argument("--check", action="store_true",
                   help="change nothing; exit 1 and name the files when lessons/ is stale")
    p.add_argument("--lesson", action="append", metavar="ID",
                   help="only this lesson (repeatable), e.g. --lesson 01_forward_propagation")
    p.add_argument("--root", type=Path, default=None, metavar="DIR",
                   help="course folder holding solutions/ and lessons/ (default: this repository)")
    p.add_argument("--roster", type=Path, default=None, metavar="ROSTER.csv",
                   help="write each student's own variant DIR/<student_id>/<lesson>.ipynb (needs --out)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="where --roster writes the notebooks")
    p.add_argument("--secret-file", type=Path, default=None, metavar="F",
                   help="the course secret the variants are keyed by (default: <course>/.variant-secret, "
                        "created on first use)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Backprop Workbook grading tools")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_release_parser(sub)
    p = sub.add_parser("autograde", help="grade SUBMISSIONS/<student_id>/<lesson>.ipynb (folder or .zip)")
    p.add_argument("submissions", type=Path, help="folder or .zip of <student_id>/<lesson>.ipynb")
    p.add_argument("--out", type=Path, required=True, metavar="RESULTS", help="results folder")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=_positive, default=None,
                       help="parallel worker processes on this machine (default: cores)")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="grade on the running Dask cluster of this scheduler")
    where.add_argument("--cluster", metavar="local:N",
                       help="grade on a local Dask cluster of N single-threaded worker processes")
    lim = Limits()
    p.add_argument("--timeout", type=_positive, default=lim.cell_timeout, metavar="SECONDS",
                   help=f"per cell (default {lim.cell_timeout})")
    p.add_argument("--notebook-timeout", type=_positive, default=lim.notebook_timeout, metavar="SECONDS",
                   help=f"whole notebook (default {lim.notebook_timeout})")
    p.add_argument("--memory-mb", type=_positive, default=lim.memory_mb, metavar="MB",
                   help=f"kernel memory cap (default {lim.memory_mb})")
    p.add_argument("--force", action="store_true", help="regrade what is already graded")
    p.add_argument("--quiet", action="store_true", help="no progress bar (CI logs)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="grade without bubblewrap (reduced isolation: student code can read files and "
                        "use the network)")
    lms.add_autograde_arguments(p)   # --roster (LMS submissions zips; per-student variants)
    p.add_argument("--secret-file", type=Path, default=None, metavar="F",
                   help="with --roster: the course secret the variants were released with "
                        "(default: <course>/.variant-secret; without it, variants are not checked)")

    p = sub.add_parser("report", help="write grades.csv, summary.csv, feedback/ and report.html")
    p.add_argument("results", type=Path, nargs="+", help="results folder(s); several are merged")
    p.add_argument("--out", type=Path, help="where to write (default: the single RESULTS folder)")

    p = sub.add_parser("validate", help="run a lesson notebook's visible tests like the autograder")
    p.add_argument("notebook", type=Path)
    p.add_argument("--timeout", type=_positive, default=lim.cell_timeout, metavar="SECONDS")
    add_manual_parser(sub)           # grader manual (written answers by hand)
    add_export_parser(sub)           # grader export (LMS gradebook files)
    add_hub_parser(sub)              # grader hub (JupyterHub exchange: release, collect, return)
    return parser


def _variant_keys(roster: Path | None, secret_file: Path | None, root: Path = ROOT):
    """``--roster`` (+ ``--secret-file``) of ``grader autograde`` -> VariantKeys, or ``None`` (no variants)."""
    from .roster import student_ids
    from .secret import default_path, load_secret
    from .variant_check import VariantKeys
    if roster is None:
        if secret_file is not None:
            raise ValueError("--secret-file needs --roster (whose variants to check)")
        return None
    path = secret_file or default_path(root)
    if secret_file is None and not path.exists():
        print(f"note: no course secret at {path}: variants are not checked (every submission is graded "
              f"against the common version); give --secret-file if the variants were released with another",
              file=sys.stderr)
        return None
    return VariantKeys(load_secret(path), student_ids(roster))


def _check_secret_place(secret: Path, root: Path, out: Path) -> None:
    for folder, what in ((root / "solutions", "solutions/"), (root / "lessons", "lessons/"), (out, "--out")):
        if secret.resolve().is_relative_to(folder.resolve()):
            raise ValueError(f"--secret-file: {secret} is inside {what} ({folder}); the course secret must "
                             f"stay outside the sources and every released file")


def _release_roster(args, root: Path) -> int:
    from .release import release_roster
    from .roster import student_ids
    from .secret import default_path, ensure_secret
    if args.out is None or args.check:
        print("grader release: --roster needs --out DIR (and cannot be combined with --check)", file=sys.stderr)
        return 2
    try:
        students = student_ids(args.roster)
        secret_path = args.secret_file or default_path(root)
        _check_secret_place(secret_path, root, args.out)
        secret, created = ensure_secret(secret_path)
        written = release_roster(students, args.out, secret, root, args.lesson)
    except (ValueError, FileNotFoundError) as e:
        print(f"grader release: {e}", file=sys.stderr)
        return 2
    print(f"{len(written)} notebooks for {len(students)} students written to {args.out}/<student_id>/")
    if created:
        print(f"created the course secret {secret_path} (mode 0600): keep it, grading the variants needs it; "
              f"never share it or put it in git", file=sys.stderr)
    return 0


def _autograde(args) -> int:
    """``grader autograde``: exit 0, 2 (bad arguments, no sandbox, no cluster) or 130 (Ctrl-C)."""
    from .runner import ClusterError, NoSandbox, PreflightFailed, autograde
    # Ctrl-C must stop a run cleanly even when the parent shell started us with SIGINT ignored
    # (background jobs of a non-interactive shell inherit SIG_IGN, and Python then never raises).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        lms.use_roster(args.roster)
        variants = _variant_keys(args.roster, args.secret_file)
        from .executors.cluster import parse_cluster, parse_scheduler
        cluster = parse_cluster(args.cluster) if args.cluster is not None else None
        if args.scheduler is not None:
            parse_scheduler(args.scheduler)
        counts = autograde(args.submissions, args.out, jobs=args.jobs, timeout=args.timeout,
                           notebook_timeout=args.notebook_timeout, memory_mb=args.memory_mb,
                           force=args.force, quiet=args.quiet, no_sandbox=args.no_sandbox,
                           scheduler=args.scheduler, cluster=cluster, variants=variants)
    except (NoSandbox, ClusterError) as e:
        print(f"grader autograde: {e}", file=sys.stderr)
        return 2
    except PreflightFailed as e:
        print(f"grader autograde: {e}", file=sys.stderr)
        return 3
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


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "handler", None) is not None:     # subcommands that bring their own handler
        return args.handler(args)
    if args.command == "release":
        root = {} if args.root is None else {"root": args.root.resolve()}
        if args.roster is not None or args.out is not None or args.secret_file is not None:
            if args.roster is None:
                print("grader release: --out/--secret-file need --roster ROSTER.csv", file=sys.stderr)
                return 2
            return _release_roster(args, root.get("root", ROOT))
        stale = release(check=args.check, lessons=args.lesson, **root)
        if args.check and stale:
            print("lessons/ is out of date with solutions/ (run `make lessons`):", file=sys.stderr)
            for f in stale:
                print(f"  lessons/{f}", file=sys.stderr)
            return 1
        print(f"lessons/ {'is up to date' if not stale else 'regenerated: ' + ', '.join(stale)}")
        return 0
    if args.command == "autograde":
        return _autograde(args)
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
    if args.command == "hub":
        return run_hub(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
