"""Sending one report, the one way: build, leave out, store, pick the transport, deliver,
and choose what the person reads.

The report window (through :class:`desktop.reporting.session.ReportSession`) and
``ally report`` both send through here, so the person reads the same sentence and IT the
same detail whichever way they sent. No Qt: the window calls it on a worker thread.

When IT has chosen no transport (no policy, or no ``[transport]`` in it), the report goes
to Ally's own folder on this computer. That is not "with IT", and the result says so: the
person reads that the report is saved here because IT has not chosen where reports go,
where the folder is, and how to reach IT; ``ally doctor`` says the same to IT.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ally_helpdesk.report_format import reference_code
from ally_helpdesk.transports.base import PermanentFailure, detail
from desktop.base.paths import AllyPaths
from desktop.diagnostics.explain import Catalog
from desktop.policy.config import Policy
from desktop.reporting import delivery, redact, report
from desktop.reporting.outbox import Outbox


@dataclass(frozen=True)
class SendResult:
    """What became of one report: all the ending screen and the terminal need."""

    delivered: bool  # handed over with a receipt (to IT, or to Ally's folder when IT chose none)
    message: str  # the person's sentence
    reference: str | None = None  # what the person can quote: a ticket number, else the code
    detail: str | None = None  # for IT (shown small, logged)
    saved: bool = True  # False only when the report could not even be stored here
    kept_here: Path | None = None  # Ally's own folder, when IT has not chosen where reports go
    it_contact: str | None = None  # how to reach IT ([it_contact]), when the report stays here

    @property
    def with_it(self) -> bool:
        """IT has the report (not only this computer)."""
        return self.delivered and self.kept_here is None


def prepare(
    diagnosis: Any,  # desktop.diagnostics.diagnosis.Diagnosis
    policy: Policy,
    note: str | None,
    contact: report.Contact | None,
    screenshot: report.Screenshot | None,
    leave_out: Iterable[str],
    report_id: str | None = None,
    fixes: dict[str, Any] | None = None,
    news: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report exactly as it will be sent: built, with what the person and IT's
    privacy policy leave out taken out."""
    full = report.build(diagnosis, note, contact, screenshot, report_id, fixes=fixes, news=news)
    return redact.apply(full, leave_out, delivery.privacy(policy))


def send(doc: dict[str, Any], policy: Policy, paths: AllyPaths, catalog: Catalog) -> SendResult:
    """Store ``doc`` durably, then try to deliver it now."""
    outbox = delivery.outbox(paths, policy)
    try:
        outbox.add(doc)
    except OSError as exc:
        return SendResult(
            False,
            catalog.delivery_message("not_saved", reason=exc.strerror or str(exc)),
            detail=str(exc),
            saved=False,
        )
    return deliver_stored(outbox, doc["id"], policy, paths, catalog)


def deliver_stored(
    outbox: Outbox, report_id: str, policy: Policy, paths: AllyPaths, catalog: Catalog
) -> SendResult:
    """Deliver a report already in the outbox; it stays there whatever goes wrong."""
    from desktop.reporting.credentials import CredentialsUnavailable  # loads the keyring

    code = reference_code(report_id)
    try:
        transport = delivery.make_transport(policy, paths)
    except PermanentFailure as exc:
        return SendResult(False, catalog.delivery_message(exc.plain_key), code, exc.detail)
    except CredentialsUnavailable as exc:
        return SendResult(False, catalog.delivery_message("settings"), code, str(exc))
    entry = outbox.entry(report_id)
    if entry is None:  # taken by another sender meanwhile (the tray's round): not lost
        return SendResult(False, catalog.delivery_message("busy"), code)
    outcome = outbox.deliver(entry, transport)
    if outcome.receipt is None:
        key = outcome.error.plain_key if outcome.error else "temporary"
        return SendResult(
            False,
            catalog.delivery_message(key),
            code,
            outcome.error.detail if outcome.error else None,
        )
    receipt = outcome.receipt
    if not delivery.it_chose_transport(policy):
        folder = delivery.reports_folder(policy, paths)
        return SendResult(
            True,
            catalog.delivery_message("kept_here"),
            code,
            detail("folder", "kept_here", folder=folder),
            kept_here=folder,
            it_contact=it_contact(policy),
        )
    if receipt.transport == "folder":
        return SendResult(True, catalog.delivery_message("sent_folder"), code)
    from desktop.showing.ending import quote_reference

    # The reference the person can quote: the helpdesk's ticket, else the report's code
    # (an email's Message-ID or a webhook's echo of the id is nothing to quote).
    quoted = quote_reference(report_id, receipt.transport, receipt.reference)
    return SendResult(True, catalog.delivery_message("sent", reference=quoted), receipt.reference)


def it_contact(policy: Policy) -> str | None:
    """IT's contact from the policy, as one line ("help@example.com, 0123 456"), if set."""
    c = policy.it_contact
    parts = [p for p in (c.email, c.phone) if p]
    return ", ".join(parts) or None
