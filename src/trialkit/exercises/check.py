"""Answer checks used by the exercise notebooks (visible and hidden tests).

A student's answer is checked in two steps. The *visible* checks (run by the student) look only at
the form of an answer: the right kind of object, a number in a plausible range, one of the allowed
words. They never reveal the expected value. The *hidden* checks (added when the notebook is
graded) compare the value with the expected one.

Every check is strict about types, so an object that claims to be equal to everything (a custom
``__eq__``) or a subclass of ``float`` or ``str`` with altered behaviour cannot pass: numbers must be
plain Python or numpy integers or floats, words must be plain ``str``. Numbers are compared as
``float`` with :func:`math.isclose` and an absolute tolerance matched to the precision the question
asks for; words are compared after ``.strip().lower()`` (and runs of spaces folded to one).

A failed check raises :class:`AnswerError` (an ``AssertionError``) whose message says what is wrong
with the answer and how to fix its form, never what the answer is.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["AnswerError", "number", "proportion", "percent", "whole", "ordered", "choice", "close", "same_choice",
           "one_of", "passed"]

# Bound once, when the notebook's setup cell imports this module, so that a later cell rebinding
# math.isclose or the builtins cannot change what a check does.
_float, _int, _type, _str, _isclose, _isfinite, _floor = float, int, type, str, math.isclose, math.isfinite, math.floor
_any, _zip = any, zip

_NUMBER_TYPES = (int, float, np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8,
                 np.uint64, np.uint32, np.uint16, np.uint8)


def _is_number(value) -> bool:
    """Exactly one of the plain number types (identity, so no subclass or look-alike passes)."""
    kind = _type(value)
    return _any(kind is t for t in _NUMBER_TYPES)


class AnswerError(AssertionError):
    """An answer of the wrong form or value. The message names the answer and never gives the solution."""


def _describe(value) -> str:
    kind = _type(value).__name__
    if value is None:
        return "None"
    if _is_number(value) or _type(value) is _str:
        return f"{value!r} ({kind})"
    return f"an object of type {kind}"


def _fail(message: str):
    __tracebackhide__ = True  # noqa: F841  (IPython hides this frame from the traceback)
    raise AnswerError(message)


def number(name: str, value, *, low: float | None = None, high: float | None = None, what: str = "a number",
           hint: str = "") -> float:
    """Visible check: ``value`` is a plain finite number (not bool, not a string, not an array), within
    [low, high] when given. Returns it as a ``float``."""
    __tracebackhide__ = True  # noqa: F841
    if value is None:
        _fail(f"{name} is still None: replace None (or the line `raise NotImplementedError()`) with your answer.")
    if _type(value) is bool or _type(value) is np.bool_:
        _fail(f"{name} must be {what}, not True/False.")
    if not _is_number(value):
        extra = ""
        if _type(value) is _str:
            extra = " Write the number without quotes."
        elif isinstance(value, (list, tuple, np.ndarray)) or hasattr(value, "iloc"):
            extra = " It looks like a collection: pick the single value (for example with float(...) or .iloc[0])."
        _fail(f"{name} must be {what} (a plain int or float), got {_describe(value)}.{extra}")
    x = _float(value)
    if not _isfinite(x):
        _fail(f"{name} must be a finite number, got {x}.")
    if (low is not None and x < low) or (high is not None and x > high):
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        _fail(f"{name} must be {what}, between {lo} and {hi}; got {x:g}.{(' ' + hint) if hint else ''}")
    return x


def proportion(name: str, value) -> float:
    """Visible check: a proportion in [0, 1] (not a percent)."""
    __tracebackhide__ = True  # noqa: F841
    return number(name, value, low=0.0, high=1.0, what="a proportion",
                  hint="Give a proportion between 0 and 1, not a percent (33.6 % is 0.336).")


def percent(name: str, value, *, low: float = 0.0, high: float = 100.0) -> float:
    """Visible check: a percent (or percentage points) in [low, high]; warns when it looks like a proportion."""
    __tracebackhide__ = True  # noqa: F841
    x = number(name, value, low=low, high=high, what="a percent",
               hint="Give percent or percentage points (0.336 is 33.6 %).")
    if x != 0 and -1 < x < 1:
        _fail(f"{name} = {x:g} looks like a proportion: give it in percent or percentage points (0.336 is 33.6).")
    return x


def whole(name: str, value, *, low: float | None = None, high: float | None = None, what: str = "a whole number") -> int:
    """Visible check: a whole number (``3`` or ``3.0``) within [low, high]. Returns it as an ``int``."""
    __tracebackhide__ = True  # noqa: F841
    x = number(name, value, low=low, high=high, what=what)
    if x != _floor(x):
        _fail(f"{name} must be {what}, got {x:g}: round it as the question says.")
    return _int(x)


def ordered(*pairs) -> None:
    """Visible check: ``("name", value)`` pairs are plain numbers in strictly increasing order (e.g. a
    lower limit, an estimate and an upper limit)."""
    __tracebackhide__ = True  # noqa: F841
    values = [(name, number(name, value)) for name, value in pairs]
    for (n1, v1), (n2, v2) in _zip(values, values[1:]):
        if not v1 < v2:
            _fail(f"{n1} must be smaller than {n2} (got {v1:g} and {v2:g}).")


def _normalise(text: str) -> str:
    return " ".join(text.strip().lower().split())


def choice(name: str, value, options) -> str:
    """Visible check: one of ``options`` (plain ``str``; case and surrounding spaces ignored). Returns the
    normalised answer."""
    __tracebackhide__ = True  # noqa: F841
    allowed = [_normalise(_str(o)) for o in options]
    shown = ", ".join(repr(o) for o in allowed)
    if value is None:
        _fail(f"{name} is still None: replace None (or the line `raise NotImplementedError()`) with one of {shown}.")
    if _type(value) is not _str:
        _fail(f"{name} must be a string, one of {shown}; got {_describe(value)}.")
    answer = _normalise(value)
    if answer not in allowed:
        _fail(f"{name} must be one of {shown}; got {value!r}.")
    return answer


def close(name: str, value, expected: float, abs_tol: float) -> None:
    """Hidden check: ``value`` is a plain number within ``abs_tol`` of ``expected``."""
    __tracebackhide__ = True  # noqa: F841
    x = number(name, value)
    if not _isclose(x, _float(expected), rel_tol=0.0, abs_tol=_float(abs_tol)):
        _fail(f"{name} is not correct.")


def same_choice(name: str, value, expected: str, options) -> None:
    """Hidden check: ``value`` is the option ``expected``."""
    __tracebackhide__ = True  # noqa: F841
    answer = choice(name, value, options)
    if answer != _normalise(expected):
        _fail(f"{name} is not correct.")


def one_of(name: str, value, accepted, options) -> None:
    """Hidden check: ``value`` is one of the ``accepted`` options (when several answers are defensible)."""
    __tracebackhide__ = True  # noqa: F841
    answer = choice(name, value, options)
    if answer not in {_normalise(a) for a in accepted}:
        _fail(f"{name} is not correct.")


def passed(*names: str) -> None:
    """Print that the visible checks of ``names`` passed (the values are checked when graded)."""
    print(f"Checks passed for {', '.join(names)}: the form is right. The values are checked when the set is graded.")
