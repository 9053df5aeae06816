"""The last minutes of the machine, in fixed-size memory.

Rows are kept column by column in preallocated arrays used as a ring: appending the
millionth sample costs and weighs the same as the first, so Ally can run for months.
Reports take the window as compact columns (one list per metric), never one object per
sample.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from desktop.diagnostics.metrics import HISTORY_COLUMNS

NAN = float("nan")


class History:
    """A ring of ``capacity`` rows of the metrics in HISTORY_COLUMNS, with their wall times."""

    def __init__(self, capacity: int, columns: Sequence[str] = HISTORY_COLUMNS) -> None:
        if capacity < 2:
            raise ValueError("history needs room for at least two samples")
        self.capacity = capacity
        self.columns = tuple(columns)
        self._t = array("d", [NAN]) * capacity
        self._cols = {c: array("d", [NAN]) * capacity for c in self.columns}
        self._next = 0
        self._count = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count

    def append(self, t: float, row: Mapping[str, float | None]) -> None:
        """Add one sample taken at wall time ``t``; missing or None values are stored as NaN."""
        with self._lock:
            i = self._next
            self._t[i] = t
            for c, col in self._cols.items():
                v = row.get(c)
                col[i] = NAN if v is None else float(v)
            self._next = (i + 1) % self.capacity
            self._count = min(self._count + 1, self.capacity)

    def _order(self) -> Iterable[int]:
        start = (self._next - self._count) % self.capacity
        return ((start + k) % self.capacity for k in range(self._count))

    def window(
        self, seconds: float | None = None, now: float | None = None
    ) -> dict[str, list[float]]:
        """The samples of the last ``seconds`` (all if None), oldest first, as columns."""
        with self._lock:
            idx = list(self._order())
            if seconds is not None and idx:
                end = self._t[idx[-1]] if now is None else now
                idx = [i for i in idx if self._t[i] >= end - seconds]
            out = {"t": [self._t[i] for i in idx]}
            for c, col in self._cols.items():
                out[c] = [col[i] for i in idx]
            return out

    def latest(self) -> dict[str, float] | None:
        with self._lock:
            if not self._count:
                return None
            i = (self._next - 1) % self.capacity
            row = {c: col[i] for c, col in self._cols.items()}
            row["t"] = self._t[i]
            return row

    def memory_bytes(self) -> int:
        """What the ring itself occupies: constant for a given capacity."""
        return sum(a.itemsize * len(a) for a in (self._t, *self._cols.values()))


def compact_window(window: Mapping[str, Sequence[float]], digits: int = 1) -> dict[str, list]:
    """A window for JSON: times as whole seconds relative to the first, NaN as null.

    Rounding keeps a 15-minute window small enough to travel in a report.
    """
    times = list(window.get("t", []))
    start = times[0] if times else None
    out: dict[str, list] = {
        "start": start,
        "t_offset_s": [round(t - start) for t in times] if times else [],
    }
    for key, values in window.items():
        if key == "t":
            continue
        out[key] = [None if math.isnan(v) else round(v, digits) for v in values]
    return out


@dataclass(frozen=True)
class AppSample:
    """One application's use at one process sample (see processes probe)."""

    app_id: str
    name: str
    cpu_pct: float
    memory_bytes: int
    process_count: int
    background: str | None = None


class ProcessHistory:
    """The top applications at each (less frequent) process sample, fixed size."""

    def __init__(self, capacity: int) -> None:
        self._ring: deque[tuple[float, tuple[AppSample, ...]]] = deque(maxlen=capacity)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._ring)

    def append(self, t: float, apps: Sequence[AppSample]) -> None:
        with self._lock:
            self._ring.append((t, tuple(apps)))

    def entries(self, seconds: float | None = None) -> list[tuple[float, tuple[AppSample, ...]]]:
        with self._lock:
            items = list(self._ring)
        if seconds is not None and items:
            end = items[-1][0]
            items = [e for e in items if e[0] >= end - seconds]
        return items

    def series(
        self, app_id: str, field: str, seconds: float | None = None
    ) -> list[tuple[float, float]]:
        """(time, value) of one application's ``field`` where it was among the top ones."""
        out = []
        for t, apps in self.entries(seconds):
            for a in apps:
                if a.app_id == app_id:
                    out.append((t, float(getattr(a, field))))
                    break
        return out
