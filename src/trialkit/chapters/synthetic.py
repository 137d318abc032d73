"""The SYNTHETIC data page: the fidelity scorecard of :func:`trialkit.synth.scorecard` as a reader's
table."""

from __future__ import annotations

import pandas as pd


def scorecard_table(card: pd.DataFrame, labels: dict) -> pd.DataFrame:
    """The scorecard with dataset labels, signed errors and tolerances as text (three decimals) and a
    verdict per anchor: "pass" or "outside", with "(gives)" for an anchor the generator does not target
    because published numbers cannot all hold at once."""
    verdict = [("pass" if ok else "outside") + ("" if targeted else " (gives)")
               for ok, targeted in zip(card["ok"], card["targeted"])]
    shown = card.assign(dataset=card["dataset"].map(labels), error=[f"{x:+.3f}" for x in card["error"]],
                        tolerance=[f"±{x:.3f}" for x in card["tolerance"]], verdict=verdict)
    return shown[["dataset", "arm", "quantity", "published", "synthetic", "error", "tolerance", "verdict"]]
