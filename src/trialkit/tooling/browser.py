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


def outside_event_loop(job, *args, **kwargs):
    """Run ``job(*args, **kwargs)`` where Playwright's sync API can start: in this thread, or in a worker
    thread when an asyncio loop is running in this one (Playwright refuses to start its sync API inside a
    running loop, which a notebook run by nbclient or a Jupyter kernel can leave behind)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return job(*args, **kwargs)
    outcome: dict = {}

    def worker():
        try:
            outcome["value"] = job(*args, **kwargs)
        except BaseException as error:  # re-raised in the caller's thread below
            outcome["error"] = error

    thread = threading.Thread(target=worker, name="playwright-sync")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@dataclass
class PageLog:
    """What happened while a page was open."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@contextmanager
def open_page(browser, url: str, viewport: dict | None = None, cpu_throttle: float | None = None,
              init_script: str | None = None, intercept: bool = True):
    """Open ``url`` (served on 127.0.0.1, or a ``file://`` address) in a fresh context that records every
    request and blocks every non-local one; ``cpu_throttle`` slows the CPU down that many times (CDP);
    ``init_script`` runs in the page before its own scripts.

    Blocking goes through Playwright's request interception, which holds each request until the Python
    side answers it: right for tests, but it adds the driver's round trip to every file a page loads.
    Timings therefore pass ``intercept=False``: requests are then only recorded (non-local ones in
    ``log.blocked``, so a timing run still shows a page that reaches outside the site), never held.

    Yields ``(page, log)``.
    """
    context = browser.new_context(viewport=viewport or DESKTOP)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    log = PageLog()
    if cpu_throttle:
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_throttle})

    def route(r):
        url_ = r.request.url
        if url_.startswith(("data:", "blob:", "file:")) or urlparse(url_).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            log.blocked.append(url_)
            r.abort()

    def record(req):
        log.requests.append(req.url)
        if not intercept and not req.url.startswith(("data:", "blob:", "file:")) \
                and urlparse(req.url).hostname not in LOCAL_HOSTS:
            log.blocked.append(req.url)

    if intercept:
        page.route("**/*", route)
    page.on("request", record)
    page.on("requestfailed", lambda req: log.failed.append(f"{req.url} ({req.failure})"))
    page.on("response", lambda resp: log.failed.append(f"{resp.url} (HTTP {resp.status})") if resp.status >= 400 else None)
    page.on("console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: log.console_errors.append(f"uncaught: {err}"))
    try:
        page.goto(url, wait_until="load")
        yield page, log
    finally:
        context.close()


CHART_STATES_JS = """() => Array.from(document.querySelectorAll('.trialkit-chart')).map(c => ({
  id: c.id,
  state: c.getAttribute('data-state'),
  drawn: !!c.querySelector('.tk-live svg, .tk-live canvas'),
  marks: c.querySelectorAll('svg .mark-symbol path, svg .mark-line path, svg .mark-area path, svg .mark-rect path, svg .mark-text text, svg .mark-rule line').length,
  inputs: c.querySelectorAll('.vega-bindings input, .vega-bindings select').length,
}))"""

# Scroll one chart into view (charts are drawn only near the viewport) and wait until it is drawn.
DRAW_CHART_JS = """async ([id, timeout]) => {
  const c = document.getElementById(id);
  for (let d = c.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;  // a reader opens it
  c.scrollIntoView({block: 'center'});
  const t0 = performance.now();
  while (!['rendered', 'error'].includes(c.getAttribute('data-state'))) {
    if (performance.now() - t0 > timeout) return 'timeout';
    await new Promise(r => setTimeout(r, 25));
  }
  return c.getAttribute('data-state');
}"""


def wait_for_charts(page, timeout_ms: int = 10_000) -> list[dict]:
    """Bring every chart of the page into view in turn, as a reader scrolling down would, and wait
    until each has been drawn (or failed); return each chart's state."""
    for chart in page.evaluate("() => Array.from(document.querySelectorAll('.trialkit-chart')).map(c => c.id)"):
        page.evaluate(DRAW_CHART_JS, [chart, timeout_ms])
    page.evaluate("() => window.scrollTo(0, 0)")
    return page.evaluate(CHART_STATES_JS)


# Layout and wording problems of a page as a reader sees it at the current viewport (charts drawn).
LAYOUT_JS = r"""async () => {
  const out = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  window.scrollTo(0, 0);
  let top = 0;  // the theme's bars that stay at the top of the window hide what is under them
  for (const el of document.querySelectorAll('.bd-header, .bd-header-article')) {
    const pos = getComputedStyle(el).position;
    if (pos === 'sticky' || pos === 'fixed') top = Math.max(top, (parseFloat(getComputedStyle(el).top) || 0) + el.getBoundingClientRect().height);
  }
  const name = el => el.id || el.className || el.tagName;
  // 1. The page must not scroll sideways, and nothing in the text column may stick out of it.
  if (document.documentElement.scrollWidth > vw + 1) out.push(`page scrolls sideways (${document.documentElement.scrollWidth} px wide in ${vw} px)`);
  const article = document.querySelector('.bd-article');
  if (article) {
    const right = article.getBoundingClientRect().right + 1;
    const scrollers = el => { for (let p = el.parentElement; p && p !== article; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; } return false; };
    for (const el of article.querySelectorAll('p, li, h1, h2, h3, table, img, svg, pre, .trialkit-chart, .vega-bindings, details, .math, mjx-container')) {
      const r = el.getBoundingClientRect();
      if (r.width && r.right > right && !scrollers(el)) { out.push(`${el.tagName.toLowerCase()} ${name(el)} sticks out of the text column by ${Math.round(r.right - right)} px`); }
    }
  }
  for (const c of document.querySelectorAll('.trialkit-chart')) {
    const box = c.getBoundingClientRect();
    const svg = c.querySelector('.tk-live svg');
    if (!svg) continue;
    // 2. A chart must be drawn at (not scaled down to) the width of its container.
    const drawnWidth = parseFloat(svg.getAttribute('width'));
    if (drawnWidth > box.width + 1) out.push(`chart ${c.id} is ${Math.round(drawnWidth)} px wide in a ${Math.round(box.width)} px container`);
    const svgBox = svg.getBoundingClientRect();
    // 3. Titles and legends must lie inside the drawing.
    for (const t of svg.querySelectorAll('.role-title text, .role-legend text, .role-axis-title text')) {
      const r = t.getBoundingClientRect();
      if (!r.width) continue;
      if (r.left < svgBox.left - 1 || r.right > svgBox.right + 1 || r.top < svgBox.top - 1 || r.bottom > svgBox.bottom + 1) {
        out.push(`chart ${c.id}: text "${t.textContent.slice(0, 40)}" is clipped by the chart's edge`);
      }
    }
    // 4. Filled marks (areas, bars, points) must stay inside their plot area, unless clipped to it.
    for (const bg of svg.querySelectorAll('path.background')) {
      const cell = bg.parentElement;
      const area = bg.getBoundingClientRect();
      if (area.width < 2 || area.height < 2) continue;
      const tol = 4;
      for (const m of cell.querySelectorAll(':scope > g > .mark-area path, :scope > g > .mark-rect path, :scope > g > .mark-symbol path, :scope > g > .mark-line path')) {
        if (m.closest('[clip-path]') && m.closest('[clip-path]') !== svg) continue;
        let r = m.getBoundingClientRect();
        if (!r.width && !r.height) continue;
        if (m.parentElement.classList.contains('mark-symbol')) {  // a point on the edge is inside: judge its centre
          const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
          r = {left: x, right: x, top: y, bottom: y};
        }
        if (r.left < area.left - tol || r.right > area.right + tol || r.top < area.top - tol || r.bottom > area.bottom + tol) {
          out.push(`chart ${c.id}: a ${m.parentElement.className.baseVal.replace(/.*mark-(\w+).*/, '$1')} mark is drawn outside its plot area`);
          break;
        }
      }
    }
    // 5. Raw field names: axis and legend titles that read like code.
    for (const t of svg.querySelectorAll('.role-axis-title text, .role-legend-title text')) {
      if (/[a-z0-9]+_[a-z0-9_]+/.test(t.textContent)) out.push(`chart ${c.id}: title "${t.textContent}" is a raw field name`);
    }
    // 6. Controls must be in view together with their figure: with the figure's top at the top of the
    //    window, and with its bottom at the bottom of the window.
    const inputs = Array.from(c.querySelectorAll('.vega-bindings input, .vega-bindings select'));
    if (inputs.length) {
      const visible = el => {
        const target = el.type === 'radio' && el.nextElementSibling && el.nextElementSibling.tagName === 'LABEL' ? el.nextElementSibling : el;
        const r = target.getBoundingClientRect();
        return r.top >= top - 1 && r.bottom <= vh + 1;
      };
      const y0 = window.scrollY + c.getBoundingClientRect().top - top;
      const y1 = window.scrollY + c.getBoundingClientRect().bottom - vh;
      for (const [where, y] of [['top', y0], ['bottom', Math.max(y0, y1)]]) {
        window.scrollTo(0, y);
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        const hidden = inputs.filter(i => !visible(i));
        if (hidden.length) { out.push(`chart ${c.id}: ${hidden.length} control(s) out of view with the figure's ${where} in view`); break; }
      }
    }
  }
  // 7. Wording: no MyST role syntax printed as text.
  const main = document.querySelector('main') || document.body;
  const text = main.innerText + ' ' + Array.from(main.querySelectorAll('svg text')).map(t => t.textContent).join(' ');
  const role = text.match(/\{(term|doc|ref|numref|glue|glue:text|glue:any|cite|cite:p|cite:t|eq|math|download|abbr|sub|sup)\}/);
  if (role) out.push(`text shows MyST role syntax "${role[0]}"`);
  window.scrollTo(0, 0);
  return out;
}"""


# The share of the text column's height taken by tables, as the page opens (disclosures closed).
TABLE_SHARE_JS = """() => {
  const article = document.querySelector('.bd-article') || document.body;
  // (Chromium lays out the content of a closed <details> when asked for its size: skip it explicitly.)
  const tables = Array.from(article.querySelectorAll('table')).filter(t => !t.parentElement.closest('table')
    && !t.closest('details:not([open])') && t.getClientRects().length);
  const tall = tables.reduce((sum, t) => sum + t.getBoundingClientRect().height, 0);
  return tall / Math.max(1, article.getBoundingClientRect().height);
}"""


def table_share(page) -> float:
    """Fraction (0-1) of the page's text column taken by tables with every disclosure closed; call it
    before :func:`wait_for_charts`, which opens the disclosures that hold charts."""
    return page.evaluate(TABLE_SHARE_JS)


# A control panel with no control (Vega-Embed writes the form for every chart) drawn as an empty box.
EMPTY_PANEL_JS = r"""() => Array.from(document.querySelectorAll('.trialkit-chart .vega-bindings'))
  .filter(f => !f.querySelector('input, select') && f.getBoundingClientRect().height > 0)
  .map(f => `chart ${f.closest('.trialkit-chart').id}: an empty control panel is drawn`)"""


def layout_problems(page) -> list[str]:
    """What a reader would see wrong at the page's current viewport (call after :func:`wait_for_charts`)."""
    return page.evaluate(LAYOUT_JS) + page.evaluate(EMPTY_PANEL_JS)


# Labels a reader cannot read at the current viewport (charts drawn): an axis label cut short with an
# ellipsis, two labels of one axis drawn over each other, a text mark (a read-out line, a direct label)
# or a legend label cut short with an ellipsis, and a text mark drawn across a line mark of the figure (a direct label or
# read-out over a curve). Lines are sampled along their length.
LABEL_JS = r"""() => {
  const out = [];
  const shrink = (r, d) => ({left: r.left + d, right: r.right - d, top: r.top + d, bottom: r.bottom - d});
  const visible = t => { const cs = getComputedStyle(t); return t.getBoundingClientRect().width > 0 && cs.opacity !== '0'
    && parseFloat(t.getAttribute('opacity') ?? '1') > 0 && parseFloat(t.getAttribute('fill-opacity') ?? '1') > 0; };
  for (const c of document.querySelectorAll('.trialkit-chart')) {
    const svg = c.querySelector('.tk-live svg');
    if (!svg) continue;
    // 1. axis labels cut short, or drawn over a neighbour of the same axis
    for (const axis of svg.querySelectorAll('.role-axis')) {
      const labels = Array.from(axis.querySelectorAll('.role-axis-label text')).filter(visible);
      const cut = labels.find(t => t.textContent.endsWith('…'));
      if (cut) out.push(`chart ${c.id}: axis label "${cut.textContent}" is cut short`);
      const boxes = labels.map(t => shrink(t.getBoundingClientRect(), 1));
      outer: for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
          out.push(`chart ${c.id}: axis labels "${labels[i].textContent}" and "${labels[j].textContent}" overlap`);
          break outer;
        }
      }
    }
    // 2. text marks (read-outs, direct labels, tables drawn in the chart) cut short: Vega ends a text
    //    with an ellipsis when it runs past its limit
    const texts = Array.from(svg.querySelectorAll('.mark-text.role-mark text')).filter(visible).filter(t => t.textContent.trim());
    for (const t of texts) {
      if (t.textContent.endsWith('…')) out.push(`chart ${c.id}: text "${t.textContent.slice(0, 40)}" is cut short`);
    }
    for (const t of Array.from(svg.querySelectorAll('.role-legend-label text')).filter(visible)) {
      if (t.textContent.endsWith('…')) out.push(`chart ${c.id}: legend label "${t.textContent.slice(0, 40)}" is cut short`);
    }
    // 3. text marks cut by the edge of the drawing, or drawn over one another (a text drawn twice at
    //    one place, as a halo under its copy, is one text)
    {
      const edge = svg.getBoundingClientRect();
      const boxes = texts.map(t => shrink(t.getBoundingClientRect(), 1));
      texts.forEach((t, i) => {
        const r = boxes[i];
        if (r.left < edge.left - 1 || r.right > edge.right + 1 || r.top < edge.top - 1 || r.bottom > edge.bottom + 1) {
          out.push(`chart ${c.id}: text "${t.textContent.slice(0, 40)}" is cut by the chart's edge`);
        }
      });
      const same = (a, b) => Math.abs(a.left - b.left) < 2 && Math.abs(a.top - b.top) < 2;
      overlap: for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (texts[i].textContent === texts[j].textContent && same(a, b)) continue;
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
          out.push(`chart ${c.id}: texts "${texts[i].textContent.slice(0, 40)}" and "${texts[j].textContent.slice(0, 40)}" overlap`);
          break overlap;
        }
      }
    }
    // 4. text marks over line marks (anywhere in the figure: in screen space a text crossing a line
    //    is a defect whichever view each belongs to); axis labels and titles are not text marks
    {
      const lines = Array.from(svg.querySelectorAll('.mark-line.role-mark path'));
      if (!texts.length || !lines.length) continue;
      const points = [];
      for (const l of lines) {
        const len = l.getTotalLength ? l.getTotalLength() : 0;
        const m = l.getScreenCTM();
        if (!len || !m) continue;
        const n = Math.min(2000, Math.max(50, Math.ceil(len / 2)));
        for (let k = 0; k <= n; k++) {
          const q = l.getPointAtLength(len * k / n);
          points.push({x: m.a * q.x + m.c * q.y + m.e, y: m.b * q.x + m.d * q.y + m.f});
        }
      }
      for (const t of texts) {
        const r = shrink(t.getBoundingClientRect(), 2);
        if (points.some(q => q.x > r.left && q.x < r.right && q.y > r.top && q.y < r.bottom)) {
          out.push(`chart ${c.id}: text "${t.textContent.slice(0, 40)}" is drawn over a line`);
        }
      }
    }
  }
  return out;
}"""


def label_problems(page) -> list[str]:
    """Cut or overlapping axis labels; text marks cut short, cut by the chart's edge or drawn over one
    another; text drawn over a line; at the page's current viewport (call after :func:`wait_for_charts`)."""
    return page.evaluate(LABEL_JS)


# Tooltips show the title of a field, or its name when it has none: a name with an underscore is code.
RAW_TOOLTIP_JS = r"""async () => {
  const out = [];
  const walk = (spec, id) => {
    if (!spec || typeof spec !== 'object') return;
    const enc = spec.encoding || {};
    const tips = [].concat(enc.tooltip || []);
    for (const t of tips) {
      if (t && t.field && t.title === undefined && /_/.test(t.field)) out.push(`chart ${id}: tooltip shows the raw field name "${t.field}"`);
    }
    for (const key of ['layer', 'hconcat', 'vconcat', 'concat']) (spec[key] || []).forEach(s => walk(s, id));
    if (spec.spec) walk(spec.spec, id);
  };
  // A spec is inline JSON, or a file the page's loader fetches (data-src): read each the way the page does.
  for (const n of document.querySelectorAll('script.trialkit-chart-spec')) {
    const id = n.getAttribute('data-target');
    const spec = n.getAttribute('data-src') ? await window.trialkitLoadSpec(id) : JSON.parse(n.textContent);
    walk(typeof spec === 'string' ? JSON.parse(spec) : spec, id);
  }
  return out;
}"""


def raw_tooltip_fields(page) -> list[str]:
    return page.evaluate(RAW_TOOLTIP_JS)


# Move one bound input to another allowed value and report whether the chart's SVG changed, and how
# long the redraw took (from the input event to the end of Vega's dataflow run).
EXERCISE_INPUT_JS = """async ([chartId, index]) => {
  const chart = document.getElementById(chartId);
  const input = chart.querySelectorAll('.vega-bindings input, .vega-bindings select')[index];
  const svg = () => chart.querySelector('svg').outerHTML;
  const before = svg();
  const label = (input.closest('label') || input.parentElement).textContent.trim();
  let newValue, target = input;
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
    target = other;  // the event must come from the newly chosen radio: Vega reads the value of the one that fires
  }
  const t0 = performance.now();
  target.dispatchEvent(new Event('input', {bubbles: true}));
  target.dispatchEvent(new Event('change', {bubbles: true}));
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
  const explanation = fs.querySelector('.tk-explanation');
  const button = fs.querySelector('.tk-check');
  const kind = fs.getAttribute('data-kind');
  const answer = fs.getAttribute('data-answer');
  const out = {id: fs.id};
  button.click(); out.empty = fb.textContent;
  if (kind === 'choice') {
    fs.querySelector('input[type=radio]:not([value="' + answer + '"])').click();
    button.click(); out.wrong = fb.textContent; out.hiddenAfterWrong = explanation.hidden;
    fs.querySelector('input[type=radio][value="' + answer + '"]').click();
  } else {
    const input = fs.querySelector('input[type=number]');
    input.value = String(parseFloat(answer) + parseFloat(fs.getAttribute('data-tolerance')) + 1000);
    button.click(); out.wrong = fb.textContent; out.hiddenAfterWrong = explanation.hidden;
    input.value = answer;
  }
  button.click(); out.right = fb.textContent;
  out.explained = !fs.querySelector('.tk-explanation').hidden;
  return out;
})"""


def exercise_quizzes(page) -> list[dict]:
    return page.evaluate(EXERCISE_QUIZ_JS)
