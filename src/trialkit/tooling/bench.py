"""Benchmark: ``python -m trialkit.tooling.bench`` (or ``make bench``).

Measures, on this machine:

* clean build time (fresh output folder, empty execution cache) and cached rebuild time with nothing
  changed;
* the HTML weight of every page;
* in headless Debian chromium: time from navigation start until every chart on a page has rendered,
  and the slowest redraw after moving a bound input.

Prints a Markdown table and writes it to ``bench/results.md``. It is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

from trialkit.tooling import browser as tkbrowser
from trialkit.tooling.build import ROOT, build, toc_files

BUDGETS = {"cached_rebuild_s": 30, "page_bytes": 1_500_000, "charts_ms": 2000, "redraw_ms": 100}


def measure(out_dir: Path) -> dict:
    clean = build(ROOT, out_dir, quiet=True)
    if not clean.ok:
        raise SystemExit("build failed:\n" + "\n".join(clean.problems))
    cached = build(ROOT, out_dir, quiet=True)
    pages = []
    with tkbrowser.serve(clean.html) as url, tkbrowser.launch() as browser:
        for doc in toc_files():
            html = clean.html / f"{doc}.html"
            row = {"page": doc, "bytes": html.stat().st_size, "charts": 0, "charts_ms": None, "redraw_ms": None}
            with tkbrowser.open_page(browser, f"{url}/{doc}.html") as (page, _log):
                charts = tkbrowser.wait_for_charts(page, timeout_ms=30_000)
                row["charts"] = len(charts)
                if charts:
                    row["charts_ms"] = page.evaluate(
                        "() => Math.max(...Array.from(document.querySelectorAll('.trialkit-chart'))"
                        ".map(c => parseFloat(c.getAttribute('data-rendered-ms') || 'NaN')))")
                    redraws = [r["ms"] for c in charts for r in tkbrowser.exercise_inputs(page, c["id"], c["inputs"])]
                    row["redraw_ms"] = max(redraws) if redraws else None
            pages.append(row)
    return {"clean_s": clean.seconds, "cached_s": cached.seconds, "pages": pages}


def report(result: dict) -> str:
    def fmt(v, spec):
        return "–" if v is None else format(v, spec)

    lines = [
        f"# Benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, Python {platform.python_version()})",
        "",
        f"- clean build (empty cache): **{result['clean_s']:.1f} s**",
        f"- cached rebuild, nothing changed: **{result['cached_s']:.1f} s** (budget {BUDGETS['cached_rebuild_s']} s)",
        "",
        "| page | HTML (kB) | charts | all charts rendered (ms after navigation) | slowest input redraw (ms) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for p in result["pages"]:
        lines.append(f"| {p['page']} | {p['bytes'] / 1000:.0f} | {p['charts']} | {fmt(p['charts_ms'], '.0f')} | {fmt(p['redraw_ms'], '.1f')} |")
    lines += ["", f"Budgets: page < {BUDGETS['page_bytes'] / 1e6:.1f} MB of HTML; charts rendered < {BUDGETS['charts_ms']} ms; "
              f"redraw < {BUDGETS['redraw_ms']} ms."]
    over = [p["page"] for p in result["pages"] if p["bytes"] > BUDGETS["page_bytes"]
            or (p["charts_ms"] or 0) > BUDGETS["charts_ms"] or (p["redraw_ms"] or 0) > BUDGETS["redraw_ms"]]
    if result["cached_s"] > BUDGETS["cached_rebuild_s"]:
        over.append("cached rebuild")
    lines.append("Over budget: " + (", ".join(over) if over else "nothing"))
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Build and page benchmarks")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="trialkit-bench-") as tmp:
        text = report(measure(Path(tmp)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
