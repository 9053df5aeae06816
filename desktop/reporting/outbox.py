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
receiver honours the key. Only one sender works on an outbox at a time (send_lock.py).

Everything read back from the folder is treated as foreign: ids are ids (never a path),
entries are read only as regular files of a bounded size and checked field by field, and
an entry that fails is set aside in quarantine, never in the way of the others. A state
file with a nonsense time is repaired.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import random
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ally_helpdesk.atomic import write_atomic
from ally_helpdesk.retry import BACKOFF_CAP_S, backoff
from ally_helpdesk.transports.base import (
    MAX_RETRY_AFTER_S,
    DeliveryError,
    PermanentFailure,
    Receipt,
    TemporaryFailure,
    Transport,
)
from desktop.base.safe_read import read_regular_file
from desktop.reporting.entry_check import problem_with
from desktop.reporting.report import SCHEMA, dumps
from desktop.reporting.send_lock import SendLock

log = logging.getLogger(__name__)


def _it(key: str, /, **values: Any) -> str:
    """IT's words about the outbox and its reports ([report_it] in the catalog). Imported
    here: the catalog is read only when there is something to say."""
    from desktop.base.words import say

    return say(key, "report_it", **values)


STALE_TEMP_S = 3600.0
MAX_ENTRY_BYTES = 32 * 1024 * 1024  # a report with a 4 MB screenshot is about 6 MB
MAX_STATE_BYTES = 64 * 1024
SEND_LOCK_WAIT_S = 15.0  # how long a new report waits for another sender to finish
# The form of every report id Ally makes (a UUID): anything else never becomes a path.
REPORT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PLAIN_KEY = re.compile(r"^[a-z_]{1,40}$")


def is_report_id(value: object) -> bool:
    return isinstance(value, str) and bool(REPORT_ID.match(value))


class OutboxBusy(Exception):
    """Another sender (the tray app, another ``ally``) is sending from this outbox."""


@dataclass
class DeliveryState:
    attempts: int = 0
    next_attempt_at: float = 0.0
    status: str = "waiting"  # waiting: will be tried; stopped: needs someone to act first
    last_error: str | None = None  # for IT
    plain_key: str | None = None  # the catalog key of the person's sentence

    @classmethod
    def load(cls, path: Path, now: float | None = None) -> DeliveryState:
        """The state on disk, repaired where it cannot be right: a time that is not a
        number or lies further ahead than any wait Ally sets becomes "now", so a bad file
        neither parks its report for ever nor stops the others."""
        try:
            data = json.loads(read_regular_file(path, MAX_STATE_BYTES, follow_symlinks=False))
        except FileNotFoundError:
            return cls()
        except (ValueError, OSError, RecursionError) as exc:
            log.warning("delivery state %s unreadable (%s); starting it afresh", path, exc)
            return cls()
        if not isinstance(data, dict):
            log.warning("delivery state %s is not a state; starting it afresh", path)
            return cls()
        state, repaired = cls(), []
        attempts = data.get("attempts", 0)
        if isinstance(attempts, int) and not isinstance(attempts, bool) and 0 <= attempts < 10**6:
            state.attempts = attempts
        else:
            repaired.append(f"attempts {attempts!r}")
        when = data.get("next_attempt_at", 0.0)
        latest = (time.time() if now is None else now) + MAX_RETRY_AFTER_S + BACKOFF_CAP_S * 2
        if (
            isinstance(when, (int, float))
            and not isinstance(when, bool)
            and math.isfinite(when)
            and 0 <= when <= latest
        ):
            state.next_attempt_at = float(when)
        else:
            repaired.append(f"next_attempt_at {when!r}")
        status = data.get("status", "waiting")
        if status in ("waiting", "stopped"):
            state.status = status
        else:
            repaired.append(f"status {status!r}")
        error, key = data.get("last_error"), data.get("plain_key")
        state.last_error = error[:2000] if isinstance(error, str) else None
        state.plain_key = key if isinstance(key, str) and PLAIN_KEY.match(key) else None
        if repaired:
            log.warning("delivery state %s repaired: %s", path, ", ".join(repaired)[:500])
            with contextlib.suppress(OSError):
                state.save(path)
        return state

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


@dataclass(frozen=True)
class SentRecord:
    """A report IT has (or Ally's folder has), with its receipt: what "My reports" and
    ``ally outbox list`` show. Only this module knows where these are kept."""

    receipt: dict[str, Any]  # transport, reference, delivered_at ...
    report: dict[str, Any]


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
    # How long a sent report (and its screenshot) is kept here after delivery; None keeps
    # it for good, 0 keeps nothing. Waiting and set-aside reports are never pruned.
    keep_sent_s: float | None = None
    # Whether the sent copy keeps its screenshot; IT's default: the picture goes once IT
    # has the report, the rest stays for ``keep_sent_s``.
    keep_sent_screenshots: bool = True

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

    @property
    def lock(self) -> SendLock:
        return SendLock(self.root / ".sending.lock")

    def add(self, report: dict[str, Any]) -> str:
        """Store ``report`` durably; raises OSError (full disk, no permission) to the
        caller, who must tell the person the report is not yet saved."""
        if report.get("schema") != SCHEMA or not is_report_id(report.get("id")):
            raise ValueError(_it("not_a_report"))
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
                if not is_report_id(path.name.removesuffix(".state.json")):
                    self._quarantine(path, _it("stray_state"))
                continue
            report_id = path.stem
            if not is_report_id(report_id):
                self._quarantine(path, _it("bad_name"))
                continue
            sent = self.sent_dir / f"{report_id}.json"
            if sent.exists() and _is_receipt((self._read_sent(sent) or {}).get("receipt")):
                self._finish(report_id)  # killed after the receipt was written: only tidy up
                continue
            try:
                body = read_regular_file(path, MAX_ENTRY_BYTES, follow_symlinks=False)
                report = json.loads(body)
                problem = problem_with(report, report_id)
                if problem:
                    raise ValueError(problem)
            except FileNotFoundError:
                continue
            except (ValueError, RecursionError) as exc:  # NotReadable and bad UTF-8 included
                self._quarantine(path, f"{type(exc).__name__}: {exc}"[:2000])
                continue
            except OSError as exc:
                if exc.errno == errno.ELOOP:  # a symbolic link where a report should be
                    self._quarantine(path, _it("a_link"))
                else:
                    log.warning("cannot read outbox entry %s: %s", path, exc)
                continue
            state = DeliveryState.load(self._state_path(report_id), self.clock())
            out.append(Entry(report_id, report, body, state))
        return out

    def entry(self, report_id: str) -> Entry | None:
        """The pending report ``report_id``, if it is still waiting here."""
        return next((e for e in self.entries() if e.report_id == report_id), None)

    def sent(self) -> list[SentRecord]:
        """Every report sent, with its receipt, oldest first; unreadable records skipped."""
        out = []
        for path in (
            sorted(self.sent_dir.glob("*.json"), key=_mtime) if self.sent_dir.is_dir() else []
        ):
            record = self._read_sent(path)
            receipt = record.get("receipt") if record else None
            doc = record.get("report") if record else None
            if _is_receipt(receipt) and isinstance(doc, dict):
                out.append(SentRecord(receipt, doc))
        return out

    def prune_sent(self) -> int:
        """Delete sent records older than ``keep_sent_s``; returns how many went. A record
        whose report still waits in pending/ is kept: it is what stops a second send when
        Ally stopped between the receipt and the tidying up."""
        if self.keep_sent_s is None or not self.sent_dir.is_dir():
            return 0
        cutoff = self.clock() - self.keep_sent_s
        pruned = 0
        for path in self.sent_dir.glob("*.json"):
            if not is_report_id(path.stem) or (self.pending_dir / path.name).exists():
                continue
            try:
                if self.keep_sent_s > 0 and path.lstat().st_mtime > cutoff:
                    continue
                path.unlink()
                pruned += 1
            except FileNotFoundError:
                continue
            except OSError as exc:
                log.warning("cannot delete the sent report %s: %s", path, exc)
        if pruned:
            log.info("deleted %d sent reports older than IT's keep_sent_days", pruned)
        return pruned

    def quarantine_count(self) -> int:
        """Entries set aside, in this run or any before: they wait for IT to look."""
        if not self.quarantine_dir.is_dir():
            return 0
        return sum(1 for _ in self.quarantine_dir.glob("*.why.txt"))

    def sent_report(self, report_id: str) -> dict[str, Any] | None:
        """The report as it was sent, from its receipt record; None if there is none."""
        if not is_report_id(report_id):
            raise KeyError(report_id)
        record = self._read_sent(self.sent_dir / f"{report_id}.json")
        report = record.get("report") if record else None
        return report if isinstance(report, dict) and not problem_with(report, report_id) else None

    def receipts(self) -> list[dict[str, Any]]:
        out = []
        for path in (
            sorted(self.sent_dir.glob("*.json"), key=_mtime) if self.sent_dir.is_dir() else []
        ):
            record = self._read_sent(path)
            receipt = record.get("receipt") if record else None
            if _is_receipt(receipt):
                out.append(receipt)
            else:
                log.warning("unreadable receipt %s", path)
        return out

    def _read_sent(self, path: Path) -> dict[str, Any] | None:
        try:
            record = json.loads(read_regular_file(path, MAX_ENTRY_BYTES, follow_symlinks=False))
        except (ValueError, OSError, RecursionError):
            return None
        return record if isinstance(record, dict) else None

    # --- delivering -------------------------------------------------------------------

    def deliver_due(
        self, transport: Transport, wait_s: float = 0.0, say_busy: bool = False
    ) -> list[Outcome]:
        """Send every report that is due. When another sender holds the outbox for longer
        than ``wait_s`` it is sending them already: nothing is sent here (an empty round,
        or OutboxBusy with ``say_busy``)."""
        with self.lock.held(wait_s) as got:
            if not got:
                if say_busy:
                    raise OutboxBusy(str(self.root))
                return []
            now = self.clock()
            outcomes = [
                self._deliver(e, transport)
                for e in self.entries()
                if e.state.status == "waiting" and e.state.next_attempt_at <= now
            ]
            self.prune_sent()
            return outcomes

    def deliver(
        self, entry: Entry, transport: Transport, wait_s: float = SEND_LOCK_WAIT_S
    ) -> Outcome:
        """Send one report now (the person just asked). If another sender is busy for
        longer than ``wait_s``, the report stays saved and that sender's rounds take it."""
        with self.lock.held(wait_s) as got:
            if not got:
                return Outcome(
                    entry.report_id,
                    error=TemporaryFailure(_it("busy"), None, "busy"),
                    will_retry=True,
                )
            sent = self._read_sent(self.sent_dir / f"{entry.report_id}.json")
            if sent is not None and _is_receipt(sent.get("receipt")):
                self._finish(entry.report_id)  # the other sender delivered it meanwhile
                receipt = sent["receipt"]
                return Outcome(
                    entry.report_id,
                    receipt=Receipt(
                        receipt["transport"],
                        receipt["reference"],
                        receipt.get("url"),
                        receipt["delivered_at"],
                    ),
                )
            if not (self.pending_dir / f"{entry.report_id}.json").exists():
                return Outcome(
                    entry.report_id,
                    error=TemporaryFailure(_it("no_longer_waiting"), None, "saved"),
                )
            entry.state = DeliveryState.load(self._state_path(entry.report_id), self.clock())
            outcome = self._deliver(entry, transport)
            self.prune_sent()
            return outcome

    def _deliver(self, entry: Entry, transport: Transport) -> Outcome:
        state = entry.state
        state.attempts += 1
        state_path = self._state_path(entry.report_id)
        state.save(state_path)  # the attempt is on record before anything leaves
        try:
            receipt = transport.send(entry.report, entry.body)
        except TemporaryFailure as exc:
            delay = self._backoff(state.attempts)
            wait = exc.retry_after_s
            if wait is not None and math.isfinite(wait) and wait > 0:
                delay = max(delay, min(wait, MAX_RETRY_AFTER_S))
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
        kept = entry.report
        if not self.keep_sent_screenshots and kept.get("screenshot"):
            kept = {**kept, "screenshot": None}  # IT has it; this computer keeps no copy
        record = {"receipt": receipt.to_dict(), "attempts": state.attempts, "report": kept}
        write_atomic(self.sent_dir / f"{entry.report_id}.json", json.dumps(record).encode("utf-8"))
        self._finish(entry.report_id)
        return Outcome(entry.report_id, receipt=receipt)

    def make_due(self, plain_key: str) -> list[str]:
        """Every waiting report whose last try ended with ``plain_key`` is tried in the next
        round (the cause was fixed: a relay enrolment with IT's new token); their ids."""
        freed = []
        for entry in self.entries():
            state = entry.state
            if state.status == "waiting" and state.plain_key == plain_key:
                state.next_attempt_at = 0.0
                state.save(self._state_path(entry.report_id))
                freed.append(entry.report_id)
        return freed

    def retry(self, report_id: str) -> None:
        """Try a stopped or waiting report again now (after IT fixed the cause)."""
        if not is_report_id(report_id) or not (self.pending_dir / f"{report_id}.json").exists():
            raise KeyError(report_id)
        state = DeliveryState.load(self._state_path(report_id), self.clock())
        state.status, state.next_attempt_at = "waiting", 0.0
        state.save(self._state_path(report_id))

    # --- inside -----------------------------------------------------------------------

    def _backoff(self, attempts: int) -> float:
        return backoff(attempts, self.jitter())

    def _state_path(self, report_id: str) -> Path:
        return self.pending_dir / f"{report_id}.state.json"

    def _finish(self, report_id: str) -> None:
        for path in (self.pending_dir / f"{report_id}.json", self._state_path(report_id)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _quarantine(self, path: Path, reason: str) -> None:
        try:
            self.quarantine_dir.mkdir(parents=True, exist_ok=True)
            target = self.quarantine_dir / f"{int(self.clock())}-{path.name}"
            n = 1
            while target.exists() or target.is_symlink():
                target = self.quarantine_dir / f"{int(self.clock())}-{n}-{path.name}"
                n += 1
            # os.rename moves a link or a FIFO as it is, never what it points to.
            path.rename(target)
            target.with_name(target.name + ".why.txt").write_text(reason + "\n", encoding="utf-8")
            state = self._state_path(path.stem)
            if is_report_id(path.stem) and state.exists():
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
        return path.lstat().st_mtime
    except OSError:
        return 0.0


def _is_receipt(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and all(isinstance(value.get(k), str) for k in ("transport", "reference", "delivered_at"))
        and isinstance(value.get("url"), (str, type(None)))
    )


def open_outbox(
    data_dir: Path, keep_sent_days: int | None = None, keep_sent_screenshots: bool = True
) -> Outbox:
    """This person's outbox in Ally's data folder; with ``keep_sent_days`` (IT's
    ``[privacy] keep_sent_days``), sent reports are kept only that long, and without
    ``keep_sent_screenshots`` their copy here loses its screenshot once delivered."""
    keep = None if keep_sent_days is None else keep_sent_days * 86400.0
    return Outbox(
        data_dir / "outbox", keep_sent_s=keep, keep_sent_screenshots=keep_sent_screenshots
    )
