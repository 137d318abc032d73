"""Argument validation shared by every public function: each error names the argument and the allowed range."""

from __future__ import annotations

import numbers

import numpy as np


def _is_int(x) -> bool:
    return isinstance(x, (numbers.Integral, np.integer)) and not isinstance(x, bool)


def integer(name: str, value, *, low: int | None = None, high: int | None = None):
    if not _is_int(value):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return int(value)


def real(name: str, value, *, low=None, high=None, low_open=False, high_open=False) -> float:
    """A finite real number in [low, high] (or an open end where asked)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    lo_bad = low is not None and (value <= low if low_open else value < low)
    hi_bad = high is not None and (value >= high if high_open else value > high)
    if lo_bad or hi_bad:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}, got {value}")
    return value


def probability(name: str, value, *, closed: bool = False) -> float:
    """A probability in (0, 1), or [0, 1] when ``closed``."""
    return real(name, value, low=0.0, high=1.0, low_open=not closed, high_open=not closed)


def level(name: str, value) -> float:
    """A confidence level in (0, 1)."""
    return probability(name, value)


def count_pair(x_name: str, x, n_name: str, n):
    """A count x of n trials: integers with 0 <= x <= n and n >= 1."""
    n = integer(n_name, n, low=1)
    x = integer(x_name, x, low=0)
    if x > n:
        raise ValueError(f"{x_name} must be <= {n_name} ({n}), got {x}")
    return x, n


def choice(name: str, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value
