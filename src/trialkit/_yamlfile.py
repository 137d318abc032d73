"""Reading the project's YAML files (quizzes, the bias catalogue, appraisals) with errors that name the file."""

from __future__ import annotations

from pathlib import Path

import yaml


def read(path: Path, error: type[Exception], what: str, kind: type = list, name: str = "file"):
    """The content of YAML file ``path``: a non-empty list (``kind=list``) or a mapping (``kind=dict``).

    Raises ``error`` naming the file when it is missing, not valid YAML, or of the wrong shape;
    ``what`` names the file's items in the message ("questions", "biases"), ``name`` the file itself
    ("quiz", "catalogue")."""
    if not path.exists():
        raise error(f"{path}: no such {name}")
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise error(f"{path}: not valid YAML ({err})") from None
    if kind is list and (not isinstance(content, list) or not content):
        raise error(f"{path}: must be a non-empty list of {what}")
    if kind is dict and not isinstance(content, dict):
        raise error(f"{path}: must hold a mapping (key: value pairs) at the top level")
    return content
