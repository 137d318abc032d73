"""``make lab``: JupyterLab on the course, with the chapters (MyST Markdown) opening as notebooks.

``python -m trialkit.tooling.lab`` starts JupyterLab in the repository with this interpreter's kernel
(the course's ``.venv``: ``trialkit`` and every dependency importable) and opens ``book/``. Its settings
make a double click on a chapter open it as a notebook through jupytext ("Jupytext Notebook") rather
than as a Markdown text file. They live in ``~/.trialkit/lab-settings`` (or ``--settings-dir``), so
nothing in the repository changes and a reader's own JupyterLab settings are left alone.

:func:`start` runs the same server in the background (a free port, a random token) for the browser
test of the live laboratories.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
#: JupyterLab settings written for the course: text notebooks open as notebooks.
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings":
        {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


def write_settings(folder: Path) -> Path:
    """Write the course's JupyterLab settings into ``folder`` (a JupyterLab user settings folder);
    existing settings files for the same plugins are kept unless they lack the course's keys."""
    folder = Path(folder)
    for rel, values in SETTINGS.items():
        path = folder / rel
        current = {}
        if path.exists():
            try:
                current = json.loads(path.read_text())
            except ValueError:
                current = {}
        merged = {**current, **{k: v for k, v in values.items() if k not in current}}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(merged, indent=2))
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(root: Path, port: int, token: str, open_browser: bool, python: str = sys.executable,
            expose_app: bool = False) -> list[str]:
    """The JupyterLab command line: serve ``root``, open on its ``book/`` folder (``expose_app``: make
    ``window.jupyterapp`` available, for tests that drive JupyterLab's commands)."""
    return [python, "-m", "jupyterlab", f"--ServerApp.root_dir={root}", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
            f"--ServerApp.open_browser={open_browser}",
            "--ServerApp.default_url=/lab/tree/book"] + (
        ["--ServerApp.allow_root=True"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []) + (["--LabApp.expose_app_in_browser=True"] if expose_app else [])


def environment(settings_dir: Path) -> dict:
    env = dict(os.environ)
    env["JUPYTERLAB_SETTINGS_DIR"] = str(write_settings(settings_dir))
    return env


@contextlib.contextmanager
def start(root: Path = ROOT, settings_dir: Path | None = None, timeout: float = 60.0, expose_app: bool = True):
    """Run JupyterLab in the background on a free port with a random token; yield ``(url, token)``
    (the URL without the token) and stop the server (and its kernels) on exit."""
    import tempfile

    port, token = free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="trialkit-lab-") as tmp:
        settings = Path(settings_dir) if settings_dir else Path(tmp) / "settings"
        env = environment(settings)
        env["JUPYTER_RUNTIME_DIR"] = str(Path(tmp) / "runtime")
        log = open(Path(tmp) / "server.log", "w")
        proc = subprocess.Popen(command(Path(root), port, token, open_browser=False, expose_app=expose_app), env=env, cwd=root,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{Path(log.name).read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{Path(log.name).read_text()[-3000:]}")
                time.sleep(0.3)
            yield url, token
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trialkit.tooling.lab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--token", default=None, help="server token (default: a random one, printed with the URL)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument("--settings-dir", type=Path, default=Path.home() / ".trialkit" / "lab-settings")
    args = parser.parse_args(argv)
    token = args.token or secrets.token_hex(16)
    env = environment(args.settings_dir)
    print(f"JupyterLab on {ROOT}: chapters in book/ open as notebooks (double click). "
          f"URL: http://127.0.0.1:{args.port}/lab/tree/book?token={token}  (Ctrl-C to stop)", flush=True)
    return subprocess.call(command(ROOT, args.port, token, open_browser=not args.no_browser), env=env, cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main())
