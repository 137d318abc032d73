"""Runs a submission's code cells inside the sandbox and reports the answer variables.

Started by :mod:`trialkit.exercises.sandbox` as ``python -m trialkit.exercises.runner`` inside the
sandbox, with a job on stdin: ``{"cells": [code, ...], "skip": [index, ...], "names": [variable, ...],
"cell_output": bytes}``. It reports on its stdout, one JSON object per line: ``{"start": i}`` before a
cell, ``{"done": i, "ok": bool, "error": str, "output": str}`` after it, and finally
``{"answers": {name: record}}`` (records from :func:`trialkit.exercises.problems.encode`).

Everything this process writes is untrusted: the student's code runs in this same process and can
change anything here. The grader therefore treats the report as data (size-limited, parsed strictly,
compared with expected answers it computes itself) and enforces every time limit from outside.
"""

from __future__ import annotations

import io
import json
import os
import sys


class _Capped(io.TextIOBase):
    """A text stream that keeps at most ``limit`` bytes and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.size, self.dropped = limit, [], 0, 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        data = text.encode("utf-8", "replace")
        room = self.limit - self.size
        if room > 0:
            keep = data[:room].decode("utf-8", "ignore")
            self.parts.append(keep)
            self.size += len(keep.encode("utf-8"))
        self.dropped += max(0, len(data) - max(room, 0))
        return len(text)

    def flush(self):
        pass

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n[output truncated: {self.dropped} more bytes]"
        return out


def main() -> int:
    job = json.loads(sys.stdin.read())
    report = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)

    def emit(obj):
        report.write(json.dumps(obj) + "\n")
        report.flush()

    from IPython.core.interactiveshell import InteractiveShell

    from trialkit.exercises import problems

    shell = InteractiveShell.instance(colors="NoColor")
    shell.showtraceback = lambda *a, **k: None  # errors are reported below, once, without paths
    skip = set(job.get("skip", []))
    limit = int(job.get("cell_output", 20000))
    for i, source in enumerate(job["cells"]):
        if i in skip:
            emit({"done": i, "ok": False, "skipped": True, "error": "", "output": ""})
            continue
        emit({"start": i})
        buffer = _Capped(limit)
        sys.stdout = sys.stderr = buffer
        try:
            result = shell.run_cell(source, store_history=False)
            err = result.error_before_exec or result.error_in_exec
        except BaseException as exc:  # noqa: BLE001 (the student's code may raise anything)
            err = exc
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        error = ""
        if err is not None:
            try:
                error = f"{type(err).__name__}: {str(err)[:500]}"
            except BaseException:  # noqa: BLE001
                error = "an exception that cannot be shown"
        emit({"done": i, "ok": err is None, "error": error, "output": buffer.text()})
    answers = {}
    for name in job["names"]:
        if name in shell.user_ns:
            try:
                answers[name] = problems.encode(shell.user_ns[name])
            except BaseException:  # noqa: BLE001
                answers[name] = {"t": "other", "type": "?"}
    emit({"answers": answers})
    report.close()
    os._exit(0)  # no interpreter shutdown: nothing the student registered (atexit, __del__) runs after this


if __name__ == "__main__":
    sys.exit(main())
