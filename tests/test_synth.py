"""trialkit.synth: SYNTHETIC data pass through the published anchors (scorecard), keep the shapes the
papers describe, and are deterministic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trialkit import survival, synth


@pytest.fixture(scope="module")
def card():
    return synth.scorecard()


def test_every_targeted_anchor_is_within_its_tolerance(card):
    missed = card[card.targeted & ~card.ok]
    assert missed.empty, missed.to_string()


def test_every_untargeted_number_says_why(card):
    untargeted = card[~card.targeted]
    assert (untargeted["note"].str.len() > 40).all(), untargeted.to_string()


def test_medians_hazard_ratios_and_events_at_printed_precision(card):
    # the strict anchors: printed precision, no step allowance
    for r in card[card.targeted & card.anchor.isin(["median", "hazard_ratio", "events"])].itertuples():
        printed = float(r.published)
        assert r.synthetic == r.published or float(r.synthetic) == pytest.approx(printed), r


def test_tolerances_follow_printed_precision(card):
    med = card[card.anchor == "median"]
    assert (med["tolerance"] == 0.05).all()  # medians printed to 0.1 month
    hr = card[card.anchor == "hazard_ratio"]
    assert (hr["tolerance"] == 0.005).all()
    assert set(card.anchor) <= set(synth.TOLERANCES)


def test_every_dataset_has_anchors_and_a_grade(card):
    assert set(card.dataset) == set(synth.datasets())
    g = synth.grades(card)
    assert set(g.grade) <= {"A", "B"}, g.to_string()


def test_new_datasets_exist():
    for name in ("tower_efs", "topp2021_cir"):
        assert name in synth.datasets()


@pytest.mark.parametrize("name", synth.datasets())
def test_shapes_stated_by_the_papers_hold(name):
    checks = synth.shape_checks(name)
    assert checks["ok"].all(), checks.to_string()
    assert (checks.constraint == "no_collapse").sum() == len(synth.SPECS[name].arms)


def test_shape_check_fails_on_a_crossing(monkeypatch):
    # swap the arms of TOWER: the chemotherapy curve is then "above" nowhere, so no_crossing must fail
    f = synth.frame("tower_os")
    swapped = f.assign(arm=f["arm"].map({"blinatumomab": "chemotherapy", "chemotherapy": "blinatumomab"}))
    syn = synth.generate("tower_os")
    monkeypatch.setattr(synth, "generate", lambda name, seed=synth.DEFAULT_SEED: synth.Synthetic(
        name, syn.spec, swapped, syn.curves, syn.accrual_months, syn.cutoff_months, syn.accrual_power,
        syn.parameters, seed))
    checks = synth.shape_checks("tower_os")
    assert not checks[checks.constraint == "no_crossing"]["ok"].all()


def test_no_collapse_flags_a_steep_tail(monkeypatch):
    syn = synth.generate("inovate_os")
    c = syn.curves["inotuzumab"]
    steep = synth.Curve(c.times, c.cumhaz, 6.9 * max(h for _, _, h in c.hazard_pieces()), c.p0, c.t0)
    monkeypatch.setattr(synth, "generate", lambda name, seed=synth.DEFAULT_SEED: synth.Synthetic(
        name, syn.spec, syn.frame, {**syn.curves, "inotuzumab": steep}, syn.accrual_months, syn.cutoff_months,
        syn.accrual_power, syn.parameters, seed))
    checks = synth.shape_checks("inovate_os")
    assert not checks[checks.constraint == "no_collapse"]["ok"].all()


def test_inovate_rmst_horizon_is_computable_and_close():
    f = synth.frame("inovate_os")
    tau = 37.7
    for arm, published, se in (("inotuzumab", 13.9, 1.10), ("standard", 9.9, 0.85)):
        sub = f[f.arm == arm]
        r = survival.rmst(sub["time"], sub["event"], tau=tau)
        assert abs(r.rmst - published) <= se / 2


def test_cutoffs_come_from_published_dates():
    tower = synth.generate("tower_os")
    assert tower.cutoff_months == pytest.approx((pd.Timestamp("2016-01-04") - pd.Timestamp("2014-01-01")).days / 30.4375)
    ino = synth.generate("inovate_os")
    assert ino.cutoff_months == pytest.approx((pd.Timestamp("2016-03-08") - pd.Timestamp("2012-08-27")).days / 30.4375)
    assert ino.frame["time"].max() > 37.7  # the post hoc RMST horizon lies inside follow-up


def test_efs_day1_failures_are_the_non_responders():
    f = synth.frame("tower_efs")
    day1 = f[(f.event == 1) & (f.time <= synth.EFS_FAILURE_TIME + 1e-4)].groupby("arm").size()
    assert day1.to_dict() == {"blinatumomab": 271 - 119, "chemotherapy": 134 - 33}


def test_cir_is_the_rfs_patients_with_causes():
    rfs = synth.frame("topp2021_rfs")
    cir = synth.frame("topp2021_cir")
    pd.testing.assert_frame_equal(rfs, cir.drop(columns="cause"))
    assert set(cir.loc[cir.event == 1, "cause"]) == {"relapse", "death"}
    assert (cir.loc[cir.event == 0, "cause"] == "").all()


def test_frames_are_labelled_and_well_formed():
    for name in synth.datasets():
        f = synth.frame(name)
        assert (f["label"] == synth.LABEL).all()
        assert list(f.columns[:5]) == ["patient", "arm", "entry", "time", "event"] and f.columns[-1] == "label"
        assert (f["time"] >= 0).all() and set(f["event"].unique()) <= {0, 1}


def test_deterministic_for_a_seed_and_different_across_seeds():
    a = synth.frame("tower_os", seed=1)
    b = synth.frame("tower_os", seed=1)
    c = synth.frame("tower_os", seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a["time"].equals(c["time"])


def test_placement_steps_around_the_curve():
    curve = synth.curve_through([(4.0, 0.5), (6.0, 0.39)])
    n = 400
    t, e = synth.place(curve, np.full(n, 100.0), np.arange(n), median=4.0)
    km = survival.kaplan_meier(t, e)
    assert survival.median_survival(t, e).median == pytest.approx(4.0)
    s6 = float(km[km.time <= 6.0]["survival"].iloc[-1])
    assert abs(s6 - 0.39) <= 0.5 / n + 1e-9


def test_curve_through_anchors_and_bends():
    curve = synth.curve_through([(4.0, 0.5), (6.0, 0.39)])
    assert curve.survival(np.array([4.0, 6.0])) == pytest.approx([0.5, 0.39])
    early = synth.curve_through([(4.0, 0.5)], bends={0: 0.8})
    assert early.survival(np.array([2.0]))[0] < curve.survival(np.array([2.0]))[0]
    assert early.survival(np.array([4.0]))[0] == pytest.approx(0.5)
    efs = synth.curve_through([(6.0, 0.31)], p0=0.56, t0=synth.EFS_FAILURE_TIME)
    assert efs.survival(np.array([0.5 * synth.EFS_FAILURE_TIME]))[0] > 0.99
    assert efs.survival(np.array([6.0]))[0] == pytest.approx(0.31)


@pytest.mark.parametrize("anchors,message", [
    ([(4.0, 0.5), (6.0, 0.6)], "anchors must not increase"),
    ([(0.0, 0.5)], r"anchor time must be in \(0.0, inf\]"),
    ([(4.0, 1.5)], r"anchor survival must be in \(0.0, 1.0\)"),
])
def test_curve_through_rejects_bad_anchors(anchors, message):
    with pytest.raises(ValueError, match=message):
        synth.curve_through(anchors)


def test_generate_rejects_unknown_name_and_bad_seed():
    with pytest.raises(ValueError, match="name must be one of"):
        synth.generate("tower_pfs")
    with pytest.raises(ValueError, match="seed must be an integer"):
        synth.generate("tower_os", seed=1.5)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        synth.generate("tower_os", seed=-1)


def test_at_risk_counts_patients_still_followed():
    frame = synth.frame("tower_os")
    risk = synth.at_risk("tower_os", [0, 6, 12])
    for arm, group in frame.groupby("arm"):
        counts = risk[risk["arm"] == arm].set_index("time")["n"]
        assert counts[0.0] == len(group)                      # everyone is at risk at time zero
        assert counts[6.0] == int((group["time"] >= 6).sum())
        assert counts[0.0] >= counts[6.0] >= counts[12.0]


@pytest.mark.parametrize("times", [[], [-1, 3], [float("nan")]])
def test_at_risk_refuses_bad_times(times):
    with pytest.raises(ValueError, match="times must be"):
        synth.at_risk("tower_os", times)
