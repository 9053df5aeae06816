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
import tomllib

from desktop import __version__
from desktop.config import Policy
from desktop.http_session import new_session
from desktop.paths import AllyPaths
from desktop.reporting import credentials
from desktop.reporting.relay_enrolment import KEYRING_NAME, Enrolment, device_name, token_id
from desktop.reporting.transports.base import (
    STATUS_WORDS,
    DeliveryError,
    PermanentFailure,
    Receipt,
    TemporaryFailure,
)
from desktop.reporting.transports.webhook import check_url, retry_after
from desktop.resources_access import read_text

RECEIPT_SCHEMA = "ally.relay-receipt/1"
REFUSED_RETRY_S = 3600.0  # a refused device asks again hourly, so IT's fix is picked up
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def status_words() -> dict[str, str]:
    return tomllib.loads(read_text("catalog/en.toml")).get("relay", {})


class RelayTransport:
    name = "relay"

    def __init__(self, policy: Policy) -> None:
        r = policy.relay
        if not r.url:
            raise PermanentFailure("[relay] url is not set", "settings")
        self.url = check_url(r.url.rstrip("/"))
        self.policy = policy
        # The system's trust store (a company CA pushed by GPO/MDM counts) and IT's CA.
        self.session = new_session(r.ca_bundle)
        self.timeout = (5.0, r.timeout_s)

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
                "not enrolled, and the policy has no [relay] enrolment_token",
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
                f"the relay refused the enrolment token: {error_of(response)}",
                REFUSED_RETRY_S,
                "device_refused",
            )
        data = json_of(response)
        if response.status_code != 201 or not str(data.get("device_token", "")).startswith(
            "allydev."
        ):
            raise TemporaryFailure(
                f"{self.url} did not enrol this computer: {what_it_said(response)}"
            )
        enrolment = Enrolment(data["device_token"], self.url, token_id(token))
        try:
            enrolment.store()
        except credentials.CredentialsUnavailable as exc:
            raise TemporaryFailure(str(exc), REFUSED_RETRY_S, "settings") from exc
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
                f"the relay does not accept this computer's device token: {error_of(response)}",
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
                    f"{self.url} answered HTTP {status} without the relay's receipt for this "
                    f"report: {what_it_said(response)}"
                )
            return Receipt(
                self.name, str(data["number"]), self.url + f"/api/v1/reports/{report['id']}"
            )
        if status in (413, 422):
            raise PermanentFailure(f"the relay refused the report: HTTP {status}", "rejected")
        if status == 409:
            raise PermanentFailure("the relay holds another report under this id", "rejected")
        raise TemporaryFailure(f"{self.url} answered HTTP {status}: {what_it_said(response)}")

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
                f"the relay's certificate is not trusted: {exc}", "certificate"
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise TemporaryFailure(f"{type(exc).__name__} talking to {self.url}: {exc}") from exc
        if 300 <= response.status_code < 400:
            raise TemporaryFailure(
                f"{self.url}{path} redirected to {response.headers.get('Location')!r}; "
                "a redirect is not the relay's answer"
            )
        if response.status_code in RETRY_STATUSES:
            raise TemporaryFailure(
                f"{self.url} answered HTTP {response.status_code}",
                retry_after(response.headers.get("Retry-After")),
            )
        return response

    # --- status -------------------------------------------------------------------------------

    def status(self, reference: str) -> str:
        """How the report numbered ``reference`` is doing, in the person's words."""
        enrolment = Enrolment.stored()
        if enrolment is None:
            raise PermanentFailure("not enrolled", "device_refused")
        response = self.call(
            "GET",
            f"/api/v1/reports/{reference}",
            headers={"Authorization": f"Bearer {enrolment.token}"},
        )
        if response.status_code != 200:
            raise PermanentFailure(f"the relay answered HTTP {response.status_code}", "rejected")
        data = json_of(response)
        words = status_words()
        if data.get("state") == "delivered":
            status = data.get("ticket_status")
            key = "ticket_status" if status else "passed_on"
            return words[key].format(
                ticket=data.get("ticket"), status=STATUS_WORDS.get(status, status)
            )
        return words["stopped" if data.get("state") == "stopped" else "queued"]

    def check(self) -> tuple[bool, str]:
        """For ``ally doctor``: is this computer enrolled, and does the relay accept it?"""
        enrolment = Enrolment.stored()
        if enrolment is None or enrolment.relay != self.url:
            return False, "not enrolled yet: Ally enrols at its next start or send"
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
            return True, f"enrolled as device {json_of(response).get('device_id')}"
        return (
            False,
            f"the relay refuses this computer's device token ({error_of(response)}); ask IT",
        )


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


# --- registered in transports/__init__.py: what the policy and the keyring give it ---
USES = ()  # [transport] keys it reads
SECRET = None  # its keyring entry (`ally credentials set ...`), if it has one


def build(policy: Policy, paths: AllyPaths) -> RelayTransport:
    return RelayTransport(policy)  # its device token is read (or made) when it sends
