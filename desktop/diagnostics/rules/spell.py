"""How long something has been bad, counted back from the click.

A person reports what they lived through: "it froze for the last half minute". So the
load rules do not average a fixed window (where a 40-second freeze after a quiet minute
disappears); they walk Ally's history backwards from the moment of the click and measure
the spell that is still going on, tolerating short let-ups inside it. A spell shorter
than ``freeze_min_s`` is a spike, not a finding.

When the spell reaches back to the oldest sample Ally has (the tray started a minute
ago, or ``ally diagnose`` ran cold), Ally's own history cannot say how long it has
lasted; the rules then ask the records the operating system keeps (see
``desktop/diagnostics/sampling/os_backfill.py``) and say which they used.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ally_helpdesk.evidence.spell import Spell, final_spell
from desktop.diagnostics.findings import RuleInput


def values_of(inp: RuleInput, key: str | tuple[str, ...]) -> list[tuple[float, float]]:
    """(time, value) of a history column, or the sum of several; unknown values dropped."""
    keys = (key,) if isinstance(key, str) else key
    times = inp.window.get("t", [])
    columns = [inp.window.get(k, []) for k in keys]
    out = []
    for i, t in enumerate(times):
        vals = [c[i] if i < len(c) else math.nan for c in columns]
        if any(math.isnan(v) for v in vals):
            continue
        out.append((t, sum(vals)))
    return out


def to_now(
    inp: RuleInput, key: str | tuple[str, ...], over: Callable[[float], bool]
) -> Spell | None:
    """The spell over the limit that is still going on at the last sample, or None when
    the last samples are fine (it is not bad now). See :func:`final_spell`."""
    pairs = values_of(inp, key)
    if not pairs:
        return None
    t = inp.thresholds
    return final_spell(pairs, over, inp.step_s, t["dip_max_s"], t["sustained_share"])


def long_enough(seconds: float, inp: RuleInput) -> bool:
    """A freeze the person felt, not a spike."""
    return seconds >= inp.thresholds["freeze_min_s"]
