"""Request Tracker 5, through its REST2 interface: a ticket in a configured queue with
the HTML view and the JSON report attached. The ticket number is the receipt, and the
ticket's status can be read back for "My reports".

RT has no idempotency key, so the report id goes into the subject and a retry first asks
RT whether a ticket for this report already exists: a retry never opens a second ticket.

The receipt is a ticket read back: after RT answers 201 with an id, Ally asks RT for that
ticket and checks that its subject carries this report's id. Redirects are never followed
(a sign-in page behind a redirect is not RT), and an answer that is not RT's JSON is not
a receipt.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from ally_helpdesk.http_session import SYSTEM_PROXIES, ProxyChoice, new_session
from ally_helpdesk.it_view import html_view
from ally_helpdesk.text_safety import visible
from ally_helpdesk.transport_policy import TransportPolicy
from ally_helpdesk.transports.base import (
    PermanentFailure,
    Receipt,
    TemporaryFailure,
    detail,
)
from ally_helpdesk.transports.email import text_body
from ally_helpdesk.transports.webhook import (
    check_url,
    redirected,
    retry_after,
    server_words,
)


def _it(key: str, /, **values: Any) -> str:
    """IT's words about talking to RT ([transport_detail.request_tracker])."""
    return detail("request_tracker", key, **values)


def subject(report: dict[str, Any]) -> str:
    host = report["machine"].get("hostname") or "a computer"
    headline = report["diagnosis"]["summary"]["headline"]
    return f"[Ally] {report['symptom']}: {headline} ({host}) ally:{report['id']}"


class RequestTrackerTransport:
    name = "request-tracker"

    def __init__(
        self,
        base_url: str,
        queue: str,
        user: str | None,
        secret: str | None,
        ca_bundle: str | None = None,
        timeout: float = 20.0,
        proxy: ProxyChoice = SYSTEM_PROXIES,
    ) -> None:
        self.api = check_url(base_url.rstrip("/")) + "/REST/2.0"
        self.queue = queue
        if not secret:
            raise PermanentFailure(_it("no_password" if user else "no_token"), "secret_missing")
        self.session = new_session(ca_bundle, proxy=proxy)  # the system's trust store, IT's CA
        if user:
            self.session.auth = (user, secret)
        else:
            self.session.headers["Authorization"] = f"token {secret}"
        self.timeout = (5.0, timeout)

    @classmethod
    def from_policy(
        cls, t: TransportPolicy, secret: str | None, proxy: ProxyChoice = SYSTEM_PROXIES
    ) -> RequestTrackerTransport:
        if not t.url:
            raise PermanentFailure(_it("no_url"), "settings")
        return cls(t.url, t.rt_queue, t.rt_user, secret, t.ca_bundle, t.timeout_s, proxy)

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(
                method, self.api + path, timeout=self.timeout, allow_redirects=False, **kwargs
            )
        except requests.exceptions.SSLError as exc:
            raise PermanentFailure(_it("not_trusted", error=exc), "certificate") from exc
        except requests.exceptions.RequestException as exc:
            raise TemporaryFailure(
                _it("talking", kind=type(exc).__name__, url=self.api, error=exc)
            ) from exc
        if 300 <= response.status_code < 400:
            raise redirected(self.api + path, response)
        if response.status_code in (401, 403):
            raise PermanentFailure(
                _it("credentials_refused", status=response.status_code), "credentials"
            )
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryFailure(
                _it("busy", status=response.status_code),
                retry_after(response.headers.get("Retry-After")),
            )
        return response

    def _json(self, response: requests.Response, what: str) -> dict[str, Any]:
        """RT's JSON object, or a failure: a sign-in page or a proxy's page is not RT."""
        try:
            data = response.json()
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            raise PermanentFailure(
                _it(
                    "not_json",
                    url=self.api,
                    what=what,
                    status=response.status_code,
                    answer=server_words(response, 200),
                ),
                "no_receipt",
            )
        return data

    def existing_ticket(self, report_id: str) -> int | None:
        query = f"Subject LIKE 'ally:{report_id}'"
        response = self._call("GET", "/tickets", params={"query": query, "fields": "Subject"})
        if response.status_code != 200:
            return None
        items = self._json(response, _it("ticket_search")).get("items")
        for item in items if isinstance(items, list) else []:
            ticket = _ticket_id(item.get("id") if isinstance(item, dict) else None)
            subject_text = item.get("Subject") if isinstance(item, dict) else None
            if ticket is not None and f"ally:{report_id}" in str(subject_text):
                return ticket
        return None

    def read_back(self, ticket: int, report_id: str) -> None:
        """The ticket exists in RT and is this report's: only then is it a receipt."""
        response = self._call("GET", f"/ticket/{ticket}")
        if response.status_code != 200:
            raise TemporaryFailure(_it("not_shown_yet", ticket=ticket, status=response.status_code))
        data = self._json(response, _it("ticket", ticket=ticket))
        if f"ally:{report_id}" not in str(data.get("Subject", "")):
            raise PermanentFailure(
                _it(
                    "not_this_report",
                    ticket=ticket,
                    subject=visible(str(data.get("Subject")), one_line=True)[:200],
                ),
                "no_receipt",
            )

    def send(self, report: dict[str, Any], body: bytes) -> Receipt:
        found = self.existing_ticket(report["id"])
        if found is not None:  # an earlier attempt got through before Ally heard back
            return Receipt(self.name, str(found), self._ticket_url(found))
        contact = report.get("contact") or {}
        payload: dict[str, Any] = {
            "Queue": self.queue,
            "Subject": subject(report),
            "Content": text_body(report),
            "ContentType": "text/plain",
            "Attachments": [
                {
                    "FileName": "report.html",
                    "FileType": "text/html",
                    "FileContent": base64.b64encode(
                        html_view.render(report).encode("utf-8")
                    ).decode("ascii"),
                },
                {
                    "FileName": "report.json",
                    "FileType": "application/json",
                    "FileContent": base64.b64encode(body).decode("ascii"),
                },
            ],
        }
        if contact.get("email"):
            payload["Requestor"] = contact["email"]
        response = self._call("POST", "/ticket", json=payload)
        if response.status_code != 201:
            raise PermanentFailure(
                _it("not_created", status=response.status_code, answer=server_words(response)),
                "rejected",
            )
        ticket = _ticket_id(self._json(response, _it("new_ticket")).get("id"))
        if ticket is None:
            raise PermanentFailure(
                _it("no_number", answer=server_words(response, 200)), "no_receipt"
            )
        # If this read fails, the next attempt finds the ticket by its subject instead.
        self.read_back(ticket, report["id"])
        return Receipt(self.name, str(ticket), self._ticket_url(ticket))

    def status(self, ticket: str | int) -> str:
        """RT's status word for ``ticket`` (new, open, stalled, resolved, ...)."""
        response = self._call("GET", f"/ticket/{int(ticket)}")
        if response.status_code != 200:
            raise PermanentFailure(
                _it("no_ticket", ticket=ticket, status=response.status_code), "rejected"
            )
        data = self._json(response, _it("ticket", ticket=ticket))
        return visible(str(data.get("Status")), one_line=True)

    def _ticket_url(self, ticket: int) -> str:
        return f"{self.api.removesuffix('/REST/2.0')}/Ticket/Display.html?id={ticket}"


def _ticket_id(value: Any) -> int | None:
    """A ticket number as RT gives it (a number, or digits as text); anything else is not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12:
        return int(value)
    return None


# --- registered in transports/__init__.py: what the policy and the keyring give it ---
USES = ("url", "rt_queue", "rt_user", "ca_bundle", "timeout_s")  # [transport] keys it reads
SECRET = "request-tracker"  # the secret it needs (a desktop's keyring entry), if any


def make(
    t: TransportPolicy,
    secret: Callable[[], str | None],
    proxy: ProxyChoice = SYSTEM_PROXIES,
    default_folder: Path | None = None,
) -> RequestTrackerTransport:
    """A ticket in IT's queue, through RT's REST2 API; the secret is read once the
    address is known (a missing setting is the problem to name first)."""
    if not t.url:
        raise PermanentFailure(_it("no_url"), "settings")
    return RequestTrackerTransport.from_policy(t, secret(), proxy)
