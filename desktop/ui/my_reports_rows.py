"""My reports' rows: when (full date and time in the person's locale), what it was about
(the person's own words for the symptom), what is happening, and the same last words as
the report window's ending (desktop/showing/ending.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, QLocale, QTimeZone

from desktop.base.words import say
from desktop.policy.config import Policy
from desktop.reporting import review as review_words
from desktop.reporting.outbox import Outbox
from desktop.showing import ending

TICKET_STATUS_TRANSPORTS = ("request-tracker", "relay")


@dataclass(frozen=True)
class Row:
    created_at: str  # ISO, for sorting
    when: str
    about: str
    state: str
    ending: ending.Ending
    doc: dict[str, Any]
    found: str = ""  # "What Ally found: …": the answer the person saw when they sent it

    def detail(self) -> str:
        """What the person reads for the chosen report: what Ally found then, and the
        ending's words (what became of it, and what a fix tried for it changed)."""
        return "\n\n".join(x for x in (self.found, self.ending.text()) if x)


def when_text(iso: str, locale: QLocale | None = None) -> str:
    """ "Sunday, 29 November 2026 at 21:50" in the person's own way of writing dates."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except (ValueError, AttributeError):
        return iso
    locale = locale or QLocale.system()
    qt = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.systemTimeZone())
    day = locale.toString(qt.date(), QLocale.FormatType.LongFormat)
    time = locale.toString(qt.time(), QLocale.FormatType.ShortFormat)
    return f"{day}, {time}"


def _m(key: str, **values: Any) -> str:
    return say(key, "my_reports", **values)


def report_rows(
    outbox: Outbox,
    status_of_ticket: Callable[[str], str | None] | None,
    policy: Policy,
) -> list[Row]:
    contact = policy.it_contact
    rows: list[Row] = []
    for e in outbox.entries():
        waiting = e.state.status == "waiting"
        outcome = ending.WAITING if waiting else ending.STOPPED
        ref = ending.quote_reference(e.report_id)
        message = _m("state_waiting" if waiting else "state_stopped", reference=ref)
        fix = ending.what_a_fix_changed(e.report)
        rows.append(_row(e.report, message, ending.ending(outcome, message, ref, contact, fix)))
    from desktop.reporting.delivery import it_chose_transport

    kept_here = not it_chose_transport(policy)  # Ally's own folder: not with IT
    for record in outbox.sent():  # the outbox's own reader: its layout is its own
        receipt, doc = record.receipt, record.report
        transport, reference = str(receipt["transport"]), str(receipt["reference"])
        ref = ending.quote_reference(doc.get("id", ""), transport, reference)
        fix = ending.what_a_fix_changed(doc)
        if kept_here and transport == "folder":
            state = _m("state_kept_here", reference=ref)
            rows.append(_row(doc, state, ending.ending(ending.KEPT_HERE, state, ref, contact, fix)))
            continue
        state = _m("state_sent", reference=ref)
        if status_of_ticket is not None and transport in TICKET_STATUS_TRANSPORTS:
            word = status_of_ticket(reference)
            if word:
                state += " " + _m("state_now", word=word.rstrip("."))
        rows.append(
            _row(
                doc,
                state,
                ending.ending(ending.SENT, state, ref, contact, fix, ending.reachable(doc)),
            )
        )
    rows.sort(key=lambda r: r.created_at, reverse=True)
    return rows


def _row(doc: dict[str, Any], state: str, words: ending.Ending) -> Row:
    created = str(doc.get("created_at", ""))
    summary = (doc.get("diagnosis") or {}).get("summary") or {}
    headline = summary.get("headline") if isinstance(summary, dict) else None
    return Row(
        created,
        when_text(created),
        review_words.symptom_words(str(doc.get("symptom", "other"))),
        state,
        words,
        doc,
        _m("found", headline=headline) if isinstance(headline, str) and headline else "",
    )
