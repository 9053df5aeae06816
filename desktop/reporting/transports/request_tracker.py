"""Request Tracker 5, through its REST2 interface: a ticket in a configured queue with
the HTML view and the JSON report attached. The ticket number is the receipt, and the
ticket's status can be read back for "My reports".

RT has no idempotency key, so the report id goes into the subject and a retry first asks
RT whether a ticket for this report already exists: a retry never opens a second ticket.
"""

from __future__ import annotations

import base64
from typing import Any

import requests

from desktop import __version__
from desktop.config import TransportPolicy
from desktop.reporting import html_view
from desktop.reporting.transports.base import (
    PermanentFailure,
    Receipt,
    TemporaryFailure,
)
from desktop.reporting.transports.email import text_body
from desktop.reporting.transports.webhook import check_url, retry_after


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
    ) -> None:
        self.api = check_url(base_url.rstrip("/")) + "/REST/2.0"
        self.queue = queue
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"Ally/{__version__}"
        if user:
            self.session.auth = (user, secret or "")
        elif secret:
            self.session.headers["Authorization"] = f"token {secret}"
        self.session.verify = ca_bundle or True
        self.timeout = (5.0, timeout)

    @classmethod
    def from_policy(cls, t: TransportPolicy, secret: str | None) -> RequestTrackerTransport:
        if not t.url:
            raise PermanentFailure("[transport] url (RT's base URL) is not set", "settings")
        return cls(t.url, t.rt_queue, t.rt_user, secret, t.ca_bundle, t.timeout_s)

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, self.api + path, timeout=self.timeout, **kwargs)
        except requests.exceptions.SSLError as exc:
            raise PermanentFailure(
                f"RT's certificate is not trusted: {exc}", "certificate"
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise TemporaryFailure(f"{type(exc).__name__} talking to {self.api}: {exc}") from exc
        if response.status_code in (401, 403):
            raise PermanentFailure(
                f"RT refused the credentials: HTTP {response.status_code}", "credentials"
            )
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryFailure(
                f"RT answered HTTP {response.status_code}",
                retry_after(response.headers.get("Retry-After")),
            )
        return response

    def existing_ticket(self, report_id: str) -> int | None:
        query = f"Subject LIKE 'ally:{report_id}'"
        response = self._call("GET", "/tickets", params={"query": query, "fields": "Subject"})
        if response.status_code != 200:
            return None
        items = response.json().get("items", [])
        return int(items[0]["id"]) if items else None

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
                f"RT did not create the ticket: HTTP {response.status_code} {response.text[:300]}",
                "rejected",
            )
        ticket = int(response.json()["id"])
        return Receipt(self.name, str(ticket), self._ticket_url(ticket))

    def status(self, ticket: str | int) -> str:
        """RT's status word for ``ticket`` (new, open, stalled, resolved, ...)."""
        response = self._call("GET", f"/ticket/{int(ticket)}")
        if response.status_code != 200:
            raise PermanentFailure(
                f"RT has no ticket {ticket}: HTTP {response.status_code}", "rejected"
            )
        return str(response.json()["Status"])

    def _ticket_url(self, ticket: int) -> str:
        return f"{self.api.removesuffix('/REST/2.0')}/Ticket/Display.html?id={ticket}"
