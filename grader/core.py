"""The grader's typed core: statuses, limits, and the results that flow between stages.

Everything a grading stage hands to the next is a frozen dataclass built and serialised
here, in one place; the JSON written to ``RESULTS/results/<student>/<lesson>.json`` keeps
the shape it always had (plus ``diagnosis``, the stable code of the failed check), and
:meth:`ExerciseResult.from_dict` reads older results that lack it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import Enum

__all__ = ["Status", "Limits", "ExerciseResult", "SubmissionResult", "PROBLEM_FREE"]


class Status(str, Enum):
    """An exercise's status (the ``status`` column of ``grades.csv``)."""
    GRADED = "graded"
    ERROR = "error"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    TAMPERED = "tampered"
    MISSING = "missing"
    NEEDS_MANUAL = "needs_manual"

    def __str__(self) -> str:
        return self.value


PROBLEM_FREE = frozenset({Status.GRADED, Status.NEEDS_MANUAL})


def _positive_int(owner: str, name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{owner}.{name}: expected a positive integer, got {value!r}")


@dataclass(frozen=True)
class Limits:
    """Every limit a submission is graded under (shared by the CLI, ``validate`` and the workers).

    ``cell_timeout`` / ``notebook_timeout``: seconds per cell / for all cells; ``memory_mb``: the
    kernel's RLIMIT_DATA; ``output_cap``: characters of output kept per cell; ``scratch_mb``: the
    size of the kernel's only writable file system; ``file_mb``: the largest file it may write;
    ``nproc``: processes/threads of a kernel's own uid; ``submission_timeout``: the wall-clock
    deadline of one submission from reading the file to the last cell (default: the notebook
    timeout plus two minutes for reading, inspecting and starting the kernel);
    ``inspect_timeout``: seconds for reading and inspecting the notebook before any cell runs.
    """
    cell_timeout: int = 30
    notebook_timeout: int = 600
    memory_mb: int = 2048
    output_cap: int = 200_000
    scratch_mb: int = 128
    file_mb: int = 64
    nproc: int = 96
    submission_timeout: int | None = None
    inspect_timeout: int = 60

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "submission_timeout" and value is None:
                continue
            _positive_int("Limits", f.name, value)

    @property
    def deadline(self) -> int:
        """Seconds one submission may take in total."""
        return self.submission_timeout or self.notebook_timeout + 120

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> Limits:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"Limits: unknown field(s) {sorted(unknown)}; expected some of {sorted(known)}")
        return cls(**data)

    def with_(self, **changes) -> Limits:
        """A copy with ``changes`` (``None`` values are ignored: "keep the default")."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _status(value) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise ValueError(f"status: expected one of {[s.value for s in Status]}, got {value!r}") from None


@dataclass(frozen=True)
class ExerciseResult:
    """One exercise of one submission."""
    exercise: str
    max_score: float | None
    status: Status = Status.GRADED
    score: float | None = 0.0
    message: str = ""
    output: str = ""
    hidden_failed: bool = False
    flags: tuple[str, ...] = ()
    diagnosis: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "status", _status(self.status))
        object.__setattr__(self, "flags", tuple(self.flags))

    def to_dict(self) -> dict:
        return {"exercise": self.exercise, "score": self.score, "max_score": self.max_score,
                "status": self.status.value, "message": self.message, "output": self.output,
                "hidden_failed": bool(self.hidden_failed), "flags": list(self.flags),
                "diagnosis": self.diagnosis}

    @classmethod
    def from_dict(cls, data: dict) -> ExerciseResult:
        """Also reads results written before ``diagnosis`` existed."""
        return cls(exercise=data["exercise"], max_score=data.get("max_score"),
                   status=data.get("status", "graded"), score=data.get("score"),
                   message=data.get("message", ""), output=data.get("output", ""),
                   hidden_failed=bool(data.get("hidden_failed", False)),
                   flags=tuple(data.get("flags", ())), diagnosis=data.get("diagnosis"))


@dataclass(frozen=True)
class SubmissionResult:
    """One graded submission (what :func:`grader.grading.grade_file` returns, as a dict)."""
    lesson: str
    exercises: tuple[ExerciseResult, ...]
    spec_sha256: str = ""
    notes: tuple[str, ...] = ()
    isolation: str = ""
    graded_at: str = ""
    seconds: float | None = None
    extra: dict = field(default_factory=dict)      # top-level keys added by later stages

    def __post_init__(self):
        object.__setattr__(self, "exercises", tuple(self.exercises))
        object.__setattr__(self, "notes", tuple(self.notes))

    def to_dict(self) -> dict:
        out = dict(self.extra)
        out.update(lesson=self.lesson, spec_sha256=self.spec_sha256, notes=list(self.notes),
                   isolation=self.isolation, graded_at=self.graded_at,
                   exercises=[e.to_dict() for e in self.exercises])
        if self.seconds is not None:
            out["seconds"] = self.seconds
        return out

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionResult:
        own = {"lesson", "spec_sha256", "notes", "isolation", "graded_at", "exercises", "seconds"}
        return cls(lesson=data["lesson"], spec_sha256=data.get("spec_sha256", ""),
                   notes=tuple(data.get("notes", ())), isolation=data.get("isolation", ""),
                   graded_at=data.get("graded_at", ""), seconds=data.get("seconds"),
                   exercises=tuple(ExerciseResult.from_dict(e) for e in data.get("exercises", ())),
                   extra={k: v for k, v in data.items() if k not in own})

    @property
    def statuses(self) -> list[Status]:
        return [e.status for e in self.exercises]
