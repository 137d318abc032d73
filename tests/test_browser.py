"""Every page of the built book in real (Debian) chromium, offline.

Pages come from _toc.yml and charts from the HTML, so a new chapter is tested without new test code.
For every page: no blocked or failed request, no console error, every chart rendered (an svg inside
each chart div), every bound input changes its chart, every self-check question gives feedback,
and no critical or serious axe-core violation.
"""

from __future__ import annotations

import pytest

from trialkit.tooling import browser as tkbrowser
from trialkit.tooling.build import toc_files

def pytest_generate_tests(metafunc):
    if "doc" in metafunc.fixturenames:
        toc = metafunc.config.getoption("--toc")
        metafunc.parametrize("doc", toc_files(toc_path=toc) if toc else toc_files())


@pytest.mark.browser
def test_page_in_browser(doc, site, browser):
    from axe_playwright_python.sync_playwright import Axe

    with tkbrowser.open_page(browser, f"{site}/{doc}.html") as (page, log):
        charts = tkbrowser.wait_for_charts(page)
        problems = []
        for chart in charts:
            if chart["state"] != "rendered" or not chart["drawn"]:
                problems.append(f"chart {chart['id']} did not render (state {chart['state']})")
                continue
            for result in tkbrowser.exercise_inputs(page, chart["id"], chart["inputs"]):
                if not result["changed"]:
                    problems.append(f"chart {chart['id']}: moving input '{result['label']}' to {result['newValue']} did not change the chart")
        for q in tkbrowser.exercise_quizzes(page):
            if not (q["empty"].endswith("first.") and q["wrong"].startswith("Not quite") and q["right"] == "Correct." and q["explained"]):
                problems.append(f"quiz question {q['id']} does not respond as expected: {q}")
        # Requests and console are judged before the audit: axe-core re-fetches stylesheets itself and
        # resolves the theme's relative @import against the page URL, which is its artefact, not ours.
        problems += [f"blocked request: {u}" for u in log.blocked]
        problems += [f"failed request: {u}" for u in log.failed]
        problems += [f"console error: {e}" for e in log.console_errors]
        violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("critical", "serious")]
        for v in violations:
            targets = [n["target"] for n in v["nodes"][:3]]
            problems.append(f"axe {v['impact']}: {v['id']} ({v['help']}) at {targets}")
    assert problems == [], f"{doc}:\n" + "\n".join(problems)


@pytest.mark.browser
def test_blocking_is_effective(site, browser):
    """The harness itself: a page that asks for a remote script records it as blocked."""
    with tkbrowser.open_page(browser, f"{site}/book/index.html") as (page, log):
        page.evaluate("""() => new Promise(r => { const s = document.createElement('script');
            s.src = 'https://cdn.jsdelivr.net/npm/vega@5'; s.onerror = r; s.onload = r; document.head.appendChild(s); })""")
    assert any("cdn.jsdelivr.net" in u for u in log.blocked)
