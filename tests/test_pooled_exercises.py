"""The pooled exercise set and the chapter's objectives point at each other: every objective's
exercise reference names a real question, and every question of the set is assessed by an objective."""

from __future__ import annotations

from trialkit import course
from trialkit.exercises import problems


def _question_ids(set_name: str) -> set[str]:
    return {q.qid for q in problems.questions(set_name)} | {m.item.split("_", 1)[0] for m in problems.manual(set_name)}


def _refs(pages) -> list[tuple[str, str, str]]:
    return [(item["id"], *ref.split(":", 1)[1].split("/", 1)) for items in pages.values() for item in items
            for ref in item.get("assessed", []) if ref.startswith("exercise:")]


def test_pooled_objectives_name_real_questions_and_every_question_is_assessed():
    pages = {page: items for page, items in course.load_all().items() if page.startswith("book/pooled/")}
    refs = _refs(pages)
    assert refs, "the pooled chapter's objectives name no exercise question"
    qids = _question_ids("pooled")
    for objective, set_name, qid in refs:
        assert set_name == "pooled" and qid in qids, (objective, set_name, qid)
    assert {qid for _, _, qid in refs} == qids


def test_the_question_ids_include_the_hand_graded_question():
    assert "q9" in _question_ids("pooled") and "q9" not in {q.qid for q in problems.questions("pooled")}
    assert problems.max_points("pooled")[1] > 0
