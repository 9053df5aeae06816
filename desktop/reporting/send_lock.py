"""One sender at a time per outbox, across processes: an OS file lock.

The tray app's delivery round, ``ally report`` and ``ally outbox send`` may all want to
send the same waiting report at the same moment; without a lock each would POST it. The
lock is the operating system's (``flock`` on Linux and macOS, ``LockFileEx`` through
msvcrt on Windows): it is per open file, so two threads of one process exclude each other
too, and it is released by the system when a process dies, so a killed sender never
leaves the outbox locked.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class SendLock:
    """``with SendLock(path).held(wait_s) as got:`` — ``got`` says whether this sender may
    send; the lock is let go when the block ends."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextlib.contextmanager
    def held(self, wait_s: float = 0.0, poll_s: float = 0.05):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        got = False
        try:
            deadline = time.monotonic() + wait_s
            while not (got := _try_lock(fd)) and time.monotonic() < deadline:
                time.sleep(poll_s)
            yield got
        finally:
            if got:
                with contextlib.suppress(OSError):
                    _unlock(fd)
            os.close(fd)
