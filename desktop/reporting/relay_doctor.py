"""``ally doctor``'s lines for Ally Relay: does it answer, and is this person's session
enrolled and accepted."""

from __future__ import annotations

from ally_helpdesk.transports.base import DeliveryError
from desktop.base.words import say
from desktop.policy.config import Policy
from desktop.reporting import credentials
from desktop.reporting.transports.relay import RelayTransport, json_of, what_it_said


def doctor_lines(policy: Policy) -> list[tuple[bool, str, str]]:
    """``ally doctor``'s lines for the relay: does it answer, is this computer enrolled."""
    try:
        transport = RelayTransport(policy)
    except DeliveryError as exc:
        return [(False, "relay", exc.detail)]
    out = []
    try:
        response = transport.call("GET", "/healthz")
        data = json_of(response)
        healthy = response.status_code == 200 and data.get("status") == "ok"
        out.append(
            (
                healthy,
                "relay",
                say("relay_answers", "doctor", url=transport.url, version=data.get("version"))
                if healthy
                else say(
                    "relay_unhealthy", "doctor", url=transport.url, answer=what_it_said(response)
                ),
            )
        )
    except DeliveryError as exc:
        out.append((False, "relay", say("relay_away", "doctor", detail=exc.detail)))
    try:
        enrolled, text = transport.check()
        out.append((enrolled, "enrolment", text))
    except credentials.CredentialsUnavailable as exc:
        out.append((False, "enrolment", str(exc)))
    return out
