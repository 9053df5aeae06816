"""Token buckets per device or client address: a flood from one desktop (a bug, a stolen
token) is answered 429 with Retry-After, which the desktop's outbox already honours, and
cannot crowd out the rest of the fleet.

With ``[server] workers`` the kernel spreads one device's connections over the workers
however it likes, so each worker holding its own share of a limit refused a device that
happened to land on one worker more often (a CI run refused a device that sent 20).
The buckets therefore live in a table of memory shared across fork (:class:`BucketTable`,
made by the parent before the workers exist), and a limit holds for the relay as a whole.
"""

from __future__ import annotations

import hashlib
import math
import mmap
import struct
import tempfile
import threading
import time
from collections.abc import Callable

try:  # POSIX: a lock the kernel lets go of when a worker dies holding it
    import fcntl
except ImportError:  # Windows runs one relay process only (no fork): the thread lock does
    fcntl = None  # type: ignore[assignment]

SLOTS = 1 << 17  # keys remembered at most: a scan with random tokens cannot grow memory
WAYS = 8  # the slots one key may sit in; the longest idle of them makes room for a new key
_SLOT = struct.Struct("<Qdd")  # key hash (0: empty), tokens left, time of the last take


class BucketTable:
    """Fixed-size shared memory for one kind of limit, with a lock across processes.

    A file lock rather than a semaphore: a worker killed inside the few microseconds it
    holds the lock would leave a semaphore taken and every other worker stuck."""

    def __init__(self, slots: int = SLOTS) -> None:
        self.slots = slots
        self.memory = mmap.mmap(-1, slots * _SLOT.size)  # anonymous, shared with children
        # Only its lock is used, never its bytes; open as long as the table lives.
        self._lock_file = tempfile.TemporaryFile()  # noqa: SIM115
        self._thread_lock = threading.Lock()  # file locks do not exclude threads of one process

    def __enter__(self) -> mmap.mmap:
        self._thread_lock.acquire()
        if fcntl is not None:
            fcntl.lockf(self._lock_file, fcntl.LOCK_EX)
        return self.memory

    def __exit__(self, *_exc: object) -> None:
        if fcntl is not None:
            fcntl.lockf(self._lock_file, fcntl.LOCK_UN)
        self._thread_lock.release()


class Buckets:
    """``burst`` requests at once per key, then ``per_second``."""

    def __init__(
        self,
        per_second: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,  # one clock for all processes
        table: BucketTable | None = None,
    ) -> None:
        self.rate = per_second
        self.burst = burst
        self.clock = clock
        self.table = table or BucketTable()

    def take(self, key: str) -> float:
        """0 when allowed, else the seconds until one more is allowed."""
        h = _hash(key)
        with self.table as memory:
            now = self.clock()
            slot, level, at = self._find(memory, h, now)
            level = min(self.burst, level + max(0.0, now - at) * self.rate)
            if level >= 1.0:
                level -= 1.0
                wait = 0.0
            else:
                wait = (1.0 - level) / self.rate
            _SLOT.pack_into(memory, slot * _SLOT.size, h, level, now)
        return wait

    def give_back(self, key: str) -> None:
        """Undo one take: the request was allowed, but the relay itself could not serve
        it (its database full or away), and a device that sends again must not run out
        of its allowance for the relay's own trouble."""
        h = _hash(key)
        with self.table as memory:
            now = self.clock()
            slot, level, at = self._find(memory, h, now)
            level = min(self.burst, level + max(0.0, now - at) * self.rate + 1.0)
            _SLOT.pack_into(memory, slot * _SLOT.size, h, level, now)

    def _find(self, memory: mmap.mmap, h: int, now: float) -> tuple[int, float, float]:
        """The key's slot and state; a new key starts full, in an empty slot or in place
        of the longest idle key among the slots it may use (that key starts full again
        when it comes back, as a forgotten key always did)."""
        first = h % self.table.slots
        victim, oldest = first, math.inf
        for i in range(WAYS):
            slot = (first + i) % self.table.slots
            key, level, at = _SLOT.unpack_from(memory, slot * _SLOT.size)
            if key == h:
                return slot, level, at
            if key == 0:
                return slot, self.burst, now
            if at < oldest:
                victim, oldest = slot, at
        return victim, self.burst, now


def _hash(key: str) -> int:
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1  # 0 marks an empty slot
