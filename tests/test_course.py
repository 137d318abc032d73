"""The objectives format: every file in the book loads, and malformed files are refused by name."""

import pytest

from trialkit import course


def write(tmp_path, text):
    path = tmp_path / "unit.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_renders(tmp_path):
    write(tmp_path, "book/x:\n  - id: x-one\n    text: Compute a thing.\n    practised: ['quiz:x#1']\n    assessed: ['exercise:x/q1']\n")
    html = course.objectives("book/x", tmp_path).data
    assert "Compute a thing." in html and "After this page you can" in html


@pytest.mark.parametrize("text, message", [
    ("book/x:\n  - id: X\n    text: t\n", "'id' must be"),
    ("book/x:\n  - id: x\n    text: ''\n", "needs a 'text'"),
    ("book/x:\n  - id: x\n    text: t\n    practised: ['lab x']\n", "practised entry"),
    ("book/x:\n  - id: x\n    text: t\n    colour: red\n", "unknown keys"),
    ("x:\n  - id: x\n    text: t\n", "page keys"),
    ("book/x: []\n", "at least one objective"),
])
def test_malformed_files_are_refused(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(course.ObjectivesError, match=message) as err:
        course.load(path)
    assert str(path) in str(err.value)


def test_duplicate_ids_are_refused(tmp_path):
    (tmp_path / "a.yml").write_text("book/a:\n  - id: same\n    text: t\n", encoding="utf-8")
    (tmp_path / "b.yml").write_text("book/b:\n  - id: same\n    text: t\n", encoding="utf-8")
    with pytest.raises(course.ObjectivesError, match="also used"):
        course.load_all(tmp_path)


def test_page_without_objectives_is_named(tmp_path):
    write(tmp_path, "book/x:\n  - id: x\n    text: t\n")
    with pytest.raises(course.ObjectivesError, match="book/y"):
        course.objectives("book/y", tmp_path)
