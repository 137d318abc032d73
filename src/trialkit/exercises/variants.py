"""Per-student variants of the exercise sets.

Every auto-graded question draws its scenario (counts, a design, a SYNTHETIC dataset, a vignette with
quoted evidence) from a random generator seeded by the student's **variant code**. The code is

    base32(HMAC-SHA256(salt, "<set>:<student id>"))[:10] + two check characters

so it depends on a secret salt that only the instructor holds (``COURSE/private/salt``, see
:func:`trialkit.exercises.grading.Course.salt`). The instructor hands each student their code
(``python -m trialkit.exercises codes``); the student types it into the notebook, whose setup cell
builds the scenario from it with the public functions of :mod:`trialkit.exercises.problems`.

What is public and what is not: the method (how a scenario is drawn from a code, how the answers are
computed) is public, like the rest of this open course. The numbers are per student: without the salt
nobody can tell which code belongs to which student, and a classmate's answers are answers to a
different scenario. When a set is graded, the grader derives each student's code from the salt and
the student id (never from the notebook) and computes that student's expected answers itself.

The two check characters catch typing mistakes (:func:`valid_code`); they are not a secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import numpy as np

CODE = re.compile(r"[A-Z2-7]{12}")


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _checksum(body: str) -> str:
    return _b32(hashlib.sha256(("trialkit-variant:" + body).encode()).digest())[:2]


def variant_code(salt: bytes, set_name: str, student: str) -> str:
    """The variant code of ``student`` for ``set_name`` under the instructor's ``salt`` (12 characters)."""
    if not isinstance(salt, bytes) or len(salt) < 16:
        raise ValueError(f"salt must be at least 16 bytes, got {type(salt).__name__} of length "
                         f"{len(salt) if isinstance(salt, (bytes, str)) else 'n/a'}")
    for name, value in (("set_name", set_name), ("student", student)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    body = _b32(hmac.new(salt, f"{set_name}:{student}".encode(), hashlib.sha256).digest())[:10]
    return body + _checksum(body)


def normalise_code(code) -> str:
    """The code in canonical form (upper case, spaces and dashes removed); ValueError when it is not a
    well-formed code or a check character is wrong (a typing mistake)."""
    if not isinstance(code, str):
        raise ValueError(f"the variant code must be a string (in quotes), got {type(code).__name__}")
    text = re.sub(r"[\s-]", "", code).upper()
    if not CODE.fullmatch(text):
        raise ValueError(f"the variant code must be 12 letters A-Z and digits 2-7 (for example 'ABCDE-FGHIJ-KL'), "
                         f"got {code!r}")
    if _checksum(text[:10]) != text[10:]:
        raise ValueError(f"the variant code {code!r} has a typing mistake (its check characters do not match): "
                         "copy it again from what your instructor sent you")
    return text


def valid_code(code) -> bool:
    try:
        normalise_code(code)
        return True
    except ValueError:
        return False


def pretty(code: str) -> str:
    """``ABCDEFGHIJKL`` as ``ABCDE-FGHIJ-KL`` (easier to copy)."""
    code = normalise_code(code)
    return f"{code[:5]}-{code[5:10]}-{code[10:]}"


def rng(set_name: str, code: str, question: str) -> np.random.Generator:
    """The random generator of one question of one variant (independent of the other questions)."""
    code = normalise_code(code)
    digest = hashlib.sha256(f"{set_name}|{code}|{question}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))
