"""Strict build of the book: ``python -m trialkit.tooling.build [--path-output DIR]``.

Runs ``jupyter-book build <root> -W -n --keep-going`` (warnings are errors, nitpicky cross-references,
all problems reported at once), after checking that every page in ``book/`` is listed in ``_toc.yml``.
When the build fails, it prints each failing page's execution report (Jupyter Book writes them under
``_build/html/reports/``) so the traceback is on the screen, not only in a file.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class BuildResult:
    returncode: int
    seconds: float
    html: Path
    log: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.problems


def toc_files(root: Path = ROOT, toc_path: Path | None = None) -> list[str]:
    """Every file listed in ``_toc.yml`` (or ``toc_path``), without extension, root first, in reading order."""
    toc = yaml.safe_load(Path(toc_path or root / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def pages_missing_from_toc(root: Path = ROOT) -> list[str]:
    listed = set(toc_files(root))
    return sorted(
        str(p.relative_to(root).with_suffix(""))
        for p in (root / "book").rglob("*.md")
        if ".ipynb_checkpoints" not in p.parts and str(p.relative_to(root).with_suffix("")) not in listed
    )


def _reports(html: Path) -> list[str]:
    out = []
    for log in sorted((html / "reports").rglob("*.log")) if (html / "reports").exists() else []:
        page = str(log.relative_to(html / "reports")).removesuffix(".err.log").removesuffix(".log")
        out.append(f"--- execution report for page '{page}' ---\n{log.read_text(errors='replace')}")
    return out


def inputs_digest(root: Path = ROOT) -> str:
    """A digest of everything chapters import or read besides their own text: the package and data/.

    jupyter-cache re-executes a chapter only when its code cells change; a change in ``trialkit`` or in
    the data must invalidate the cache too, or the book would show stale results."""
    import hashlib

    h = hashlib.sha256()
    files = [p for folder in (root / "src" / "trialkit", root / "data") for p in folder.rglob("*")]
    files += list((root / "book").rglob("*.yml"))  # quizzes, the bias catalogue
    for path in sorted(p for p in files if p.is_file() and "__pycache__" not in p.parts):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _invalidate_cache_if_inputs_changed(root: Path, path_output: Path) -> None:
    import shutil

    build_dir = path_output / "_build"
    stamp = build_dir / ".trialkit-inputs"
    digest = inputs_digest(root)
    if stamp.exists() and stamp.read_text() == digest:
        return
    shutil.rmtree(build_dir / ".jupyter_cache", ignore_errors=True)
    shutil.rmtree(build_dir / ".doctrees", ignore_errors=True)  # or Sphinx would not re-read unchanged pages
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)


def run_jupyter_book(root: Path, path_output: Path, *, builder: str = "html", toc: Path | None = None,
                     quiet: bool = False) -> tuple[int, float, str, list[str]]:
    """Run ``jupyter-book build <root> -W -n --keep-going`` with ``builder`` into ``path_output/_build``,
    after invalidating the execution cache if the package or the data changed (:func:`inputs_digest`).

    Returns the exit code, the seconds it took, the log, and the log's warning and error lines (kernels
    print a benign notice about TCP transport on the build's stderr, not a cell's: not a problem)."""
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(root), "--path-output", str(path_output),
           "--builder", builder, "-W", "-n", "--keep-going"]
    if toc:
        cmd += ["--toc", str(Path(toc).resolve())]
    _invalidate_cache_if_inputs_changed(root, path_output)
    t0 = time.perf_counter()
    # Chapters not yet in the cache run in parallel first (one per core); the build then only renders.
    from trialkit.tooling.execution import execute_missing

    ran = execute_missing(root, path_output / "_build" / ".jupyter_cache", toc_files(root, toc), log=lambda _: None)
    if ran["executed"] and not quiet:
        print(f"executed {len(ran['executed'])} chapters in parallel in {ran['seconds']:.0f} s "
              f"({ran['cached']} already cached); the build re-runs any that failed, to report the error")
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    log = proc.stdout + proc.stderr
    if not quiet:
        print(log if proc.returncode else log[-3000:])
    warnings = [line for line in log.splitlines()
                if ("WARNING" in line or "ERROR" in line or "error" in line.lower() and "Theme error" in line)
                and "Kernel is running over TCP" not in line]
    return proc.returncode, seconds, log, warnings


def build(root: Path = ROOT, path_output: Path | None = None, quiet: bool = False, toc: Path | None = None) -> BuildResult:
    """Build the book strictly. ``path_output``: folder that receives ``_build/`` (default: ``root``).
    ``toc``: another table of contents (to build a few pages while writing them); the check that every
    page is in the TOC is then skipped."""
    path_output = Path(path_output or root).resolve()
    html = path_output / "_build" / "html"
    problems = [] if toc else [f"page '{p}' is in book/ but not in _toc.yml (add it or delete it)" for p in pages_missing_from_toc(root)]
    returncode, seconds, log, warnings = run_jupyter_book(root, path_output, toc=toc, quiet=quiet)
    if returncode != 0:
        problems.extend(warnings or ["jupyter-book exited with an error (see the log above)"])
        problems.extend(_reports(html))
    return BuildResult(returncode, seconds, html, log, problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path-output", type=Path, default=None, help="folder that receives _build/ (default: repository root)")
    parser.add_argument("--toc", type=Path, default=None, help="build with another table of contents (a few pages while writing them)")
    args = parser.parse_args(argv)
    result = build(ROOT, args.path_output, toc=args.toc)
    if not result.ok:
        print("\nBUILD FAILED:", file=sys.stderr)
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    index = result.html / "index.html"
    print(f"\nBuilt in {result.seconds:.0f} s. Open file://{index}")
    print(f"or serve it: python -m http.server --directory {result.html} 8000  ->  http://localhost:8000")
    return 0


if __name__ == "__main__":
    sys.exit(main())
