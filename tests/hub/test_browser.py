"""A student in a real browser: log in to the Hub, open the Assignments tab, fetch a lesson, open it.

Debian's Chromium started by us (we own its process id, see tests/browser/conftest.py, whose
helpers are reused) and driven over CDP by Playwright. Screenshots: test-artifacts/hub/.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, LESSONS, ROOT

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
_spec = importlib.util.spec_from_file_location("browser_harness", ROOT / "tests" / "browser" / "conftest.py")
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)


@pytest.fixture(scope="module")
def browser(classroom):
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"the browser test needs Debian's chromium at {CHROMIUM}: apt-get install -y chromium",
                    pytrace=False)
    from playwright.sync_api import sync_playwright
    profile = classroom["base"] / "chromium-profile"
    profile.mkdir()
    log = open(ARTIFACTS / "chromium.log", "w")
    proc = harness.start([str(CHROMIUM), "--headless=new", "--remote-debugging-port=0",
                          "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}",
                          "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          "--disable-dev-shm-usage", "--window-size=1400,1000", "about:blank"],
                         profile, dict(os.environ), log)
    pw = None
    try:
        port_file = profile / "DevToolsActivePort"
        harness.wait_until(lambda: port_file.is_file() and port_file.read_text().strip(), 30, "Chromium", proc)
        pw = sync_playwright().start()
        b = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{int(port_file.read_text().split()[0])}")
        yield b
        b.close()
    finally:
        if pw is not None:
            pw.stop()
        harness.stop(proc)
        log.close()


def _password(state: Path, user: str) -> str:
    for line in (state / "hub" / "passwords.txt").read_text().splitlines():
        name, _, pw = line.partition(" ")
        if name == user:
            return pw
    raise AssertionError(f"no password for {user} in {state / 'hub' / 'passwords.txt'}")


def test_student_fetches_and_opens_a_released_lesson(classroom, released, browser):
    hub, user, lesson = classroom["hub"], classroom["names"]["b"], LESSONS[1]
    context = browser.contexts[0] if browser.contexts else browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{hub.url}/hub/login")
        page.fill("#username_input", user)
        page.fill("#password_input", "not the password")
        page.click("#login_submit")
        page.wait_for_selector("text=Invalid username or password", timeout=30_000)
        page.fill("#username_input", user)
        page.fill("#password_input", _password(classroom["state"], user))
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{user}/lab**", timeout=60_000)
        page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Nbgrader')", timeout=60_000).click()
        labels = page.locator(".lm-Menu-itemLabel").all_inner_texts()
        assert "Assignment List" in labels and not any("Formgrader" in l for l in labels), \
            f"a student's Nbgrader menu: {labels} (the formgrader is for instructors only)"
        page.click(".lm-Menu-itemLabel:text-is('Assignment List')")
        row = page.locator(f"#released_assignments_list .list_item:has-text('{lesson}')")
        row.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "assignments-tab.png"))
        row.locator("button:text-is('Fetch')").click()
        fetched = page.locator(f"#fetched_assignments_list .list_item:has-text('{lesson}')").first
        fetched.wait_for(timeout=30_000)
        fetched.locator(f"a:text-is('{lesson}')").first.click()
        page.locator(f"#fetched_assignments_list .assignment-notebooks a:text-is('{lesson}')").click()
        tab = page.locator(f".lm-TabBar-tabLabel:text-is('{lesson}.ipynb')")
        tab.wait_for(timeout=60_000)
        title = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownOutput h1").first
        title.wait_for(timeout=60_000)
        assert "loss" in title.inner_text().lower(), f"the opened notebook starts with {title.inner_text()!r}"
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "student-lesson-open.png"))
        listing = hub.user(user, "GET", f"/api/contents/{lesson}").json()
        assert [x["name"] for x in listing["content"]] == [f"{lesson}.ipynb"], listing["content"]
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "browser-failure.png"))
        raise
    finally:
        page.close()
