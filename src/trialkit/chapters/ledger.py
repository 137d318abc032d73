"""The ledger: every published statistic that can be recomputed from the extracted numbers, recomputed.

The ledger is generated from ``data/`` (never typed). Each row names the study, where the statistic
is printed, what it is, the published value as printed, the recomputed value at the printed precision,
whether they match, and the method. Rules:

``pct``      every count printed with a percent: 100 × count / denominator;
``ci``       every proportion printed with an interval: exact (Clopper–Pearson) interval at the printed level;
``diff``     every difference of two proportions with an interval: Wald interval from the two counts;
``ratio``    every ratio of two proportions: from the two counts;
``p``        every hazard ratio printed with an interval and a P value: the two-sided P value implied
             by the interval (Altman and Bland, BMJ 2011);
``derived``  statements computed from other printed numbers (a relative reduction, a difference of
             medians, an RMST test, assumed effects of a sample-size calculation);
``design``   power statements of the Methods, recomputed with :mod:`trialkit.design`;
``none``     printed statistics that cannot be recomputed from what was published (the reason is given).

Matching. ``exact``: the recomputed value, rounded to the printed decimals (half up, or half to even
as some tables do), equals it (a bound such as ``<0.001`` is met). ``within rounding``: not exact, but some choice of the inputs within their own
printed rounding (e.g. an HR printed as 0.71 is anything in [0.705, 0.715)) reproduces the printed
value. Anything else is ``no``, and every ``no`` and ``not recomputable`` row must carry a written
explanation (``ledger_notes.yml``, keyed ``study:check_id``); the tests enforce both directions.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pandas as pd
import yaml

from trialkit import data, stats

NOTES_FILE = Path(__file__).with_name("ledger_notes.yml")
OBSERVATION_TABLES = ("flow", "baseline", "responses", "survival", "subgroups", "transplant", "adverse_events", "prognostic", "planning")
MATCH_LEVELS = ("exact", "within rounding", "no", "not recomputable")


@dataclass(frozen=True)
class Check:
    study: str
    check_id: str
    table: str
    location: str
    what: str
    published: str
    recomputed: str
    match: str
    method: str
    inputs: str
    explanation: str = ""


# --- printed numbers ----------------------------------------------------------------------------


def round_half_up(x: float, decimals: int) -> Decimal:
    """Round half away from zero (0.0025 -> 0.003 at 3 decimals), on the decimal representation."""
    q = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP)


def round_half_even(x: float, decimals: int) -> Decimal:
    """Round half to even (2.5 -> 2, 17.5 -> 18), the default of R's and Python's round()."""
    q = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_EVEN)


def as_printed(x: float, template: str) -> str:
    """``x`` with the number of decimals of the printed ``template``."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return str(round_half_up(x, data.decimals(template)))


def half_unit(printed: str) -> float:
    return 0.5 * 10 ** (-data.decimals(printed))


def printed_matches(value: float, printed: str) -> bool:
    """Does ``value`` print as ``printed`` (or satisfy its bound)?"""
    bound, target = data.parse_number(printed)
    if bound in ("<", "≤"):
        return value < target if bound == "<" else value <= target
    if bound in (">", "≥"):
        return value > target if bound == ">" else value >= target
    d = data.decimals(printed)
    return round_half_up(target, d) in (round_half_up(value, d), round_half_even(value, d))


def range_meets_printed(low: float, high: float, printed: str) -> bool:
    """Does some value in [low, high] print as ``printed``?"""
    bound, target = data.parse_number(printed)
    if bound:
        return printed_matches(low, printed) or printed_matches(high, printed)
    h = half_unit(printed)
    return low <= target + h and high >= target - h


def evaluate(fn: Callable[..., float], printed_inputs: list[str], published: str) -> tuple[float, str]:
    """Recompute ``fn`` at the printed inputs; if that does not reproduce ``published``, search the
    corners of the inputs' rounding box. Returns (central value, match level)."""
    values = [data.parse_number(p)[1] for p in printed_inputs]
    central = fn(*values)
    if printed_matches(central, published):
        return central, "exact"
    corners = []
    for signs in itertools.product((-1, 1), repeat=len(values)):
        shifted = [v + s * half_unit(p) for v, s, p in zip(values, signs, printed_inputs)]
        try:
            corners.append(fn(*shifted))
        except ValueError:
            continue
    if corners and range_meets_printed(min(corners), max(corners), published):
        return central, "within rounding"
    return central, "no"


# --- rules ----------------------------------------------------------------------------------------


def _tables(study: str):
    for table in OBSERVATION_TABLES:
        if table in data.tables(study):
            yield table, data.load(study, table)


def _what(r) -> str:
    parts = [r["characteristic"]]
    if r["category"]:
        parts.append(r["category"])
    if r["arm"] not in ("overall", "comparison"):
        parts.append(r["arm"])
    return ", ".join(parts)


def _percent_checks(study: str):
    for table, frame in _tables(study):
        rows = frame[(frame.statistic == "count") & (frame.percent != "") & frame.denominator.notna() & (frame.bound == "")]
        for _, r in rows.iterrows():
            if r["percent"].startswith(data.BOUNDS):
                continue
            exact = 100 * r["value_num"] / int(r["denominator"])
            match = "exact" if printed_matches(exact, r["percent"]) else "no"
            d = data.decimals(r["percent"])
            method = f"100 × {r['value']} / {int(r['denominator'])}"
            shown = as_printed(exact, r["percent"])
            if match == "exact" and round_half_up(exact, d) != round_half_even(exact, d):
                shown = str(round_half_even(exact, d))
                method += f" = {exact:g}, rounded half to even"
            yield Check(study, f"pct:{r['id']}", table, r["location"], _what(r), r["percent"] + " %", shown + " %", match, method, r["id"])


def _ci_checks(study: str):
    for table, frame in _tables(study):
        rows = frame[(frame.statistic == "count") & (frame.ci_low != "") & frame.denominator.notna()]
        for _, r in rows.iterrows():
            ci = stats.clopper_pearson(int(r["value_num"]), int(r["denominator"]), float(r["ci_level"]))
            low, high = 100 * ci.low, 100 * ci.high
            ok = printed_matches(low, r["ci_low"]) and printed_matches(high, r["ci_high"])
            yield Check(study, f"ci:{r['id']}", table, r["location"], f"{_what(r)}: {r['ci_level']:.1%} CI of the percent",
                        f"{r['ci_low']} to {r['ci_high']}", f"{as_printed(low, r['ci_low'])} to {as_printed(high, r['ci_high'])}",
                        "exact" if ok else "no", f"Clopper–Pearson exact, {int(r['value_num'])}/{int(r['denominator'])}", r["id"])


def _arm_counts(frame: pd.DataFrame, r, study: str):
    """The experimental and control count rows that a comparison row compares."""
    info = data.study_info(study)
    same = frame[(frame.characteristic == r["characteristic"]) & (frame.population == r["population"])
                 & (frame.category == r["category"]) & (frame.statistic == "count") & frame.denominator.notna()]
    exp = same[same.arm == info["experimental"]]
    ctl = same[same.arm == info["control"]]
    if len(exp) == 1 and len(ctl) == 1:
        return exp.iloc[0], ctl.iloc[0]
    return None, None


def _difference_checks(study: str):
    for table, frame in _tables(study):
        rows = frame[(frame.arm == "comparison") & (frame.statistic.isin(["difference", "risk_ratio"]))]
        for _, r in rows.iterrows():
            e, c = _arm_counts(frame, r, study)
            if e is None:
                continue
            x1, n1, x2, n2 = int(e["value_num"]), int(e["denominator"]), int(c["value_num"]), int(c["denominator"])
            level = float(r["ci_level"]) if r["ci_level"] == r["ci_level"] else 0.95
            if r["statistic"] == "difference":
                rd = stats.risk_difference(x1, n1, x2, n2, level, "wald")
                est, low, high = 100 * rd.estimate, 100 * rd.low, 100 * rd.high
                published = r["value"] + (f" ({r['ci_low']} to {r['ci_high']})" if r["ci_low"] else "")
                ok = printed_matches(est, r["value"]) and (not r["ci_low"] or (printed_matches(low, r["ci_low"]) and printed_matches(high, r["ci_high"])))
                recomputed = as_printed(est, r["value"]) + (f" ({as_printed(low, r['ci_low'])} to {as_printed(high, r['ci_high'])})" if r["ci_low"] else "")
                method = f"difference of proportions, Wald {level:.1%} interval"
                rule = "diff"
            else:
                rr = stats.risk_ratio(x1, n1, x2, n2)
                ok = printed_matches(rr.estimate, r["value"])
                published, recomputed = r["value"], as_printed(rr.estimate, r["value"])
                method, rule = "ratio of proportions", "ratio"
            yield Check(study, f"{rule}:{r['id']}", table, r["location"], f"{_what(r)}: {r['comparison']}", published, recomputed,
                        "exact" if ok else "no", f"{method}; {x1}/{n1} vs {x2}/{n2}", f"{e['id']}, {c['id']}, {r['id']}")


def _p_checks(study: str):
    for table, frame in _tables(study):
        hrs = frame[(frame.statistic == "hazard_ratio") & (frame.ci_low != "") & (frame.ci_high != "NR")]
        for _, r in hrs.iterrows():
            ps = frame[(frame.statistic == "p_value") & (frame.characteristic == r["characteristic"])
                       & (frame.population == r["population"]) & (frame.category == r["category"])]
            if len(ps) > 1:  # several P values for one characteristic: the one named like the HR
                ps = ps[ps.id == r["id"].replace("_hr", "_p")]
            if len(ps) != 1:
                continue
            p = ps.iloc[0]
            level = float(r["ci_level"])
            central, match = evaluate(lambda hr, lo, hi: stats.p_from_ci(hr, lo, hi, level),
                                      [r["value"], r["ci_low"], r["ci_high"]], p["value"])
            yield Check(study, f"p:{r['id']}", table, p["location"], f"{_what(p)}: P value of HR {r['value']} ({r['ci_low']} to {r['ci_high']})",
                        p["value"], f"{central:.4f}", match, f"two-sided Wald P from the {level:.1%} CI of the HR (log scale)",
                        f"{r['id']}, {p['id']}")


def _printed(study: str, table: str, id_: str, column: str = "value") -> str:
    return data.row(study, table, id_)[column]


def _derived(study, check_id, table, published_id, inputs, fn, method, published_column="value", what=None):
    """A statement recomputed from other printed numbers; ``inputs`` are (table, id, column) triples."""
    target = data.row(study, table, published_id)
    printed_inputs = [_printed(study, t, i, c) for t, i, c in inputs]
    published = target[published_column]
    central, match = evaluate(fn, printed_inputs, published)
    return Check(study, f"derived:{check_id}", table, target["location"], what or _what(target), published,
                 as_printed(central, published), match, method, ", ".join(i for _, i, _ in inputs) + f", {published_id}")


def _derived_checks():
    yield _derived("tower", "os_risk_reduction", "survival", "os_risk_reduction", [("survival", "os_hr", "value")],
                   lambda hr: 100 * (1 - hr), "100 × (1 − HR)", what="Relative reduction in the risk of death")
    yield _derived("tower", "os_median_difference", "survival", "os_median_difference",
                   [("survival", "os_median_blinatumomab", "value"), ("survival", "os_median_chemotherapy", "value")],
                   lambda a, b: a - b, "difference of the two medians", what="Difference in median overall survival")
    yield _derived("inovate", "os_rmst_p", "survival", "os_rmst_p",
                   [("survival", "os_rmst_inotuzumab", "value"), ("survival", "os_rmst_standard", "value"),
                    ("survival", "os_rmst_se_inotuzumab", "value"), ("survival", "os_rmst_se_standard", "value")],
                   lambda m1, m2, s1, s2: stats.p_from_z((m1 - m2) / math.sqrt(s1 ** 2 + s2 ** 2)),
                   "two-sided z test of the RMST difference from the two means and SEs", what="P value of the RMST difference")
    yield _derived("inovate", "cr_difference_assumed", "planning", "cr_difference_assumed",
                   [("planning", "cr_rate_assumed_inotuzumab", "value"), ("planning", "cr_rate_assumed_standard", "value")],
                   lambda a, b: a - b, "difference of the assumed rates", what="Assumed difference in CR/CRi (planning)")
    yield _derived("inovate", "os_hr_assumed", "planning", "os_hr_assumed",
                   [("planning", "os_median_assumed_standard", "value"), ("planning", "os_median_assumed_inotuzumab", "value")],
                   lambda m_ctl, m_exp: m_ctl / m_exp, "ratio of assumed medians (exponential survival)",
                   what="Assumed hazard ratio for death (planning)")
    yield _derived("inovate", "os_increase_assumed", "planning", "os_increase_assumed",
                   [("planning", "os_median_assumed_inotuzumab", "value"), ("planning", "os_median_assumed_standard", "value")],
                   lambda m_exp, m_ctl: 100 * (m_exp / m_ctl - 1), "relative increase of the assumed median",
                   what="Assumed relative increase in median OS (planning)")


def _design_check(study, id_, what, inputs, fn, method):
    """A power statement of the Methods: ``inputs`` are planning row ids whose printed values feed ``fn``
    (which returns power in percent); matched like any derived statistic."""
    target = data.row(study, "planning", id_)
    printed_inputs = [data.row(study, "planning", i)["value"] for i in inputs]
    central, match = evaluate(fn, printed_inputs, target["value"])
    return Check(study, f"design:{id_}", "planning", target["location"], what, target["value"] + " %",
                 as_printed(central, target["value"]) + " %", match, method, ", ".join(inputs) + f", {id_}")


def _design_checks():
    from trialkit import design

    yield _design_check(
        "tower", "plan_power", "Power: about 330 deaths, HR 0.70, 2:1, two-sided 0.05, looks at 50 % and 75 %",
        ["plan_deaths", "plan_hr", "plan_alpha", "plan_interim1_fraction", "plan_interim2_fraction"],
        lambda d, hr, a, f1, f2: 100 * design.group_sequential_power([f1 / 100, f2 / 100, 1.0], d, hr, (2, 1), alpha=a / 2),
        "Schoenfeld; group-sequential power, Lan–DeMets O'Brien–Fleming-type boundaries")
    yield _design_check(
        "inovate", "power_os", "Power for OS: 248 events, HR 0.67, 1:1, one-sided 0.0125",
        ["events_os", "os_hr_assumed", "alpha_os_one_sided"],
        lambda d, hr, a: 100 * design.events_power(d, hr, (1, 1), alpha=a, sided=1),
        "Schoenfeld events formula, fixed design")
    for method in design.PROPORTION_METHODS:
        check = _design_check(
            "inovate", "power_cr", f"Power for CR/CRi: 109 per arm, 61 % vs 37 %, one-sided 0.0125 ({method})",
            ["sample_size_cr", "cr_rate_assumed_inotuzumab", "cr_rate_assumed_standard", "alpha_cr_one_sided"],
            lambda n, p1, p2, a, m=method: 100 * design.two_proportion_power(p1 / 100, p2 / 100, n / 2, n / 2, alpha=a, sided=1, method=m),
            f"two-proportion power, {method} method")
        yield Check(**{**asdict(check), "check_id": f"design:power_cr_{method}"})
    yield _design_check(
        "e1910", "power", "Power: 94 deaths, HR 0.55 (a 45 % reduction), 1:1, one-sided 0.025",
        ["planned_deaths", "assumed_risk_reduction", "alpha"],
        lambda d, red, a: 100 * design.events_power(d, 1 - red / 100, (1, 1), alpha=a, sided=1),
        "Schoenfeld events formula, fixed design (one-sided alpha)")


def _unrecomputable():
    """Printed statistics that cannot be recomputed from what the publications report."""
    for study, table, id_, what in (
        ("tower", "adverse_events", "sae_rate_exposure_adjusted_blinatumomab", "Exposure-adjusted serious adverse event rate, blinatumomab"),
        ("tower", "adverse_events", "sae_rate_exposure_adjusted_chemotherapy", "Exposure-adjusted serious adverse event rate, chemotherapy"),
        ("tower", "responses", "mrd_neg_difference", "Difference in MRD remission among responders, with CI"),
        ("inovate", "planning", "os_boundary_two_sided", "Two-sided significance boundary of the final OS analysis"),
        ("e1910", "planning", "interim3_efficacy_boundary", "Efficacy boundary at the third interim analysis"),
    ):
        r = data.row(study, table, id_)
        yield Check(study, f"none:{id_}", table, r["location"], what, r["value"], "–", "not recomputable", "–", id_)


@lru_cache(maxsize=1)
def _notes() -> dict:
    return yaml.safe_load(NOTES_FILE.read_text(encoding="utf-8")) or {}


def build() -> pd.DataFrame:
    """The whole ledger as a DataFrame (one row per recomputed statistic), with explanations attached."""
    checks: list[Check] = []
    for study in data.studies():
        for rule in (_percent_checks, _ci_checks, _difference_checks, _p_checks):
            checks.extend(rule(study))
    checks.extend(_derived_checks())
    checks.extend(_design_checks())
    checks.extend(_unrecomputable())
    frame = pd.DataFrame([asdict(c) for c in checks])
    notes = _notes()
    frame["explanation"] = [notes.get(f"{s}:{cid}", "") for s, cid in zip(frame["study"], frame["check_id"])]
    frame["rule"] = frame["check_id"].str.split(":").str[0]
    return frame


def flagged_percent_explanations() -> dict[str, str]:
    """Rows the data already flag as the publication's own arithmetic slip (pct_mismatch) explain
    their percent check: the explanation is their note."""
    out = {}
    for study in data.studies():
        for table, frame in _tables(study):
            for _, r in frame[frame["flags"].str.contains("pct_mismatch")].iterrows():
                out[f"pct:{r['id']}"] = f"The publication prints {r['percent']} %; {r['value']}/{int(r['denominator'])} is " \
                                        f"{100 * r['value_num'] / int(r['denominator']):.2f} %. {r['note']}".strip()
    return out


def ledger() -> pd.DataFrame:
    """The ledger with every explanation filled in (notes file, then the data's own flags)."""
    frame = build()
    flagged = flagged_percent_explanations()
    frame["explanation"] = [e or flagged.get(cid, "") for cid, e in zip(frame["check_id"], frame["explanation"])]
    return frame


def summary(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts of checks per study and match level."""
    frame = ledger() if frame is None else frame
    table = frame.pivot_table(index="study", columns="match", values="check_id", aggfunc="count", fill_value=0)
    table = table.reindex(columns=[m for m in MATCH_LEVELS if m in table.columns])
    table["total"] = table.sum(axis=1)
    return table.reindex(data.studies()).reset_index()


# --- the verdict for one data row -----------------------------------------------------------------

#: Short marks for chapters: what the ledger concluded about a printed number.
MARKS = {
    "exact": ("✓", "matches the publication (recomputed)"),
    "within rounding": ("✓", "matches the publication within the rounding of its inputs (recomputed)"),
    "no": ("✗", "does not match when recomputed (see the ledger's explanation)"),
    "not recomputable": ("–", "cannot be recomputed from what was published (see the ledger)"),
}
_SEVERITY = {"exact": 0, "within rounding": 1, "no": 2, "not recomputable": 3}


@lru_cache(maxsize=1)
def _cached() -> pd.DataFrame:
    frame = ledger()
    # every rule lists the row it checks last among its inputs (pct/ci: the count row; diff/ratio: the
    # comparison row; p: the P value row; derived/design/none: the printed statement)
    frame["target"] = frame["inputs"].str.split(", ").str[-1]
    return frame


def checks_for(study: str, row_id: str) -> pd.DataFrame:
    """The ledger rows that recompute the printed number of data row ``row_id`` of ``study`` (empty
    when the ledger does not check it). A count printed with a percent and an interval has two (the
    percent and the interval)."""
    if study not in data.studies():
        raise ValueError(f"study must be one of {data.studies()}, got {study!r}")
    if not isinstance(row_id, str) or not row_id:
        raise ValueError(f"row_id must be a non-empty string, got {row_id!r}")
    frame = _cached()
    return frame[(frame["study"] == study) & (frame["target"] == row_id)].drop(columns="target").reset_index(drop=True)


def verdict(study: str, row_id: str) -> str | None:
    """The ledger's verdict on data row ``row_id``: ``"exact"``, ``"within rounding"``, ``"no"`` or
    ``"not recomputable"``, or ``None`` when the ledger does not recompute that row.

    Checks of different rules are different claims about the row (its percent *and* its interval), so
    the least favourable counts; checks of one rule are alternative methods for the same claim (the
    power of a sample size by four formulas), so the most favourable counts."""
    rows = checks_for(study, row_id)
    if rows.empty:
        return None
    best_per_rule = [min(g, key=_SEVERITY.__getitem__) for _, g in rows.groupby("rule")["match"]]
    return max(best_per_rule, key=_SEVERITY.__getitem__)


def mark(study: str, row_id: str, short: bool = False) -> str:
    """A reader-facing mark for data row ``row_id``: ``"✓ matches the publication (recomputed)"``
    and so on (``short=True``: the symbol only); ``""`` when the ledger does not recompute the row."""
    v = verdict(study, row_id)
    if v is None:
        return ""
    symbol, text = MARKS[v]
    return symbol if short else f"{symbol} {text}"
