"""Ally Relay: the report goes to IT's relay with this computer's own device token; the
relay holds the helpdesk credentials and forwards it.

Enrolment happens once per person, at the first start or the first send: the policy's
enrolment token is exchanged for a device token, stored in the person's keyring. A
device the relay no longer knows, or revoked, keeps its reports and tries again every
hour; when IT puts a new enrolment token in the policy, Ally enrols again by itself.

A report leaves the outbox only with the relay's own receipt: a 2xx JSON answer naming
this report's id. Redirects are never followed (a sign-in page or a portal is not the
relay), certificate checks stay on, plain http:// is allowed only to this computer.
"""

from __future__ import annotations

from typing import Any

import requests

from ally_helpdesk.http_session import new_session
from ally_helpdesk.transports.base import (
    STATUS_WORDS,
    DeliveryError,
    PermanentFailure,
    Receipt,
    TemporaryFailure,
    detail,
)
from ally_helpdesk.transports.webhook import check_url, retry_after
from ally_words import fill
from desktop import __version__
from desktop.base.words import table
from desktop.policy.config import Policy, proxy_choice
from desktop.reporting import credentials
from desktop.reporting.relay_enrolment import KEYRING_NAME, Enrolment, device_name, token_id

RECEIPT_SCHEMA = "ally.relay-receipt/1"
REFUSED_RETRY_S = 3600.0  # a refused device asks again hourly, so IT's fix is picked up
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def status_words() -> dict[str, str]:
    """The person's words for where a report is on its way ([relay] in the catalog)."""
    return {k: str(v) for k, v in table("relay").items()}


class RelayTransport:
    name = "relay"

    def __init__(self, policy: Policy) -> None:
        r = policy.relay
        if not r.url:
            raise PermanentFailure(detail("relay", "no_url"), "settings")
        self.url = check_url(r.url.rstrip("/"))
        self.policy = policy
        # The system's trust store (a company CA pushed by GPO/MDM counts) and IT's CA.
        self.session = new_session(r.ca_bundle, proxy=proxy_choice(policy))
        self.timeout = (5.0, r.timeout_s)
        self.enrolled_now = False  # this transport made a new enrolment (IT's new token)

    # --- enrolment ------------------------------------------------------------------------

    def ensure_enrolled(self) -> Enrolment:
        """This person's device token for this relay, enrolling first when there is none,
        when it was made for another relay, or when IT's policy has a new token."""
        try:
            current = Enrolment.stored()
        except credentials.CredentialsUnavailable as exc:  # no keyring: nowhere to keep a token
            raise TemporaryFailure(str(exc), REFUSED_RETRY_S, "settings") from exc
        wanted = token_id(self.policy.relay.enrolment_token)
        if (
            current
            and current.relay == self.url
            and (not wanted or wanted == current.enrolled_with)
        ):
            return current
        return self._enrol()

    def _enrol(self) -> Enrolment:
        token = self.policy.relay.enrolment_token
        if not token:
            raise TemporaryFailure(
                detail("relay", "no_enrolment_token"),
                REFUSED_RETRY_S,
                "device_refused",
            )
        response = self.call(
            "POST",
            "/api/v1/enrol",
            json={"token": token, "name": device_name(self.policy), "ally_version": __version__},
        )
        if response.status_code == 403:
            raise TemporaryFailure(
                detail("relay", "token_refused", error=error_of(response)),
                REFUSED_RETRY_S,
                "device_refused",
            )
        data = json_of(response)
        if response.status_code != 201 or not str(data.get("device_token", "")).startswith(
            "allydev."
        ):
            raise TemporaryFailure(
                detail("relay", "not_enrolled_by", url=self.url, answer=what_it_said(response))
            )
        enrolment = Enrolment(data["device_token"], self.url, token_id(token))
        try:
            enrolment.store()
        except credentials.CredentialsUnavailable as exc:
            raise TemporaryFailure(str(exc), REFUSED_RETRY_S, "settings") from exc
        self.enrolled_now = True
        return enrolment

    # --- sending ----------------------------------------------------------------------------

    def send(self, report: dict[str, Any], body: bytes) -> Receipt:
        enrolment = self.ensure_enrolled()
        response = self._post_report(enrolment, report, body)
        if response.status_code == 401 and token_id(self.policy.relay.enrolment_token) not in (
            "",
            enrolment.enrolled_with,
        ):
            response = self._post_report(self._enrol(), report, body)  # IT's new token
        status = response.status_code
        if status == 401:
            raise TemporaryFailure(
                detail("relay", "device_refused", error=error_of(response)),
                REFUSED_RETRY_S,
                "device_refused",
            )
        if status in (200, 201):
            data = json_of(response)
            if (
                data.get("schema") != RECEIPT_SCHEMA
                or data.get("report_id") != report["id"]
                or not isinstance(data.get("number"), int)
            ):
                raise TemporaryFailure(
                    detail(
                        "relay",
                        "no_receipt",
                        url=self.url,
                        status=status,
                        answer=what_it_said(response),
                    )
                )
            return Receipt(
                self.name, str(data["number"]), self.url + f"/api/v1/reports/{report['id']}"
            )
        if status in (413, 422):
            raise PermanentFailure(detail("relay", "report_refused", status=status), "rejected")
        if status == 409:
            raise PermanentFailure(detail("relay", "id_taken"), "rejected")
        raise TemporaryFailure(
            detail("relay", "answered", url=self.url, status=status, answer=what_it_said(response))
        )

    def _post_report(self, enrolment: Enrolment, report: dict[str, Any], body: bytes):  # type: ignore[no-untyped-def]
        return self.call(
            "POST",
            "/api/v1/reports",
            data=body,
            headers={
                "Authorization": f"Bearer {enrolment.token}",
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": report["id"],
            },
        )

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request to the relay: bounded in time, never redirected, certificates
        checked; a timeout, a 5xx or a 429 is a TemporaryFailure."""
        try:
            response = self.session.request(
                method,
                self.url + path,
                timeout=self.timeout,
                allow_redirects=False,
                **kwargs,
            )
        except requests.exceptions.SSLError as exc:
            raise PermanentFailure(
                detail("relay", "not_trusted", error=exc), "certificate"
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise TemporaryFailure(
                detail("relay", "talking", kind=type(exc).__name__, url=self.url, error=exc)
            ) from exc
        if 300 <= response.status_code < 400:
            raise TemporaryFailure(
                detail(
                    "relay",
                    "redirected",
                    url=self.url + path,
                    location=response.headers.get("Location"),
                )
            )
        if response.status_code in RETRY_STATUSES:
            raise TemporaryFailure(
                detail("relay", "busy", url=self.url, status=response.status_code),
                retry_after(response.headers.get("Retry-After")),
            )
        return response

    # --- status -------------------------------------------------------------------------------

    def status(self, reference: str) -> str:
        """How the report numbered ``reference`` is doing, in the person's words."""
        enrolment = Enrolment.stored()
        if enrolment is None:
            raise PermanentFailure(detail("relay", "not_enrolled"), "device_refused")
        response = self.call(
            "GET",
            f"/api/v1/reports/{reference}",
            headers={"Authorization": f"Bearer {enrolment.token}"},
        )
        if response.status_code != 200:
            raise PermanentFailure(
                detail("relay", "status_refused", status=response.status_code), "rejected"
            )
        data = json_of(response)
        words = status_words()
        if data.get("state") == "delivered":
            # A status the person's words know ("IT is working on the problem"); one they
            # do not (a helpdesk's own) is never shown bare: the report is with the helpdesk.
            status = data.get("ticket_status")
            if status and status in STATUS_WORDS:
                return fill(words["ticket_status"], {"status": STATUS_WORDS[status]})
            return words["passed_on"]
        return words["stopped" if data.get("state") == "stopped" else "queued"]

    def check(self) -> tuple[bool, str]:
        """For ``ally doctor``: is this computer enrolled, and does the relay accept it?"""
        enrolment = Enrolment.stored()
        if enrolment is None or enrolment.relay != self.url:
            return False, detail("relay", "not_enrolled_yet")
        try:
            response = self.call(
                "GET",
                "/api/v1/device",
                headers={
                    "Authorization": f"Bearer {enrolment.token}",
                    "X-Ally-Version": __version__,
                },
            )
        except DeliveryError as exc:
            return False, exc.detail
        if response.status_code == 200:
            return True, detail("relay", "enrolled", device=json_of(response).get("device_id"))
        if token_id(self.policy.relay.enrolment_token) not in ("", enrolment.enrolled_with):
            # IT already gave a new token: the next send enrols with it, nothing to ask.
            return True, detail("relay", "new_token_next_send", error=error_of(response))
        return False, detail("relay", "device_refused_ask_it", error=error_of(response))


def json_of(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def error_of(response: requests.Response) -> str:
    return str(json_of(response).get("error") or f"HTTP {response.status_code}")


def what_it_said(response: requests.Response) -> str:
    return f"HTTP {response.status_code} {response.headers.get('Content-Type', '')} {response.text[:200]!r}"


__all__ = ["KEYRING_NAME", "Enrolment", "RelayTransport", "status_words"]


# --- registered in transports/__init__.py; built by delivery.make_transport ---
USES = ()  # [transport] keys it reads (the relay's own are in [relay])
SECRET = None  # its device token is its own keyring entry, made when it enrols
