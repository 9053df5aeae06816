import json
import math
import tracemalloc

import pytest

from desktop.diagnostics.sampling.history import (
    STATE_SCHEMA,
    AppSample,
    History,
    ProcessHistory,
    compact_window,
    export_state,
    import_state,
)
from desktop.diagnostics.sampling.metrics import HISTORY_COLUMNS, HISTORY_METRICS


def test_history_keeps_the_newest_rows_in_order():
    h = History(capacity=5)
    for i in range(12):
        h.append(1000.0 + i, {"cpu_pct": float(i)})
    w = h.window()
    assert w["t"] == [1007.0, 1008.0, 1009.0, 1010.0, 1011.0]
    assert w["cpu_pct"] == [7.0, 8.0, 9.0, 10.0, 11.0]
    assert len(h) == 5
    assert h.latest()["cpu_pct"] == 11.0


def test_missing_values_are_nan_and_compact_window_turns_them_into_null():
    h = History(capacity=4)
    h.append(100.0, {"cpu_pct": 5.0, "swap_in_pps": None})
    h.append(102.0, {"cpu_pct": 6.0})
    w = h.window()
    assert math.isnan(w["swap_in_pps"][0])
    c = compact_window(w)
    assert c["start"] == 100.0
    assert c["t_offset_s"] == [0, 2]
    assert c["swap_in_pps"] == [None, None]
    assert c["cpu_pct"] == [5.0, 6.0]


def test_window_by_seconds_keeps_only_the_recent_part():
    h = History(capacity=100)
    for i in range(50):
        h.append(float(i * 2), {"cpu_pct": float(i)})
    w = h.window(10)
    assert w["t"] == [88.0, 90.0, 92.0, 94.0, 96.0, 98.0]


def test_history_stays_the_same_size_after_many_thousand_samples():
    h = History(capacity=451)
    row = {c: 1.0 for c in HISTORY_COLUMNS}
    for i in range(1000):
        h.append(float(i), row)
    size_before = h.memory_bytes()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    for i in range(1000, 60_000):
        h.append(float(i), row)
    grown, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert h.memory_bytes() == size_before
    assert len(h) == 451
    # Appending allocates nothing that stays: no growth beyond a few temporary objects.
    assert grown - base < 4096
    assert h.window()["t"][-1] == 59_999.0


def test_process_history_is_a_fixed_size_ring():
    p = ProcessHistory(capacity=3)
    for i in range(10):
        p.append(float(i), [AppSample("chrome", "Google Chrome", float(i), 100 * i, 20)])
    assert len(p) == 3
    assert p.series("chrome", "cpu_pct") == [(7.0, 7.0), (8.0, 8.0), (9.0, 9.0)]


def test_every_history_column_is_described_once_with_a_unit():
    keys = [m.key for m in HISTORY_METRICS]
    assert len(keys) == len(set(keys))
    assert all(m.unit is not None and m.description and m.plain_name for m in HISTORY_METRICS)


def test_history_needs_room_for_two_samples():
    with pytest.raises(ValueError):
        History(capacity=1)


# --- handing the minutes to another process (tray -> terminal) ----------------------------


def _filled():
    h, p = History(10), ProcessHistory(4)
    for i in range(12):
        h.append(1000.0 + 2 * i, {"cpu_pct": 10.0 + i, "mem_used_pct": None})
    p.append(1000.0, [AppSample("chrome", "Google Chrome", 71.0, 2_100_000_000, 38)])
    p.append(1030.0, [AppSample("defender", "Microsoft Defender", 80.0, 1, 2, "antivirus")])
    return h, p


def test_the_minutes_travel_whole_through_json():
    h, p = _filled()
    data = json.loads(json.dumps(export_state(h, p, 2.0)))
    h2, p2 = History(10), ProcessHistory(4)
    assert import_state(data, h2, p2) == 10
    assert h2.window()["t"] == h.window()["t"]
    assert h2.window()["cpu_pct"] == h.window()["cpu_pct"]
    assert all(math.isnan(v) for v in h2.window()["mem_used_pct"])
    assert p2.entries() == p.entries()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.update(schema="other/1"),
        lambda d: d["columns"].update(t=[1, 2, "3"]),
        lambda d: d["columns"].update(cpu_pct=[1.0]),
        lambda d: d["columns"]["t"].reverse(),
        lambda d: d["columns"]["cpu_pct"].__setitem__(0, float("inf")),
        lambda d: d["columns"]["cpu_pct"].__setitem__(0, True),
        lambda d: d["processes"].append([1.0, [["id", 3, 1, 1, 1, None]]]),
        lambda d: d["processes"].append("junk"),
        lambda d: d.clear(),
    ],
)
def test_anything_malformed_from_the_other_side_is_refused(spoil):
    h, p = _filled()
    data = export_state(h, p, 2.0)
    spoil(data)
    with pytest.raises(ValueError):
        import_state(data, History(10), ProcessHistory(4))


def test_schema_name_is_versioned():
    assert STATE_SCHEMA == "ally.history/1"
