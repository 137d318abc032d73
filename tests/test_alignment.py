"""The course's alignment: every objective is practised and assessed, every reference exists, and every
graded question assesses some objective. The same check runs in book/alignment.md and fails the build."""

from __future__ import annotations

import pytest

from trialkit import course
from trialkit.exercises import problems


def test_the_book_is_aligned():
    assert course.alignment_problems(problems.question_ids()) == []
    course.check_alignment(problems.question_ids())


def test_every_teaching_page_has_objectives_and_the_table_lists_them_all():
    pages = course.load_all()
    assert set(course.pages_with_quizzes()) <= set(pages)
    table = course.alignment_table()
    assert len(table) == sum(len(items) for items in pages.values())
    assert (table["Practised"] != "").all() and (table["Assessed"] != "").all()


@pytest.fixture
def mini(tmp_path):
    """A two-page book with a label, a quiz of two items and objectives that can be broken one way at a time."""
    book = tmp_path / "book"
    (book / "quizzes").mkdir(parents=True)
    (book / "a.md").write_text("(a-lab)=\n## Lab\n\n```{code-cell}\nquiz.show('qa')\n```\n")
    (book / "b.md").write_text("# B, no quiz\n")
    (book / "quizzes" / "qa.yml").write_text(
        "- question: Q\n  choices: [x, y]\n  answer: 0\n  explanation: E\n"
        "- question: R\n  answer: 1\n  explanation: E\n")
    good = {"book/a": [{"id": "a-one", "text": "t", "practised": ["lab:a-lab", "quiz:qa#2"],
                        "assessed": ["exercise:s/q1"]}]}
    return book, good


def problems_of(mini, pages, questions=None):
    book, _ = mini
    return course.alignment_problems(questions or {"s": ["q1"]}, pages=pages, book_dir=book,
                                     quiz_dir=book / "quizzes")


def test_a_good_map_has_no_problem(mini):
    assert problems_of(mini, mini[1]) == []


@pytest.mark.parametrize("change, message", [
    (lambda o: o.update(practised=[]), "a-one: practised nowhere"),
    (lambda o: o.update(assessed=[]), "a-one: assessed nowhere"),
    (lambda o: o.update(practised=["lab:nowhere"]), "lab:nowhere names no label"),
    (lambda o: o.update(practised=["quiz:qb#1"]), "quiz:qb#1 names no quiz"),
    (lambda o: o.update(practised=["quiz:qa#3"]), "quiz qa has 2 questions"),
    (lambda o: o.update(assessed=["exercise:t/q1"]), "exercise:t/q1 names no exercise set"),
    (lambda o: o.update(assessed=["exercise:s/q9"]), "set s has no question q9"),
])
def test_each_broken_link_is_named(mini, change, message):
    pages = {"book/a": [dict(mini[1]["book/a"][0])]}
    change(pages["book/a"][0])
    found = "\n".join(problems_of(mini, pages))
    assert message in found, found


def test_an_assessed_question_taught_nowhere_and_a_page_without_objectives_are_named(mini):
    found = problems_of(mini, mini[1], {"s": ["q1", "q2"]})
    assert found == ["exercise:s/q2: assessed but linked to no objective (taught nowhere)"]
    found = problems_of(mini, {"book/b": mini[1]["book/a"]})
    assert "book/a: shows a quiz but has no objectives" in found
    assert not any("book/b: objectives for a page that does not exist" in f for f in found)
    found = problems_of(mini, {"book/c": mini[1]["book/a"]})
    assert "book/c: objectives for a page that does not exist" in found


def test_check_alignment_raises_with_every_problem_listed(mini):
    book, good = mini
    pages = {"book/a": [dict(good["book/a"][0], practised=[], assessed=[])]}
    with pytest.raises(course.AlignmentError, match=r"3 alignment problem\(s\)") as err:
        course.check_alignment({"s": ["q1"]}, pages=pages, book_dir=book, quiz_dir=book / "quizzes")
    assert "practised nowhere" in str(err.value) and "assessed nowhere" in str(err.value)
    assert "exercise:s/q1: assessed but linked to no objective" in str(err.value)
