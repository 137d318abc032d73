"""Execute the book's chapters in parallel into Jupyter Book's execution cache, before the build.

Jupyter Book 1 (myst-nb, ``execute_notebooks: cache``) runs the chapters one after another while Sphinx
reads them, so a clean build uses one core for most of its time. :func:`execute_missing` runs every
chapter whose code is not yet in the cache (jupyter-cache matches a notebook by its code cells and its
kernelspec), ``workers`` at a time, and stores each executed notebook in the same cache, exactly as
myst-nb would (:class:`myst_nb.core.execute.cache.NotebookClientCache`): the build then finds every
chapter cached and only renders. A chapter that fails here is not cached; the build runs it again and
reports the error as usual, so strictness is unchanged.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from trialkit.book import BOOK_BUILD_ENV


def _config(root: Path) -> dict:
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}


def read_chapter(path: Path, extensions: list[str]):
    """The chapter at ``path`` as myst-nb reads it for execution (MyST Markdown notebook), or ``None`` if it
    is a plain Markdown page."""
    from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    text = path.read_text(encoding="utf-8")
    if not is_myst_markdown_notebook(text):
        return None
    return read_myst_markdown_notebook(text, config=MdParserConfig(enable_extensions=set(extensions)),
                                       add_source_map=True, path=str(path))


def _quiet_kernels() -> None:
    """Worker start-up: the kernels it starts inherit a silenced stderr (each prints a notice about its
    TCP transport, once per chapter). A chapter's own stderr output is in its notebook, and an error is
    reported by the build, which runs a failed chapter again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _execute(path: str, extensions: list[str], timeout: int) -> tuple[str, object, float, str | None]:
    """Worker: read and execute one chapter in its own folder (myst-nb's default working directory)."""
    from jupyter_cache.executors.utils import single_nb_execution

    os.environ[BOOK_BUILD_ENV] = "1"  # the kernels render charts for the book (see trialkit.book)
    nb = read_chapter(Path(path), extensions)
    result = single_nb_execution(nb, cwd=str(Path(path).parent), timeout=timeout, allow_errors=False,
                                 meta_override=True)
    return path, nb, result.time, (result.exc_string or repr(result.err)) if result.err else None


def execute_missing(root: Path, cache_dir: Path, docs: list[str], workers: int | None = None,
                    log=print) -> dict:
    """Execute, ``workers`` at a time, the chapters among ``docs`` (paths without suffix, relative to
    ``root``) that ``cache_dir`` (a jupyter-cache folder) does not hold yet, and cache them.

    Returns ``{"executed": [...], "failed": [...], "cached": n, "seconds": wall time}``. With one worker
    or at most one chapter to run it does nothing (the build's own serial execution is as fast)."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    config = _config(root)
    extensions = list((config.get("parse") or {}).get("myst_enable_extensions") or [])
    timeout = int((config.get("execute") or {}).get("timeout") or 30)
    cache = get_cache(str(cache_dir))
    todo, cached = [], 0
    for doc in docs:
        path = root / f"{doc}.md"
        if not path.exists():
            continue
        nb = read_chapter(path, extensions)
        if nb is None:
            continue
        try:
            cache.match_cache_notebook(nb)
            cached += 1
        except KeyError:
            todo.append(str(path))
    report = {"executed": [], "failed": [], "cached": cached, "seconds": 0.0}
    if workers == 1 or len(todo) <= 1:
        return report
    start = time.perf_counter()
    # The longest chapters first (a proxy for the slowest), so that the workers finish close together.
    todo.sort(key=lambda p: Path(p).stat().st_size, reverse=True)
    with ProcessPoolExecutor(max_workers=min(workers, len(todo)), initializer=_quiet_kernels) as pool:
        futures = [pool.submit(_execute, path, extensions, timeout) for path in todo]
        for future in futures:
            path, nb, seconds, error = future.result()
            name = str(Path(path).relative_to(root))
            if error:
                report["failed"].append(name)
                continue
            cache.cache_notebook_bundle(CacheBundleIn(nb, path, data={"execution_seconds": seconds}),
                                        check_validity=False, overwrite=True)
            report["executed"].append(name)
            log(f"executed {name} in {seconds:.1f} s")
    report["seconds"] = time.perf_counter() - start
    return report
