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

Two rows are recomputed under stated assumptions, because the publication leaves out one input: TOWER's
difference in MRD remission (the counts are implied by the printed percentages once the denominators
are read as all patients with CR/CRh/CRi) and E1910's interim efficacy boundary (the spending function
and the timing of the earlier looks are not printed).

Matching. ``exact``: the recomputed value, rounded to the printed decimals (half up, or half to even
as some tables do), equals it (a bound such as ``<0.001`` is met). ``within rounding``: not exact, but some choice of the inputs within their own
printed rounding (e.g. an HR printed as 0.71 is anything in [0.705, 0.715)) reproduces the printed
value. ``under assumptions``: reproduced once an input the publication does not print is set to a
stated value or range (the explanation names the assumption). Anything else is ``no``. Every ``no``,
``under assumptions`` and ``not recomputable`` row must carry a written explanation
(``ledger_notes.yml``, keyed ``study:check_id``); the tests enforce both directions.

An explanation is a claim too: its numbers are never typed. A note is a template whose ``{name}`` or
``{name:.1f}`` fields are filled from :func:`note_values` (computed with :mod:`trialkit.stats` and
:mod:`trialkit.design`, or read from the data as printed), and the tests recompute each of them.
"""

from __future__ import annotations

import itertools
import math
import re
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
MATCH_LEVELS = ("exact", "within rounding", "under assumptions", "no", "not recomputable")
#: Match levels that need a written explanation.
EXPLAINED_LEVELS = ("under assumptions", "no", "not recomputable")


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


def corner_values(fn: Callable[..., float], printed_inputs: list[str]) -> list[float]:
    """``fn`` at every corner of the inputs' rounding box (each input moved by half a unit of its last
    printed digit, down or up); corners where ``fn`` raises ``ValueError`` are left out."""
    values = [data.parse_number(p)[1] for p in printed_inputs]
    corners = []
    for signs in itertools.product((-1, 1), repeat=len(values)):
        shifted = [v + s * half_unit(p) for v, s, p in zip(values, signs, printed_inputs)]
        try:
            corners.append(fn(*shifted))
        except ValueError:
            continue
    return corners


def evaluate(fn: Callable[..., float], printed_inputs: list[str], published: str) -> tuple[float, str]:
    """Recompute ``fn`` at the printed inputs; if that does not reproduce ``published``, search the
    corners of the inputs' rounding box. Returns (central value, match level)."""
    values = [data.parse_number(p)[1] for p in printed_inputs]
    central = fn(*values)
    if printed_matches(central, published):
        return central, "exact"
    corners = corner_values(fn, printed_inputs)
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
    for arm in ("blinatumomab", "chemotherapy"):
        yield _derived("e1910", f"allo_total_{arm}", "transplant", f"allo_total_{arm}",
                       [("transplant", f"allo_on_trial_{arm}", "value"), ("transplant", f"allo_after_offstudy_{arm}", "value")],
                       lambda a, b: a + b, "transplants during the trial plus after stopping trial treatment",
                       what=f"Allogeneic transplants in all ({arm} group)")
    yield _derived("e1910", "deaths_blinatumomab", "survival", "deaths_blinatumomab",
                   [("survival", "death_cause_relapse_blinatumomab", "value"), ("survival", "death_cause_nonrelapse_blinatumomab", "value")],
                   lambda a, b: a + b, "deaths from relapse plus non-relapse deaths", what="Deaths, blinatumomab group")
    yield _derived("e1910", "deaths_chemotherapy", "survival", "deaths_chemotherapy",
                   [("survival", "death_cause_relapse_chemotherapy", "value"), ("survival", "death_cause_nonrelapse_chemotherapy", "value"),
                    ("survival", "death_cause_unknown_chemotherapy", "value")],
                   lambda a, b, c: a + b + c, "deaths from relapse, non-relapse and unknown causes", what="Deaths, chemotherapy-only group")
    yield _derived("e1910", "remission_not_reaching_step3", "flow", "remission_not_reaching_step3",
                   [("responses", "cr_cri_induction", "value"), ("flow", "step3_registered", "value")],
                   lambda a, b: a - b, "patients in remission minus those registered at step 3",
                   what="Patients in remission who did not reach step 3")
    # pooled phase 2 (Cancer 2021): counts the text derives from Table 2
    yield _derived("topp2021", "lts36_survived_without_hsct", "transplant", "lts36_survived_without_hsct",
                   [("survival", "lts36_count", "value"), ("transplant", "hsct_after_blin_lts36", "value")],
                   lambda lts, hsct: lts - hsct, "long-term survivors minus those transplanted after blinatumomab",
                   what="Long-term survivors never transplanted after blinatumomab")
    yield _derived("topp2021", "rf_survivor_all", "survival", "rf_survivor_all",
                   [("survival", "rf_survivor_blin_only_all", "value"), ("survival", "rf_survivor_hsct_ccr_all", "value")],
                   lambda a, b: a + b, "sum of the two kinds of relapse-free survivor (blinatumomab only, HSCT in CCR)",
                   what="Relapse-free survivors after blinatumomab")
    yield _derived("topp2021", "rf_lts36_hsct_ccr_pct", "survival", "rf_lts36_hsct_ccr_pct",
                   [("survival", "rf_survivor_hsct_ccr_lts36", "value"), ("survival", "rf_survivor_lts36", "value")],
                   lambda k, n: 100 * k / n, "100 × transplanted in CCR / relapse-free long-term survivors",
                   what="Share of relapse-free long-term survivors transplanted in continuous CR")


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
        lambda d, hr, a, f1, f2: 100 * design.group_sequential_power([f1 / 100, f2 / 100, 1.0], d, hr, (2, 1), alpha=a / 2, sided=1),
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


# --- recomputed under stated assumptions -----------------------------------------------------------


def implied_counts(percent: str, n: int) -> list[int]:
    """Every count x in 0..n whose percentage 100 x / n prints as ``percent`` (half up or half to even)."""
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n}")
    return [x for x in range(n + 1) if printed_matches(100 * x / n, percent)]


def implied_count_pairs(percent_1: str, n1: int, percent_2: str, n2: int, difference: str) -> list[tuple[int, int]]:
    """Every pair of counts (x1 of n1, x2 of n2) whose percentages print as ``percent_1`` and
    ``percent_2`` and whose difference in percentage points prints as ``difference``."""
    return [(x1, x2) for x1 in implied_counts(percent_1, n1) for x2 in implied_counts(percent_2, n2)
            if printed_matches(100 * x1 / n1 - 100 * x2 / n2, difference)]


#: Differences printed with percentages and an interval but without counts; the denominators of the
#: percent rows are an assumption (stated in the row's explanation).
IMPLIED_COUNT_DIFFERENCES = (("tower", "responses", "mrd_neg_difference"),)


def _implied_difference_check(study: str, table: str, id_: str) -> Check:
    frame = data.load(study, table)
    r = data.row(study, table, id_)
    info = data.study_info(study)
    same = frame[(frame.characteristic == r["characteristic"]) & (frame.population == r["population"])
                 & (frame.category == r["category"]) & (frame.statistic == "percent") & frame.denominator.notna()]
    e = same[same.arm == info["experimental"]].iloc[0]
    c = same[same.arm == info["control"]].iloc[0]
    n1, n2 = int(e["denominator"]), int(c["denominator"])
    level = float(r["ci_level"])
    what = f"{_what(r)}: {r['comparison']}"
    published = f"{r['value']} ({r['ci_low']} to {r['ci_high']})"
    inputs = f"{e['id']}, {c['id']}, {r['id']}"
    pairs = implied_count_pairs(e["value"], n1, c["value"], n2, r["value"])
    if len(pairs) != 1:
        return Check(study, f"diff:{id_}", table, r["location"], what, published, "–", "not recomputable",
                     f"{len(pairs)} pairs of counts out of {n1} and {n2} fit the printed percentages", inputs)
    (x1, x2), = pairs
    rd = stats.risk_difference(x1, n1, x2, n2, level, "wald")
    est, low, high = 100 * rd.estimate, 100 * rd.low, 100 * rd.high
    ok = printed_matches(est, r["value"]) and printed_matches(low, r["ci_low"]) and printed_matches(high, r["ci_high"])
    return Check(study, f"diff:{id_}", table, r["location"], what, published,
                 f"{as_printed(est, r['value'])} ({as_printed(low, r['ci_low'])} to {as_printed(high, r['ci_high'])})",
                 "under assumptions" if ok else "no",
                 f"difference of proportions, Wald {level:.1%} interval; {x1}/{n1} vs {x2}/{n2}, the only counts that print "
                 f"as {e['value']} % and {c['value']} % with a difference of {r['value']} (assumed denominators: "
                 f"all patients of the population, see the explanation)", inputs)


#: Assumptions for boundaries whose spending function and earlier looks are not printed: earlier looks
#: anywhere on a grid from ``first`` of the information on, ``gap`` apart and ``gap`` before the look.
EARLIER_LOOKS = {"first": 0.10, "gap": 0.10, "step": 0.05}


def earlier_looks_boundaries(fraction: float, n_earlier: int, alpha: float, spending: str = "obrien-fleming") -> pd.DataFrame:
    """The nominal two-sided P value of the efficacy boundary at information ``fraction`` when it is
    look ``n_earlier + 1`` of a Lan–DeMets design spending one-sided ``alpha``, for every placement of
    the ``n_earlier`` earlier looks on the grid of :data:`EARLIER_LOOKS`, plus equally spaced looks.

    Returns one row per placement: ``looks`` (the earlier fractions, a tuple), ``equal`` (True for
    the equally spaced placement), ``z`` and ``p_two_sided`` (2 × the one-sided nominal P)."""
    from trialkit import design

    fraction = float(fraction)
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    n_earlier = int(n_earlier)
    if n_earlier < 0:
        raise ValueError(f"n_earlier must be >= 0, got {n_earlier}")
    first, gap, step = EARLIER_LOOKS["first"], EARLIER_LOOKS["gap"], EARLIER_LOOKS["step"]
    grid = [round(first + i * step, 10) for i in range(int((fraction - gap - first) / step + 1e-9) + 1)]
    def spaced(looks):
        seq = looks + (fraction,)
        return all(b - a >= gap - 1e-9 for a, b in zip(seq, seq[1:]))

    placements = [(looks, False) for looks in itertools.combinations(grid, n_earlier) if spaced(looks)]
    placements.append((tuple(fraction * (i + 1) / (n_earlier + 1) for i in range(n_earlier)), True))
    rows = []
    for looks, equal in placements:
        b = design.spending_boundaries(list(looks) + [fraction], alpha=alpha, spending=spending, sided=1).iloc[-1]
        rows.append({"looks": looks, "equal": equal, "z": float(b["z"]), "p_two_sided": 2 * float(b["nominal_p"])})
    return pd.DataFrame(rows)


@lru_cache(maxsize=1)
def _e1910_interim3() -> dict:
    deaths = int(data.row("e1910", "survival", "deaths_blinatumomab")["value_num"]) \
        + int(data.row("e1910", "survival", "deaths_chemotherapy")["value_num"])
    planned = int(data.row("e1910", "planning", "planned_deaths")["value_num"])
    alpha = float(data.row("e1910", "planning", "alpha")["value_num"])
    grid = earlier_looks_boundaries(deaths / planned, 2, alpha)
    lo, hi = grid.loc[grid.p_two_sided.idxmin()], grid.loc[grid.p_two_sided.idxmax()]
    return {"deaths": deaths, "planned": planned, "alpha": alpha, "fraction": deaths / planned,
            "p_min": float(lo.p_two_sided), "p_min_looks": lo.looks, "p_max": float(hi.p_two_sided), "p_max_looks": hi.looks,
            "p_equal": float(grid[grid.equal].p_two_sided.iloc[0]), "placements": int((~grid.equal).sum())}


def _assumed_checks():
    for study, table, id_ in IMPLIED_COUNT_DIFFERENCES:
        yield _implied_difference_check(study, table, id_)
    r = data.row("e1910", "planning", "interim3_efficacy_boundary")
    b = _e1910_interim3()
    match = "under assumptions" if range_meets_printed(b["p_min"], b["p_max"], r["value"]) else "no"
    yield Check("e1910", "design:interim3_efficacy_boundary", "planning", r["location"],
                "Efficacy boundary (two-sided nominal P) at the third interim analysis", r["value"],
                f"{b['p_min']:.4f} to {b['p_max']:.4f}", match,
                f"Lan–DeMets O'Brien–Fleming-type spending of one-sided {b['alpha']:g}; third look at {b['deaths']}/{b['planned']} "
                f"of the deaths; two earlier looks placed anywhere on a grid (assumed, see the explanation)",
                "deaths_blinatumomab, deaths_chemotherapy, planned_deaths, alpha, interim3_efficacy_boundary")


def _unrecomputable():
    """Printed statistics that cannot be recomputed from what the publications report."""
    for study, table, id_, what in (
        ("tower", "adverse_events", "sae_rate_exposure_adjusted_blinatumomab", "Exposure-adjusted serious adverse event rate, blinatumomab"),
        ("tower", "adverse_events", "sae_rate_exposure_adjusted_chemotherapy", "Exposure-adjusted serious adverse event rate, chemotherapy"),
        ("inovate", "planning", "os_boundary_two_sided", "Two-sided significance boundary of the final OS analysis"),
    ):
        r = data.row(study, table, id_)
        yield Check(study, f"none:{id_}", table, r["location"], what, r["value"], "–", "not recomputable", "–", id_)


# --- explanations: templates filled from computations -----------------------------------------------


def _v(study: str, table: str, id_: str, column: str = "value") -> str:
    """A printed value, as printed."""
    return data.row(study, table, id_)[column]


def _num(study: str, table: str, id_: str) -> float:
    return float(data.row(study, table, id_)["value_num"])


@lru_cache(maxsize=1)
def note_values() -> dict:
    """Every number the explanations state, by name: printed values read from the data (strings, as
    printed) and recomputed values (floats, formatted by the template). Nothing here is typed."""
    from scipy import optimize

    from trialkit import design

    v: dict = {}
    pct = lambda x: 100 * x  # noqa: E731

    # TOWER power: 330 deaths, HR 0.70, 2:1, two-sided 0.05, O'Brien–Fleming-type looks at 50 % and 75 %
    d, hr, a = _num("tower", "planning", "plan_deaths"), _num("tower", "planning", "plan_hr"), _num("tower", "planning", "plan_alpha")
    f1, f2 = _num("tower", "planning", "plan_interim1_fraction") / 100, _num("tower", "planning", "plan_interim2_fraction") / 100
    h = half_unit(_v("tower", "planning", "plan_hr"))
    ratio = data.row("tower", "design", "allocation_ratio")["value"].split()[0]  # "2:1 (blinatumomab : chemotherapy)"
    alloc = tuple(int(x) for x in ratio.split(":"))
    gs = lambda x: pct(design.group_sequential_power([f1, f2, 1.0], d, x, alloc, alpha=a / 2, sided=1))  # noqa: E731
    target = _num("tower", "planning", "plan_power")
    v.update({
        "tower_deaths": _v("tower", "planning", "plan_deaths"), "tower_hr": _v("tower", "planning", "plan_hr"),
        "tower_f1": _v("tower", "planning", "plan_interim1_fraction"), "tower_f2": _v("tower", "planning", "plan_interim2_fraction"),
        "tower_power": _v("tower", "planning", "plan_power"),
        "tower_allocation": ratio,
        "tower_gs_power": gs(hr), "tower_fixed_power": pct(design.events_power(d, hr, alloc, alpha=a, sided=2)),
        "tower_hr_low": hr - h, "tower_hr_high": hr + h, "tower_gs_power_hr_low": gs(hr - h), "tower_gs_power_hr_high": gs(hr + h),
        "tower_hr_at_power": optimize.brentq(lambda x: gs(x) - target, hr - 0.05, hr + 0.05, xtol=1e-8),
    })

    # E1910 power: 94 deaths, a 45 % reduction (HR 0.55), 1:1, one-sided 0.025
    d, red, a = _num("e1910", "planning", "planned_deaths"), _num("e1910", "planning", "assumed_risk_reduction"), _num("e1910", "planning", "alpha")
    hr = 1 - red / 100
    gs_looks = [pct(design.group_sequential_power([i / (k + 1) for i in range(1, k + 2)], d, hr, (1, 1), alpha=a, sided=1))
                for k in (1, 2, 3, 4)]
    v.update({
        "e1910_deaths": _v("e1910", "planning", "planned_deaths"), "e1910_reduction": _v("e1910", "planning", "assumed_risk_reduction"),
        "e1910_hr": hr, "e1910_alpha": _v("e1910", "planning", "alpha"), "e1910_power": _v("e1910", "planning", "power"),
        "e1910_schoenfeld": pct(design.events_power(d, hr, (1, 1), alpha=a, sided=1)),
        "e1910_freedman": pct(design.events_power(d, hr, (1, 1), alpha=a, sided=1, method="freedman")),
        "e1910_gs_1": gs_looks[0], "e1910_gs_4": gs_looks[-1], "e1910_interims_min": 1, "e1910_interims_max": 4,
        "e1910_two_sided": pct(design.events_power(d, hr, (1, 1), alpha=a, sided=2)),
    })

    # E1910 interim boundary under assumed spending and earlier looks
    b = _e1910_interim3()
    grid = earlier_looks_boundaries(b["fraction"], 2, b["alpha"])
    printed = _v("e1910", "planning", "interim3_efficacy_boundary")
    fits = grid[(~grid.equal) & grid.p_two_sided.map(lambda x: printed_matches(x, printed))]
    v.update({
        "e1910_interim_deaths": b["deaths"], "e1910_interim_fraction": pct(b["fraction"]), "e1910_boundary": printed,
        "looks_first": pct(EARLIER_LOOKS["first"]), "looks_gap": pct(EARLIER_LOOKS["gap"]), "looks_step": pct(EARLIER_LOOKS["step"]),
        "e1910_boundary_min": b["p_min"], "e1910_boundary_max": b["p_max"], "e1910_boundary_equal": b["p_equal"],
        "e1910_boundary_min_look1": pct(b["p_min_looks"][0]), "e1910_boundary_min_look2": pct(b["p_min_looks"][1]),
        "e1910_boundary_max_look1": pct(b["p_max_looks"][0]), "e1910_boundary_max_look2": pct(b["p_max_looks"][1]),
        "e1910_boundary_fit_look2": pct(min(lk[1] for lk in fits.looks)) if len(fits) else float("nan"),
        "e1910_os_p": _v("e1910", "survival", "os_p"),
    })

    # TOWER MRD remission: counts implied by the percentages with all CR/CRh/CRi patients as denominators
    e, c, r = (data.row("tower", "responses", i) for i in ("mrd_neg_blinatumomab", "mrd_neg_chemotherapy", "mrd_neg_difference"))
    (x1, x2), = implied_count_pairs(e["value"], int(e["denominator"]), c["value"], int(c["denominator"]), r["value"])
    rd = stats.risk_difference(x1, int(e["denominator"]), x2, int(c["denominator"]), float(r["ci_level"]), "wald")
    v.update({
        "mrd_pct_b": e["value"], "mrd_pct_c": c["value"], "mrd_n_b": int(e["denominator"]), "mrd_n_c": int(c["denominator"]),
        "mrd_x_b": x1, "mrd_x_c": x2, "mrd_diff": r["value"], "mrd_ci_low": r["ci_low"], "mrd_ci_high": r["ci_high"],
        "mrd_wald_low": pct(rd.low), "mrd_wald_high": pct(rd.high),
    })

    # TOWER exposure-adjusted serious adverse events: the exposure implied if the count were the patients
    for arm, key in (("blinatumomab", "b"), ("chemotherapy", "c")):
        sae = data.row("tower", "adverse_events", f"ae_serious_{arm}")
        rate = data.row("tower", "adverse_events", f"sae_rate_exposure_adjusted_{arm}")
        treated = int(data.load("tower", "populations").query(f"population == 'as_treated' and arm == '{arm}'")["n"].iloc[0])
        per = int(re.fullmatch(r"per_(\d+)_patient_years", rate["unit"]).group(1))
        years = stats.implied_exposure(float(sae["value_num"]), float(rate["value_num"]), per)
        v["sae_per"] = per
        v.update({f"sae_patients_{key}": sae["value"], f"sae_rate_{key}": rate["value"], f"sae_years_{key}": years,
                  f"treated_{key}": treated, f"sae_months_per_patient_{key}": 12 * years / treated,
                  f"cycles_{key}": _v("tower", "flow", f"cycles_median_{arm}")})

    # INO-VATE duration of remission: P implied by the HR's interval
    hr_row = data.row("inovate", "survival", "dor_hr")
    level = float(hr_row["ci_level"])
    fn = lambda x, lo, hi: stats.p_from_ci(x, lo, hi, level)  # noqa: E731
    inputs = [hr_row["value"], hr_row["ci_low"], hr_row["ci_high"]]
    corners = corner_values(fn, inputs)
    v.update({"dor_p_implied": fn(*(float(x) for x in inputs)), "dor_p_min": min(corners), "dor_p_max": max(corners),
              "dor_p": _v("inovate", "survival", "dor_p"), "dor_methods_location": _v("inovate", "design", "stat_surv", "location")})

    # INO-VATE RMST test from the printed means and standard errors
    names = ("os_rmst_inotuzumab", "os_rmst_standard", "os_rmst_se_inotuzumab", "os_rmst_se_standard")
    printed_rmst = [_v("inovate", "survival", n) for n in names]
    fn = lambda m1, m2, s1, s2: stats.p_from_z((m1 - m2) / math.sqrt(s1 ** 2 + s2 ** 2))  # noqa: E731
    corners = corner_values(fn, printed_rmst)
    v.update(dict(zip(("rmst_b", "rmst_c", "rmst_se_b", "rmst_se_c"), printed_rmst)))
    v.update({"rmst_p": fn(*(float(x) for x in printed_rmst)), "rmst_p_min": min(corners), "rmst_p_max": max(corners),
              "rmst_p_printed": _v("inovate", "survival", "os_rmst_p")})

    # INO-VATE OS power: 248 events, HR 0.67, 1:1, one-sided 0.0125
    ev, hr, a = _num("inovate", "planning", "events_os"), _num("inovate", "planning", "os_hr_assumed"), _num("inovate", "planning", "alpha_os_one_sided")
    h = half_unit(_v("inovate", "planning", "os_hr_assumed"))
    v.update({"ino_events": _v("inovate", "planning", "events_os"), "ino_hr": _v("inovate", "planning", "os_hr_assumed"),
              "ino_alpha": _v("inovate", "planning", "alpha_os_one_sided"),
              "ino_hr_high": hr + h,
              "ino_schoenfeld": pct(design.events_power(ev, hr, (1, 1), alpha=a, sided=1)),
              "ino_schoenfeld_hr_high": pct(design.events_power(ev, hr + h, (1, 1), alpha=a, sided=1)),
              "ino_freedman": pct(design.events_power(ev, hr, (1, 1), alpha=a, sided=1, method="freedman"))})

    # INO-VATE CR power: 218 patients, 61 % vs 37 %, one-sided 0.0125, four methods
    n, p1, p2, a = (_v("inovate", "planning", i) for i in ("sample_size_cr", "cr_rate_assumed_inotuzumab", "cr_rate_assumed_standard", "alpha_cr_one_sided"))
    v.update({"cr_power": _v("inovate", "planning", "power_cr")})
    for method in design.PROPORTION_METHODS:
        fn = lambda n_, q1, q2, a_, m=method: pct(design.two_proportion_power(q1 / 100, q2 / 100, n_ / 2, n_ / 2, alpha=a_, sided=1, method=m))  # noqa: E731
        v[f"cr_{method}"] = fn(*(float(x) for x in (n, p1, p2, a)))
        if method != "continuity":  # the continuity-corrected method reproduces the printed power exactly
            corners = corner_values(fn, [n, p1, p2, a])
            v.update({f"cr_{method}_min": min(corners), f"cr_{method}_max": max(corners)})
    return v


_FIELD = re.compile(r"\{([a-z0-9_]+)(?::[^{}]*)?\}")


def note_fields(template: str) -> list[str]:
    """The value names a note template uses."""
    return _FIELD.findall(template)


def render_note(key: str, template: str, values: dict | None = None) -> str:
    """A note template with its fields filled from :func:`note_values` (``ValueError`` naming the note
    and the field when a field has no value)."""
    values = note_values() if values is None else values
    missing = [f for f in note_fields(template) if f not in values]
    if missing:
        raise ValueError(f"ledger note {key!r}: no computed value for field(s) {missing} (see ledger.note_values)")
    return template.format_map(values)


def note_templates() -> dict:
    """The explanation templates as written in ``ledger_notes.yml``."""
    return yaml.safe_load(NOTES_FILE.read_text(encoding="utf-8")) or {}


@lru_cache(maxsize=1)
def _notes() -> dict:
    return {key: " ".join(render_note(key, text).split()) for key, text in note_templates().items()}


def build() -> pd.DataFrame:
    """The whole ledger as a DataFrame (one row per recomputed statistic), with explanations attached."""
    checks: list[Check] = []
    for study in data.studies():
        for rule in (_percent_checks, _ci_checks, _difference_checks, _p_checks):
            checks.extend(rule(study))
    checks.extend(_derived_checks())
    checks.extend(_design_checks())
    checks.extend(_assumed_checks())
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
    "under assumptions": ("✓", "matches the publication under a stated assumption (recomputed; see the ledger's explanation)"),
    "no": ("✗", "does not match when recomputed (see the ledger's explanation)"),
    "not recomputable": ("–", "cannot be recomputed from what was published (see the ledger)"),
}
_SEVERITY = {level: i for i, level in enumerate(MATCH_LEVELS)}


@lru_cache(maxsize=1)
def _cached() -> pd.DataFrame:
    frame = ledger()
    # every rule lists the row it checks last among its inputs (pct/ci: the count row; diff/ratio: the
    # comparison row; p: the P value row; derived/design/none and the assumed rows: the printed statement)
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
    """The ledger's verdict on data row ``row_id``: one of :data:`MATCH_LEVELS` (``"exact"``,
    ``"within rounding"``, ``"under assumptions"``, ``"no"``, ``"not recomputable"``), or ``None``
    when the ledger does not recompute that row.

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
