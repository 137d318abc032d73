"""The bias catalogue: the book's file is valid, bad files fail with clear errors, the table renders."""

from __future__ import annotations

import textwrap

import pytest

from trialkit import data
from trialkit.chapters import catalogue

STUDIES = ["tower", "inovate", "e1910", "topp2021"]


def write(tmp_path, text: str):
    path = tmp_path / "catalogue.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_root(tmp_path):
    page = tmp_path / "book" / "tower" / "biases.md"
    page.parent.mkdir(parents=True)
    page.write_text("---\njupytext: {}\n---\n\n# TOWER: where bias can enter\n\ntext\n", encoding="utf-8")
    return tmp_path


GOOD = """
- key: early_stopping
  name: Early stopping for benefit
  vocabulary: "Bassler 2010"
  definition: A trial stopped early *tends* to overestimate.
  where:
    - trial: tower
      text: Stopped at the second interim analysis.
      link: /book/tower/biases#early
    - trial: e1910
      text: Third interim analysis.
- key: lack_of_blinding
  name: Lack of blinding
  definition: Knowing the arm changes care or judgement.
"""


def test_the_books_catalogue_is_valid():
    biases = catalogue.load()
    keys = [b.key for b in biases]
    assert len(keys) == len(set(keys)) >= 8
    assert {"early_stopping", "immortal_time_bias", "post_randomisation_exclusion", "informative_censoring"} <= set(keys)
    assert all(w.trial in data.studies() for b in biases for w in b.where)
    tower = {b.key for b in biases if any(w.trial == "tower" for w in b.where)}
    assert {"early_stopping", "post_randomisation_exclusion", "informative_censoring"} <= tower


def test_load_a_good_file(tmp_path):
    root = make_root(tmp_path)
    biases = catalogue.load(write(tmp_path, GOOD), studies=STUDIES, root=root)
    assert [b.key for b in biases] == ["early_stopping", "lack_of_blinding"]
    assert biases[0].where[0] == catalogue.Where("tower", "Stopped at the second interim analysis.", "/book/tower/biases#early")
    assert biases[1].where == () and biases[1].vocabulary is None


@pytest.mark.parametrize("text, match", [
    ("- key: a\n  name: A\n  definition: d\n  severity: high\n", r"bias 1 \(a\): unknown keys \['severity'\]"),
    ("- key: a\n  name: A\n", r"bias 1 \(a\): missing 'definition'"),
    ("- key: a\n  name: A\n  definition: '  '\n", r"'definition' must be a non-empty text"),
    ("- key: a\n  name: A\n  definition: d\n  where:\n    - trial: ponder\n      text: t\n", r"where entry 1: unknown trial 'ponder'; known trials: tower"),
    ("- key: a\n  name: A\n  definition: d\n  where:\n    - trial: tower\n      text: t\n      url: x\n", r"where entry 1: unknown keys \['url'\]"),
    ("- key: a\n  name: A\n  definition: d\n  where:\n    - trial: tower\n", r"where entry 1: missing 'text'"),
    ("- key: a\n  name: A\n  definition: d\n  where:\n    - text: t\n", r"missing 'trial'"),
    ("- key: a\n  name: A\n  definition: d\n  where: tower\n", r"'where' must be a list"),
    ("- key: a\n  name: A\n  definition: d\n- key: a\n  name: B\n  definition: e\n", r"bias 2 \(a\): duplicate key 'a'"),
    ("- key: Bad Key\n  name: A\n  definition: d\n", r"'key' must be lowercase"),
    ("- key: a\n  name: A\n  definition: d\n  where:\n    - trial: tower\n      text: t\n      link: https://example.org\n", r"'link' must be a page of the book"),
    ("- key: a\n  name: A\n  definition: d\n  where:\n    - trial: tower\n      text: t\n      link: /book/tower/nowhere\n", r"book/tower/nowhere.md, which does not exist"),
    ("key: a\n", r"must be a non-empty list of biases"),
    ("- just a string\n", r"bias 1: must be a mapping"),
    ("- key: [unclosed\n", r"not valid YAML"),
])
def test_bad_files_fail_clearly(tmp_path, text, match):
    root = make_root(tmp_path)
    path = write(tmp_path, text)
    with pytest.raises(catalogue.CatalogueError, match=match) as err:
        catalogue.load(path, studies=STUDIES, root=root)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(catalogue.CatalogueError, match="no such catalogue"):
        catalogue.load(tmp_path / "absent.yml", studies=STUDIES)


def test_relative_href():
    assert catalogue.relative_href("/book/tower/biases", "book/part1/randomised") == "../tower/biases.html"
    assert catalogue.relative_href("/book/tower/biases#early", "book/tower/results") == "biases.html#early"
    assert catalogue.relative_href("/book/glossary", "book/index") == "glossary.html"
    with pytest.raises(ValueError, match="link must be"):
        catalogue.relative_href("tower/biases", "book/index")
    with pytest.raises(ValueError, match="page must be"):
        catalogue.relative_href("/book/tower/biases", "book/index.html")


def test_render_links_and_filters(tmp_path):
    root = make_root(tmp_path)
    biases = catalogue.load(write(tmp_path, GOOD), studies=STUDIES, root=root)
    html = catalogue.render("book/part1/randomised", biases=biases, root=root)
    assert '<a href="../tower/biases.html#early">TOWER: where bias can enter</a>' in html
    assert "<em>tends</em>" in html and '<th scope="row">Lack of blinding' in html
    assert "<strong>E1910</strong>: Third interim analysis." in html
    assert "No entry yet." in html
    only = catalogue.render("book/tower/biases", trial="e1910", biases=biases, root=root)
    assert "Third interim analysis." in only and "Stopped at the second" not in only and "Lack of blinding" not in only
    with pytest.raises(ValueError, match="trial must be one of"):
        catalogue.render("book/index", trial="nope", biases=biases, root=root)


def test_render_the_books_catalogue():
    html = catalogue.render("book/part1/interim")
    assert html.count("<tr id=\"bias-") == len(catalogue.load())
    assert 'href="../tower/biases.html"' in html
    assert catalogue.page_title("book/does-not-exist") == "book/does-not-exist"
