"""Generate the student notebooks in ``lessons/`` from the sources in ``solutions/``.

``release()`` runs nbgrader's ``generate_assignment`` for every lesson into a
scratch directory (no gradebook is written into the repository) and copies the
result into ``lessons/``; ``release(check=True)`` changes nothing and returns
the files that differ, so CI can fail when someone edited ``solutions/`` and
forgot ``make lessons``. A lesson that declares per-student variants (a cell tagged
``variant``, see :mod:`grader.variants`) is released as the common version: its
``variant-text`` cells quote the defaults.

``release_roster()`` (``grader release --roster ROSTER.csv --out DIR``) writes each student's
own version ``DIR/<student_id>/<lesson>.ipynb``: the same nbgrader student version, made into
the variant whose fingerprint is the HMAC of (student id, lesson) under the course secret.
"""
from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["ROOT", "lesson_names", "generate", "release", "release_roster", "write_variant"]

ROOT = Path(__file__).resolve().parent.parent


def lesson_names(root: Path = ROOT) -> list[str]:
    """Lesson ids: the folders of ``solutions/`` that hold ``<id>/<id>.ipynb``."""
    src = root / "solutions"
    return sorted(p.name for p in src.iterdir() if (p / f"{p.name}.ipynb").is_file()) if src.is_dir() else []


def generate(out_dir: Path, root: Path = ROOT, lessons: list[str] | None = None, common: bool = True) -> Path:
    """Run nbgrader generate_assignment for ``lessons`` from ``root/solutions`` into ``out_dir``.

    ``common``: lessons with variants are made into the common version (``False``: their
    ``variant-text`` cells keep the Jinja2 templates, for :func:`release_roster`)."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "grader")).load_config()
    tmp = Path(out_dir)
    cfg.CourseDirectory.root = str(tmp)
    cfg.CourseDirectory.source_directory = str(root / "solutions")
    cfg.CourseDirectory.release_directory = str(tmp / "lessons")
    cfg.CourseDirectory.db_url = f"sqlite:///{tmp / 'gradebook.db'}"
    cfg.GenerateAssignment.no_database = True
    cfg.SaveCells.enabled = False  # what `nbgrader generate_assignment --no-db` sets as well
    cfg.Application.log_level = "WARN"
    extra = Config()
    extra.merge(cfg)
    api = NbGraderAPI(config=extra)
    for lesson in lessons or lesson_names(root):
        result = api.generate_assignment(lesson, force=True)
        if not result["success"]:
            detail = f"{result.get('error', '')}\n{result.get('log', '')}"   # 'log' is absent on some errors
            raise RuntimeError(f"nbgrader could not generate {lesson}:\n{detail}")
        if common:
            _common_version(tmp / "lessons" / lesson / f"{lesson}.ipynb")
    return tmp / "lessons"


def _rechecksum(nb) -> None:
    """nbgrader's checksums of the cells whose source a variant changed (its own validate checks them)."""
    from nbgrader.utils import compute_checksum
    for cell in nb.cells:
        if "checksum" in cell.get("metadata", {}).get("nbgrader", {}):
            cell.metadata.nbgrader["checksum"] = compute_checksum(cell)


def write_variant(nb, fp: str | None, path: Path, where: str) -> None:
    """Write ``nb`` made into the variant ``fp`` (``None``: common) to ``path``."""
    import nbformat

    from .variants import personalise
    out = personalise(nb, fp, where)
    _rechecksum(out)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(out, str(path))


def _common_version(path: Path) -> None:
    """A generated lesson with variants becomes the common version (lessons without stay byte-identical)."""
    import nbformat

    from .variants import variant_cell, variant_role
    nb = nbformat.read(str(path), as_version=4)
    if variant_cell(nb, str(path.name)) is not None or any(variant_role(c) for c in nb.cells):
        write_variant(nb, None, path, path.name)


def _diff(a: Path, b: Path) -> list[str]:
    """Relative paths that differ between two trees (missing on either side counts)."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()} if a.exists() else set()
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()} if b.exists() else set()
    out = sorted(str(p) for p in files_a ^ files_b)
    out += sorted(str(p) for p in files_a & files_b if not filecmp.cmp(a / p, b / p, shallow=False))
    return sorted(out)


def release(check: bool = False, root: Path = ROOT, lessons: list[str] | None = None) -> list[str]:
    """Regenerate ``root/lessons`` (or only ``lessons``); with ``check`` only report stale files."""
    with tempfile.TemporaryDirectory(prefix="bw-release-") as tmp:
        fresh = generate(Path(tmp), root, lessons)
        target = root / "lessons"
        if lessons:
            stale = [f"{l}/{f}" for l in lessons for f in _diff(fresh / l, target / l)]
        else:
            stale = _diff(fresh, target)
        if not check and stale:
            for lesson in os.listdir(fresh):
                shutil.rmtree(target / lesson, ignore_errors=True)
                shutil.copytree(fresh / lesson, target / lesson)
            for extra in (target.iterdir() if target.exists() and not lessons else []):
                if extra.is_dir() and not (fresh / extra.name).exists():
                    shutil.rmtree(extra)
        return stale


def release_roster(students, out: Path, secret: bytes, root: Path = ROOT,
                   lessons: list[str] | None = None) -> list[Path]:
    """Write ``out/<student>/<lesson>.ipynb`` for every student and lesson; -> the files written.

    A lesson without a ``variant`` cell is the same notebook for everyone (the common version).
    """
    import nbformat

    from .variants import fingerprint, variant_cell
    lessons = list(lessons or lesson_names(root))
    unknown = sorted(set(lessons) - set(lesson_names(root)))
    if unknown:
        raise ValueError(f"--lesson: {', '.join(unknown)} is not a lesson of {root}/solutions "
                         f"(known: {', '.join(lesson_names(root))})")
    out = Path(out)
    written = []
    with tempfile.TemporaryDirectory(prefix="bw-release-") as tmp:
        fresh = generate(Path(tmp), root, lessons, common=False)
        for lesson in lessons:
            nb = nbformat.read(str(fresh / lesson / f"{lesson}.ipynb"), as_version=4)
            varies = variant_cell(nb, lesson) is not None
            for student in students:
                fp = fingerprint(secret, student, lesson) if varies else None
                path = out / student / f"{lesson}.ipynb"
                write_variant(nb, fp, path, f"{lesson} for {student}")
                written.append(path)
    return written
