"""Which running processes a fix may close: the person's own, of one program, and nothing
the session or the system needs.

Never another account's process, never process 0 or 1, never Ally itself or a program
that started it (its terminal, its session), never a desktop-session program from
resources/session_programs.toml or the operating system's own. Each process is known by
its id *and* its start time, so an id reused by a new program is never mistaken for the
old one; on Linux a pidfd pins the process between that check and the signal.
"""

from __future__ import annotations

import fnmatch
import os
import signal
import sys
import time
from dataclasses import dataclass
from functools import lru_cache

import psutil
import tomllib

from desktop.base.resources_access import read_text
from desktop.diagnostics.apps import default_catalog, normalise
from desktop.diagnostics.sampling.process_sample import default_process_iter
from desktop.diagnostics.sampling.script_names import ScriptNames
from desktop.diagnostics.sampling.service_hosts import SERVICE_PREFIX
from desktop.fixes.base import Account

# Applications from apps.toml that are the desktop or the system, or Ally.
PROTECTED_APP_IDS = frozenset({"desktop-shell", "os-kernel", "ally", "explorer", "finder"})


@dataclass(frozen=True)
class Ref:
    pid: int
    create_time: float
    name: str
    ppid: int
    exe: str | None = None  # macOS only: where the program's bundle is


def _it(key: str, /, **values: object) -> str:
    """IT's words about which processes were left alone and what a signal did
    ([fix_it.own_processes] in the catalog)."""
    from desktop.base.words import say

    return say(key, "fix_it.own_processes", **values)


@lru_cache(maxsize=1)
def _session_patterns() -> tuple[str, ...]:
    data = tomllib.loads(read_text("session_programs.toml"))
    return tuple(normalise(m) for entry in data.get("program", []) for m in entry.get("match", []))


def is_session_program(name: str) -> bool:
    key = normalise(name)
    return any(fnmatch.fnmatchcase(key, p) for p in _session_patterns())


def ancestors(pid: int) -> set[int]:
    """Ally and every process that started it, up to process 1."""
    out = {pid}
    try:
        proc = psutil.Process(pid)
        for parent in proc.parents():
            out.add(parent.pid)
    except psutil.Error:
        pass
    return out


def owned_by(proc: psutil.Process, account: Account) -> bool:
    try:
        if account.uid is not None:
            uids = proc.uids()
            return uids.real == account.uid and uids.effective == account.uid
        return proc.username().lower() == account.name.lower()
    except psutil.Error:
        return False


@dataclass(frozen=True)
class Found:
    refs: tuple[Ref, ...]  # may be closed
    skipped: dict[str, int]  # why others of the same program may not, with how many


def find(app_name: str, account: Account, platform: str = sys.platform) -> Found:
    """The processes of the program people know as ``app_name`` that this account may close."""
    catalog = default_catalog()
    protected = ancestors(os.getpid())
    refs: list[Ref] = []
    skipped: dict[str, int] = {}

    def skip(why: str) -> None:
        skipped[why] = skipped.get(why, 0) + 1

    # The sampler's own walk and names (an interpreter by what it runs, Ally's processes
    # as Ally), so a program has the same name here as in the finding.
    names = ScriptNames()
    for entry in default_process_iter()(["name", "create_time"], ad_value=None):
        name = entry.info.get("name")
        if not name:
            continue
        name = names.name(entry.pid, entry.info.get("create_time"), name)
        ident = catalog.identify(name, names.services)
        if ident.name != app_name:
            continue
        pid = entry.pid
        if pid in (0, 1):
            skip(_it("first_processes"))
            continue
        if pid in protected:
            skip(_it("ally"))
            continue
        if ident.app_id in PROTECTED_APP_IDS or is_session_program(name):
            skip(_it("session"))
            continue
        if name.startswith(SERVICE_PREFIX):  # Windows's to start and stop, never Ally's
            skip(_it("service"))
            continue
        if ident.background:
            skip(_it("maintenance", what=ident.background))
            continue
        try:
            proc = psutil.Process(pid)
            created = proc.create_time()
            ppid = proc.ppid()
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue  # it has ended; only its parent has not noticed yet
        except psutil.Error:
            continue  # ended during the walk
        if not owned_by(proc, account):
            skip(_it("not_owned"))
            continue
        exe = None
        if platform == "darwin":
            try:
                exe = proc.exe()
            except psutil.Error:
                exe = None
        refs.append(Ref(pid, created, name, ppid, exe))
    return Found(tuple(refs), skipped)


def roots(refs: tuple[Ref, ...] | list[Ref]) -> list[Ref]:
    """The processes whose parent is not of the same program: asked to close, they close
    their own helpers (a browser closes its tabs) instead of seeing them die one by one."""
    pids = {r.pid for r in refs}
    return [r for r in refs if r.ppid not in pids] or list(refs)


def same_process(ref: Ref, account: Account) -> bool:
    """Still the very process that was offered (same id, same start, same owner) and not
    already ended (a zombie only waits for its parent to notice)."""
    try:
        proc = psutil.Process(ref.pid)
        if abs(proc.create_time() - ref.create_time) > 0.01:
            return False
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return owned_by(proc, account)
    except psutil.Error:
        return False


def send(ref: Ref, sig: int, account: Account) -> str:
    """Send ``sig`` to the process if it is still the one offered; says what happened."""
    if hasattr(os, "pidfd_open") and sys.platform.startswith("linux"):
        try:
            fd = os.pidfd_open(ref.pid)
        except ProcessLookupError:
            return _it("gone")
        except OSError:
            fd = None
        if fd is not None:
            try:
                # The pidfd holds this very process: checked after it is open, the
                # identity cannot change before the signal.
                if not same_process(ref, account):
                    return _it("not_the_same")
                signal.pidfd_send_signal(fd, sig)
                return "signalled"
            except ProcessLookupError:
                return _it("gone")
            except PermissionError:
                return _it("not_allowed")
            finally:
                os.close(fd)
    if not same_process(ref, account):
        return _it("not_the_same")
    try:
        os.kill(ref.pid, sig)
    except ProcessLookupError:
        return _it("gone")
    except PermissionError:
        return _it("not_allowed")
    return "signalled"


def wait_gone(refs: list[Ref], account: Account, timeout_s: float) -> list[Ref]:
    """Wait until every process has ended (or is not the one offered any more); returns
    those still running after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    left = [r for r in refs if same_process(r, account)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [r for r in left if same_process(r, account)]
    return left


def bundle_name(exe: str | None) -> str | None:
    """'/Applications/Google Chrome.app/Contents/MacOS/Google Chrome' → 'Google Chrome'."""
    if not exe or ".app/Contents/MacOS/" not in exe:
        return None
    bundle = exe.split(".app/Contents/MacOS/", 1)[0]
    return bundle.rsplit("/", 1)[-1] or None


def quit_command(name: str) -> list[str]:
    """macOS: ask an app to quit as its Quit menu does; the name is passed as an argument,
    never pasted into the script."""
    return [
        "osascript",
        "-e",
        "on run argv",
        "-e",
        "tell application (item 1 of argv) to quit",
        "-e",
        "end run",
        name,
    ]


def taskkill_command(pids: list[int], force: bool) -> list[str]:
    """Windows: without /F taskkill asks each program's windows to close (WM_CLOSE), as the
    close button does; /F /T ends it and its children at once."""
    args = ["taskkill"]
    if force:
        args += ["/F", "/T"]
    for pid in pids:
        args += ["/PID", str(int(pid))]
    return args
