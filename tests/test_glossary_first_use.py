"""Terms are defined before a reader meets them: the first use of every glossary term, in reading order,
links to its entry or defines it in place (bold)."""

import textwrap

from trialkit.tooling import firstuse


def test_every_glossary_term_is_defined_where_a_reader_first_meets_it():
    uses = firstuse.first_uses()
    assert len(uses) >= 60  # every entry of the glossary is used somewhere in the book
    undefined = [f"{u['term']!r} first used on {u['page']} line {u['line']} without a link or definition"
                 for u in uses if not u["defined"]]
    assert not undefined, "\n".join(undefined)


def _book(tmp_path, pages: dict[str, str]):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "glossary.md").write_text(textwrap.dedent("""\
        # Glossary
        ```{glossary}
        Hazard ratio
          A ratio of hazards.

        Censoring
          Follow-up ends without the event.
        ```
        """))
    for name, text in pages.items():
        (tmp_path / "book" / f"{name}.md").write_text(textwrap.dedent(text))
    toc = "format: jb-book\nroot: book/a\nchapters:\n" + "".join(f"  - file: book/{n}\n" for n in list(pages)[1:])
    (tmp_path / "_toc.yml").write_text(toc)
    return tmp_path


def test_first_use_is_found_in_reading_order_outside_code(tmp_path):
    root = _book(tmp_path, {
        "a": "# A\n```{code-cell} ipython3\nhazard_ratio = 1  # Hazard ratio in code does not count\n```\n",
        "b": "# B\nThe hazard ratio was 0.7. Later the {term}`hazard ratio <Hazard ratio>` is linked.\n"
             "**Censoring** means that follow-up ended.\n",
        "c": "# C\nThe {term}`Hazard ratio` again.\n",
    })
    uses = {u["term"]: u for u in firstuse.first_uses(root)}
    assert uses["Hazard ratio"] == {"term": "Hazard ratio", "page": "book/b", "line": 2, "defined": False}
    assert uses["Censoring"]["defined"] and uses["Censoring"]["page"] == "book/b"


def test_a_linked_first_use_counts_as_defined(tmp_path):
    root = _book(tmp_path, {"a": "# A\nSee the {term}`hazard ratio <Hazard ratio>`; the hazard ratio is 0.7.\n"})
    uses = {u["term"]: u for u in firstuse.first_uses(root)}
    assert uses["Hazard ratio"]["defined"] and "Censoring" not in uses
