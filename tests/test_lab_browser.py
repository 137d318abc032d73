"""The live laboratories in a real JupyterLab: the test starts the server (free port, random token),
opens the TOWER bias laboratories (a MyST chapter, opened as a notebook through jupytext) in headless
Debian chromium (from a copy of the chapters, autosave off), runs it top to bottom, moves a slider of the live stopping laboratory and checks that
the figure is redrawn with the new parameters, then stops the server."""

from __future__ import annotations

import json
import shutil

import pytest

from trialkit.tooling import lab

pytestmark = pytest.mark.browser

KERNEL_IDLE = """(() => { const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; })()"""


def _status(live):
    return live.locator(".widget-html-content").nth(1).text_content()


def test_a_live_laboratory_redraws_when_a_slider_moves(tmp_path, browser):
    # (the session's browser: a second sync Playwright cannot start once an earlier test, such as a
    # notebook run by nbclient, has left an asyncio loop running in this thread)
    # JupyterLab saves a notebook it opened (jupytext writes the Markdown back): serve a copy of the chapters
    shutil.copytree(lab.ROOT / "book", tmp_path / "root" / "book")
    settings = lab.write_settings(tmp_path / "settings")
    (settings / "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings").write_text(json.dumps(
        {**json.loads((settings / "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings").read_text()), "autosave": False}))
    with lab.start(tmp_path / "root", settings_dir=settings) as (url, token):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/lab/tree/book/tower/biases.md?token={token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)  # opened as a notebook, not as text
        page.wait_for_function(KERNEL_IDLE, timeout=90_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        n_live = sum(line.startswith("live.") for line in (lab.ROOT / "book/tower/biases.md").read_text().splitlines())
        assert n_live >= 5
        # every live laboratory of the chapter has drawn its first run: the chapter ran top to bottom
        page.wait_for_function("""(n) => { const lives = document.querySelectorAll('.trialkit-live');
            return lives.length === n && Array.from(lives).every(l => {
              const s = l.querySelectorAll('.widget-html-content')[1]; return s && s.textContent.startsWith('run 1:'); }); }""",
                               arg=n_live, timeout=400_000)
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
        live = page.locator(".trialkit-live").first
        # no cell of the chapter failed
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'] .ansi-red-fg").count() == 0
        live.scroll_into_view_if_needed()
        figure = live.locator(".jp-OutputArea-output").first
        figure.wait_for(timeout=60_000)
        assert _status(live).startswith("run 1:")
        shot_before = figure.screenshot()
        handle = live.locator(".widget-slider .noUi-handle").first  # the true hazard ratio
        handle.focus()
        for _ in range(10):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("(el) => /^run [0-9]+:/.test(el.textContent) && !el.textContent.startsWith('run 1:')",
                               arg=live.locator(".widget-html-content").nth(1).element_handle(), timeout=120_000)
        page.wait_for_function(KERNEL_IDLE, timeout=120_000)
        page.wait_for_timeout(1500)
        # vega-embed draws on a canvas: the redrawn figure is a different picture
        assert figure.screenshot() != shot_before
        assert errors == []
        context.close()
