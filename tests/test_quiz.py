"""Self-check quizzes: every quiz file in the book is valid; malformed files fail with a clear message."""

from __future__ import annotations

import pytest

from trialkit import quiz


def test_every_quiz_in_the_book_loads_and_renders():
    names = sorted(p.stem for p in quiz.QUIZ_DIR.glob("*.yml"))
    assert names
    for name in names:
        html = quiz.render(name)
        assert html.count('class="tk-question"') == len(quiz.load(name))


def test_render_escapes_text(tmp_path):
    (tmp_path / "x.yml").write_text("- question: 'Is <b>bold</b> *allowed*?'\n  choices: [a, b]\n  answer: 0\n  explanation: '`code`'\n")
    html = quiz.render("x", tmp_path)
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<em>allowed</em>" in html and "<code>code</code>" in html


@pytest.mark.parametrize("text,message", [
    ("- question: Q\n  choices: [a, b]\n  answer: 2\n  explanation: E\n", r"question 1: 'answer' must be the index \(0 to 1\)"),
    ("- question: Q\n  choices: [a]\n  answer: 0\n  explanation: E\n", "at least two answers"),
    ("- question: Q\n  answer: x\n  explanation: E\n", "numeric 'answer'"),
    ("- question: Q\n  answer: 1\n  tolerance: -1\n  explanation: E\n", "'tolerance' must be a number >= 0"),
    ("- question: Q\n  choices: [a, b]\n  answer: 0\n", "needs an 'explanation'"),
    ("- choices: [a, b]\n  answer: 0\n  explanation: E\n", "needs a 'question'"),
    ("- question: Q\n  answer: 1\n  explanation: E\n  hint: H\n", r"unknown keys \['hint'\]"),
    ("- question: Q\n  choices: [a, b]\n  answer: 0\n  feedback: [only one]\n  explanation: E\n", "one non-empty reply per choice"),
    ("- question: Q\n  answer: 1\n  feedback: [x]\n  explanation: E\n", "only for multiple-choice"),
    ("[]\n", "non-empty list"),
    ("- question: [unclosed\n", "not valid YAML"),
])
def test_malformed_quiz_is_named(tmp_path, text, message):
    (tmp_path / "bad.yml").write_text(text)
    with pytest.raises(quiz.QuizError, match=message):
        quiz.load("bad", tmp_path)


def test_unknown_quiz_is_named(tmp_path):
    with pytest.raises(quiz.QuizError, match="no such quiz"):
        quiz.load("nothing", tmp_path)


def test_per_option_feedback_is_attached_to_its_choice(tmp_path):
    (tmp_path / "f.yml").write_text(
        "- question: Q\n  choices: [right, wrong]\n  answer: 0\n"
        "  feedback: ['Yes.', 'That confuses *rate* with <risk>.']\n  explanation: E\n")
    html = quiz.render("f", tmp_path)
    assert 'value="1" data-feedback="That confuses &lt;em&gt;rate&lt;/em&gt; with &amp;lt;risk&amp;gt;."' in html
    assert html.count("data-feedback=") == 2
    assert '<div class="tk-explanation" hidden>' in html


def test_one_item_can_be_shown_alone_and_a_wrong_item_is_named(tmp_path):
    (tmp_path / "p.yml").write_text("- question: First?\n  choices: [a, b]\n  answer: 0\n  explanation: E\n"
                                    "- question: Second?\n  choices: [c, d]\n  answer: 1\n  explanation: F\n")
    html = quiz.render("p", tmp_path, item=2)
    assert html.count('class="tk-question"') == 1 and "Second?" in html and "First?" not in html
    assert 'id="quiz-p-2"' in html
    for bad in (0, 3, True, "1"):
        with pytest.raises(quiz.QuizError, match="item must be a question number from 1 to 2"):
            quiz.render("p", tmp_path, item=bad)
