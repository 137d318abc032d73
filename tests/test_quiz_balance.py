"""Quiz items are not guessable from their form.

Rule, over every quiz file in book/quizzes (the trial chapters' quizzes included):
* the right option is the longest option (ties count as longest) in at most a third of the
  multiple-choice items, and the shortest (ties count) in at most 40 % of them, so that neither length
  is a tell;
* among items with at least three choices, no position (first, second, ...) holds more than 40 % of the
  right answers;
* every multiple-choice item has its own feedback for each choice (why a distractor is wrong).
"""

from __future__ import annotations

from trialkit import quiz


def test_the_right_option_is_rarely_the_longest_and_its_position_is_balanced():
    b = quiz.balance()
    assert b["items"] >= 30
    assert b["longest"] <= b["items"] / 3, (
        f"the right option is the longest in {b['longest']} of {b['items']} items: {b['where_longest']}")
    assert b["shortest"] <= 0.40 * b["items"], (
        f"the right option is the shortest in {b['shortest']} of {b['items']} items: {b['where_shortest']}")
    total = sum(b["positions"].values())
    for position, count in sorted(b["positions"].items()):
        assert count <= 0.40 * total, f"position {position + 1} holds {count} of {total} right answers"


def test_every_multiple_choice_item_answers_each_distractor():
    assert quiz.balance()["without_feedback"] == []


def test_the_balance_counts_are_right_on_a_small_example(tmp_path):
    (tmp_path / "a.yml").write_text(
        "- question: Q1\n  choices: [short, a much longer wrong one, middle]\n  answer: 0\n  explanation: E\n"
        "- question: Q2\n  choices: [x, the longest and right, y]\n  answer: 1\n  explanation: E\n"
        "  feedback: [wrong, right, wrong]\n"
        "- question: Q3\n  choices: [same, same]\n  answer: 1\n  explanation: E\n  feedback: [a, b]\n"
        "- question: Q4\n  answer: 3\n  explanation: E\n")
    b = quiz.balance(tmp_path)
    assert b["items"] == 3
    assert b["where_longest"] == ["a#2", "a#3"]  # a tie counts as longest
    assert b["where_shortest"] == ["a#1", "a#3"] and b["shortest"] == 2
    assert b["positions"] == {0: 1, 1: 1}        # the two-choice item is not counted
    assert b["without_feedback"] == ["a#1"]
