"""``grader hub release LESSON...``: the student versions in ``lessons/`` into the exchange's outbound.

This is nbgrader's ``release_assignment`` (its exchange API, as the formgrader's Release button
runs it), configured for the course: ``lessons/<id>/`` -> ``<exchange>/<course>/outbound/<id>/``.
With a roster (``--roster``, ``--secret-file``) each student's own variant is written first to
``personal/<student>/<id>/`` (:mod:`.personal`); their Fetch then gets that one.
"""
from __future__ import annotations

from pathlib import Path

from ..release import ROOT, lesson_names
from .layout import Classroom
from .personal import release_personal

__all__ = ["release_lessons"]


def release_lessons(room: Classroom, lessons: list[str], root: Path = ROOT, force: bool = False,
                    students=None, secret: bytes | None = None) -> list[str]:
    """Release ``lessons`` from ``root/lessons``; -> the lessons released. Raises with nbgrader's log.

    ``students`` (with the course ``secret``): each one's own variant goes to ``personal/`` first."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    known = lesson_names(root)
    unknown = [l for l in lessons if l not in known]
    if unknown:
        raise ValueError(f"LESSON: unknown {', '.join(unknown)} (known: {', '.join(known) or 'none'})")
    missing = [l for l in lessons if not (root / "lessons" / l / f"{l}.ipynb").is_file()]
    if missing:
        raise FileNotFoundError(f"lessons/{missing[0]}/{missing[0]}.ipynb is missing: run `make lessons`")
    if not room.outbound.is_dir():
        raise FileNotFoundError(f"the exchange has no outbound folder {room.outbound} "
                                f"(run `grader hub setup` first, or check --exchange / --course)")
    released = [l for l in lessons if (room.outbound / l).exists()]
    if released and not force:
        raise RuntimeError(f"{released[0]} is already released to {room.outbound}: add --force to replace it")
    if students:
        release_personal(room, lessons, students, secret, root)
    cfg = Config()
    cfg.merge(PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "grader")).load_config())
    cfg.CourseDirectory.root = str(root)
    cfg.CourseDirectory.course_id = room.course
    cfg.CourseDirectory.groupshared = True     # the instructors' group shares the course's folders
    cfg.Exchange.root = str(room.exchange)
    cfg.ExchangeReleaseAssignment.force = force
    cfg.Application.log_level = "WARN"
    api = NbGraderAPI(config=cfg)
    done = []
    for lesson in lessons:
        result = api.release_assignment(lesson)
        if not result["success"]:
            log = result.get("log", "") + result.get("error", "")
            hint = " (already released: add --force to replace it)" if "already exists" in log else ""
            raise RuntimeError(f"nbgrader release_assignment {lesson} failed{hint}:\n{log.strip()}")
        done.append(lesson)
    return done
