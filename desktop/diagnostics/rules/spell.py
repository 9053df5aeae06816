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
from dataclasses import dataclass

from desktop.diagnostics.findings import RuleInput
from desktop.diagnostics.stats import typical_step


@dataclass(frozen=True)
class Spell:
    """A run of samples over a limit that lasts up to the click."""

    seconds: float  # how long it has lasted, up to the last sample
    samples: int  # Ally's samples inside the spell
    share_over: float  # of those, the share over the limit (the rest are short let-ups)
    mean: float
    peak: float
    reaches_start: bool  # the spell begins at the oldest sample: it may be longer still
    history_s: float  # how much history Ally had to judge

    def evidence(self) -> dict[str, float | int | bool]:
        return {
            "own_spell_s": int(self.seconds),
            "samples": self.samples,
            "share_over_pct": round(100 * self.share_over),
            "history_s": round(self.history_s),
        }


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


def final_spell(
    pairs: list[tuple[float, float]],
    over: Callable[[float], bool],
    fallback_step: float,
    dip_max: float,
    sustained_share: float,
) -> Spell | None:
    """The spell over the limit that is still going on at the last of ``pairs`` (time,
    value), by the one rule every surface uses (the findings, the charts' captions and
    marks): let-ups of up to ``dip_max`` seconds inside the spell do not end it (a busy
    processor breathes now and then); a longer one does. Within the spell at least
    ``sustained_share`` of the samples must be over the limit, else its oldest part is
    dropped until that holds. Each sample stands for the step before it, so n samples
    cover n steps.
    """
    if not pairs:
        return None
    times = [p[0] for p in pairs]
    step = typical_step(times, fallback_step)
    history_s = times[-1] - times[0] + step

    # Walk back from the click; the newest samples may themselves be a short let-up.
    start = None  # index of the oldest sample over the limit that still belongs
    dip_since = None  # time of the newest sample of the current let-up
    for i in range(len(pairs) - 1, -1, -1):
        ts, v = pairs[i]
        if i < len(pairs) - 1:
            newer = pairs[i + 1][0]
            # The clock went back (a time sync), or Ally did not watch for a while (the
            # computer slept): what came before says nothing about this spell.
            if ts > newer or newer - ts > step + dip_max:
                break
        if over(v):
            start, dip_since = i, None
            continue
        dip_since = ts if dip_since is None else dip_since
        # A let-up of k samples lasts k steps: from the sample before it to its newest.
        if dip_since - ts + step > dip_max:
            break
    if start is None:
        return None
    spell = pairs[start:]
    share = sum(1 for _, v in spell if over(v)) / len(spell)
    while share < sustained_share and len(spell) > 1:
        spell = spell[1:]
        while spell and not over(spell[0][1]):
            spell = spell[1:]
        if not spell:
            return None
        share = sum(1 for _, v in spell if over(v)) / len(spell)
    vals = [v for _, v in spell]
    return Spell(
        seconds=spell[-1][0] - spell[0][0] + step,
        samples=len(spell),
        share_over=share,
        mean=sum(vals) / len(vals),
        peak=max(vals),
        reaches_start=spell[0][0] == pairs[0][0],
        history_s=history_s,
    )


def long_enough(seconds: float, inp: RuleInput) -> bool:
    """A freeze the person felt, not a spike."""
    return seconds >= inp.thresholds["freeze_min_s"]
