"""``grader manual RESULTS [--grader NAME] [--submissions PATH] [--port N] [--export F | --import F]``."""
from __future__ import annotations

import getpass
import secrets
import sys
from pathlib import Path

__all__ = ["add_manual_parser", "run_manual"]


def add_manual_parser(sub) -> None:
    p = sub.add_parser("manual", help="grade the written answers by hand, question by question (local page)")
    p.add_argument("results", type=Path, help="results folder of grader autograde")
    p.add_argument("--grader", default=None, metavar="NAME", help="your name in the grades (default: the OS user)")
    p.add_argument("--submissions", type=Path, default=None, metavar="PATH",
                   help="the folder or zip that was graded (read-only), where the answers' text is taken from "
                        "the first time")
    p.add_argument("--roster", type=Path, default=None, metavar="ROSTER.csv",
                   help="with an LMS submissions zip as --submissions: the roster autograde used")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--root", type=Path, default=None, metavar="DIR", help="course folder holding solutions/")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--export", type=Path, metavar="CSV", help="write the answers to a spreadsheet and exit")
    g.add_argument("--import", dest="import_", type=Path, metavar="CSV",
                   help="read scores back from such a spreadsheet (all rows valid, or nothing applied)")
    p.set_defaults(handler=run_manual)


def _serve(state, port: int, token: str) -> int:
    import asyncio

    import tornado.httpserver
    import tornado.netutil

    from .server import make_app

    async def main():
        server = tornado.httpserver.HTTPServer(make_app(state, token))
        sockets = tornado.netutil.bind_sockets(port, address="127.0.0.1")
        server.add_sockets(sockets)
        url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/?token={token}"
        print(f"grading page: {url}\n(Ctrl-C stops it; every grade is saved as you go)", flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        print("\nstopped; grades are in RESULTS/manual/grades.json (run `grader report RESULTS`)", file=sys.stderr)
    return 0


def run_manual(args) -> int:
    from ..release import ROOT
    from .answers import MissingAnswers, collect_answers
    from .csvio import ImportRejected, export_csv, import_csv
    from .server import ManualState
    if not (args.results / "results").is_dir():
        print(f"grader manual: RESULTS: {args.results} is not a results folder of grader autograde "
              "(no results/ inside)", file=sys.stderr)
        return 2
    if args.submissions is not None and not args.submissions.exists():
        print(f"grader manual: --submissions: {args.submissions} does not exist", file=sys.stderr)
        return 2
    grader = args.grader or getpass.getuser()
    try:
        from ..lms import use_roster
        use_roster(args.roster)
    except (OSError, ValueError) as e:
        print(f"grader manual: {e}", file=sys.stderr)
        return 2
    if args.import_ is not None and not args.import_.is_file():
        print(f"grader manual: --import: {args.import_} does not exist", file=sys.stderr)
        return 2
    try:
        answers = collect_answers(args.results, args.submissions)
    except MissingAnswers as e:
        print(f"grader manual: {e}", file=sys.stderr)
        return 2
    if args.export:
        n = export_csv(args.results, answers, args.export)
        print(f"{n} written answers written to {args.export}")
        return 0
    if args.import_:
        try:
            n = import_csv(args.results, answers, args.import_, grader)
        except ImportRejected as e:
            print(f"grader manual --import: {e}", file=sys.stderr)
            return 1
        print(f"{n} grades imported from {args.import_} (rows whose score and comment are unchanged were left "
              "as they were)")
        return 0
    state = ManualState(args.results, (args.root or ROOT).resolve(), answers, grader)
    return _serve(state, args.port, secrets.token_urlsafe(24))
