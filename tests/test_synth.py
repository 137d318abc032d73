"""trialkit.synth: SYNTHETIC data reproduce the published summaries (fidelity) and are deterministic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trialkit import synth


@pytest.fixture(scope="module")
def report():
    return synth.fidelity_all()


def test_every_dataset_passes_its_fidelity_report(report):
    failed = report[~report.ok]
    assert failed.empty, failed.to_string()


def test_every_dataset_checks_hr_events_or_followup(report):
    for name in synth.datasets():
        quantities = set(report[report.dataset == name].quantity)
        assert quantities & {"hazard ratio (Cox)", "events", "median follow-up (months, reverse KM)"}, name
        assert any(q.startswith(("median", "survival at")) for q in quantities), name


def test_frames_are_labelled_and_well_formed():
    for name in synth.datasets():
        f = synth.frame(name)
        assert (f["label"] == synth.LABEL).all()
        assert list(f.columns) == ["patient", "arm", "entry", "time", "event", "label"]
        assert (f["time"] >= 0).all() and set(f["event"].unique()) <= {0, 1}


def test_deterministic_for_a_seed_and_different_across_seeds():
    a = synth.frame("tower_os", seed=1)
    b = synth.frame("tower_os", seed=1)
    c = synth.frame("tower_os", seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a["time"].equals(c["time"])


def test_curve_through_anchors():
    curve = synth.curve_through([(4.0, 0.5), (6.0, 0.39)])
    assert curve.survival(np.array([4.0, 6.0])) == pytest.approx([0.5, 0.39])
    u = (np.arange(20000) + 0.5) / 20000
    times = curve.sample(u, u)
    assert np.median(times) == pytest.approx(4.0, rel=1e-3)
    efs = synth.curve_through([(6.0, 0.31)], p0=0.56, t0=synth.EFS_FAILURE_TIME)
    assert efs.survival(np.array([0.5 * synth.EFS_FAILURE_TIME]))[0] > 0.99  # before day 1: no immediate failures yet
    assert efs.survival(np.array([synth.EFS_FAILURE_TIME]))[0] < 0.45
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
