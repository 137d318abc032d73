"""CONSORT-style flow of participants, generated from the data rather than drawn by hand.

A flow specification is a small YAML file, ``data/appraisal/<study>_flow.yml``::

    study: tower
    title: "TOWER: flow of patients"
    arms: {blinatumomab: Blinatumomab, chemotherapy: Chemotherapy}   # column order, left to right
    boxes:
      - id: randomised
        stage: Enrolment
        lines:
          - {label: Randomised, ref: "flow:randomised_overall"}        # one box across both arms
      - id: allocation
        parent: randomised
        stage: Allocation
        lines:                                                         # one box per arm
          - label: Assigned
            arms: {blinatumomab: "flow:randomised_blinatumomab", chemotherapy: "flow:randomised_chemotherapy"}
          - label: Did not receive trial treatment
            arms:
              blinatumomab: ["flow:randomised_blinatumomab", "-flow:treated_blinatumomab"]   # derived
          - label: Withdrew consent before treatment
            arms: {chemotherapy: "flow:withdrew_consent_pretreatment_chemotherapy"}
            missing: not printed as a number                         # shown for arms without a value

A value is a reference to a printed number (``"table:id"`` or ``"populations:<population>/<arm>"``,
see ``trialkit.appraisal._refs``) or a list of references to add, each optionally prefixed with
``-`` to subtract: such a value is marked "(derived)". Counts print as ``n = 22 (8 %)`` (with the
printed percent when there is one), percents as ``24 %``. A box has either ``ref`` lines (one box
across the arms) or ``arms`` lines (one box per arm); each box but the first names its ``parent``,
and each level of the tree holds one box (a chain of stages, as in a CONSORT diagram).

``load(path)`` validates a specification (unknown study or arm, a reference that does not exist,
an unknown parent, two boxes at one level: each a clear :class:`AppraisalError`); ``table(spec)``
lists every number shown; ``layout(spec)`` computes the geometry that
``trialkit.charts.appraisal.flow_diagram`` draws.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from trialkit import data
from trialkit.appraisal._refs import AppraisalError, Value, check_keys, check_study, read_yaml, resolve


NBSP = "\u00a0"  # keeps "n = 267 (99 %)" on one line when box text wraps


@dataclass(frozen=True)
class Line:
    label: str
    values: dict  # arm (or "overall") -> (text, refs, derived)
    missing: str = "not reported"


@dataclass(frozen=True)
class Box:
    id: str
    stage: str
    parent: str | None
    per_arm: bool
    lines: tuple[Line, ...]
    depth: int = 0


@dataclass(frozen=True)
class FlowSpec:
    study: str
    title: str
    arms: dict  # arm key -> label, in column order
    boxes: tuple[Box, ...]
    path: Path | None = field(default=None, compare=False)


def _format(values: list[tuple[int, Value]], derived: bool) -> str:
    if len(values) == 1 and not derived:
        v = values[0][1]
        if v.statistic == "percent":
            return f"{v.printed}{NBSP}%"
        if v.statistic == "count":
            pct = f"{NBSP}({v.percent}{NBSP}%)" if v.percent else ""
            return f"n{NBSP}={NBSP}{v.printed}{pct}"
        return f"{v.printed}{NBSP}{v.unit}"
    if any(v.statistic != "count" for _, v in values):
        raise AppraisalError("only counts can be added or subtracted: " + ", ".join(v.ref for _, v in values))
    total = sum(sign * v.value for sign, v in values)
    return f"n{NBSP}={NBSP}{total:g}{NBSP}(derived)"


def _value(study: str, spec, where: str) -> tuple[str, tuple[str, ...]]:
    refs = spec if isinstance(spec, list) else [spec]
    if not refs:
        raise AppraisalError(f"{where}: an empty list of references")
    resolved = []
    for ref in refs:
        if not isinstance(ref, str):
            raise AppraisalError(f"{where}: reference {ref!r} must be a text like 'flow:treated_blinatumomab'")
        sign = -1 if ref.startswith("-") else 1
        ref = ref.lstrip("+-").strip()
        resolved.append((sign, resolve(study, ref, where)))
    try:
        text = _format(resolved, derived=isinstance(spec, list))
    except AppraisalError as err:
        raise AppraisalError(f"{where}: {err}") from None
    return text, tuple(v.ref for _, v in resolved)


def load(path) -> FlowSpec:
    """Read and validate a flow specification (a path, or a file name in ``data/appraisal/``)."""
    content, path = read_yaml(path)
    where = str(path)
    check_keys(where, content, {"study", "arms", "boxes"}, {"title"})
    study = check_study(content["study"], where, allow_example=False)
    arms = content["arms"]
    known_arms = data.study_info(study)["arms"]
    if not isinstance(arms, dict) or not arms:
        raise AppraisalError(f"{where}: 'arms' must map arm keys to labels")
    for arm in arms:
        if arm not in known_arms:
            raise AppraisalError(f"{where}: {arm!r} is not an arm of {study} (arms: {', '.join(known_arms)})")
    raw_boxes = content["boxes"]
    if not isinstance(raw_boxes, list) or not raw_boxes:
        raise AppraisalError(f"{where}: 'boxes' must be a non-empty list")
    boxes, depth_of, ids = [], {}, set()
    for i, raw in enumerate(raw_boxes, start=1):
        bw = f"{where}: box {i}"
        if not isinstance(raw, dict):
            raise AppraisalError(f"{bw}: must be a mapping")
        check_keys(bw, raw, {"id", "lines"}, {"stage", "parent"})
        bid = str(raw["id"])
        bw = f"{where}: box {bid!r}"
        if bid in ids:
            raise AppraisalError(f"{bw}: duplicated id")
        parent = raw.get("parent")
        if parent is None and boxes:
            raise AppraisalError(f"{bw}: every box but the first needs a 'parent'")
        if parent is not None and parent not in ids:
            raise AppraisalError(f"{bw}: unknown parent {parent!r} (boxes are listed parents first; known: {sorted(ids)})")
        depth = 0 if parent is None else depth_of[parent] + 1
        if depth in depth_of.values():
            raise AppraisalError(f"{bw}: a second box at level {depth}; each level holds one box")
        lines_in = raw["lines"]
        if not isinstance(lines_in, list) or not lines_in:
            raise AppraisalError(f"{bw}: 'lines' must be a non-empty list")
        lines, kinds = [], set()
        for j, ln in enumerate(lines_in, start=1):
            lw = f"{bw}, line {j}"
            if not isinstance(ln, dict):
                raise AppraisalError(f"{lw}: must be a mapping with 'label' and 'ref' or 'arms'")
            check_keys(lw, ln, {"label"}, {"ref", "arms", "missing"})
            if ("ref" in ln) == ("arms" in ln):
                raise AppraisalError(f"{lw}: give exactly one of 'ref' (one box across the arms) or 'arms' (per arm)")
            if "ref" in ln:
                kinds.add("overall")
                values = {"overall": _value(study, ln["ref"], lw)}
            else:
                kinds.add("arms")
                if not isinstance(ln["arms"], dict) or not ln["arms"]:
                    raise AppraisalError(f"{lw}: 'arms' must map arm keys to references")
                values = {}
                for arm, ref in ln["arms"].items():
                    if arm not in arms:
                        raise AppraisalError(f"{lw}: arm {arm!r} is not among the spec's arms {list(arms)}")
                    values[arm] = _value(study, ref, f"{lw}, arm {arm}")
            lines.append(Line(str(ln["label"]), values, str(ln.get("missing") or "not reported")))
        if len(kinds) > 1:
            raise AppraisalError(f"{bw}: mixes 'ref' and 'arms' lines; a box is either across the arms or per arm")
        ids.add(bid)
        depth_of[bid] = depth
        boxes.append(Box(bid, str(raw.get("stage") or ""), parent, kinds == {"arms"}, tuple(lines), depth))
    return FlowSpec(study, str(content.get("title") or f"{study.upper()}: flow of participants"), dict(arms),
                    tuple(sorted(boxes, key=lambda b: b.depth)), path)


def _spec(spec) -> FlowSpec:
    return spec if isinstance(spec, FlowSpec) else load(spec)


def table(spec) -> pd.DataFrame:
    """Every number of the diagram: stage, box, line, arm, shown (the text), refs."""
    spec = _spec(spec)
    rows = []
    for box in spec.boxes:
        for line in box.lines:
            arms = list(spec.arms) if box.per_arm else ["overall"]
            for arm in arms:
                text, refs = line.values.get(arm, (line.missing, ()))
                rows.append({"stage": box.stage, "box": box.id, "line": line.label,
                             "arm": spec.arms.get(arm, "All patients"), "shown": text, "refs": ", ".join(refs)})
    return pd.DataFrame(rows, columns=["stage", "box", "line", "arm", "shown", "refs"])


# --- geometry ------------------------------------------------------------------------------------------

WIDTH = 660
STAGE_W = 92
LINE_H = 16
PAD = 8
GAP = 40
CHAR_W = 6.6
BOLD_CHAR_W = 8.0  # the arms' names: bold, 13 px
HEADER_H = 24


NARROW_WIDTH = 330  # a phone's column (358 px at 390 px, 328 px at 360 px)


def layout(spec, width: int = WIDTH, stages_above: bool = False) -> dict:
    """Boxes, text lines, connectors and stage labels of the diagram in pixel coordinates (y downward).

    ``stages_above=False``: the stage names (Enrolment, Allocation...) in a column left of the boxes;
    ``True``: each above its boxes, which then take the whole width (the layout for a phone's column).

    Returns a dict of DataFrames: ``boxes`` (box, arm, x0, x1, y0, y1), ``texts`` (x, y, text, bold,
    align), ``rules`` (x, y, x2, y2), ``heads`` (x, y: arrow tips), ``stages`` (x, y, text), and
    ``height`` (int).
    """
    spec = _spec(spec)
    arms = list(spec.arms)
    if width < 200:
        raise ValueError(f"width must be at least 200 px, got {width}")
    left, right = (4, width - 4) if stages_above else (STAGE_W + 8, width - 8)
    col_w = (right - left - 16 * (len(arms) - 1)) / len(arms)
    cols = {arm: (left + k * (col_w + 16), left + k * (col_w + 16) + col_w) for k, arm in enumerate(arms)}
    centre_w = min(right - left, max(260.0, col_w))
    centre = ((left + right - centre_w) / 2, (left + right + centre_w) / 2)
    boxes, texts, rules, heads, stages = [], [], [], [], []
    y = 4.0
    placed: dict[str, dict] = {}
    headers_done = False
    for box in spec.boxes:
        header = box.per_arm and not headers_done
        headers_done = headers_done or header
        spans = {arm: cols[arm] for arm in arms} if box.per_arm else {"overall": centre}
        wrapped = {}
        for key, (x0, x1) in spans.items():
            chars = max(12, int((x1 - x0 - 2 * PAD) / CHAR_W))
            out = []
            for line in box.lines:
                text, _ = line.values.get(key, (line.missing, ()))
                out.extend(textwrap.wrap(f"{line.label}: {text}", chars, subsequent_indent="  ") or [""])
            wrapped[key] = out
        # the arm's name heads its column, on as many lines as the column needs (bold, BOLD_CHAR_W px a character)
        names = {key: textwrap.wrap(spec.arms[key], max(8, int((x1 - x0 - 2 * PAD) / BOLD_CHAR_W))) or [""]
                 for key, (x0, x1) in spans.items()} if header else {}
        top = HEADER_H + LINE_H * (max(len(v) for v in names.values()) - 1) if header else 0
        height = 2 * PAD + top + LINE_H * max(len(v) for v in wrapped.values())
        if box.stage and stages_above:
            stages.append({"x": float(left), "y": y + LINE_H / 2, "text": box.stage})
            y += LINE_H + 4
        y0, y1 = y, y + height
        for key, (x0, x1) in spans.items():
            boxes.append({"box": box.id, "arm": key, "x0": x0, "x1": x1, "y0": y0, "y1": y1})
            if header:
                for k, name in enumerate(names[key]):
                    texts.append({"x": (x0 + x1) / 2, "y": y0 + PAD + HEADER_H / 2 - 2 + LINE_H * k, "text": name,
                                  "bold": True, "align": "center"})
            for k, text in enumerate(wrapped[key]):
                texts.append({"x": x0 + PAD, "y": y0 + PAD + top + LINE_H * (k + 0.5), "text": text, "bold": False,
                              "align": "left"})
        if box.stage and not stages_above:
            stages.append({"x": 4.0, "y": (y0 + y1) / 2, "text": box.stage})
        if box.parent is not None:
            parent = placed[box.parent]
            p_bottom = parent["y1"]
            for key, (x0, x1) in spans.items():
                cx = (x0 + x1) / 2
                if parent["per_arm"] and key in parent["spans"]:
                    px = sum(parent["spans"][key]) / 2
                else:
                    px = sum(next(iter(parent["spans"].values()))) / 2 if not parent["per_arm"] else cx
                tip = y0 - 1
                if abs(px - cx) < 0.5:
                    rules.append({"x": cx, "y": p_bottom, "x2": cx, "y2": tip})
                else:
                    mid = (p_bottom + y0) / 2
                    rules.append({"x": px, "y": p_bottom, "x2": px, "y2": mid})
                    rules.append({"x": px, "y": mid, "x2": cx, "y2": mid})
                    rules.append({"x": cx, "y": mid, "x2": cx, "y2": tip})
                heads.append({"x": cx, "y": tip - 3})
        placed[box.id] = {"y1": y1, "spans": spans, "per_arm": box.per_arm}
        y = y1 + GAP
    height = int(y - GAP + 6)
    return {"boxes": pd.DataFrame(boxes), "texts": pd.DataFrame(texts), "rules": pd.DataFrame(rules),
            "heads": pd.DataFrame(heads, columns=["x", "y"]), "stages": pd.DataFrame(stages, columns=["x", "y", "text"]),
            "height": height, "width": width}


def describe(spec) -> str:
    """A one-paragraph text version of the diagram (for screen readers)."""
    spec = _spec(spec)
    parts = []
    for box in spec.boxes:
        keys = list(spec.arms) if box.per_arm else ["overall"]
        for line in box.lines:
            vals = []
            for key in keys:
                text, _ = line.values.get(key, (line.missing, ()))
                vals.append(f"{spec.arms[key]} {text}" if box.per_arm else text)
            parts.append(f"{line.label}: {'; '.join(vals)}")
    return "Flow diagram. " + ". ".join(parts) + "."
