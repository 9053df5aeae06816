"""A spell over a limit, counted back from the last sample: how the findings measure how
long something has been bad (desktop/diagnostics/rules/spell.py walks the rules' history
with it) and how the charts mark and caption the same spell, so neither contradicts the
other. Short let-ups inside a spell do not end it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ally_helpdesk.evidence.stats import typical_step


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
