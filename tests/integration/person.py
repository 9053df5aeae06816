"""The person at the desk, for tests that act on their programs and files.

Run as root (CI), the tests play an ordinary account, ``nobody``, so "the person's own"
and "another account's" are real accounts: their processes are started with setpriv and
Ally runs as that account too. Run as an ordinary user, the tests play that user, and
the checks that need a second account say so when they skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from desktop.fixes.base import Account

ROOT = Path(__file__).resolve().parent.parent.parent
NOBODY = 65534


def is_root() -> bool:
    return os.geteuid() == 0


def account() -> Account:
    if is_root():
        return Account(NOBODY, "nobody")
    return Account.current()


def prefix() -> list[str]:
    """What runs a command as the person."""
    if is_root():
        return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    return []


def prefix_that_runs_python() -> list[str]:
    """What runs a command as the person such that it may itself start this Python again
    (Ally's watchdog starts its tray app so). Where this Python lives inside root's home
    (pyenv on the build machine: /root is 0700), the person cannot start it; there the
    command runs in a mount namespace of its own in which root's home is a folder the
    person may pass through, holding only that Python's installation."""
    real = Path(os.path.realpath(sys.executable))
    home = Path("/root")
    if not is_root() or home not in real.parents or (home.stat().st_mode & 0o001):
        return prefix()
    top = home / real.relative_to(home).parts[0]  # /root/.pyenv
    script = (
        'keep=$(mktemp -d) && mount --bind "$1" "$keep" && '
        'mount -t tmpfs -o mode=755 tmpfs /root && mkdir -p "$1" && '
        'mount --bind "$keep" "$1" && shift && exec "$@"'
    )
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
            str(top), *prefix()]  # fmt: skip


def folder(prefix_name: str = "ally-person-") -> Path:
    """A folder the person owns, outside pytest's private folders (which only root reads)."""
    path = Path(tempfile.mkdtemp(prefix=prefix_name))
    path.chmod(0o755)
    if is_root():
        os.chown(path, NOBODY, NOBODY)
    return path


def start(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    """A program of the person's, in a folder of theirs (stress-ng writes where it runs)."""
    return subprocess.Popen(
        [*prefix(), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=cwd or tempfile.gettempdir(),
    )


def named(program: str, name: str, where: Path) -> str:
    """``program`` under another name, as a link: the running process is called ``name``
    (the kernel names a process after the file it was started from)."""
    link = where / name
    link.symlink_to(shutil.which(program) or program)
    return str(link)


def ally(*args: str, env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess:
    """``ally`` run as the person, from this checkout."""
    return subprocess.run(
        [*prefix(), sys.executable, "-m", "desktop", *args],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
