"""Every page of the built book in real (Debian) chromium, offline, as readers meet it.

Pages come from _toc.yml and charts from the HTML, so a new chapter is tested without new test code.
Each page is opened twice: served over HTTP at 1280x800 (a laptop) and straight from disk (file://, as
`make book` suggests) at 390x844 (a phone). Charts are drawn only near the viewport, so the tests scroll
each one into view, as a reader would. At both sizes: every chart drawn, no request blocked or failed,
no console error, no sideways page scroll, no chart wider than its container, no page more than half table by
height (disclosures closed), no clipped title or legend, no filled mark outside its plot area, no empty control panel, every control in view together with its figure, no MyST
role syntax or raw field name shown, and every label readable (no axis label, legend label or text in a
chart cut short, no axis label over another, no text drawn over a curve: tkbrowser.label_problems). On the laptop also: every bound input changes its chart, every
self-check question teaches (a wrong answer gets feedback but not yet the explanation), no tooltip
shows a raw field name, and no critical or serious axe-core violation.
"""

from __future__ import annotations

import pytest

from trialkit.tooling import browser as tkbrowser
from trialkit.tooling.build import toc_files

from _helpers import parametrize_pages

VIEWS = {"laptop-served": tkbrowser.DESKTOP, "phone-file": tkbrowser.PHONE}


def pytest_generate_tests(metafunc):
    parametrize_pages(metafunc, VIEWS)


def chart_problems(charts) -> list[str]:
    return [f"chart {c['id']} did not render (state {c['state']})" for c in charts if c["state"] != "rendered" or not c["drawn"]]


@pytest.mark.browser
def test_page_in_browser(doc, view, site, built_book, browser):
    url = f"{site}/{doc}.html" if view == "laptop-served" else (built_book / f"{doc}.html").as_uri()
    with tkbrowser.open_page(browser, url, viewport=VIEWS[view]) as (page, log):
        share = tkbrowser.table_share(page)
        problems = [f"tables take {share:.0%} of the page's height (at most half, the rest behind disclosures)"] if share > 0.5 else []
        charts = tkbrowser.wait_for_charts(page)
        problems += chart_problems(charts)
        problems += tkbrowser.layout_problems(page)
        problems += tkbrowser.label_problems(page)
        if view == "laptop-served":
            problems += tkbrowser.raw_tooltip_fields(page)
            for chart in charts:
                if chart["state"] != "rendered":
                    continue
                for result in tkbrowser.exercise_inputs(page, chart["id"], chart["inputs"]):
                    if not result["changed"]:
                        problems.append(f"chart {chart['id']}: moving input '{result['label']}' to {result['newValue']} did not change the chart")
            for q in tkbrowser.exercise_quizzes(page):
                if not (q["empty"].endswith("first.") and q["wrong"].startswith("Not quite") and q["hiddenAfterWrong"]
                        and q["right"] == "Correct." and q["explained"]):
                    problems.append(f"quiz question {q['id']} does not respond as expected: {q}")
        # Requests and console are judged before the audit: axe-core re-fetches stylesheets itself and
        # resolves the theme's relative @import against the page URL, which is its artefact, not ours.
        problems += [f"blocked request: {u}" for u in log.blocked]
        problems += [f"failed request: {u}" for u in log.failed]
        problems += [f"console error: {e}" for e in log.console_errors]
        if view == "laptop-served":
            from axe_playwright_python.sync_playwright import Axe

            violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("critical", "serious")]
            for v in violations:
                targets = [n["target"] for n in v["nodes"][:3]]
                problems.append(f"axe {v['impact']}: {v['id']} ({v['help']}) at {targets}")
    assert problems == [], f"{doc} ({view}):\n" + "\n".join(problems)


@pytest.mark.browser
def test_charts_show_an_image_before_any_script(site, browser, built_book):
    """Every chart carries its pre-rendered image, visible with JavaScript off (print, PDF, no-JS)."""
    page_with_chart = next((d for d in toc_files() if 'class="trialkit-chart"' in (built_book / f"{d}.html").read_text()), None)
    if page_with_chart is None:
        pytest.fail("no page of the book has a chart")
    context = browser.new_context(viewport=tkbrowser.PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site}/{page_with_chart}.html", wait_until="load")
        sizes = page.evaluate("""() => Array.from(document.querySelectorAll('.trialkit-chart')).map(c => {
            const img = c.querySelector('img.tk-static');
            return img ? [img.naturalWidth, img.getBoundingClientRect().width, c.getBoundingClientRect().width] : null; })""")
    finally:
        context.close()
    assert sizes and all(s is not None and s[0] > 0 and 0 < s[1] <= s[2] + 1 for s in sizes), sizes


@pytest.mark.browser
def test_blocking_is_effective(site, browser):
    """The harness itself: a page that asks for a remote script records it as blocked."""
    with tkbrowser.open_page(browser, f"{site}/book/index.html") as (page, log):
        page.evaluate("""() => new Promise(r => { const s = document.createElement('script');
            s.src = 'https://cdn.jsdelivr.net/npm/vega@5'; s.onerror = r; s.onload = r; document.head.appendChild(s); })""")
    assert any("cdn.jsdelivr.net" in u for u in log.blocked)


# Draw into a chart's SVG what a reader could not read: a text cut with an ellipsis, a text over a
# line, a cut axis label, two labels of one axis over each other and a cut legend label.
UNREADABLE_JS = """(id) => {
  const svg = document.getElementById(id).querySelector('.tk-live svg');
  const ns = 'http://www.w3.org/2000/svg';
  const add = (parent, tag, attrs, text) => { const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text) e.textContent = text; parent.appendChild(e); return e; };
  const texts = add(svg, 'g', {class: 'mark-text role-mark'});
  add(texts, 'text', {x: 10, y: 30, 'font-size': 12}, 'A read-out cut sho…');
  add(texts, 'text', {x: 10, y: 60, 'font-size': 12}, 'over a line');
  add(texts, 'text', {x: 10, y: 90, 'font-size': 12}, 'one read-out');
  add(texts, 'text', {x: 16, y: 93, 'font-size': 12}, 'another read-out');
  add(texts, 'text', {x: -60, y: 120, 'font-size': 12}, 'past the edge');
  add(texts, 'text', {x: 200, y: 120, 'font-size': 12}, 'a halo');  // drawn twice at one place: one text
  add(texts, 'text', {x: 200, y: 120, 'font-size': 12}, 'a halo');
  add(add(svg, 'g', {class: 'mark-line role-mark'}), 'path', {d: 'M0,56L200,56', stroke: '#000'});
  const axis = add(add(svg, 'g', {class: 'role-axis'}), 'g', {class: 'role-axis-label'});
  add(axis, 'text', {x: 10, y: 150, 'font-size': 12}, 'Region: United State…');
  add(axis, 'text', {x: 10, y: 180, 'font-size': 12}, 'Sex: Male');
  add(axis, 'text', {x: 12, y: 182, 'font-size': 12}, 'Sex: Female');
  add(add(svg, 'g', {class: 'role-legend-label'}), 'text', {x: 10, y: 210, 'font-size': 12}, 'All trials, as report…');
}"""


@pytest.mark.browser
def test_label_check_is_effective(site, browser, built_book):
    """The label check itself: every kind of unreadable label drawn into a chart is reported."""
    page_with_chart = next((d for d in toc_files() if (built_book / f"{d}.html").exists()
                            and 'class="trialkit-chart"' in (built_book / f"{d}.html").read_text()), None)
    if page_with_chart is None:
        pytest.fail("no page of the book has a chart")
    with tkbrowser.open_page(browser, f"{site}/{page_with_chart}.html", viewport=tkbrowser.PHONE) as (page, _):
        charts = tkbrowser.wait_for_charts(page)
        before = tkbrowser.label_problems(page)
        page.evaluate(UNREADABLE_JS, charts[0]["id"])
        found = [p for p in tkbrowser.label_problems(page) if p not in before]
    expected = ['text "A read-out cut sho…" is cut short', 'text "over a line" is drawn over a line',
                'axis label "Region: United State…" is cut short', 'axis labels "Sex: Male" and "Sex: Female" overlap',
                'legend label "All trials, as report…" is cut short', 'texts "one read-out" and "another read-out" overlap',
                'text "past the edge" is cut by the chart\'s edge']
    for e in expected:
        assert any(e in p for p in found), (e, found)
    assert not [p for p in found if "a halo" in p], found


@pytest.mark.browser
def test_search_works_and_only_the_search_page_loads_the_index(site, browser):
    """The search index (every page's words) is loaded by the search page only; searching still finds pages."""
    with tkbrowser.open_page(browser, f"{site}/book/glossary.html", viewport=tkbrowser.PHONE) as (page, log):
        page.wait_for_load_state("load")
    assert not [u for u in log.requests if u.split("?")[0].endswith(("searchindex.js", "searchtools.js"))], log.requests
    with tkbrowser.open_page(browser, f"{site}/search.html?q=hazard", viewport=tkbrowser.DESKTOP) as (page, log):
        page.wait_for_selector("#search-results ul.search li a", timeout=30_000)
        found = page.locator("#search-results ul.search li a").all_text_contents()
    assert any(u.split("?")[0].endswith("searchindex.js") for u in log.requests)
    assert any("Glossary" in t for t in found), found
