"""A restart is waiting → "Remind me at the end of the day". A reminder, never a restart.

The reminder is kept on disk (it outlives Ally being restarted) and shown by the tray at
the end of the day IT set (``[fixes] end_of_day``, 17:00 by default), or an hour from now
when that time has passed. If the computer restarted in between, the reminder is dropped
without a word. Re-check: the system probe says whether a restart is still waiting.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ally_helpdesk.atomic import write_atomic
from desktop.diagnostics.model import Symptom
from desktop.fixes import recheck
from desktop.fixes.base import Fix, FixContext, Offer, Outcome, Result, for_it

log = logging.getLogger(__name__)
LATE_DELAY = timedelta(hours=1)


def remind_at(now: datetime, end_of_day: str) -> datetime:
    """Today at ``end_of_day`` (local time); an hour from now when that is (nearly) past."""
    hour, minute = (int(x) for x in end_of_day.split(":"))
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return at if at - now >= timedelta(minutes=10) else now + LATE_DELAY


class Reminders:
    """The reminders the person asked for, in Ally's data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "fixes" / "reminders.json"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("reminders unreadable, dropped: %s", exc)
            return {}
        return data if isinstance(data, dict) else {}

    def set(self, kind: str, at: float, finding: str) -> None:
        data = self._read()
        data[kind] = {"at": at, "finding": finding}
        write_atomic(self.path, json.dumps(data).encode())

    def pending(self) -> dict[str, Any]:
        return self._read()

    def due(self, now: float) -> list[tuple[str, dict[str, Any]]]:
        return [
            (k, v)
            for k, v in self._read().items()
            if isinstance(v, dict) and isinstance(v.get("at"), (int, float)) and v["at"] <= now
        ]

    def clear(self, kind: str) -> None:
        data = self._read()
        if data.pop(kind, None) is not None:
            write_atomic(self.path, json.dumps(data).encode())


def _it(key: str, /, **values: Any) -> str:
    return for_it("restart_reminder", key, **values)


def offer(finding: Any, ctx: FixContext) -> Offer:
    at = remind_at(datetime.fromtimestamp(ctx.clock()), ctx.policy.fixes.end_of_day)
    return Offer(
        FIX.id,
        finding.id,
        {"time": at.strftime("%H:%M")},
        {"at": at.timestamp()},
        {"remind_at": at.isoformat(timespec="minutes")},
        _it("offered", at=at.isoformat(timespec="minutes")),
        key=FIX.id,
    )


def apply(offer: Offer, ctx: FixContext) -> Result:
    try:
        Reminders(ctx.paths.data_dir).set("restart", offer.target["at"], offer.finding_id)
    except OSError as exc:
        return Result(Outcome.FAILED, _it("not_saved", error=exc), words=offer.words)
    d = recheck.run(ctx, Symptom.SLOW.value, ["system"])
    system = d.snapshot.section_data("system")
    seen = (
        _it(
            "pending",
            pending=system.pending_restart,
            sources=", ".join(system.pending_restart_sources) or _it("no_source"),
        )
        if system is not None
        else recheck.section_reason(d, "system")
    )
    return Result(Outcome.DONE, _it("set", at=offer.record["remind_at"]), seen, offer.words)


FIX = Fix(
    id="restart_reminder",
    answers=("restart_pending", "uptime_long"),
    platforms=("linux", "darwin", "win32"),
    rights="own_folder",  # [fix_it.rights] in the catalog
    symptom=Symptom.SLOW,
    offer=offer,
    apply=apply,
    words="fixes.restart_reminder",
)
