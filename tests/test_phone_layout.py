"""Reading on a phone (390x844) and a laptop (1280x800): defects the page-by-page browser test does not
catch on its own.

* A figure's control panel must never cover its chart: the page is scrolled through every figure with
  controls, a quarter of the window at a time, and at each position the panel and the drawing must not
  overlap on the screen (a panel that sticks to the top of the window does).
* A read-out table drawn in a chart must be readable at the phone's column width: none of its cells may
  be cut short with an ellipsis.
* MathJax (a large script) is loaded by exactly the pages that have math.

Run on a built site with ``--built-html`` (and ``--toc`` for a partial build), as tests/test_browser.py.
"""

from __future__ import annotations

import re

import pytest

from trialkit.tooling import browser as tkbrowser

from _helpers import parametrize_pages

VIEWS = {"laptop": tkbrowser.DESKTOP, "phone": tkbrowser.PHONE}


def pytest_generate_tests(metafunc):
    parametrize_pages(metafunc, VIEWS)


# Scroll through each figure that has controls and report every position where the control panel and
# the chart's drawing overlap inside the window.
PANEL_OVER_CHART_JS = """async () => {
  const out = [];
  const vh = window.innerHeight;
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  for (const c of document.querySelectorAll('.trialkit-chart')) {
    const panel = c.querySelector('.vega-bindings'), svg = c.querySelector('.tk-live svg');
    if (!panel || !svg || !panel.querySelector('input, select')) continue;
    const top = window.scrollY + c.getBoundingClientRect().top, bottom = top + c.getBoundingClientRect().height;
    for (let y = Math.max(0, top - vh); y <= bottom; y += Math.round(vh / 4)) {
      window.scrollTo(0, y);
      await frame();
      const p = panel.getBoundingClientRect(), s = svg.getBoundingClientRect();
      const dy = Math.min(p.bottom, s.bottom, vh) - Math.max(p.top, s.top, 0);
      const dx = Math.min(p.right, s.right) - Math.max(p.left, s.left);
      if (dy > 1 && dx > 1) {
        out.push(`chart ${c.id}: its control panel covers ${Math.round(dy)} px of the chart when the page is scrolled to ${y} px`);
        break;
      }
    }
  }
  window.scrollTo(0, 0);
  return out;
}"""

# Cells of read-out tables cut short by Vega (it ends a text with an ellipsis when it exceeds its
# limit). A table row is a line of a chart holding four or more texts side by side.
CUT_TEXT_JS = """() => {
  const out = [];
  for (const c of document.querySelectorAll('.trialkit-chart')) {
    const rows = {};
    for (const t of c.querySelectorAll('.tk-live svg .mark-text text')) {
      const r = t.getBoundingClientRect();
      if (!r.width) continue;
      (rows[Math.round(r.top + r.height / 2)] = rows[Math.round(r.top + r.height / 2)] || []).push(t.textContent);
    }
    for (const cells of Object.values(rows)) {
      if (cells.length < 4) continue;
      for (const text of cells) if (text.endsWith('\\u2026')) out.push(`chart ${c.id}: table cell "${text}" is cut short`);
    }
  }
  return out;
}"""


@pytest.mark.browser
def test_controls_never_cover_their_chart(doc, view, site, browser):
    with tkbrowser.open_page(browser, f"{site}/{doc}.html", viewport=VIEWS[view]) as (page, log):
        charts = tkbrowser.wait_for_charts(page)
        problems = [f"chart {c['id']} did not render" for c in charts if c["state"] != "rendered"]
        problems += page.evaluate(PANEL_OVER_CHART_JS)
    assert problems == [], f"{doc} ({view}):\n" + "\n".join(problems)


@pytest.mark.browser
def test_readout_tables_are_not_cut_on_a_phone(doc, site, browser):
    with tkbrowser.open_page(browser, f"{site}/{doc}.html", viewport=tkbrowser.PHONE) as (page, log):
        tkbrowser.wait_for_charts(page)
        problems = page.evaluate(CUT_TEXT_JS)
    assert problems == [], f"{doc} (phone):\n" + "\n".join(problems)


MATH = re.compile(r'class="[^"]*\bmath\b')
MATHJAX = re.compile(r'<script[^>]*src="[^"]*mathjax/[^"]*"')


def test_mathjax_only_on_pages_with_math(doc, built_book):
    html = (built_book / f"{doc}.html").read_text(encoding="utf-8")
    body = html.split("<body", 1)[-1]
    has_math, loads_mathjax = bool(MATH.search(body)), bool(MATHJAX.search(html))
    assert has_math == loads_mathjax, (
        f"{doc}: {'has math but does not load MathJax' if has_math else 'loads MathJax but has no math'}")
    if loads_mathjax:
        src = MATHJAX.search(html).group(0)
        assert "://" not in src, f"{doc}: MathJax must come from the site itself (offline), not {src}"
