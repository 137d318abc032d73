"""Benchmark: ``python -m trialkit.tooling.bench`` (or ``make bench``).

Measures, on this machine:

* clean build time (fresh output folder, empty execution cache) and cached rebuild time with nothing
  changed (skipped with ``--built-html``, which measures an existing build);
* the weight of every page: its HTML and the pre-rendered chart images it loads;
* on a phone-class reader: headless Debian chromium at 390x844 with the CPU slowed down 4x (CDP
  ``Emulation.setCPUThrottlingRate``), for every page: when its first text is painted (first contentful
  paint); when each chart in the first screen shows its first image (the pre-rendered image's paint after
  navigation, from the Element Timing API) and when those charts are interactive; then, scrolling to each
  chart further down in page order as a reader would (a jump straight to it, the hardest case: its image
  is lazy and is fetched only then), how long it takes to show and to become interactive from the scroll.
  Each of these timings is the median of three loads of the page (``--repeats``): one load can be slowed
  down by other work on the machine. Requests are recorded, not intercepted (interception holds every
  file until the driver answers, which would be counted as the page's time); a request that leaves the
  site is reported as over budget;
* at 1280x800, unthrottled: the slowest redraw after moving a bound input.

The results are compared side by side with the previous run (``bench/results.json``, kept as
``bench/previous.json``) or with another build given by ``--compare-html`` (measured in the same session,
so both see the same machine load). Prints a Markdown table and writes ``bench/results.md``. It is a
measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

from trialkit.tooling import browser as tkbrowser
from trialkit.tooling.build import ROOT, build, toc_files

BUDGETS = {"clean_build_s": 300, "cached_rebuild_s": 30, "page_bytes": 1_500_000, "first_image_ms": 1000, "interactive_ms": 3000,
           "redraw_ms": 100}
THROTTLE = 4
PHONE = tkbrowser.PHONE

# From the start of navigation: the paint of every pre-rendered chart image (Element Timing, kept per chart
# in window.__tkPaint, whenever it happens: at load for the first screen, after a scroll further down).
PAINT_INIT = """(() => {
  window.__tkPaint = {};
  try {
    // An entry can arrive after the live chart has replaced the image (its element is then gone): the
    // image's elementtiming attribute names its chart.
    new PerformanceObserver(list => list.getEntries().forEach(e => {
      const id = (e.identifier || '').startsWith('tk-chart-') ? e.identifier
        : ((e.element && e.element.closest('.trialkit-chart')) || {}).id;
      if (id && !(id in window.__tkPaint)) window.__tkPaint[id] = e.renderTime || e.loadTime;
    })).observe({type: 'element', buffered: true});
  } catch (err) {}
})();"""

# Every chart: where it is, its state, when its image was painted and when it was drawn live.
TIMINGS_JS = """() => Array.from(document.querySelectorAll('.trialkit-chart')).map(c => {
  const r = c.getBoundingClientRect();
  return {id: c.id, image: (window.__tkPaint || {})[c.id] ?? null,
          hasImage: !!c.querySelector('img.tk-static'),
          inFirstScreen: r.top < window.innerHeight && r.bottom > 0,
          state: c.getAttribute('data-state'), rendered: parseFloat(c.getAttribute('data-rendered-ms') || 'NaN')};
})"""

# Scroll a chart (below the first screen) into view, as a reader would, and report how long from the scroll
# its first image takes to show (its pre-rendered image painted, or the live chart drawn, whichever is
# first; 0 if it was already painted) and how long until it is interactive.
SCROLL_TO_CHART_JS = """async ([id, timeout]) => {
  const c = document.getElementById(id);
  for (let d = c.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;
  const t0 = performance.now();
  c.scrollIntoView({block: 'center'});
  let visible = null, interactive = null;
  while (interactive === null) {
    const now = performance.now();
    if (now - t0 > timeout) break;
    const painted = (window.__tkPaint || {})[id];
    const drawn = c.getAttribute('data-state') === 'rendered' ? parseFloat(c.getAttribute('data-rendered-ms')) : null;
    if (visible === null && painted !== undefined) visible = Math.max(0, painted - t0);
    if (drawn !== null) { interactive = drawn - t0; if (visible === null) visible = Math.max(0, drawn - t0); }
    await new Promise(r => setTimeout(r, 10));
  }
  // The image's paint entry can be delivered after the long task of drawing the live chart: read it again.
  await new Promise(r => setTimeout(r, 50));
  const painted = (window.__tkPaint || {})[id];
  if (painted !== undefined && (visible === null || painted - t0 < visible)) visible = Math.max(0, painted - t0);
  return {visible, interactive};
}"""

WAIT_FIRST_SCREEN_JS = """() => Array.from(document.querySelectorAll('.trialkit-chart')).filter(c => {
  const r = c.getBoundingClientRect(); return r.top < window.innerHeight && r.bottom > 0;
}).every(c => ['rendered', 'error'].includes(c.getAttribute('data-state')))"""

FIRST_PAINT_JS = """() => { const e = performance.getEntriesByName('first-contentful-paint')[0];
  return e ? e.startTime : null; }"""


def page_weight(html: Path, page_file: Path) -> int:
    """Bytes of a page's HTML plus the chart files it loads (``_charts/``: pre-rendered images, ``.svg``,
    and specifications, ``.js``)."""
    text = page_file.read_text(encoding="utf-8")
    images = {html / "_charts" / name for name in re.findall(r'_charts/([0-9a-f]+\.(?:svg|js))"', text)}
    return page_file.stat().st_size + sum(p.stat().st_size for p in images if p.exists())


PHONE_METRICS = ("first_paint_ms", "first_image_ms", "interactive_ms", "scroll_visible_ms", "scroll_interactive_ms")


def phone_timings(browser, url: str) -> dict:
    """One load of the page at ``url`` on the phone-class reader: its first paint, its first-screen charts'
    first-image and interactive times, and the other charts' times after scrolling to them (ms; ``None``
    where the page has no such chart)."""
    row = {"charts": 0, **{k: None for k in PHONE_METRICS}, "outside_requests": []}
    with tkbrowser.open_page(browser, url, viewport=PHONE, cpu_throttle=THROTTLE,
                             init_script=PAINT_INIT, intercept=False) as (page, log):
        page.wait_for_function(WAIT_FIRST_SCREEN_JS, timeout=60_000)
        page.wait_for_timeout(50)  # let the paint entries of the first screen arrive
        row["first_paint_ms"] = page.evaluate(FIRST_PAINT_JS)
        charts = page.evaluate(TIMINGS_JS)
        row["charts"] = len(charts)
        if charts:
            # A chart in the first screen: the paint of its pre-rendered image after navigation (without
            # an image, when it is drawn live). Charts further down are measured from the scroll below.
            images = [c["image"] if c["image"] is not None else c["rendered"] for c in charts if c["inFirstScreen"]]
            images = [v for v in images if v == v]  # drop NaN
            row["first_image_ms"] = max(images) if images else None
            first = [c["rendered"] for c in charts if c["inFirstScreen"] and c["rendered"] == c["rendered"]]
            row["interactive_ms"] = max(first) if first else None
            # Then, as a reader would, scroll to each chart further down in page order: how long until
            # it shows (0 if its image was already painted) and until it is interactive.
            later = [page.evaluate(SCROLL_TO_CHART_JS, [c["id"], 60_000]) for c in charts
                     if not c["inFirstScreen"]]
            shown = [r["visible"] for r in later if r["visible"] is not None]
            row["scroll_visible_ms"] = max(shown) if shown else None
            after = [max(0.0, r["interactive"]) for r in later if r["interactive"] is not None]
            row["scroll_interactive_ms"] = max(after) if after else None
    row["outside_requests"] = list(log.blocked)
    return row


def median_row(loads: list[dict]) -> dict:
    """Per metric, the median over several loads of a page (loads without that metric left out), so that
    one load slowed down by the machine does not decide a page's figure."""
    import statistics

    row = dict(loads[0])
    for key in PHONE_METRICS:
        values = [load[key] for load in loads if load.get(key) is not None]
        row[key] = statistics.median(values) if values else None
    row["outside_requests"] = sorted({u for load in loads for u in load["outside_requests"]})
    return row


def measure_site(html: Path, docs: list[str], browser, repeats: int = 3) -> list[dict]:
    """Phone-class timings (the median of ``repeats`` loads of each page) and desktop redraws for every
    page of a built site."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    pages = []
    with tkbrowser.serve(html) as url:
        # One throw-away load first: the browser's own start-up is not the page's cost.
        first = next((d for d in docs if (html / f"{d}.html").exists()), None)
        if first:
            with tkbrowser.open_page(browser, f"{url}/{first}.html", viewport=PHONE) as (page, _log):
                page.wait_for_timeout(500)
        for doc in docs:
            page_file = html / f"{doc}.html"
            if not page_file.exists():
                continue
            loads = [phone_timings(browser, f"{url}/{doc}.html") for _ in range(repeats)]
            row = {"page": doc, "bytes": page_weight(html, page_file), **median_row(loads), "redraw_ms": None}
            if row["charts"]:
                with tkbrowser.open_page(browser, f"{url}/{doc}.html") as (page, _log):
                    drawn = tkbrowser.wait_for_charts(page, timeout_ms=30_000)
                    redraws = [r["ms"] for c in drawn if c["state"] == "rendered"
                               for r in tkbrowser.exercise_inputs(page, c["id"], c["inputs"])]
                    row["redraw_ms"] = max(redraws) if redraws else None
            pages.append(row)
    return pages


def over_budget(row: dict) -> list[str]:
    out = []
    if row["bytes"] > BUDGETS["page_bytes"]:
        out.append("weight")
    if max(row["first_image_ms"] or 0, row.get("scroll_visible_ms") or 0) > BUDGETS["first_image_ms"]:
        out.append("first image")
    if max(row["interactive_ms"] or 0, row["scroll_interactive_ms"] or 0) > BUDGETS["interactive_ms"]:
        out.append("interactive")
    if (row["redraw_ms"] or 0) > BUDGETS["redraw_ms"]:
        out.append("redraw")
    if row.get("outside_requests"):
        out.append("requests outside the site")
    return out


LIVE_STOPPING_BUDGET_S = 2.0


def live_stopping_seconds(repeats: int = 3) -> dict:
    """The live stopping laboratory (:func:`trialkit.live.run_stopping`) with parameters other than the
    book's (true HR 0.8, 300 and 150 patients, 350 planned deaths, control median 5 months): 2,000
    simulated trials, simulation and chart; the best and the worst of ``repeats`` runs (seconds)."""
    from trialkit import live, trials

    trial = trials.describe("tower")
    times = []
    for k in range(repeats):
        start = time.perf_counter()
        live.run_stopping(trial, 0.8, n_per_arm=(300, 150), planned_events=350, control_median=5.0, n_trials=2000,
                          seed=1000 + k)
        times.append(time.perf_counter() - start)
    return {"best_s": min(times), "worst_s": max(times), "n_trials": 2000}


def report(result: dict, previous: dict | None = None) -> str:
    def fmt(v, spec=".0f"):
        return "–" if v is None else format(v, spec)

    def pair(p, key, spec=".0f", scale=1):
        now = p.get(key)
        now = None if now is None else now / scale
        if not previous:
            return fmt(now, spec)
        before = next((q for q in previous["pages"] if q["page"] == p["page"]), {}).get(key)
        before = None if before is None else before / scale
        return f"{fmt(before, spec)} → {fmt(now, spec)}"

    lines = [f"# Benchmark ({result['when']}, {result['machine']}, Python {platform.python_version()})", ""]
    if result.get("clean_s") is not None:
        lines += [f"- clean build (empty cache): **{result['clean_s']:.1f} s** (budget {BUDGETS['clean_build_s']} s)",
                  f"- cached rebuild, nothing changed: **{result['cached_s']:.1f} s** (budget {BUDGETS['cached_rebuild_s']} s)"]
    else:
        lines.append(f"- build not timed (measured the existing build {result['html']})")
    if result.get("live_stopping"):
        ls = result["live_stopping"]
        lines.append(f"- live stopping laboratory, {ls['n_trials']:,} trials with new parameters: best {ls['best_s']:.2f} s, "
                     f"worst {ls['worst_s']:.2f} s (budget {LIVE_STOPPING_BUDGET_S:.0f} s)")
    lines.append(f"- phone-class reader: chromium at {PHONE['width']}x{PHONE['height']}, CPU slowed down {THROTTLE}x, "
                 f"each timing the median of {result.get('repeats', 1)} loads of the page; redraws at 1280x800 unthrottled")
    if previous:
        lines.append(f"- each cell: previous ({previous['when']}, {previous.get('html') or 'fresh build'}) → this run")
    lines += [
        "",
        "| page | HTML and chart files (kB) | charts | first text painted (ms) | first screen's charts: first image (ms) | first screen interactive (ms) "
        "| shown after scrolling to a chart (ms) | interactive after scrolling to a chart (ms) | slowest redraw (ms) "
        "| over budget |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for p in result["pages"]:
        lines.append(f"| {p['page']} | {pair(p, 'bytes', '.0f', 1000)} | {p['charts']} | {pair(p, 'first_paint_ms')} | {pair(p, 'first_image_ms')} "
                     f"| {pair(p, 'interactive_ms')} | {pair(p, 'scroll_visible_ms')} | {pair(p, 'scroll_interactive_ms')} | {pair(p, 'redraw_ms', '.1f')} "
                     f"| {', '.join(over_budget(p)) or '–'} |")
    lines += ["", f"Budgets: page < {BUDGETS['page_bytes'] / 1e6:.1f} MB of HTML and chart files (images, specifications); every chart's first image visible "
              f"< {BUDGETS['first_image_ms']} ms after navigation (in the first screen) or after scrolling to it (further down); interactive < {BUDGETS['interactive_ms']} ms "
              f"(after navigation, or after scrolling to it); redraw < {BUDGETS['redraw_ms']} ms."]
    over = [p["page"] for p in result["pages"] if over_budget(p)]
    if result.get("cached_s") and result["cached_s"] > BUDGETS["cached_rebuild_s"]:
        over.append("cached rebuild")
    lines.append("Over budget: " + (", ".join(over) if over else "nothing"))
    return "\n".join(lines) + "\n"


def run(html: Path | None, compare: Path | None, docs: list[str], repeats: int = 3) -> tuple[dict, dict | None]:
    result = {"when": time.strftime("%Y-%m-%d %H:%M"), "machine": platform.node(), "clean_s": None, "cached_s": None,
              "html": str(html) if html else None, "live_stopping": live_stopping_seconds(), "repeats": repeats}
    with tempfile.TemporaryDirectory(prefix="trialkit-bench-") as tmp:
        if html is None:
            clean = build(ROOT, Path(tmp), quiet=True)
            if not clean.ok:
                raise SystemExit("build failed:\n" + "\n".join(clean.problems))
            cached = build(ROOT, Path(tmp), quiet=True)
            result.update(clean_s=clean.seconds, cached_s=cached.seconds)
            html = clean.html
        with tkbrowser.launch() as browser:
            previous = None
            if compare is not None:
                previous = {"when": "same session", "html": str(compare), "pages": measure_site(compare, docs, browser, repeats)}
            result["pages"] = measure_site(html, docs, browser, repeats)
    return result, previous


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Build and page benchmarks")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--built-html", type=Path, default=None, help="measure this existing build instead of building")
    parser.add_argument("--compare-html", type=Path, default=None,
                        help="another build (e.g. the previous version) measured in the same session, side by side")
    parser.add_argument("--toc", type=Path, default=None, help="the table of contents whose pages are measured")
    parser.add_argument("--repeats", type=int, default=3,
                        help="loads of each page on the phone-class reader; each figure is their median (default 3)")
    parser.add_argument("--live-only", action="store_true", help="only time the live stopping laboratory")
    args = parser.parse_args(argv)
    if args.live_only:
        ls = live_stopping_seconds()
        print(f"live stopping laboratory, {ls['n_trials']:,} trials with new parameters: best {ls['best_s']:.2f} s, "
              f"worst {ls['worst_s']:.2f} s (budget {LIVE_STOPPING_BUDGET_S:.0f} s)")
        return 0 if ls["worst_s"] < LIVE_STOPPING_BUDGET_S else 1
    docs = toc_files(toc_path=args.toc) if args.toc else toc_files()
    stored = args.output.with_suffix(".json")
    previous_run = json.loads(stored.read_text()) if stored.exists() else None
    result, previous = run(args.built_html, args.compare_html, docs, args.repeats)
    previous = previous or previous_run
    text = report(result, previous)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if previous_run is not None:
        stored.with_name("previous.json").write_text(json.dumps(previous_run, indent=1))
    stored.write_text(json.dumps(result, indent=1))
    args.output.write_text(text)
    print(text)
    print(f"written to {args.output} (and {stored.name}; the run before is kept as previous.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
