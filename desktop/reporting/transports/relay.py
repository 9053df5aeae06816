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

import json
import socket
from dataclasses import dataclass
from typing import Any

import requests
import tomllib

from desktop import __version__
from desktop.config import Policy
from desktop.reporting import credentials
from desktop.reporting.redact import _hash
from desktop.reporting.transports.base import (
    STATUS_WORDS,
    DeliveryError,
    PermanentFailure,
    Receipt,
    TemporaryFailure,
)
from desktop.reporting.transports.webhook import check_url, retry_after
from desktop.resources_access import read_text

KEYRING_NAME = "relay-device"
RECEIPT_SCHEMA = "ally.relay-receipt/1"
REFUSED_RETRY_S = 3600.0  # a refused device asks again hourly, so IT's fix is picked up
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Enrolment:
    token: str
    relay: str  # the relay URL it was made for
    enrolled_with: str  # the id of the enrolment token used

    @classmethod
    def stored(cls) -> Enrolment | None:
        raw = credentials.get_secret(KEYRING_NAME)
        try:
            data = json.loads(raw) if raw else None
            return cls(data["token"], data["relay"], data["enrolled_with"]) if data else None
        except (ValueError, KeyError, TypeError):
            return None

    def store(self) -> None:
        credentials.set_secret(KEYRING_NAME, json.dumps(self.__dict__))


def _token_id(enrolment_token: str | None) -> str:
    parts = (enrolment_token or "").split(".")
    return parts[1] if len(parts) == 3 else ""


def _device_name(policy: Policy) -> str:
    host = socket.gethostname()
    rule = policy.privacy.host_name
    return (
        host if rule == "keep" else _hash(host, policy.privacy.hash_salt) if rule == "hash" else ""
    )


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
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"Ally/{__version__}"
        # Passed with each request: a Session's own ``verify`` loses to REQUESTS_CA_BUNDLE.
        self.verify: str | bool = r.ca_bundle or True
        self.timeout = (5.0, r.timeout_s)

    # --- enrolment ------------------------------------------------------------------------

    def ensure_enrolled(self) -> Enrolment:
        """This person's device token for this relay, enrolling first when there is none,
        when it was made for another relay, or when IT's policy has a new token."""
        try:
            current = Enrolment.stored()
        except credentials.CredentialsUnavailable as exc:  # no keyring: nowhere to keep a token
            raise TemporaryFailure(str(exc), REFUSED_RETRY_S, "settings") from exc
        wanted = _token_id(self.policy.relay.enrolment_token)
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
        response = self._call(
            "POST",
            "/api/v1/enrol",
            json={"token": token, "name": _device_name(self.policy), "ally_version": __version__},
        )
        if response.status_code == 403:
            raise TemporaryFailure(
                f"the relay refused the enrolment token: {_error(response)}",
                REFUSED_RETRY_S,
                "device_refused",
            )
        data = _json(response)
        if response.status_code != 201 or not str(data.get("device_token", "")).startswith(
            "allydev."
        ):
            raise TemporaryFailure(f"{self.url} did not enrol this computer: {_said(response)}")
        enrolment = Enrolment(data["device_token"], self.url, _token_id(token))
        try:
            enrolment.store()
        except credentials.CredentialsUnavailable as exc:
            raise TemporaryFailure(str(exc), REFUSED_RETRY_S, "settings") from exc
        return enrolment

    # --- sending ----------------------------------------------------------------------------

    def send(self, report: dict[str, Any], body: bytes) -> Receipt:
        enrolment = self.ensure_enrolled()
        response = self._post_report(enrolment, report, body)
        if response.status_code == 401 and _token_id(self.policy.relay.enrolment_token) not in (
            "",
            enrolment.enrolled_with,
        ):
            response = self._post_report(self._enrol(), report, body)  # IT's new token
        status = response.status_code
        if status == 401:
            raise TemporaryFailure(
                f"the relay does not accept this computer's device token: {_error(response)}",
                REFUSED_RETRY_S,
                "device_refused",
            )
        if status in (200, 201):
            data = _json(response)
            if (
                data.get("schema") != RECEIPT_SCHEMA
                or data.get("report_id") != report["id"]
                or not isinstance(data.get("number"), int)
            ):
                raise TemporaryFailure(
                    f"{self.url} answered HTTP {status} without the relay's receipt for this "
                    f"report: {_said(response)}"
                )
            return Receipt(
                self.name, str(data["number"]), self.url + f"/api/v1/reports/{report['id']}"
            )
        if status in (413, 422):
            raise PermanentFailure(f"the relay refused the report: HTTP {status}", "rejected")
        if status == 409:
            raise PermanentFailure("the relay holds another report under this id", "rejected")
        raise TemporaryFailure(f"{self.url} answered HTTP {status}: {_said(response)}")

    def _post_report(self, enrolment: Enrolment, report: dict[str, Any], body: bytes):  # type: ignore[no-untyped-def]
        return self._call(
            "POST",
            "/api/v1/reports",
            data=body,
            headers={
                "Authorization": f"Bearer {enrolment.token}",
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": report["id"],
            },
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(
                method,
                self.url + path,
                timeout=self.timeout,
                verify=self.verify,
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
        response = self._call(
            "GET",
            f"/api/v1/reports/{reference}",
            headers={"Authorization": f"Bearer {enrolment.token}"},
        )
        if response.status_code != 200:
            raise PermanentFailure(f"the relay answered HTTP {response.status_code}", "rejected")
        data = _json(response)
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
            response = self._call(
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
            return True, f"enrolled as device {_json(response).get('device_id')}"
        return False, f"the relay refuses this computer's device token ({_error(response)}); ask IT"


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error(response: requests.Response) -> str:
    return str(_json(response).get("error") or f"HTTP {response.status_code}")


def _said(response: requests.Response) -> str:
    return f"HTTP {response.status_code} {response.headers.get('Content-Type', '')} {response.text[:200]!r}"


def doctor_lines(policy: Policy) -> list[tuple[bool, str, str]]:
    """``ally doctor``'s lines for the relay: does it answer, is this computer enrolled."""
    try:
        transport = RelayTransport(policy)
    except DeliveryError as exc:
        return [(False, "relay", exc.detail)]
    out = []
    try:
        response = transport._call("GET", "/healthz")
        data = _json(response)
        healthy = response.status_code == 200 and data.get("status") == "ok"
        out.append(
            (
                healthy,
                "relay",
                f"{transport.url} answers (version {data.get('version')})"
                if healthy
                else f"{transport.url} is not a healthy relay: {_said(response)}",
            )
        )
    except DeliveryError as exc:
        out.append((False, "relay", f"{exc.detail}; reports wait in the outbox until it answers"))
    try:
        enrolled, text = transport.check()
        out.append((enrolled, "enrolment", text))
    except credentials.CredentialsUnavailable as exc:
        out.append((False, "enrolment", str(exc)))
    return out
