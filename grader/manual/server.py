"""The local grading page of ``grader manual`` (tornado, 127.0.0.1 only, a token in the URL like Jupyter).

``GET /``                      the questions with their progress
``GET /q/<lesson>/<question>`` one question across the class: statement, model answer, rubric, answer groups
``POST /api/grade``            ``{lesson, question, group, score, comment, rubric: [ids]}``: grades every
                               answer of the group at once (all or nothing); a bad score is refused (400)
``POST /api/rubric``           ``{lesson, question, points, text}``: a new rubric item, saved in RESULTS

Every request needs the token (``?token=`` once, then a same-site cookie; API calls also the
``X-Token`` header) and a ``Host`` of 127.0.0.1/localhost (no DNS rebinding). Pages are sent with
a Content-Security-Policy that allows only the page's own script and styles.
"""
from __future__ import annotations

import hmac
import json
from pathlib import Path

import tornado.web

from ..pages import render
from .answers import group_answers
from .questions import load_questions, score_from_rubric
from .render import render_markdown
from .store import HandGrade, add_rubric_item, key_of, load_grades, load_rubric_additions, parse_score, save_grades

__all__ = ["ManualState", "make_app"]

STATIC = Path(__file__).with_name("static")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class ManualState:
    """What the page grades: the questions (from solutions/), the answers and where grades go."""

    def __init__(self, results: Path, root: Path, answers: list, grader: str):
        self.results, self.root, self.grader = Path(results), Path(root), grader
        self.groups = group_answers(answers)
        self.lessons = sorted({a.lesson for a in answers})

    def questions(self) -> dict:
        qs = load_questions(self.root, self.lessons, load_rubric_additions(self.results))
        return {(q.lesson, q.name): q for q in qs if (q.lesson, q.name) in self.groups}

    def graded(self, grades=None) -> dict:
        """-> {(lesson, question): (graded answers, all answers)} (a grade counts for the same submission)."""
        grades = load_grades(self.results) if grades is None else grades
        out = {}
        for q, groups in self.groups.items():
            answers = [a for g in groups for a in g.answers]
            done = sum(1 for a in answers if (g := grades.get(key_of(a.student, a.lesson, a.question)))
                       and g.sha256 == a.sha256)
            out[q] = (done, len(answers))
        return out

    def progress(self, q) -> dict:
        counts = self.graded()
        done, total = counts.get(q, (0, 0))
        return {"question": [done, total], "all": [sum(d for d, _ in counts.values()), sum(t for _, t in counts.values())]}

    def group_state(self, group, grades) -> dict:
        g = next((grades.get(key_of(a.student, a.lesson, a.question)) for a in group.answers
                  if (x := grades.get(key_of(a.student, a.lesson, a.question))) and x.sha256 == a.sha256), None)
        return {"key": group.key, "students": group.students, "graded": g is not None,
                "score": None if g is None else g.score, "comment": "" if g is None else g.comment,
                "rubric": [] if g is None else [x["id"] for x in g.rubric], "grader": "" if g is None else g.grader}

    def grade(self, body: dict) -> dict:
        q = (str(body.get("lesson")), str(body.get("question")))
        question = self.questions().get(q)
        group = next((g for g in self.groups.get(q, []) if g.key == body.get("group")), None)
        if question is None or group is None:
            raise ValueError(f"no such answer group: {q[0]} {q[1]} {body.get('group')!r}")
        by_id = {i.id: i for i in question.rubric}
        unknown = [i for i in body.get("rubric") or [] if i not in by_id]
        if unknown:
            raise ValueError(f"rubric: unknown item(s) {', '.join(map(str, unknown))}")
        applied = [by_id[i] for i in body.get("rubric") or []]
        raw = body.get("score")
        score = score_from_rubric(question.points, applied, question.rubric) if raw in (None, "") and applied \
            else parse_score(raw, question.points)
        comment = str(body.get("comment") or "")
        if len(comment) > 5000:
            raise ValueError(f"comment: at most 5000 characters, got {len(comment)}")
        saved = save_grades(self.results, [
            HandGrade(a.student, a.lesson, a.question, score, question.points, comment,
                      tuple(i.as_dict() for i in applied), self.grader, a.sha256) for a in group.answers])
        return {"ok": True, "score": score, "saved": len(saved), "progress": self.progress(q)}


class _Base(tornado.web.RequestHandler):
    def initialize(self, state: ManualState, token: str):
        self.state, self.token = state, token

    def set_default_headers(self):
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")

    def prepare(self):
        host = self.request.host.rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost"):
            raise tornado.web.HTTPError(403, "wrong host")
        given = self.get_query_argument("token", "") or self.get_cookie("bw_manual", "")
        if self.request.method == "POST":
            given = self.request.headers.get("X-Token", "")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            raise tornado.web.HTTPError(403, "missing or wrong token")
        if self.get_query_argument("token", ""):
            self.set_cookie("bw_manual", self.token, httponly=True, samesite="Strict")

    def write_error(self, status_code, **kwargs):
        reason = getattr(kwargs.get("exc_info", (None, None))[1], "log_message", None) or self._reason
        if self.request.path.startswith("/api/"):
            self.finish({"ok": False, "error": reason})
        else:
            self.finish(render("manual_error.html.j2", status=status_code, reason=reason))


class Index(_Base):
    def get(self):
        qs = self.state.questions()
        counts = self.state.graded()
        items = [{"lesson": q.lesson, "name": q.name, "points": f"{q.points:g}", "done": counts[k][0],
                  "total": counts[k][1], "groups": len(self.state.groups[k])} for k, q in sorted(qs.items())]
        self.finish(render("manual_index.html.j2", items=items, grader=self.state.grader,
                           done=sum(i["done"] for i in items), total=sum(i["total"] for i in items)))


class QuestionPage(_Base):
    def get(self, lesson, name):
        q = self.state.questions().get((lesson, name))
        if q is None:
            raise tornado.web.HTTPError(404, f"no written question {lesson}/{name} with answers")
        grades = load_grades(self.state.results)
        groups = self.state.groups[(lesson, name)]
        keys = sorted(self.state.questions())
        k = keys.index((lesson, name))
        page = {"lesson": lesson, "question": name, "points": q.points, "token": self.token,
                "rubric": [i.as_dict() for i in q.rubric],
                "groups": [self.state.group_state(g, grades) for g in groups],
                "progress": self.state.progress((lesson, name))}
        self.finish(render("manual_question.html.j2", q=q, page=page, grader=self.state.grader,
                           statement=render_markdown(q.statement), model=render_markdown(q.model),
                           groups=[{"key": g.key, "students": g.students,
                                    "html": render_markdown(g.answers[0].text, g.answers[0].attachments)}
                                   for g in groups],
                           prev=keys[k - 1] if k > 0 else None, next=keys[k + 1] if k + 1 < len(keys) else None))


class _Api(_Base):
    def body(self) -> dict:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            raise tornado.web.HTTPError(400, "the request is not JSON") from None
        if not isinstance(data, dict):
            raise tornado.web.HTTPError(400, "expected a JSON object")
        return data


class GradeApi(_Api):
    def post(self):
        try:
            self.finish(self.state.grade(self.body()))
        except ValueError as e:
            raise tornado.web.HTTPError(400, str(e)) from None


class RubricApi(_Api):
    def post(self):
        b = self.body()
        try:
            points = float(str(b.get("points", "")).replace("−", "-"))
            q = self.state.questions().get((str(b.get("lesson")), str(b.get("question"))))
            if q is None:
                raise ValueError("rubric item: no such question")
            if abs(points) > q.points:
                raise ValueError(f"rubric item: points between -{q.points:g} and {q.points:g}, got {points:g}")
            item = add_rubric_item(self.state.results, q.lesson, q.name, points, b.get("text", ""))
        except ValueError as e:
            msg = str(e) if str(e).startswith("rubric") else f"rubric item: points must be a number, got {b.get('points')!r}"
            raise tornado.web.HTTPError(400, msg) from None
        self.finish({"ok": True, "item": item})


class Static(tornado.web.StaticFileHandler):
    def set_extra_headers(self, path):
        self.set_header("X-Content-Type-Options", "nosniff")


def make_app(state: ManualState, token: str) -> tornado.web.Application:
    kw = {"state": state, "token": token}
    return tornado.web.Application([
        (r"/", Index, kw), (r"/q/([\w.-]+)/([\w.-]+)", QuestionPage, kw),
        (r"/api/grade", GradeApi, kw), (r"/api/rubric", RubricApi, kw),
        (r"/static/(manual\.(?:js|css))", Static, {"path": str(STATIC)}),
    ], xsrf_cookies=False, autoreload=False, debug=False)
