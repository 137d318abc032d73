"""Learning objectives: what each page teaches, where it is practised and where it is assessed.

Objectives live in ``book/objectives/<unit>.yml``, one file per part or chapter, a mapping from a
page's document name to its objectives::

    book/tower/design:
      - id: tower-design-boundary            # unique across the book
        text: Recompute the boundary a group-sequential trial crossed at its interim analysis.
        practised: ["lab:tower-lab-stopping", "quiz:tower-design#2"]
        assessed: ["exercise:tower/q3_boundary"]

``practised`` and ``assessed`` name where the skill is exercised: ``lab:<page label>`` (a
laboratory's MyST label), ``quiz:<quiz name>#<question number>`` (1-based) or ``exercise:<set>/<question
id>``. :func:`objectives` renders a page's objectives at the top of the page; :func:`load_all` reads
every file (for the alignment checks).
"""

from __future__ import annotations

import re
from pathlib import Path

from trialkit import _yamlfile

OBJECTIVES_DIR = Path(__file__).resolve().parents[2] / "book" / "objectives"
_REF = re.compile(r"(lab:[a-z0-9-]+|quiz:[a-z0-9_-]+#\d+|exercise:[a-z0-9_-]+/[a-z0-9_]+)")


class ObjectivesError(ValueError):
    """An objectives file that breaks the format, naming the file, the page and the objective."""


def load(path: Path | str) -> dict[str, list[dict]]:
    """The validated objectives of one file, by page."""
    path = Path(path)
    content = _yamlfile.read(path, ObjectivesError, "pages", kind=dict, name="objectives file")
    for page, items in content.items():
        if not isinstance(page, str) or not page.startswith("book/"):
            raise ObjectivesError(f"{path}: page keys are document names such as 'book/tower/design', got {page!r}")
        if not isinstance(items, list) or not items:
            raise ObjectivesError(f"{path}, {page}: must list at least one objective")
        for i, item in enumerate(items, start=1):
            where = f"{path}, {page}, objective {i}"
            if not isinstance(item, dict):
                raise ObjectivesError(f"{where}: must be a mapping with id, text, practised, assessed")
            unknown = set(item) - {"id", "text", "practised", "assessed"}
            if unknown:
                raise ObjectivesError(f"{where}: unknown keys {sorted(unknown)}")
            if not re.fullmatch(r"[a-z0-9-]+", str(item.get("id", ""))):
                raise ObjectivesError(f"{where}: 'id' must be lowercase letters, digits and '-', got {item.get('id')!r}")
            if not str(item.get("text", "")).strip():
                raise ObjectivesError(f"{where}: needs a 'text'")
            for key in ("practised", "assessed"):
                refs = item.get(key, [])
                if not isinstance(refs, list):
                    raise ObjectivesError(f"{where}: '{key}' must be a list")
                for ref in refs:
                    if not isinstance(ref, str) or not _REF.fullmatch(ref):
                        raise ObjectivesError(f"{where}: {key} entry {ref!r} must look like 'lab:<label>', "
                                              "'quiz:<name>#<n>' or 'exercise:<set>/<question>'")
    return content


def load_all(folder: Path | str = OBJECTIVES_DIR) -> dict[str, list[dict]]:
    """Every page's objectives, from every file in ``folder``; an id used twice is an error."""
    pages: dict[str, list[dict]] = {}
    seen: dict[str, Path] = {}
    for path in sorted(Path(folder).glob("*.yml")):
        for page, items in load(path).items():
            if page in pages:
                raise ObjectivesError(f"{path}: page {page} already has objectives in another file")
            for item in items:
                if item["id"] in seen:
                    raise ObjectivesError(f"{path}: objective id {item['id']!r} is also used in {seen[item['id']]}")
                seen[item["id"]] = path
            pages[page] = items
    return pages


def objectives(page: str, folder: Path | str = OBJECTIVES_DIR):
    """The objectives box shown at the top of ``page`` (its document name, e.g. ``book/tower/design``)."""
    from html import escape

    from IPython.display import HTML

    pages = load_all(folder)
    if page not in pages:
        raise ObjectivesError(f"no objectives for page {page!r} in {folder}; add them to an objectives file")
    items = "".join(f"<li>{escape(item['text'])}</li>" for item in pages[page])
    return HTML('<div class="tk-objectives" role="note"><p class="tk-objectives-title">After this page you can</p>'
                f"<ul>{items}</ul></div>")


# --- alignment: objective -> practised -> assessed ---------------------------------------------------

BOOK_DIR = Path(__file__).resolve().parents[2] / "book"
_LABEL = re.compile(r"^\(([A-Za-z0-9_-]+)\)=\s*$", re.M)


class AlignmentError(ValueError):
    """Objectives, practice and assessment that do not line up; the message lists every problem."""


def labels(book_dir: Path | str = BOOK_DIR) -> dict[str, str]:
    """Every MyST label ``(name)=`` of the book's pages, with the document that holds it."""
    book_dir = Path(book_dir)
    found: dict[str, str] = {}
    for path in sorted(book_dir.rglob("*.md")):
        for name in _LABEL.findall(path.read_text(encoding="utf-8")):
            found[name] = "book/" + path.relative_to(book_dir).with_suffix("").as_posix()
    return found


def quiz_sizes(quiz_dir: Path | str | None = None) -> dict[str, int]:
    """Number of questions of every quiz file."""
    from trialkit import quiz

    folder = Path(quiz_dir) if quiz_dir is not None else quiz.QUIZ_DIR
    return {p.stem: len(quiz.load(p.stem, folder)) for p in sorted(folder.glob("*.yml"))}


def pages_with_quizzes(book_dir: Path | str = BOOK_DIR) -> list[str]:
    """Document names of the pages that show a quiz or a prediction: the teaching pages."""
    book_dir = Path(book_dir)
    return sorted("book/" + p.relative_to(book_dir).with_suffix("").as_posix()
                  for p in book_dir.rglob("*.md") if "quiz.show(" in p.read_text(encoding="utf-8"))


def alignment_problems(exercise_questions: dict[str, list[str]], pages: dict[str, list[dict]] | None = None,
                       book_dir: Path | str = BOOK_DIR, quiz_dir: Path | str | None = None) -> list[str]:
    """Every way the objectives fail to line up with practice and assessment (an empty list if none).

    ``exercise_questions`` maps each graded set to its question ids (``{"tower": ["q1", ...]}``; the
    exercises package provides it). Problems: a teaching page without objectives; an objective with no
    practice or no assessment; a reference to a label, a quiz, a quiz item, a set or a question that
    does not exist; a page key that names no page; an exercise question that no objective assesses.
    """
    pages = load_all() if pages is None else pages
    book_dir = Path(book_dir)
    known_labels = labels(book_dir)
    quizzes = quiz_sizes(quiz_dir)
    problems: list[str] = []
    for page in pages_with_quizzes(book_dir):
        if page not in pages:
            problems.append(f"{page}: shows a quiz but has no objectives")
    assessed_somewhere: set[str] = set()
    for page, items in pages.items():
        if not (book_dir.parent / f"{page}.md").is_file():
            problems.append(f"{page}: objectives for a page that does not exist")
        for item in items:
            where = f"{page}, objective {item['id']}"
            if not item.get("practised"):
                problems.append(f"{where}: practised nowhere (add a laboratory or quiz item)")
            if not item.get("assessed"):
                problems.append(f"{where}: assessed nowhere (add an exercise question)")
            for ref in item.get("practised", []) + item.get("assessed", []):
                kind, _, rest = ref.partition(":")
                if kind == "lab" and rest not in known_labels:
                    problems.append(f"{where}: {ref} names no label of the book")
                elif kind == "quiz":
                    name, _, number = rest.partition("#")
                    if name not in quizzes:
                        problems.append(f"{where}: {ref} names no quiz (book/quizzes/{name}.yml)")
                    elif not 1 <= int(number) <= quizzes[name]:
                        problems.append(f"{where}: {ref}: quiz {name} has {quizzes[name]} questions")
                elif kind == "exercise":
                    set_name, _, qid = rest.partition("/")
                    if set_name not in exercise_questions:
                        problems.append(f"{where}: {ref} names no exercise set ({sorted(exercise_questions)})")
                    elif qid not in exercise_questions[set_name]:
                        problems.append(f"{where}: {ref}: set {set_name} has no question {qid}")
                    else:
                        assessed_somewhere.add(rest)
    for set_name, qids in sorted(exercise_questions.items()):
        for qid in qids:
            if f"{set_name}/{qid}" not in assessed_somewhere:
                problems.append(f"exercise:{set_name}/{qid}: assessed but linked to no objective (taught nowhere)")
    return problems


def check_alignment(exercise_questions: dict[str, list[str]], **kwargs) -> None:
    """Raise :class:`AlignmentError` listing every problem of :func:`alignment_problems`."""
    problems = alignment_problems(exercise_questions, **kwargs)
    if problems:
        raise AlignmentError(f"{len(problems)} alignment problem(s):\n- " + "\n- ".join(problems))


def alignment_table(pages: dict[str, list[dict]] | None = None, book_dir: Path | str = BOOK_DIR):
    """One row per objective: page, objective, practised (laboratories and quiz items), assessed."""
    import pandas as pd

    pages = load_all() if pages is None else pages
    known = labels(book_dir)

    def show(ref: str) -> str:
        kind, _, rest = ref.partition(":")
        if kind == "lab":
            return f"laboratory {rest} ({known.get(rest, '?').removeprefix('book/')})"
        if kind == "quiz":
            name, _, number = rest.partition("#")
            return f"quiz {name}, item {number}"
        return f"exercise {rest}"

    rows = [{"Page": page.removeprefix("book/"), "Objective": item["text"],
             "Practised": "; ".join(show(r) for r in item.get("practised", [])),
             "Assessed": "; ".join(show(r) for r in item.get("assessed", []))}
            for page, items in pages.items() for item in items]
    return pd.DataFrame(rows, columns=["Page", "Objective", "Practised", "Assessed"])
