// The grading page of `grader manual`: navigation, rubric items, saving. No inline script (CSP).
"use strict";
(function () {
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const groups = page.groups;
  const $ = (id) => document.getElementById(id);
  const score = $("score"), comment = $("comment"), msg = $("msg"), state = $("state");
  let cur = 0;

  function progress(p) {
    $("progress").textContent = `${p.question[0]} of ${p.question[1]} graded for this question ` +
      `(${p.all[0]} of ${p.all[1]} in all)`;
  }

  function renderRubric() {
    const box = $("rubric");
    box.textContent = "";
    page.rubric.forEach((item, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.id = item.id;
      const pts = (item.points > 0 ? "+" : "") + item.points;
      b.textContent = `${i < 9 ? i + 1 + ". " : ""}${pts}: ${item.text}`;
      if (i < 9) b.setAttribute("aria-keyshortcuts", String(i + 1));
      b.setAttribute("aria-pressed", groups[cur].rubric.includes(item.id) ? "true" : "false");
      b.addEventListener("click", () => toggle(item.id));
      box.appendChild(b);
    });
  }

  // A long answer is folded to a screenful (the grade form stays in reach); "Show all" unfolds it.
  const FOLD_PX = 480;
  const showAll = $("show-all");
  function fold(article, g) {
    article.classList.remove("folded");
    const tall = article.scrollHeight > FOLD_PX * 1.25;
    if (tall && !g.unfolded) article.classList.add("folded");
    showAll.hidden = !tall;
    showAll.setAttribute("aria-controls", article.id);
    showAll.setAttribute("aria-expanded", g.unfolded ? "true" : "false");
    showAll.textContent = g.unfolded ? "Fold this answer" :
      `Show all of this answer (${article.textContent.length.toLocaleString("en")} characters)`;
  }

  function show(i, focus) {
    cur = (i + groups.length) % groups.length;
    const g = groups[cur];
    document.querySelectorAll("article.answer").forEach((a) => {
      a.hidden = a.dataset.key !== g.key;
      if (!a.hidden) fold(a, g);
    });
    $("answer-h").textContent = `Answer ${cur + 1} of ${groups.length}`;
    $("who").textContent = (g.students.length > 1 ? `${g.students.length} students gave this answer (one grade for all): `
      : "Student: ") + g.students.join(", ");
    score.value = g.score === null ? "" : String(g.score);
    comment.value = g.comment;
    score.removeAttribute("aria-invalid");
    msg.textContent = "";
    state.textContent = g.graded ? `graded (${g.score} by ${g.grader})` : "not graded yet";
    renderRubric();
    if (focus) $("answer-h").focus();
  }

  function rubricScore(ids) {
    const credit = page.rubric.some((r) => r.points > 0);
    let s = credit ? 0 : page.points;
    page.rubric.forEach((r) => { if (ids.includes(r.id)) s += r.points; });
    return Math.min(page.points, Math.max(0, s));
  }

  async function save(ids, scoreText) {
    const g = groups[cur];
    const body = {lesson: page.lesson, question: page.question, group: g.key,
      score: scoreText, comment: comment.value, rubric: ids};
    const r = await fetch("/api/grade", {method: "POST", headers: {"Content-Type": "application/json",
      "X-Token": page.token}, body: JSON.stringify(body)});
    const data = await r.json();
    if (!r.ok || !data.ok) {
      msg.textContent = data.error || `not saved (HTTP ${r.status})`;
      score.setAttribute("aria-invalid", "true");
      state.textContent = "not saved";
      return false;
    }
    Object.assign(g, {graded: true, score: data.score, comment: comment.value, rubric: ids, grader: "you"});
    score.value = String(data.score);
    score.removeAttribute("aria-invalid");
    msg.textContent = "";
    state.textContent = `saved: ${data.score} of ${page.points} for ${data.saved} student(s)`;
    state.className = "ok";
    progress(data.progress);
    return true;
  }

  function toggle(id) {
    const g = groups[cur];
    const ids = g.rubric.includes(id) ? g.rubric.filter((x) => x !== id) : g.rubric.concat([id]);
    const s = rubricScore(ids);
    score.value = String(s);
    save(ids, String(s)).then((ok) => { if (ok) renderRubric(); });
    const b = document.querySelector(`#rubric button[data-id="${id}"]`);
    if (b) b.focus();
  }

  function nextUngraded() {
    for (let k = 1; k <= groups.length; k++) {
      const j = (cur + k) % groups.length;
      if (!groups[j].graded) { show(j, true); return; }
    }
    msg.textContent = "";
    state.textContent = "every answer of this question is graded";
  }

  $("grade-form").addEventListener("submit", (ev) => { ev.preventDefault(); save(groups[cur].rubric, score.value); });
  comment.addEventListener("change", () => { if (groups[cur].graded || score.value !== "") save(groups[cur].rubric, score.value); });
  showAll.addEventListener("click", () => {
    const g = groups[cur];
    g.unfolded = !g.unfolded;
    fold(document.getElementById(`answer-${g.key}`), g);
  });
  $("prev").addEventListener("click", () => show(cur - 1, true));
  $("next").addEventListener("click", () => show(cur + 1, true));
  $("ungraded").addEventListener("click", nextUngraded);
  $("rubric-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await fetch("/api/rubric", {method: "POST", headers: {"Content-Type": "application/json",
      "X-Token": page.token}, body: JSON.stringify({lesson: page.lesson, question: page.question,
      points: $("new-points").value, text: $("new-text").value})});
    const data = await r.json();
    if (!r.ok || !data.ok) { $("rubric-msg").textContent = data.error || `not added (HTTP ${r.status})`; return; }
    page.rubric.push(data.item);
    $("rubric-msg").textContent = "";
    $("new-points").value = ""; $("new-text").value = "";
    renderRubric();
  });
  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    const typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA");
    if (ev.key === "Escape" && typing) { t.blur(); $("answer-h").focus(); return; }
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "n") { show(cur + 1, true); }
    else if (ev.key === "p") { show(cur - 1, true); }
    else if (ev.key === "u") { nextUngraded(); }
    else if (ev.key === "s") { score.focus(); score.select(); }
    else if (ev.key === "c") { comment.focus(); }
    else if (/^[1-9]$/.test(ev.key) && page.rubric[Number(ev.key) - 1]) { toggle(page.rubric[Number(ev.key) - 1].id); }
    else return;
    ev.preventDefault();
  });
  progress(page.progress);
  const first = groups.findIndex((g) => !g.graded);
  show(first < 0 ? 0 : first, false);
})();
