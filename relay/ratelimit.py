"""Token buckets per device or client address, in memory: a flood from one desktop
(a bug, a stolen token) is answered 429 with Retry-After, which the desktop's outbox
already honours, and cannot crowd out the rest of the fleet."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

MAX_KEYS = 100_000  # bounded: a scan with random tokens cannot grow memory forever


class Buckets:
    def __init__(self, per_second: float, burst: float, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.rate = per_second
        self.burst = burst
        self.clock = clock
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when allowed, else the seconds until one more is allowed."""
        now = self.clock()
        with self._lock:
            level, at = self._state.pop(key, (self.burst, now))
            level = min(self.burst, level + (now - at) * self.rate)
            if level >= 1.0:
                self._state[key] = (level - 1.0, now)
                wait = 0.0
            else:
                self._state[key] = (level, now)
                wait = (1.0 - level) / self.rate
            while len(self._state) > MAX_KEYS:
                self._state.popitem(last=False)
        return wait
