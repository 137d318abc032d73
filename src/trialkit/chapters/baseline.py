"""Baseline characteristics ("Table 1") of a two-arm trial, rebuilt from ``data/<study>/baseline.csv``,
with the standardised difference of every characteristic.

* :func:`balance` -- one row per characteristic and category: each arm's summary as a number
  (proportion, or mean and SD) and the standardised difference, experimental minus control
  (:func:`trialkit.stats.standardized_difference`).
* :func:`table1` -- the same, formatted as printed ("162 (59.8)", "40.8 ± 17.1", "18–80"), with the
  ledger's mark for the printed percents.

A standardised difference is computed for proportions (count / denominator) and for a mean printed
with its SD. Medians and ranges have none (their spread is not summarised by one SD). Rows whose
denominator is unknown have none either.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialkit import _check, data, stats
from trialkit.chapters import ledger

COLUMNS = ("characteristic", "category", "summary", "experimental", "control",
           "experimental_sd", "control_sd", "std_difference")


def _arms(study: str) -> tuple[str, str]:
    if study not in data.studies():
        raise ValueError(f"study must be one of {data.studies()}, got {study!r}")
    info = data.study_info(study)
    if not info.get("experimental") or not info.get("control"):
        raise ValueError(f"study must be a two-arm study, got {study!r}")
    return info["experimental"], info["control"]


def _rows(study: str, population: str) -> pd.DataFrame:
    exp, ctl = _arms(study)
    if "baseline" not in data.tables(study):
        raise ValueError(f"study must have a baseline table, {study!r} has none")
    frame = data.load(study, "baseline")
    pops = sorted(frame["population"].unique())
    _check.choice("population", population, set(pops))
    return frame[(frame["population"] == population) & frame["arm"].isin([exp, ctl])]


def _groups(frame: pd.DataFrame):
    """(characteristic, category, kind, rows by arm and statistic) in the order of the file."""
    seen = []
    for _, r in frame.iterrows():
        kind = "count" if r["statistic"] in ("count", "percent") else "continuous"
        category = r["category"] if kind == "count" else ""
        key = (r["characteristic"], category, kind)
        if key not in seen:
            seen.append(key)
    for characteristic, category, kind in seen:
        sel = frame[frame["characteristic"] == characteristic]
        if kind == "count":
            sel = sel[(sel["category"] == category) & sel["statistic"].isin(["count", "percent"])]
        else:
            sel = sel[~sel["statistic"].isin(["count", "percent"])]
        yield characteristic, category, kind, {(r["arm"], r["statistic"]): r for _, r in sel.iterrows()}


def _proportion(r) -> float:
    if r is None or pd.isna(r["denominator"]):
        return float("nan")
    if r["statistic"] == "count":
        return r["value_num"] / int(r["denominator"])
    return r["value_num"] / 100


def _items(study: str, population: str):
    """(characteristic, category, summary, rows by (arm, statistic)) for every line of Table 1."""
    exp, ctl = _arms(study)
    for characteristic, category, kind, rows in _groups(_rows(study, population)):
        if kind == "count":
            yield characteristic, category, "proportion", rows
            continue
        for summary, needed in (("mean", ("mean",)), ("median", ("median",)), ("range", ("min", "max"))):
            if all((arm, s) in rows for arm in (exp, ctl) for s in needed):
                yield characteristic, "", summary, rows


def _balance_row(exp: str, ctl: str, summary: str, rows: dict) -> tuple:
    """(experimental, control, experimental_sd, control_sd, std_difference) of one line."""
    nan = float("nan")
    if summary == "proportion":
        pick = {arm: rows.get((arm, "count"), rows.get((arm, "percent"))) for arm in (exp, ctl)}
        p1, p2 = _proportion(pick[exp]), _proportion(pick[ctl])
        d = stats.standardized_difference(p1, p2) if np.isfinite(p1) and np.isfinite(p2) else nan
        return p1, p2, nan, nan, d
    if summary == "mean":
        m1, m2 = rows[(exp, "mean")]["value_num"], rows[(ctl, "mean")]["value_num"]
        s1 = rows[(exp, "sd")]["value_num"] if (exp, "sd") in rows else nan
        s2 = rows[(ctl, "sd")]["value_num"] if (ctl, "sd") in rows else nan
        d = stats.standardized_difference(m1, m2, s1, s2, kind="mean") if np.isfinite(s1) and np.isfinite(s2) else nan
        return m1, m2, s1, s2, d
    if summary == "median":
        return rows[(exp, "median")]["value_num"], rows[(ctl, "median")]["value_num"], nan, nan, nan
    return nan, nan, nan, nan, nan


def balance(study: str = "tower", population: str = "itt") -> pd.DataFrame:
    """One row per line of Table 1 of ``population``: ``summary`` is ``"proportion"`` or ``"mean"``
    (or ``"median"``/``"range"``, without a standardised difference), ``experimental``/``control``
    the arm values (proportions in [0, 1], or means), ``*_sd`` the SDs of means, ``std_difference``
    experimental minus control in pooled-SD units (NaN where undefined)."""
    exp, ctl = _arms(study)
    out = [(characteristic, category, summary) + _balance_row(exp, ctl, summary, rows)
           for characteristic, category, summary, rows in _items(study, population)]
    return pd.DataFrame(out, columns=list(COLUMNS))


def _printed(rows: dict, arm: str, summary: str) -> str:
    if summary == "proportion":
        r = rows.get((arm, "count"))
        if r is not None:
            return f"{r['value']} ({r['percent']})" if r["percent"] else r["value"]
        r = rows.get((arm, "percent"))
        return f"{r['value']} %" if r is not None else ""
    if summary == "mean":
        sd = rows.get((arm, "sd"))
        return rows[(arm, "mean")]["value"] + (f" ± {sd['value']}" if sd is not None else "")
    if summary == "median":
        return rows[(arm, "median")]["value"]
    return f"{rows[(arm, 'min')]['value']}–{rows[(arm, 'max')]['value']}"


def table1(study: str = "tower", population: str = "itt", decimals: int = 2) -> pd.DataFrame:
    """Table 1 as printed, one row per characteristic and category, with the standardised difference
    (rounded to ``decimals``) and the ledger's mark for the printed percents of both arms (``"✓"``
    when both are recomputed and match, ``""`` when the ledger does not check them).

    Columns: Characteristic, Category, one column per arm (labelled with the arm's name and size),
    Standardised difference, Percent recomputed.
    """
    decimals = _check.integer("decimals", decimals, low=0, high=6)
    exp, ctl = _arms(study)
    info = data.study_info(study)
    pops = data.load(study, "populations")
    sizes = {r["arm"]: int(r["n"]) for _, r in pops[pops["population"] == population].iterrows()}
    labels = {arm: f"{info['arms'][arm]} (N={sizes[arm]})" if arm in sizes else info["arms"][arm] for arm in (exp, ctl)}
    out = []
    for characteristic, category, summary, rows in _items(study, population):
        d = _balance_row(exp, ctl, summary, rows)[-1]
        ids = [r["id"] for (arm, stat), r in rows.items() if stat == "count"] if summary == "proportion" else []
        verdicts = [ledger.verdict(study, rid) for rid in ids]
        checked = "✗" if "no" in verdicts else ("✓" if verdicts and all(v is not None and ledger.MARKS[v][0] == "✓" for v in verdicts) else "")
        label = {"proportion": category, "mean": "mean ± SD", "median": "median", "range": "range"}[summary]
        out.append({
            "Characteristic": characteristic,
            "Category": label,
            labels[exp]: _printed(rows, exp, summary),
            labels[ctl]: _printed(rows, ctl, summary),
            "Standardised difference": "" if not np.isfinite(d) else f"{d:+.{decimals}f}",
            "Percent recomputed": checked,
        })
    return pd.DataFrame(out)


def balance_readings(frame: pd.DataFrame, characteristic: str | None = None, category: str | None = None) -> dict:
    """What a chapter quotes about :func:`balance`: lines with a standardised difference (``n_lines``),
    those below 0.1 in absolute value (``n_below``), the largest |d| (``max_d``) and its line in words
    (``max_d_line``); with ``characteristic`` (and ``category``), that line's percents per arm
    (``line_experimental``, ``line_control``)."""
    worst = frame.loc[frame["std_difference"].abs().idxmax()]
    out = {"n_lines": int(frame["std_difference"].notna().sum()),
           "n_below": int((frame["std_difference"].abs() < 0.1).sum()),
           "max_d": float(frame["std_difference"].abs().max()),
           "max_d_line": f"{worst['characteristic'].lower()}, {worst['category'].lower()}"}
    if characteristic is not None:
        hit = frame[(frame["characteristic"] == characteristic) & (frame["category"] == (category or ""))]
        if len(hit) != 1:
            raise ValueError(f"characteristic {characteristic!r} with category {category!r} must name one line of "
                             f"the balance table, found {len(hit)}")
        out.update({"line_experimental": float(100 * hit["experimental"].iloc[0]),
                    "line_control": float(100 * hit["control"].iloc[0])})
    return out
