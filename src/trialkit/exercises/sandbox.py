"""Running one submission's code isolated from everything that matters.

Mechanism (chosen by :func:`mode`):

* ``bwrap`` (Debian package ``bubblewrap``; ``scripts/ensure-system-deps.sh`` installs it): the
  runner (:mod:`trialkit.exercises.runner`) starts in new user, mount, PID, network, IPC and UTS
  namespaces, as uid 65534 inside, with every capability dropped and a clean environment. Its file
  system is an empty root with, read-only, ``/usr`` and the system libraries, the Python installation,
  the virtual environment, the package's ``src/`` and the public ``data/`` folder, and, writable, a
  size-limited tmpfs as ``/tmp`` and as the home folder. The course folder (gradebook, salt, rubrics),
  the repository's other files (exercise sources) and every other submission are simply absent. No
  network interface exists but loopback. When the grader kills the sandbox, the PID namespace dies
  with it, so no process the submission started (double forks included) survives.
* ``setuid`` (fallback when user namespaces are unavailable, grader running as root): the runner runs
  as a dedicated unprivileged uid (one per parallel slot) in a new network namespace, with a private
  temporary home; every process of that uid is killed afterwards. It relies on file permissions to
  hide the course folder (created mode 0700) and needs the Python installation to be readable by
  that uid.

In both modes: resource limits (address space, CPU seconds so a C-level loop is killed even if it
ignores signals, file size, no core files, processes), a per-cell and a whole-submission wall clock
enforced from outside, output read through a pipe with a byte limit. When the grader runs as root, a
pids cgroup caps the number of processes (RLIMIT_NPROC does not bind root-owned namespaces).

A cell that exceeds its time, kills its process or floods its output loses only itself: the sandbox
is killed and started again, replaying the cells before it and skipping the bad one.
"""

from __future__ import annotations

import ctypes
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CGROUP_PIDS = Path("/sys/fs/cgroup/pids")
SLOT_UID = 64000  # the setuid fallback runs slot k as uid SLOT_UID + k


class SandboxError(RuntimeError):
    """No way to isolate a submission on this machine (the message says what to install)."""


@dataclass
class RunResult:
    cells: dict = field(default_factory=dict)     # index -> {"ok", "error", "output", "skipped"}
    answers: dict | None = None
    timeouts: list = field(default_factory=list)  # cells stopped by the per-cell limit
    crashes: list = field(default_factory=list)   # cells during which the runner died
    floods: list = field(default_factory=list)    # cells whose output passed the byte limit
    restarts: int = 0
    seconds: float = 0.0
    status: str = "ok"                            # ok, timeout (whole submission), error
    detail: str = ""


def _base_args() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("lib", "lib64", "lib32", "bin", "sbin"):
        p = Path("/") / name
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), f"/{name}"]
        elif p.is_dir():
            args += ["--ro-bind", str(p), f"/{name}"]
    for f in ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf"):
        if Path(f).exists():
            args += ["--ro-bind", f, f]
    return args


def _mounts() -> list[str]:
    """Read-only binds of what the runner needs: the Python installation, the venv, src/ and data/."""
    seen, args = set(), []
    for p in (Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), ROOT / "src", ROOT / "data"):
        if str(p) in seen or str(p).startswith("/usr/"):
            continue
        seen.add(str(p))
        args += ["--ro-bind", str(p), str(p)]
    return args


def bwrap_command(code: str, *, home_mb: int = 64) -> list[str]:
    size = str(home_mb * 1024 * 1024)
    env = {"HOME": "/home/student", "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin", "TRIALKIT_VARIANT": code,
           "MPLCONFIGDIR": "/tmp/matplotlib", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "LANG": "C.UTF-8"}
    cmd = ["bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534", "--die-with-parent",
           "--new-session", "--cap-drop", "ALL", "--clearenv", "--hostname", "sandbox",
           *_base_args(), "--proc", "/proc", "--dev", "/dev",
           "--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", "/home/student",
           # after the tmpfs: a course or a virtualenv that lives under /tmp stays visible
           *_mounts(), "--chdir", "/home/student"]
    for k, v in env.items():
        cmd += ["--setenv", k, v]
    return cmd + [str(Path(sys.prefix) / "bin" / "python"), "-I", "-m", "trialkit.exercises.runner"]


_PROBE: dict = {}


def mode(prefer: str = "auto") -> str:
    """``"bwrap"`` or ``"setuid"`` (see the module notes); SandboxError if neither works here."""
    if prefer not in ("auto", "bwrap", "setuid"):
        raise ValueError(f"sandbox must be one of 'auto', 'bwrap', 'setuid', got {prefer!r}")
    if "bwrap" not in _PROBE:
        ok = False
        if shutil.which("bwrap"):
            try:
                r = subprocess.run(["bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
                                    "--die-with-parent", "--cap-drop", "ALL", *_base_args(), *_mounts(),
                                    "--proc", "/proc", "--dev", "/dev", str(Path(sys.prefix) / "bin" / "python"),
                                    "-I", "-c", "import os; print(os.getuid())"],
                                   capture_output=True, text=True, timeout=30)
                ok = r.returncode == 0 and r.stdout.strip() == "65534"
            except (OSError, subprocess.SubprocessError):
                ok = False
        _PROBE["bwrap"] = ok
    if prefer in ("auto", "bwrap") and _PROBE["bwrap"]:
        return "bwrap"
    if prefer == "bwrap":
        raise SandboxError("bubblewrap (bwrap) is missing or cannot create user namespaces here: install the Debian "
                           "package bubblewrap (scripts/ensure-system-deps.sh does), or grade as root with --sandbox setuid")
    if os.geteuid() == 0:
        return "setuid"
    raise SandboxError("no sandbox available: install bubblewrap (Debian package `bubblewrap`, see "
                       "scripts/ensure-system-deps.sh) so that submissions run isolated; grading untrusted code without "
                       "isolation is refused")


# --- limits, cgroup, killing ----------------------------------------------------------------------------


def _cgroup(slot: int) -> Path | None:
    if os.geteuid() != 0 or not os.access(CGROUP_PIDS, os.W_OK):
        return None
    path = CGROUP_PIDS / f"trialkit-{os.getpid()}-{slot}"
    try:
        path.mkdir(exist_ok=True)
        (path / "pids.max").write_text("128")
        return path
    except OSError:
        return None


def _kill_cgroup(path: Path | None) -> None:
    if path is None:
        return
    for _ in range(50):
        try:
            pids = [int(x) for x in (path / "cgroup.procs").read_text().split()]
        except OSError:
            return
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)
    try:
        path.rmdir()
    except OSError:
        pass


def _kill_uid(uid: int) -> None:
    import psutil

    for _ in range(20):
        procs = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == uid]
        if not procs:
            return
        for p in procs:
            try:
                p.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(procs, timeout=1)


def _nproc_limit(cgroup: Path | None, uid: int | None) -> int | None:
    """RLIMIT_NPROC for the sandbox: 128 processes for a dedicated uid; for the grader's own uid (counted
    over all its processes) what it already runs plus 128; none when a pids cgroup caps the sandbox."""
    import psutil

    if uid is not None:
        return 128
    if cgroup is not None:
        return None
    me = os.getuid()
    return 128 + sum(1 for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == me)


def _preexec(how: str, *, memory_mb: int, cpu_seconds: int, cgroup: Path | None, uid: int | None,
             nproc: int | None = None):
    def apply():
        import resource

        if cgroup is not None:
            (cgroup / "cgroup.procs").write_text(str(os.getpid()))
        if how == "setuid":
            libc = ctypes.CDLL(None, use_errno=True)
            libc.unshare(0x40000000)  # CLONE_NEWNET: no network (best effort)
        limits = [(resource.RLIMIT_AS, memory_mb * 1024 * 1024), (resource.RLIMIT_CPU, cpu_seconds),
                  (resource.RLIMIT_FSIZE, 64 * 1024 * 1024), (resource.RLIMIT_CORE, 0)]
        if nproc is not None:
            limits.append((resource.RLIMIT_NPROC, nproc))
        for res, value in limits:
            resource.setrlimit(res, (value, value))
        if how == "setuid":
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
    return apply


# --- running ---------------------------------------------------------------------------------------------


def _reader(stream, events: queue.Queue, cap: int) -> None:
    total, pending = 0, b""
    while True:
        chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
        if not chunk:
            break
        total += len(chunk)
        if total > cap:
            events.put(("flood", None))
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            try:
                obj = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                continue
            if isinstance(obj, dict):
                events.put(("event", obj))
    events.put(("eof", None))


def _once(cmd, job: dict, *, env, cwd, preexec, cell_timeout: float, deadline: float, cap: int):
    """One start of the sandbox. Returns (events seen, why it ended: answers/timeout/crash/flood/wall, cell)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env, cwd=cwd, start_new_session=True, preexec_fn=preexec, close_fds=True)
    events: queue.Queue = queue.Queue()
    thread = threading.Thread(target=_reader, args=(proc.stdout, events, cap), daemon=True)
    thread.start()
    try:
        proc.stdin.write(json.dumps(job).encode())
        proc.stdin.close()
    except OSError:
        pass
    seen, current, started = [], None, time.monotonic()
    why = "crash"
    try:
        while True:
            now = time.monotonic()
            if now > deadline:
                why = "wall"
                break
            if current is not None and now - started > cell_timeout:
                why = "timeout"
                break
            try:
                kind, obj = events.get(timeout=0.05)
            except queue.Empty:
                continue
            if kind == "flood":
                why = "flood"
                break
            if kind == "eof":
                why = "crash"
                break
            seen.append(obj)
            if "start" in obj and isinstance(obj["start"], int):
                current, started = obj["start"], time.monotonic()
            elif "done" in obj:
                current = None
            elif "answers" in obj:
                why = "answers"
                break
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.kill()
        proc.wait()
        thread.join(timeout=2)
    return seen, why, current


def run(cells: list[str], names: list[str], *, code: str, cell_timeout: float = 30, timeout: float = 300,
        memory_mb: int = 2048, output_bytes: int = 2_000_000, cell_output: int = 20000, slot: int = 0,
        how: str = "auto", max_restarts: int = 4) -> RunResult:
    """Execute ``cells`` (code sources, in order) in a sandbox; return their outcome and the answers."""
    how = mode(how)
    result = RunResult()
    start = time.monotonic()
    deadline = start + timeout
    skip: set[int] = set()
    cg = _cgroup(slot)
    uid = SLOT_UID + slot if how == "setuid" else None
    tmp = None
    try:
        if how == "bwrap":
            cmd, env, cwd = bwrap_command(code), {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, "/"
        else:
            tmp = tempfile.mkdtemp(prefix="trialkit-sandbox-")
            os.chown(tmp, uid, uid)
            os.chmod(tmp, 0o700)
            cmd = [str(Path(sys.prefix) / "bin" / "python"), "-I", "-m", "trialkit.exercises.runner"]
            env = {"HOME": tmp, "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin", "TRIALKIT_VARIANT": code,
                   "MPLCONFIGDIR": tmp, "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1",
                   "OPENBLAS_NUM_THREADS": "1", "LANG": "C.UTF-8", "TMPDIR": tmp}
            cwd = tmp
        while True:
            job = {"cells": cells, "skip": sorted(skip), "names": names, "cell_output": cell_output}
            pre = _preexec(how, memory_mb=memory_mb, cpu_seconds=int(timeout) + 5, cgroup=cg, uid=uid,
                           nproc=_nproc_limit(cg, uid))
            seen, why, current = _once(cmd, job, env=env, cwd=cwd, preexec=pre, cell_timeout=cell_timeout,
                                       deadline=deadline, cap=output_bytes)
            if cg is not None:
                for pid in (cg / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except OSError:
                        pass
            if uid is not None:
                _kill_uid(uid)
            for obj in seen:
                if "done" in obj and isinstance(obj["done"], int) and 0 <= obj["done"] < len(cells):
                    if obj.get("skipped") and obj["done"] in result.cells:
                        continue
                    result.cells[obj["done"]] = {k: obj.get(k) for k in ("ok", "error", "output", "skipped")}
                elif "answers" in obj and isinstance(obj["answers"], dict):
                    result.answers = obj["answers"]
            if why == "answers":
                break
            if why == "wall":
                result.status, result.detail = "timeout", f"the whole submission took longer than {timeout:g} s"
                break
            if current is None or not isinstance(current, int) or current in skip or not 0 <= current < len(cells):
                result.status = "error"
                result.detail = "the sandbox stopped outside any cell (the runner failed to start or was killed)"
                break
            {"timeout": result.timeouts, "flood": result.floods}.get(why, result.crashes).append(current)
            result.cells[current] = {"ok": False, "output": "", "skipped": False, "error": {
                "timeout": f"CellTimeoutError: the cell ran longer than {cell_timeout:g} s and was stopped",
                "flood": f"OutputLimitError: the cell printed more than {output_bytes} bytes and was stopped",
            }.get(why, "KernelDied: the process running the notebook died during this cell")}
            skip.add(current)
            result.restarts += 1
            if result.restarts > max_restarts:
                result.status, result.detail = "error", f"more than {max_restarts} cells had to be stopped"
                break
    finally:
        _kill_cgroup(cg)
        if uid is not None:
            _kill_uid(uid)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    result.seconds = time.monotonic() - start
    return result
