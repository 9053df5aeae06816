"""The last minutes of the machine, in fixed-size memory.

Rows are kept column by column in preallocated arrays used as a ring: appending the
millionth sample costs and weighs the same as the first, so Ally can run for months.
Reports take the window as compact columns (one list per metric), never one object per
sample.
"""

from __future__ import annotations

import itertools
import math
import threading
from array import array
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.sampling.metrics import HISTORY_COLUMNS

NAN = float("nan")


class History:
    """A ring of ``capacity`` rows of the metrics in HISTORY_COLUMNS, with their wall times."""

    def __init__(self, capacity: int, columns: Sequence[str] = HISTORY_COLUMNS) -> None:
        if capacity < 2:
            raise _refused("too_small")
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
        self.capacity = capacity
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


# --- handing the minutes to another process -----------------------------------------------
# `ally diagnose` in a terminal asks the running tray app for what it has watched, so that
# the terminal's answer is as good as the tray's. The format is plain JSON, checked field by
# field on the way in: it crosses a process boundary.

STATE_SCHEMA = "ally.history/1"
MAX_IMPORT_ROWS = 10_000
MAX_IMPORT_APPS = 64


def export_state(history: History, processes: ProcessHistory, interval_s: float) -> dict:
    """The whole ring and the process samples, as JSON-ready data."""
    window = history.window()
    return {
        "schema": STATE_SCHEMA,
        "interval_s": interval_s,
        "columns": {
            key: [None if math.isnan(v) else v for v in values] for key, values in window.items()
        },
        "processes": [
            [
                t,
                [
                    [a.app_id, a.name, a.cpu_pct, a.memory_bytes, a.process_count, a.background]
                    for a in apps
                ],
            ]
            for t, apps in processes.entries()
        ],
    }


def _refused(key: str, **values: object) -> ValueError:
    """Why a history handed over by the tray app is refused, in IT's words from
    [evidence.history_refused] (the caller logs it and starts from an empty history)."""
    return ValueError(it_says("history_refused", key, **values))


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _refused("not_a_number", value=value)
    return float(value)


def import_state(data: object, history: History, processes: ProcessHistory) -> int:
    """Fill empty ``history`` and ``processes`` from :func:`export_state` data. Raises
    ValueError on anything malformed (nothing is half-imported into the caller's rings
    that matter: callers use fresh rings). Returns the number of rows taken."""
    if not isinstance(data, dict) or data.get("schema") != STATE_SCHEMA:
        raise _refused("not_ally")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not isinstance(columns.get("t"), list):
        raise _refused("no_times")
    times = [_number(t) for t in columns["t"]][-MAX_IMPORT_ROWS:]
    if any(b < a for a, b in itertools.pairwise(times)):
        raise _refused("backwards")
    n = len(times)
    rows: list[dict[str, float | None]] = [{} for _ in range(n)]
    for key in history.columns:
        values = columns.get(key)
        if values is None:
            continue  # a metric the other side does not keep: unknown here too
        if not isinstance(values, list):
            raise _refused("not_a_list", column=key)
        values = values[-n:] if n else []
        if len(values) != n:
            raise _refused("wrong_length", column=key, values=len(values), times=n)
        for row, v in zip(rows, values, strict=True):
            row[key] = None if v is None else _number(v)
    entries = []
    for entry in data.get("processes") or []:
        if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[1], list):
            raise _refused("bad_process_sample")
        apps = []
        for a in entry[1][:MAX_IMPORT_APPS]:
            if not isinstance(a, list) or len(a) != 6:
                raise _refused("bad_app_entry")
            app_id, name, cpu, mem, count, background = a
            if not isinstance(app_id, str) or not isinstance(name, str):
                raise _refused("bad_app_name")
            if background is not None and not isinstance(background, str):
                raise _refused("bad_background")
            apps.append(
                AppSample(
                    app_id[:200],
                    name[:200],
                    _number(cpu),
                    int(_number(mem)),
                    int(_number(count)),
                    background,
                )
            )
        entries.append((_number(entry[0]), apps))
    for t, row in zip(times, rows, strict=True):
        history.append(t, row)
    for t, apps in entries[-processes.capacity :]:
        processes.append(t, apps)
    return n
