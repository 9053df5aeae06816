"""How long a load has lasted, counted back from the click: the edges of the judgement."""

from __future__ import annotations

from desktop.diagnostics.rules import spell
from desktop.diagnostics.sampling import os_backfill
from desktop.diagnostics.sampling.history import History
from tests import builders as b


def _input(times_values, step=2.0):
    ring = History(len(times_values) + 1)
    for t, v in times_values:
        ring.append(t, {"cpu_pct": v})
    return b.rule_input(window=ring.window())


def over(v):
    return v >= 85


def test_a_spell_is_measured_from_the_click_back_to_its_start():
    rows = [(1000 + 2 * i, 99.0 if i >= 10 else 5.0) for i in range(30)]
    s = spell.to_now(_input(rows), "cpu_pct", over)
    assert s.seconds == 40 and s.samples == 20 and not s.reaches_start


def test_not_busy_now_is_no_spell():
    rows = [(1000 + 2 * i, 99.0 if i < 20 else 5.0) for i in range(30)]
    assert spell.to_now(_input(rows), "cpu_pct", over) is None


def test_a_clock_set_back_ends_the_spell_there():
    rows = [(5000 + 2 * i, 99.0) for i in range(10)] + [(1000 + 2 * i, 99.0) for i in range(10)]
    s = spell.to_now(_input(rows), "cpu_pct", over)
    assert s.seconds == 20 and s.samples == 10


def test_a_computer_that_slept_does_not_stretch_the_spell_over_the_night():
    rows = [(1000 + 2 * i, 99.0) for i in range(10)] + [(40_000 + 2 * i, 99.0) for i in range(5)]
    s = spell.to_now(_input(rows), "cpu_pct", over)
    assert s.seconds == 10 and s.samples == 5


def test_a_process_record_cannot_claim_more_than_the_machine():
    now = 10_000.0
    absurd = b.life("Broken Counter", 30.0, 1e12, now)
    # Alone it would make any span "busy"; capped at what 2 cores can do in 30 s it is
    # exactly the machine, and the span is its age, not more.
    found = os_backfill.busy_spell([absurd], now, 2, 85)
    assert found is not None and found.seconds == 30 and found.mean_pct == 100.0
    # A process from the future (a clock set back) is not counted at all.
    assert os_backfill.busy_spell([b.life("x", -50.0, 10.0, now)], now, 2, 85) is None
