"""Self-check quizzes that work in the static book (no kernel, no network).

Questions live in ``book/quizzes/<name>.yml``: a list of items, each either multiple choice::

    - question: What does ITT protect?
      choices: [Randomisation, Blinding, Allocation concealment]
      answer: 0                      # index of the correct choice
      feedback:                      # optional: one reply per choice, shown when it is picked
        - ...
      explanation: ...

or numeric::

    - question: ...
      answer: 17.9
      tolerance: 0.1                 # accepted absolute error
      unit: percentage points
      explanation: ...

:func:`show` renders a quiz as accessible HTML (fieldsets, labelled inputs, a polite live region for
feedback); ``static/trialkit-quiz.js`` checks answers in the browser. Quizzes teach rather than give the
answer away: a wrong choice gets its own feedback (when the question has ``feedback``) and an invitation
to try again; the explanation, which names the right answer, appears only after a right answer or a
second wrong one.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from trialkit import _yamlfile

QUIZ_DIR = Path(__file__).resolve().parents[2] / "book" / "quizzes"


class QuizError(ValueError):
    """A quiz file that breaks the format, naming the file and the question."""


def load(name: str, folder: Path | str = QUIZ_DIR) -> list[dict]:
    """The validated questions of quiz ``name``."""
    path = Path(folder) / f"{name}.yml"
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise QuizError(f"quiz name must be lowercase letters, digits, '-' or '_', got {name!r}")
    items = _yamlfile.read(path, QuizError, "questions", name="quiz")
    for i, q in enumerate(items, start=1):
        where = f"{path}, question {i}"
        if not isinstance(q, dict) or not str(q.get("question", "")).strip():
            raise QuizError(f"{where}: needs a 'question'")
        if not str(q.get("explanation", "")).strip():
            raise QuizError(f"{where}: needs an 'explanation'")
        unknown = set(q) - {"question", "choices", "answer", "tolerance", "unit", "explanation", "feedback"}
        if unknown:
            raise QuizError(f"{where}: unknown keys {sorted(unknown)}")
        if "choices" in q:
            choices = q["choices"]
            if not isinstance(choices, list) or len(choices) < 2:
                raise QuizError(f"{where}: 'choices' must list at least two answers")
            if not isinstance(q.get("answer"), int) or not 0 <= q["answer"] < len(choices):
                raise QuizError(f"{where}: 'answer' must be the index (0 to {len(choices) - 1}) of the correct choice")
            feedback = q.get("feedback")
            if feedback is not None and (not isinstance(feedback, list) or len(feedback) != len(choices)
                                         or not all(isinstance(f, str) and f.strip() for f in feedback)):
                raise QuizError(f"{where}: 'feedback' must list one non-empty reply per choice ({len(choices)})")
        elif "feedback" in q:
            raise QuizError(f"{where}: 'feedback' (one reply per choice) is only for multiple-choice questions")
        else:
            if not isinstance(q.get("answer"), (int, float)) or isinstance(q.get("answer"), bool):
                raise QuizError(f"{where}: a numeric question needs a numeric 'answer'")
            tol = q.get("tolerance", 0)
            if not isinstance(tol, (int, float)) or tol < 0:
                raise QuizError(f"{where}: 'tolerance' must be a number >= 0")
    return items


def _inline(text: str) -> str:
    """Escape, then allow *emphasis* and `code`."""
    text = html.escape(str(text).strip())
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*([^*]+)\*", r"<em>\1</em>", text)


def render(name: str, folder: Path | str = QUIZ_DIR, item: int | None = None) -> str:
    """The quiz as HTML; ``item`` (1-based) renders that question alone (a prediction before a figure)."""
    items = load(name, folder)
    if item is not None:
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= len(items):
            raise QuizError(f"item must be a question number from 1 to {len(items)} of quiz {name!r}, got {item!r}")
    parts = [f'<section class="trialkit-quiz" aria-label="Self-check quiz: {html.escape(name)}">']
    for i, q in enumerate(items, start=1):
        if item is not None and i != item:
            continue
        qid = f"quiz-{name}-{i}"
        if "choices" in q:
            attrs = f'data-kind="choice" data-answer="{q["answer"]}"'
            replies = q.get("feedback") or [""] * len(q["choices"])
            inputs = "".join(
                f'<label class="tk-choice"><input type="radio" name="{qid}" value="{j}"'
                + (f' data-feedback="{html.escape(_inline(r), quote=True)}"' if r else "")
                + f'> <span>{_inline(c)}</span></label>'
                for j, (c, r) in enumerate(zip(q["choices"], replies)))
        else:
            attrs = f'data-kind="numeric" data-answer="{q["answer"]}" data-tolerance="{q.get("tolerance", 0)}"'
            unit = f' <span class="tk-unit">{_inline(q["unit"])}</span>' if q.get("unit") else ""
            inputs = (f'<label class="tk-number">Your answer <input type="number" step="any" name="{qid}">{unit}</label>')
        parts.append(
            f'<fieldset class="tk-question" id="{qid}" {attrs}><legend>{"" if item else f"{i}. "}{_inline(q["question"])}</legend>{inputs}'
            f'<button type="button" class="tk-check">Check answer</button>'
            f'<p class="tk-feedback" role="status" aria-live="polite"></p>'
            f'<div class="tk-explanation" hidden>{_inline(q["explanation"])}</div></fieldset>')
    parts.append("</section>")
    return "\n".join(parts)


def show(name: str, folder: Path | str = QUIZ_DIR, item: int | None = None):
    """Display quiz ``name`` (the last expression of a cell); ``item`` shows one question of it."""
    from IPython.display import HTML

    return HTML(render(name, folder, item))


def balance(folder: Path | str = QUIZ_DIR) -> dict:
    """How guessable the multiple-choice items of every quiz in ``folder`` are.

    Returns ``items`` (multiple-choice items), ``longest`` (items whose right option is at least as long
    as every other option, ties included), ``shortest`` (likewise, at most as long as every other),
    ``positions`` (for items with at least three choices, how
    many have their right answer at each position, 0-based), ``without_feedback`` (``name#n`` of items
    without one reply per choice) and ``where_longest`` / ``where_shortest`` (``name#n`` of the items counted).
    """
    out = {"items": 0, "longest": 0, "shortest": 0, "positions": {}, "without_feedback": [], "where_longest": [],
           "where_shortest": []}
    for path in sorted(Path(folder).glob("*.yml")):
        for i, q in enumerate(load(path.stem, folder), start=1):
            if "choices" not in q:
                continue
            out["items"] += 1
            lengths = [len(str(c).strip()) for c in q["choices"]]
            if lengths[q["answer"]] >= max(lengths):
                out["longest"] += 1
                out["where_longest"].append(f"{path.stem}#{i}")
            if lengths[q["answer"]] <= min(lengths):
                out["shortest"] += 1
                out["where_shortest"].append(f"{path.stem}#{i}")
            if len(q["choices"]) >= 3:
                out["positions"][q["answer"]] = out["positions"].get(q["answer"], 0) + 1
            if not q.get("feedback"):
                out["without_feedback"].append(f"{path.stem}#{i}")
    return out
