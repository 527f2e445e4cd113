"""The classroom on JupyterHub with nbgrader's exchange: ``grader hub {setup,release,collect,return}``.

``setup`` (root) prepares users, exchange and configuration (:mod:`.deployment`); ``release``
hands lessons out (:mod:`.release`); ``collect`` turns handed-in work into ``SUBMISSIONS``
(:mod:`.collect`); ``return`` hands feedback back (:mod:`.handback`). The permissions in force
are described in :mod:`.layout`; the plugin the students' servers use is :mod:`.exchange`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

__all__ = ["add_hub_parser", "run_hub", "classroom_of", "DEFAULT_CLASSROOM"]


DEFAULT_CLASSROOM = Path("/srv/backprop-workbook/classroom.json")


def _room_args(p: argparse.ArgumentParser, recorded: bool = True) -> None:
    """``--exchange/--course/--group``; with ``recorded``, their defaults come from ``--classroom``."""
    from .layout import DEFAULT_COURSE, DEFAULT_EXCHANGE, DEFAULT_GROUP
    where = "the classroom's recorded setting, else " if recorded else ""
    p.add_argument("--exchange", type=Path, default=None, metavar="DIR",
                   help=f"nbgrader's exchange root (default: {where}{DEFAULT_EXCHANGE})")
    p.add_argument("--course", default=None, help=f"course id (default: {where}{DEFAULT_COURSE})")
    p.add_argument("--group", default=None, help=f"the instructors' Unix group (default: {where}{DEFAULT_GROUP})")
    if recorded:
        p.add_argument("--classroom", type=Path, default=None, metavar="classroom.json",
                       help=f"the settings `make classroom` recorded (default: $BW_CLASSROOM, else {DEFAULT_CLASSROOM}, "
                            "when it exists)")


def classroom_of(args, env=None):
    """The :class:`~.layout.Classroom` of a command: each of ``--exchange/--course/--group`` given, else
    recorded in ``classroom.json`` (``--classroom``, ``$BW_CLASSROOM``, or :data:`DEFAULT_CLASSROOM`
    when it exists; written by ``grader hub setup``), else the default."""
    from .layout import DEFAULT_COURSE, DEFAULT_EXCHANGE, DEFAULT_GROUP, Classroom
    env = os.environ if env is None else env
    recorded = {}
    if hasattr(args, "classroom"):
        path = args.classroom or (Path(env["BW_CLASSROOM"]) if env.get("BW_CLASSROOM") else None)
        if path is not None and not path.is_file():
            what = "--classroom" if args.classroom else "$BW_CLASSROOM"
            raise FileNotFoundError(f"{what}: {path} does not exist (written by `make classroom` / `grader hub setup`)")
        path = path or (DEFAULT_CLASSROOM if DEFAULT_CLASSROOM.is_file() else None)
        if path is not None:
            try:
                recorded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise ValueError(f"{path}: cannot read the classroom's settings: {e}") from None
    return Classroom(exchange=Path(args.exchange or recorded.get("exchange") or DEFAULT_EXCHANGE),
                     course=args.course or recorded.get("course") or DEFAULT_COURSE,
                     group=args.group or recorded.get("group") or DEFAULT_GROUP)


def add_hub_parser(sub) -> None:
    """Register ``grader hub ...`` on the main parser's subparsers."""
    hub = sub.add_parser("hub", help="run a class on JupyterHub: setup, release, collect, return")
    hs = hub.add_subparsers(dest="hub_command", required=True)

    p = hs.add_parser("setup", help="(root) create users, exchange, configuration for `make classroom`")
    _room_args(p, recorded=False)
    p.add_argument("--roster", type=Path, required=True, help="CSV with a student_id column")
    p.add_argument("--instructor", required=True, help="the instructor's Unix user name")
    p.add_argument("--state", type=Path, default=None, help="where the Hub's files go (default /srv/backprop-workbook)")
    p.add_argument("--venv", type=Path, default=None, help="the users' environment (default /opt/backprop-workbook/venv)")
    p.add_argument("--home-base", type=Path, default=None, help="create homes here (default: useradd's)")
    p.add_argument("--ip", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--hub-port", type=int, default=8081)
    p.add_argument("--proxy-api-port", type=int, default=8001)

    p = hs.add_parser("release", help="lessons/<LESSON> into the exchange's outbound (nbgrader release_assignment)")
    _room_args(p)
    p.add_argument("lessons", nargs="+", metavar="LESSON")
    p.add_argument("--force", action="store_true", help="replace a lesson already released")
    p.add_argument("--root", type=Path, default=None, metavar="DIR",
                   help="course folder holding lessons/ (default: this checkout; the instructor's "
                        "own copy is ~/backprop-workbook)")
    p.add_argument("--roster", type=Path, default=None,
                   help="CSV with a student_id column: each student also gets their own variant (their Fetch)")
    p.add_argument("--secret-file", type=Path, default=None, metavar="F",
                   help="with --roster: the course secret the variants are keyed by (default: <root>/.variant-secret, "
                        "made if missing); grade with `grader autograde --roster R --secret-file F`")

    p = hs.add_parser("collect", help="the exchange's inbound -> SUBMISSIONS/<student_id>/<lesson>.ipynb")
    _room_args(p)
    p.add_argument("lessons", nargs="+", metavar="LESSON")
    p.add_argument("--out", type=Path, required=True, metavar="SUBMISSIONS")
    p.add_argument("--due", default=None, help="due date, ISO (UTC unless a zone is given), e.g. 2026-12-01T23:59")
    p.add_argument("--roster", type=Path, default=None, help="accept only these students")

    p = hs.add_parser("return", help="RESULTS/feedback/<student>/<lesson>.html to the students (release_feedback)")
    _room_args(p)
    p.add_argument("results", type=Path, metavar="RESULTS")


def _setup(args, room) -> int:
    from .deployment import Deployment, read_roster, setup
    kw = {k: getattr(args, k) for k in ("state", "venv") if getattr(args, k) is not None}
    d = Deployment(room=room, instructor=args.instructor, students=read_roster(args.roster),
                   home_base=args.home_base, ip=args.ip, port=args.port, hub_port=args.hub_port,
                   proxy_api_port=args.proxy_api_port, **kw)
    s = setup(d)
    print(f"classroom ready: {len(s['students'])} students, instructor {s['instructor']}, "
          f"exchange {s['exchange']}, course folder {s['course_root']}")
    if s["new_passwords"]:
        print(f"new passwords for {', '.join(s['new_passwords'])} in {Path(s['passwords_file']).with_name('passwords.txt')}")
    return 0


def _release(args, room) -> int:
    from ..release import ROOT
    from ..secret import default_path, ensure_secret
    from .deployment import read_roster
    from .release import release_lessons
    root = ROOT if args.root is None else args.root.resolve()
    if args.secret_file is not None and args.roster is None:
        raise ValueError("--secret-file needs --roster (whose variants to release)")
    students, secret = None, None
    if args.roster is not None:
        students = read_roster(args.roster)
        secret, made = ensure_secret(args.secret_file or default_path(root))
        if made:
            print(f"made a new course secret {args.secret_file or default_path(root)} (keep it: grading needs it)")
    done = release_lessons(room, args.lessons, root=root, force=args.force, students=students, secret=secret)
    own = f"; each of {len(students)} students' own variant to {room.personal}" if students else ""
    print(f"released {', '.join(done)} to {room.outbound}{own}")
    return 0


def _collect(args, room) -> int:
    from .collect import collect, parse_due
    from .deployment import read_roster
    roster = set(read_roster(args.roster)) if args.roster else None
    s = collect(room, args.lessons, args.out, due=parse_due(args.due), roster=roster)
    for r in s["rejected"]:
        print(f"rejected {r['folder']}: {r['reason']}", file=sys.stderr)
    for f in s["open"]:
        print(f"warning: {f} is readable by other users (submitted without the classroom's plugin)",
              file=sys.stderr)
    print(f"{s['counted']} submissions from {s['students']} students into {args.out} "
          f"({s['late']} late, {s['kept_late']} later ones kept and flagged late, {len(s['rejected'])} rejected)")
    return 0


def _return(args, room) -> int:
    from .handback import hand_back
    done, problems = hand_back(room, args.results)
    for p in problems:
        print(f"not returned: {p}", file=sys.stderr)
    print(f"{len(done)} feedback pages returned to {len({h.student for h in done})} students "
          f"(they appear under Fetch Feedback in the Assignments tab)")
    return 1 if problems else 0


def run_hub(args) -> int:
    """Run ``grader hub <command>``; bad input -> a message on stderr and exit code 2."""
    try:
        room = classroom_of(args)
        if args.hub_command == "setup":
            return _setup(args, room)
        if args.hub_command == "release":
            return _release(args, room)
        if args.hub_command == "collect":
            return _collect(args, room)
        return _return(args, room)
    except (ValueError, FileNotFoundError, PermissionError, RuntimeError) as e:
        print(f"grader hub {args.hub_command}: {e}", file=sys.stderr)
        return 2
