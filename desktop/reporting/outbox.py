"""The outbox: every report is on disk before any send is tried, and leaves only with a
receipt.

Layout under the outbox folder:
  pending/<id>.json        the report exactly as it will be sent (atomic write)
  pending/<id>.state.json  attempts, when to try next, the last error
  sent/<id>.json           the receipt (and the report) once IT has it
  quarantine/              entries that could not be read, with a note why

A delivery first records the attempt, then sends with the report id as idempotency
key, then writes the receipt, then removes the pending entry. Killed between any two
steps, the next run either sends again with the same key (the receiver keeps one) or
finds the receipt and only tidies up: nothing is lost, nothing is sent twice where the
receiver honours the key.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.atomic import write_atomic
from desktop.reporting.report import SCHEMA, dumps
from desktop.reporting.transports.base import (
    DeliveryError,
    PermanentFailure,
    Receipt,
    TemporaryFailure,
    Transport,
)

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0
STALE_TEMP_S = 3600.0


@dataclass
class DeliveryState:
    attempts: int = 0
    next_attempt_at: float = 0.0
    status: str = "waiting"  # waiting: will be tried; stopped: needs someone to act first
    last_error: str | None = None  # for IT
    plain_key: str | None = None  # the catalog key of the person's sentence

    @classmethod
    def load(cls, path: Path) -> DeliveryState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except FileNotFoundError:
            return cls()
        except (ValueError, TypeError, OSError):
            log.warning("delivery state %s unreadable; starting it afresh", path)
            return cls()

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps(self.__dict__).encode("utf-8"))


@dataclass
class Entry:
    report_id: str
    report: dict[str, Any]
    body: bytes
    state: DeliveryState


@dataclass
class Outcome:
    report_id: str
    receipt: Receipt | None = None
    error: DeliveryError | None = None
    will_retry: bool = False


@dataclass
class Quarantined:
    name: str
    reason: str


@dataclass
class Outbox:
    root: Path
    clock: Callable[[], float] = time.time
    jitter: Callable[[], float] = random.random
    quarantined: list[Quarantined] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    @property
    def pending_dir(self) -> Path:
        return self.root / "pending"

    @property
    def sent_dir(self) -> Path:
        return self.root / "sent"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    # --- adding -----------------------------------------------------------------------

    def add(self, report: dict[str, Any]) -> str:
        """Store ``report`` durably; raises OSError (full disk, no permission) to the
        caller, who must tell the person the report is not yet saved."""
        if report.get("schema") != SCHEMA or not report.get("id"):
            raise ValueError("not an Ally report")
        write_atomic(self.pending_dir / f"{report['id']}.json", dumps(report))
        return report["id"]

    # --- reading ----------------------------------------------------------------------

    def entries(self) -> list[Entry]:
        """Every pending report, oldest first. Unreadable ones are set aside, not fatal."""
        if not self.pending_dir.is_dir():
            return []
        self._remove_stale_temp_files()
        out = []
        for path in sorted(self.pending_dir.glob("*.json"), key=_mtime):
            if path.name.endswith(".state.json"):
                continue
            report_id = path.stem
            if (self.sent_dir / f"{report_id}.json").exists():
                self._finish(report_id)  # killed after the receipt was written: only tidy up
                continue
            try:
                body = path.read_bytes()
                report = json.loads(body)
                if (
                    not isinstance(report, dict)
                    or report.get("schema") != SCHEMA
                    or report.get("id") != report_id
                ):
                    raise ValueError("not an Ally report, or its id does not match its file name")
            except FileNotFoundError:
                continue
            except (ValueError, UnicodeDecodeError) as exc:
                self._quarantine(path, f"{type(exc).__name__}: {exc}")
                continue
            except OSError as exc:
                log.warning("cannot read outbox entry %s: %s", path, exc)
                continue
            out.append(
                Entry(report_id, report, body, DeliveryState.load(self._state_path(report_id)))
            )
        return out

    def receipts(self) -> list[dict[str, Any]]:
        out = []
        for path in (
            sorted(self.sent_dir.glob("*.json"), key=_mtime) if self.sent_dir.is_dir() else []
        ):
            try:
                out.append(json.loads(path.read_text(encoding="utf-8"))["receipt"])
            except (ValueError, KeyError, OSError) as exc:
                log.warning("unreadable receipt %s: %s", path, exc)
        return out

    # --- delivering -------------------------------------------------------------------

    def deliver_due(self, transport: Transport) -> list[Outcome]:
        now = self.clock()
        return [
            self.deliver(e, transport)
            for e in self.entries()
            if e.state.status == "waiting" and e.state.next_attempt_at <= now
        ]

    def deliver(self, entry: Entry, transport: Transport) -> Outcome:
        state = entry.state
        state.attempts += 1
        state_path = self._state_path(entry.report_id)
        state.save(state_path)  # the attempt is on record before anything leaves
        try:
            receipt = transport.send(entry.report, entry.body)
        except TemporaryFailure as exc:
            delay = self._backoff(state.attempts)
            if exc.retry_after_s is not None:
                delay = max(delay, exc.retry_after_s)
            state.next_attempt_at = self.clock() + delay
            state.last_error, state.plain_key = exc.detail, exc.plain_key
            state.save(state_path)
            log.info(
                "report %s not delivered (attempt %d), retry in %.0f s: %s",
                entry.report_id,
                state.attempts,
                delay,
                exc.detail,
            )
            return Outcome(entry.report_id, error=exc, will_retry=True)
        except PermanentFailure as exc:
            state.status, state.last_error, state.plain_key = "stopped", exc.detail, exc.plain_key
            state.save(state_path)
            log.warning("report %s stopped: %s", entry.report_id, exc.detail)
            return Outcome(entry.report_id, error=exc)
        except Exception as exc:  # a transport's own bug: keep the report, try again later
            log.exception("transport %s failed on report %s", transport.name, entry.report_id)
            state.next_attempt_at = self.clock() + self._backoff(state.attempts)
            state.last_error, state.plain_key = f"{type(exc).__name__}: {exc}", "temporary"
            state.save(state_path)
            return Outcome(
                entry.report_id, error=TemporaryFailure(state.last_error), will_retry=True
            )
        record = {"receipt": receipt.to_dict(), "attempts": state.attempts, "report": entry.report}
        write_atomic(self.sent_dir / f"{entry.report_id}.json", json.dumps(record).encode("utf-8"))
        self._finish(entry.report_id)
        return Outcome(entry.report_id, receipt=receipt)

    def retry(self, report_id: str) -> None:
        """Try a stopped or waiting report again now (after IT fixed the cause)."""
        if not (self.pending_dir / f"{report_id}.json").exists():
            raise KeyError(report_id)
        state = DeliveryState.load(self._state_path(report_id))
        state.status, state.next_attempt_at = "waiting", 0.0
        state.save(self._state_path(report_id))

    # --- inside -----------------------------------------------------------------------

    def _backoff(self, attempts: int) -> float:
        base = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1))
        return base * (0.8 + 0.4 * self.jitter())  # jitter: a thousand PCs must not retry in step

    def _state_path(self, report_id: str) -> Path:
        return self.pending_dir / f"{report_id}.state.json"

    def _finish(self, report_id: str) -> None:
        for path in (self.pending_dir / f"{report_id}.json", self._state_path(report_id)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _quarantine(self, path: Path, reason: str) -> None:
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        target = self.quarantine_dir / f"{int(self.clock())}-{path.name}"
        try:
            shutil.move(str(path), target)
            target.with_name(target.name + ".why.txt").write_text(reason + "\n", encoding="utf-8")
            state = self._state_path(path.stem)
            if state.exists():
                shutil.move(str(state), target.with_name(target.name + ".state.json"))
        except OSError as exc:
            log.error("cannot set aside unreadable outbox entry %s: %s", path, exc)
            return
        log.warning(
            "outbox entry %s could not be read (%s); set aside as %s", path.name, reason, target
        )
        self.quarantined.append(Quarantined(path.name, reason))

    def _remove_stale_temp_files(self) -> None:
        now = self.clock()
        for tmp in self.pending_dir.glob(".*.tmp"):
            try:
                if now - tmp.stat().st_mtime > STALE_TEMP_S:
                    tmp.unlink()  # a write killed before its rename: the report was never stored
            except OSError:
                pass


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
