"""What the person tried, kept on disk so a later report tells IT (and IT does not repeat it).

One JSON line per step of an attempt (started, then finished), appended with O_APPEND and
fsync: the tray and ``ally fix`` may write at the same time, and a crash in the middle of
a fix still leaves "started" behind, which a report shows as "result unknown". Lines are
merged by attempt id when read; a torn last line is skipped. The file is trimmed to the
newest entries when it grows past a limit, so it never grows for ever.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ally_helpdesk.atomic import write_atomic
from desktop.fixes.base import Offer, Result, for_it

log = logging.getLogger(__name__)
MAX_BYTES = 256 * 1024  # a few hundred attempts; older ones are trimmed
KEEP_ATTEMPTS = 200
REPORT_WINDOW_S = 24 * 3600.0  # a report carries what was tried in the last day


def _iso(t: float) -> str:
    return (
        datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


class Journal:
    def __init__(self, folder: Path, clock: Callable[[], float] | None = None) -> None:
        import time

        self.path = folder / "fixes" / "journal.jsonl"
        self.clock = clock or time.time

    @classmethod
    def of(cls, paths: Any, clock: Callable[[], float] | None = None) -> Journal:
        return cls(paths.data_dir, clock)

    def _append(self, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            if self.path.stat().st_size > MAX_BYTES:
                self._trim()
        except OSError as exc:
            log.warning("fix journal not trimmed: %s", exc)

    def started(self, offer: Offer, for_report: str | None = None) -> str:
        """Note an attempt before anything is done; returns its id. ``for_report``: the
        report it was tried for, which alone will carry it."""
        attempt = str(uuid.uuid4())
        self._append(
            {
                "attempt": attempt,
                "for_report": for_report,
                "fix": offer.fix_id,
                "finding": offer.finding_id,
                "started_at": _iso(self.clock()),
                "what": dict(offer.record),
                "outcome": None,
            }
        )
        return attempt

    def finished(self, attempt: str, offer: Offer, result: Result) -> None:
        self._append(
            {
                "attempt": attempt,
                "fix": offer.fix_id,
                "finding": offer.finding_id,
                "finished_at": _iso(self.clock()),
                "outcome": result.outcome.value,
                "forced": result.forced,
                "did": result.did,
                "recheck": result.recheck,
            }
        )

    def attempts(self) -> list[dict[str, Any]]:
        """Every attempt on record, oldest first, its steps merged."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            log.warning("fix journal unreadable: %s", exc)
            return []
        merged: dict[str, dict[str, Any]] = {}
        for line in raw.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut off by a crash
            if not isinstance(entry, dict) or not isinstance(entry.get("attempt"), str):
                continue
            merged.setdefault(entry["attempt"], {}).update(
                {
                    k: v
                    for k, v in entry.items()
                    if v is not None or k not in merged[entry["attempt"]]
                }
            )
        return list(merged.values())

    def recent(
        self, window_s: float = REPORT_WINDOW_S, for_report: str | None = None
    ) -> list[dict[str, Any]]:
        """Attempts started in the last ``window_s``, each with a plain outcome
        ("unknown" when Ally stopped before the re-check); with ``for_report``, only those
        tried for that report (what the report carries: never a fix from another one)."""
        since = self.clock() - window_s
        out = []
        for a in self.attempts():
            if for_report is not None and a.get("for_report") != for_report:
                continue
            try:
                started = datetime.fromisoformat(a["started_at"].replace("Z", "+00:00"))
            except (KeyError, TypeError, ValueError):
                continue
            if started.timestamp() < since:
                continue
            out.append(
                {
                    "fix": a.get("fix"),
                    "finding": a.get("finding"),
                    "started_at": a.get("started_at"),
                    "finished_at": a.get("finished_at"),
                    "outcome": a.get("outcome") or "unknown",
                    "forced": bool(a.get("forced")),
                    "what": a.get("what") or {},
                    "did": a.get("did") or for_it("journal", "unfinished"),
                    "recheck": a.get("recheck"),
                }
            )
        return out

    def _trim(self) -> None:
        keep = self.attempts()[-KEEP_ATTEMPTS:]
        lines = b"".join(
            (json.dumps(a, ensure_ascii=False, separators=(",", ":")) + "\n").encode() for a in keep
        )
        write_atomic(self.path, lines)
