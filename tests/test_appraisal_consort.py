"""CONSORT 2025 checklist structure and filled checklists; CONSORT-style flow specifications, their
layout and the flow diagram."""

from __future__ import annotations

import textwrap

import pytest

from trialkit.appraisal import AppraisalError, consort, flow
from trialkit.charts import appraisal as charts


def test_items_are_the_30_numbered_items_with_their_subitems():
    items = consort.items()
    assert list(items.columns) == ["number", "section", "topic", "paraphrase"]
    assert len(items) == 42 and items["number"].is_unique
    numbers = {int("".join(c for c in n if c.isdigit())) for n in items["number"]}
    assert numbers == set(range(1, 31))
    assert list(items["section"].drop_duplicates()) == ["Title and abstract", "Open science", "Introduction", "Methods",
                                                        "Results", "Discussion"]
    by_number = items.set_index("number")
    assert by_number.loc["2", "topic"] == "Trial registration"
    assert by_number.loc["8", "topic"] == "Patient and public involvement"
    assert by_number.loc["22a", "topic"].startswith("Participant flow")
    assert by_number.loc["30", "topic"] == "Limitations"
    assert {n for n in items["number"] if n.startswith("21")} == {"21a", "21b", "21c", "21d"}
    assert (items["paraphrase"].str.len() > 10).all()


def test_example_checklist_report_and_summary():
    checklist = consort.load("example_consort.yml")
    assert checklist.study == "example" and checklist.publication
    rep = consort.report(checklist)
    assert len(rep) == 42
    row = rep.set_index("number")
    assert row.loc["1a", "status"] == "Reported" and row.loc["3", "status"] == "Partly reported"
    assert row.loc["8", "status"] == "Not reported" and row.loc["12b", "status"] == "Not applicable"
    assert row.loc["25", "status"] == "Not assessed" and row.loc["1a", "where"] == "Title"
    summ = consort.summary(checklist).set_index("status")["items"]
    assert summ.to_dict() == {"Reported": 3, "Partly reported": 1, "Not reported": 1, "Not applicable": 1, "Not assessed": 36}


def write(tmp_path, text: str):
    path = tmp_path / "c.yml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("body,message", [
    ('study: tower\nitems: {"31": {reported: yes}}\n', "item 31: not a CONSORT 2025 item"),
    ('study: tower\nitems: {"1a": {reported: maybe}}\n', r"item 1a: 'reported' must be one of yes, partly, no, na, got 'maybe'"),
    ('study: tower\nitems: {"1a": {where: Title}}\n', r"item 1a: missing key\(s\) \['reported'\]"),
    ('study: tower\nitems: {"1a": {reported: yes, page: 2}}\n', r"unknown key\(s\) \['page'\]"),
    ('study: towr\nitems: {"1a": {reported: yes}}\n', "unknown study 'towr'"),
    ('study: tower\nitems: {}\n', "'items' must map item numbers"),
    ('study: tower\n', r"missing key\(s\) \['items'\]"),
    ('- just a list\n', "must hold a mapping"),
    ('study: [unclosed\n', "not valid YAML"),
])
def test_checklist_errors_name_the_item(tmp_path, body, message):
    with pytest.raises(AppraisalError, match=message):
        consort.load(write(tmp_path, body))


def test_unquoted_yes_no_are_read_back(tmp_path):
    checklist = consort.load(write(tmp_path, 'study: tower\nitems: {"1a": {reported: yes}, "1b": {reported: no}}\n'))
    assert checklist.entries["1a"].reported == "yes" and checklist.entries["1b"].reported == "no"


# --- flow ------------------------------------------------------------------------------------------------


def test_tower_flow_reads_every_number_from_data():
    spec = flow.load("tower_flow.yml")
    assert spec.study == "tower" and list(spec.arms) == ["blinatumomab", "chemotherapy"]
    table = flow.table(spec)
    shown = {(r.line, r.arm): r.shown.replace("\u00a0", " ") for r in table.itertuples()}
    assert shown[("Randomised", "All patients")] == "n = 405"
    assert shown[("Assigned", "Blinatumomab")] == "n = 271" and shown[("Assigned", "Chemotherapy")] == "n = 134"
    assert shown[("Received at least one dose", "Chemotherapy")] == "n = 109 (81 %)"
    assert shown[("Did not receive trial treatment", "Blinatumomab")] == "n = 4 (derived)"
    assert shown[("Did not receive trial treatment", "Chemotherapy")] == "n = 25 (derived)"
    assert shown[("Withdrew consent before treatment", "Chemotherapy")] == "16 %"
    assert shown[("Safety, as treated", "Blinatumomab")] == "n = 267"
    assert table.loc[table["line"] == "Did not receive trial treatment", "refs"].iloc[0] == "flow:randomised_blinatumomab, flow:treated_blinatumomab"
    assert "Randomised: n = 405" in flow.describe(spec).replace("\u00a0", " ")


def test_layout_geometry_is_consistent():
    geo = flow.layout("tower_flow.yml")
    boxes = geo["boxes"]
    assert (boxes["x1"] > boxes["x0"]).all() and (boxes["y1"] > boxes["y0"]).all()
    assert boxes["x1"].max() <= geo["width"] and boxes["y1"].max() <= geo["height"]
    levels = boxes.groupby("box")["y0"].first().sort_values()
    assert list(levels.index) == ["randomised", "allocation", "treatment", "analysis"]
    # every arrow tip sits just above a box top, one per child box
    assert len(geo["heads"]) == len(boxes) - 1
    for head in geo["heads"].itertuples():
        assert ((abs(boxes["y0"] - head.y) < 6) & (boxes["x0"] < head.x) & (head.x < boxes["x1"])).any()
    # every text line lies inside some box, and lines do not overlap inside a box
    texts = geo["texts"]
    for t in texts.itertuples():
        assert ((boxes["x0"] <= t.x) & (t.x <= boxes["x1"]) & (boxes["y0"] < t.y) & (t.y < boxes["y1"])).any(), t
    assert not texts.duplicated(["x", "y"]).any()
    assert set(geo["stages"]["text"]) == {"Enrolment", "Allocation", "Follow-up", "Analysis"}


SPEC = """
study: tower
arms: {blinatumomab: Blinatumomab, chemotherapy: Chemotherapy}
boxes:
  - id: top
    lines: [{label: Randomised, ref: "flow:randomised_overall"}]
  - id: arms
    parent: top
    lines:
      - label: Assigned
        arms: {blinatumomab: "flow:randomised_blinatumomab", chemotherapy: "flow:randomised_chemotherapy"}
"""


@pytest.mark.parametrize("edit,message", [
    (('"flow:randomised_overall"', '"flow:randomised_all"'), "no row with id 'randomised_all' in tower/flow.csv"),
    (('"flow:randomised_overall"', '"populations:itt/placebo"'), "no population 'itt' with arm 'placebo'"),
    (('"flow:randomised_overall"', '"flow:cycles_median_blinatumomab"'), None),
    (("chemotherapy: Chemotherapy}", "placebo: Placebo}"), "'placebo' is not an arm of tower"),
    (("parent: top", "parent: nowhere"), "unknown parent 'nowhere'"),
    (("    parent: top\n", ""), "needs a 'parent'"),
    (('"flow:randomised_blinatumomab", chemotherapy', '["flow:randomised_blinatumomab", "-flow:cycles_median_blinatumomab"], chemotherapy'),
     "only counts can be added or subtracted"),
    (("study: tower", "study: example"), "unknown study 'example'"),
])
def test_flow_errors_name_the_item(tmp_path, edit, message):
    assert edit[0] in SPEC
    path = write(tmp_path, SPEC.replace(edit[0], edit[1]))
    if message is None:  # a non-count row is allowed and printed with its unit
        assert flow.table(path)["shown"].iloc[0].replace("\u00a0", " ") == "2 cycles"
        return
    with pytest.raises(AppraisalError, match=message):
        flow.load(path)


def test_flow_rejects_two_boxes_at_one_level(tmp_path):
    text = SPEC + """  - id: other
    parent: top
    lines: [{label: Other, ref: "flow:treated_overall"}]
"""
    with pytest.raises(AppraisalError, match="a second box at level 1"):
        flow.load(write(tmp_path, text))


def test_flow_diagram_draws_boxes_rules_and_text():
    spec = charts.flow_diagram("tower_flow.yml").to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks.count("rect") == 1 and marks.count("rule") == 1 and marks.count("text") == 3
    texts = [r["text"] for d in spec["datasets"].values() for r in d if "text" in r]
    assert any("405" in t for t in texts) and "Blinatumomab" in texts and "Analysis" in texts
    assert spec["title"]["text"].startswith("TOWER") and spec["description"].startswith("Flow diagram.")
    assert spec["height"] == flow.layout("tower_flow.yml")["height"]


def test_flow_diagram_carries_a_phone_layout_whose_text_fits_its_boxes():
    """On a phone the diagram is drawn from its narrow layout: stage names above the boxes, every line of
    text inside its box at the same font size (CHAR_W px per character), nothing wider than the layout."""
    wide = charts.flow_diagram("tower_flow.yml").to_dict()
    narrow = wide["usermeta"]["trialkitNarrow"]
    assert narrow["below"] == flow.WIDTH and narrow["spec"]["width"] == "container"
    geo = flow.layout("e1910_flow.yml", flow.NARROW_WIDTH, stages_above=True)  # the longest arm names
    boxes, texts = geo["boxes"], geo["texts"]
    assert boxes["x0"].min() >= 0 and boxes["x1"].max() <= flow.NARROW_WIDTH
    for _, t in texts[~texts["bold"]].iterrows():
        inside = boxes[(boxes["x0"] <= t["x"]) & (t["x"] < boxes["x1"]) & (boxes["y0"] < t["y"]) & (t["y"] < boxes["y1"])]
        assert len(inside) == 1, t["text"]
        assert t["x"] + len(t["text"]) * flow.CHAR_W <= inside["x1"].iloc[0], t["text"]
    for _, t in texts[texts["bold"]].iterrows():  # the arms' names fit their columns
        column = boxes[(boxes["x0"] <= t["x"]) & (t["x"] < boxes["x1"])].iloc[0]
        assert len(t["text"]) * flow.BOLD_CHAR_W <= column["x1"] - column["x0"], t["text"]
    # each stage name sits above the first box of its stage, not beside it
    for _, st in geo["stages"].iterrows():
        below = boxes[boxes["y0"] > st["y"]]
        assert not below.empty and below["y0"].min() - st["y"] <= flow.LINE_H, st["text"]
    assert "usermeta" not in charts.flow_diagram("e1910_flow.yml", width=flow.NARROW_WIDTH + 10).to_dict()  # fits a phone already
    with pytest.raises(ValueError, match="width must be at least 200 px, got 120"):
        flow.layout("tower_flow.yml", 120)


def test_tower_prose_and_checklist_agree_on_the_gaps():
    """Every item the TOWER appraisal page lists among "the gaps that matter most" is scored as not
    fully reported in tower_consort.yml, and every item the page calls reported is scored reported."""
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "book" / "tower" / "appraisal.md").read_text(encoding="utf-8")
    status = consort.report(consort.load("tower_consort.yml")).set_index("number")["reported"]
    gaps = page.split("The gaps that matter most", 1)[1].split("\n\n", 2)[1]
    listed = set()
    for first, second in re.findall(r"items? (\d+[a-d]?)(?:–([a-d]))?", gaps):
        listed.add(first)
        if second:
            listed.add(re.sub(r"[a-d]$", "", first) + second)
    assert {"22a", "22b", "21c", "30"} <= listed
    assert {n: status[n] for n in listed if status[n] == "yes"} == {}
    reported = set(re.findall(r"\(item (\d+[a-d]?)\) (?:is|are) reported", page))
    assert reported, "the page names no item as reported"
    assert {n: status[n] for n in reported if status[n] != "yes"} == {}
