"""Headless-chromium helpers shared by the browser tests and the benchmark.

Debian's ``/usr/bin/chromium`` is driven by Playwright for Python (never a downloaded browser). Every
request to a host other than 127.0.0.1/localhost is blocked and recorded.
"""

from __future__ import annotations

import functools
import http.server
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(folder: Path):
    """Serve ``folder`` on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def launch():
    """A headless Debian chromium (Playwright browser object)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (make test does it)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageLog:
    """What happened while a page was open."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@contextmanager
def open_page(browser, url: str):
    """Open ``url`` in a fresh context that blocks and records every non-local request.

    Yields ``(page, log)``.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log = PageLog()

    def route(r):
        url_ = r.request.url
        if url_.startswith(("data:", "blob:")) or urlparse(url_).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            log.blocked.append(url_)
            r.abort()

    page.route("**/*", route)
    page.on("request", lambda req: log.requests.append(req.url))
    page.on("requestfailed", lambda req: log.failed.append(f"{req.url} ({req.failure})"))
    page.on("response", lambda resp: log.failed.append(f"{resp.url} (HTTP {resp.status})") if resp.status >= 400 else None)
    page.on("console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: log.console_errors.append(f"uncaught: {err}"))
    try:
        page.goto(url, wait_until="load")
        yield page, log
    finally:
        context.close()


WAIT_CHARTS_JS = """() => {
  const charts = Array.from(document.querySelectorAll('.trialkit-chart'));
  return charts.every(c => ['rendered', 'error'].includes(c.getAttribute('data-state')));
}"""

CHART_STATES_JS = """() => Array.from(document.querySelectorAll('.trialkit-chart')).map(c => ({
  id: c.id,
  state: c.getAttribute('data-state'),
  drawn: !!c.querySelector('svg, canvas'),
  marks: c.querySelectorAll('svg .mark-symbol path, svg .mark-line path, svg .mark-area path, svg .mark-rect path, svg .mark-text text, svg .mark-rule line').length,
  inputs: c.querySelectorAll('.vega-bindings input, .vega-bindings select').length,
}))"""


def wait_for_charts(page, timeout_ms: int = 10_000) -> list[dict]:
    """Wait until every chart on the page has rendered (or failed); return each chart's state."""
    page.wait_for_function(WAIT_CHARTS_JS, timeout=timeout_ms)
    return page.evaluate(CHART_STATES_JS)


# Move one bound input to another allowed value and report whether the chart's SVG changed, and how
# long the redraw took (from the input event to the end of Vega's dataflow run).
EXERCISE_INPUT_JS = """async ([chartId, index]) => {
  const chart = document.getElementById(chartId);
  const input = chart.querySelectorAll('.vega-bindings input, .vega-bindings select')[index];
  const svg = () => chart.querySelector('svg').outerHTML;
  const before = svg();
  const label = (input.closest('label') || input.parentElement).textContent.trim();
  let newValue;
  if (input.tagName === 'SELECT') {
    const options = Array.from(input.options).map(o => o.value);
    newValue = options.find(v => v !== input.value);
    input.value = newValue;
  } else if (input.type === 'range' || input.type === 'number') {
    const min = parseFloat(input.min), max = parseFloat(input.max), cur = parseFloat(input.value);
    newValue = (Math.abs(cur - max) > Math.abs(cur - min)) ? max : min;
    input.value = String(newValue);
  } else if (input.type === 'checkbox') {
    input.checked = !input.checked; newValue = input.checked;
  } else if (input.type === 'radio') {
    const group = Array.from(chart.querySelectorAll('input[type=radio][name="' + input.name + '"]'));
    const other = group.find(r => !r.checked);
    other.checked = true; newValue = other.value;
    other.dispatchEvent(new Event('change', {bubbles: true}));
  }
  const t0 = performance.now();
  input.dispatchEvent(new Event('input', {bubbles: true}));
  input.dispatchEvent(new Event('change', {bubbles: true}));
  await chart.vegaView.runAsync();
  await new Promise(r => requestAnimationFrame(() => r()));
  const ms = performance.now() - t0;
  return {label: label, newValue: String(newValue), changed: svg() !== before, ms: ms};
}"""


def exercise_inputs(page, chart_id: str, n_inputs: int) -> list[dict]:
    return [page.evaluate(EXERCISE_INPUT_JS, [chart_id, i]) for i in range(n_inputs)]


# Answer every self-check question three ways: nothing chosen, a wrong answer, the right answer.
EXERCISE_QUIZ_JS = """() => Array.from(document.querySelectorAll('.trialkit-quiz .tk-question')).map(fs => {
  const fb = fs.querySelector('.tk-feedback');
  const button = fs.querySelector('.tk-check');
  const kind = fs.getAttribute('data-kind');
  const answer = fs.getAttribute('data-answer');
  const out = {id: fs.id};
  button.click(); out.empty = fb.textContent;
  if (kind === 'choice') {
    fs.querySelector('input[type=radio]:not([value="' + answer + '"])').click();
    button.click(); out.wrong = fb.textContent;
    fs.querySelector('input[type=radio][value="' + answer + '"]').click();
  } else {
    const input = fs.querySelector('input[type=number]');
    input.value = String(parseFloat(answer) + parseFloat(fs.getAttribute('data-tolerance')) + 1000);
    button.click(); out.wrong = fb.textContent;
    input.value = answer;
  }
  button.click(); out.right = fb.textContent;
  out.explained = !fs.querySelector('.tk-explanation').hidden;
  return out;
})"""


def exercise_quizzes(page) -> list[dict]:
    return page.evaluate(EXERCISE_QUIZ_JS)
