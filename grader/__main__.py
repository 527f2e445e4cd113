"""Command line: ``python -m grader release [--check]``."""
from __future__ import annotations

import argparse
import sys

from .release import release


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="grader", description="Backprop Workbook grading tools")
    sub = parser.add_subparsers(dest="command", required=True)
    p_rel = sub.add_parser("release", help="regenerate lessons/ from solutions/")
    p_rel.add_argument("--check", action="store_true",
                       help="change nothing; exit 1 and name the files when lessons/ is stale")
    p_rel.add_argument("--lesson", action="append", metavar="ID",
                       help="only this lesson (repeatable), e.g. --lesson 01_forward_propagation")
    args = parser.parse_args(argv)
    if args.command == "release":
        stale = release(check=args.check, lessons=args.lesson)
        if args.check and stale:
            print("lessons/ is out of date with solutions/ (run `make lessons`):", file=sys.stderr)
            for f in stale:
                print(f"  lessons/{f}", file=sys.stderr)
            return 1
        print(f"lessons/ {'is up to date' if not stale else 'regenerated: ' + ', '.join(stale)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
