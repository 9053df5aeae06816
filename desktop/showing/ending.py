"""The last words of a report: what happened to it, the reference the person can quote,
when IT usually answers, how to reach IT and what happens next (no Qt here).

The report window's last step and My reports say exactly the same, from the catalog's
[ending] section, so a person who comes back a day later reads what they read at the
click. The reference is the helpdesk's ticket number where one exists, else the first
eight hex digits of the report's id as a code ("7F3A-09C2"), which IT's copy of the
report carries as its reference_code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from desktop.base.words import say
from desktop.policy.config import ItContact

SHORT_CODE_CHARS = 8
TICKET_TRANSPORTS = ("request-tracker", "relay")
# A webhook's helpdesk may answer with its own ticket key ("INC0012345", "HELP-123").
_TICKET_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9#_-]{0,23}$")

# What became of a report: delivered, waiting to be sent, stopped until IT acts, not even
# saved (the drive refused it), or kept on this computer because IT has not chosen where
# reports go (no [transport]): never "IT has your report" then.
SENT, WAITING, STOPPED, NOT_SAVED, KEPT_HERE = (
    "sent",
    "waiting",
    "stopped",
    "not_saved",
    "kept_here",
)


def quote_reference(
    report_id: str, transport: str | None = None, reference: str | None = None
) -> str:
    """The short reference the person can quote: the ticket number, else a code.

    One small function on purpose: when the send result carries its own reference, this
    is the one place to point at it."""
    if reference and transport in TICKET_TRANSPORTS:
        return reference
    if (
        reference
        and transport == "webhook"
        and reference != report_id
        and _TICKET_LIKE.match(reference)
    ):
        return reference
    from ally_helpdesk.report_format import reference_code

    return reference_code(report_id)  # the code IT sees in the report too


@dataclass(frozen=True)
class Ending:
    title: str
    message: str  # the delivery's own sentence (why it waits, when it does)
    lines: tuple[str, ...]  # reference, when IT answers, how to reach IT, what happens next

    def text(self) -> str:
        return "\n\n".join(x for x in (self.message, *self.lines) if x)


def contact_line(contact: ItContact) -> str:
    how = " · ".join(x for x in (contact.email, contact.phone, contact.hours, contact.where) if x)
    return say("contact", "ending", how=how) if how else say("contact_unknown", "ending")


def what_a_fix_changed(doc: dict[str, Any] | None) -> str | None:
    """ "You tried “Close stress-ng-cpu” with Ally. Fixed: your computer is no longer
    busy." for a report a fix was tried for: the words the report window showed after
    the fix, kept in the report (fixes.changed), so the ending and My reports a day later
    say the same. None for a report without one."""
    changed = ((doc or {}).get("fixes") or {}).get("changed")
    if not isinstance(changed, dict) or not changed.get("said"):
        return None
    return say(
        "fix_tried", "ending", button=str(changed.get("button") or ""), said=str(changed["said"])
    )


def reachable(doc: dict[str, Any] | None) -> bool:
    """Whether the report gives IT a way back to the person (an email, a phone, how to
    reach them). A report without one, or where the person left it out, has none."""
    contact = (doc or {}).get("contact") or {}
    return isinstance(contact, dict) and any(contact.get(k) for k in ("email", "phone", "how"))


def ending(
    outcome: str,
    message: str,
    reference: str,
    contact: ItContact,
    fix: str | None = None,
    reachable: bool = True,
) -> Ending:
    """The words for a report whose ``outcome`` is SENT, WAITING, STOPPED or NOT_SAVED;
    ``fix``: what a fix tried for it changed (what_a_fix_changed), said first;
    ``reachable``: the report says how to reach the person (see reachable())."""
    lines: list[str] = [fix] if fix else []
    if outcome != NOT_SAVED:
        lines.append(say("reference", "ending", reference=reference))
    if outcome == SENT and contact.answers_within:  # only once IT has it
        lines.append(say("answers_within", "ending", within=contact.answers_within.strip()))
    next_key = f"next_{outcome}"
    if outcome == SENT and not reachable:
        next_key = "next_sent_no_contact"  # "gets back to you" only with a way to do so
    lines.append(say(next_key, "ending"))
    lines.append(contact_line(contact))
    return Ending(say(f"title_{outcome}", "ending"), message, tuple(lines))
