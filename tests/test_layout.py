"""The package's layout and the book's pages: imports run one way (data -> engine -> computations
-> charts -> pages; tooling and exercises beside), no page defines a function, and the glue helper
publishes rows and values by name."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from trialkit import book

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "trialkit"
ENGINE = {"data", "_check", "_yamlfile", "stats", "design", "survival", "sim", "synth", "appraisal", "trials"}
LEVEL = {**{m: 1 for m in ENGINE}, "data": 0, "_check": 0, "_yamlfile": 0,
         "chapters": 2, "labs": 2, "charts": 3, "book": 4, "quiz": 4, "course": 4, "live": 4}


def _group(module: str) -> str:
    """The layout group of a dotted module name below trialkit (``labs.stopping`` -> ``labs``)."""
    return module.split(".")[0]


def _imports(path: Path):
    here = ".".join(path.relative_to(PKG).with_suffix("").parts).removesuffix(".__init__")
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("trialkit"):
            rest = node.module.removeprefix("trialkit").lstrip(".")
            targets = [rest] if rest else [a.name for a in node.names]
            for t in targets:
                yield here, t, node.lineno
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("trialkit."):
                    yield here, a.name.removeprefix("trialkit."), node.lineno


def _violations():
    out = []
    for path in sorted(PKG.rglob("*.py")):
        for here, target, line in _imports(path):
            src, dst = _group(here), _group(target)
            where = f"{path.relative_to(PKG.parent)}:{line} imports trialkit.{target}"
            if src == dst or src == "__init__":
                continue
            if dst == "tooling":
                out.append(f"{where}: nothing outside trialkit.tooling may import it")
            elif dst == "exercises":
                out.append(f"{where}: nothing outside trialkit.exercises may import it")
            elif src in ("tooling", "exercises"):
                continue
            elif src in LEVEL and dst in LEVEL and LEVEL[dst] > LEVEL[src]:
                out.append(f"{where}: a level-{LEVEL[src]} module may not import a level-{LEVEL[dst]} one")
            elif {src, dst} == {"labs", "chapters"}:
                out.append(f"{where}: laboratories and chapter computations are independent")
            elif src == "data" and dst != "data" and LEVEL.get(dst, 9) > 0:
                out.append(f"{where}: data imports nothing of the engine")
    return out


def test_every_module_is_in_a_known_group():
    groups = {_group(".".join(p.relative_to(PKG).with_suffix("").parts)) for p in PKG.rglob("*.py")}
    assert groups <= set(LEVEL) | {"tooling", "exercises", "__init__"}, groups - set(LEVEL)


def test_imports_run_one_way():
    assert _violations() == []


def test_the_checker_sees_a_backward_import(tmp_path, monkeypatch):
    fake = tmp_path / "trialkit"
    (fake / "labs").mkdir(parents=True)
    (fake / "stats.py").write_text("from trialkit.charts import labs\n")
    (fake / "labs" / "x.py").write_text("from trialkit import chapters\nimport trialkit.tooling.build\n")
    monkeypatch.setattr(sys.modules[__name__], "PKG", fake)
    found = "\n".join(_violations())
    assert "stats.py:1 imports trialkit.charts" in found
    assert "laboratories and chapter computations are independent" in found
    assert "nothing outside trialkit.tooling" in found


CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)```", re.S)


def _cells(page: Path):
    for m in CELL.finditer(page.read_text()):
        yield "\n".join(line for line in m.group(1).splitlines() if not line.startswith(":"))


@pytest.mark.parametrize("page", sorted((ROOT / "book").rglob("*.md")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_defines_a_function_or_class(page):
    for code in _cells(page):
        defined = [n for n in ast.walk(ast.parse(code)) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                           ast.ClassDef, ast.Lambda))]
        assert not defined, f"{page.relative_to(ROOT)} defines {[getattr(n, 'name', 'lambda') for n in defined]}"


# --- trialkit.book.publish -------------------------------------------------------------------------


@pytest.fixture
def glued(monkeypatch):
    import myst_nb

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: seen.__setitem__(name, value))
    return seen


def test_publish_rows_parts_and_values(glued):
    from IPython.display import Markdown

    from trialkit import trials

    book.publish(trials.describe("tower"), "os_hr n_c=treated_{arm}.n os_p.mark x=os_median_chemotherapy.num",
                 count=3, share=0.5, words="text")
    assert glued["os_hr"].data == "0.71" and glued["os_hr_ci"].data == "0.55 to 0.93"
    assert "os_p_mark" in glued and isinstance(glued["os_p_mark"], Markdown)
    assert glued["x"] == 4.0 and isinstance(glued["x"], float)
    assert (glued["count"], glued["share"], glued["words"].data) == (3, 0.5, "text")
    assert "n_c" in glued  # {arm} expanded; the last arm's value kept under the one name
    book.publish("tower", {"design": "allocation_ratio"}, prefix="d_")
    assert glued["d_allocation_ratio"].data.startswith("2:1")


@pytest.mark.parametrize("call,message", [
    (lambda: book.publish("tower", "no_such_row"), "tower has no row with id 'no_such_row'"),
    (lambda: book.publish("tower", "os_hr.colour"), "part must be one of"),
    (lambda: book.publish("tower", "os_median_{arm}"), "needs a trial description"),
    (lambda: book.publish(flag=True), "not a truth value"),
    (lambda: book.publish(rows="os_hr"), "source .* must be given"),
    (lambda: book.publish("inovate", "power_cr"), "in design and planning"),
])
def test_publish_errors_name_the_problem(glued, call, message):
    with pytest.raises(ValueError, match=message):
        call()
