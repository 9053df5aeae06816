"""HTTPS POST of the report JSON, signed, with an idempotency key.

Headers: ``Idempotency-Key`` (the report id, so a retry never opens a second ticket where
the receiver honours it), ``X-Ally-Timestamp`` and ``X-Ally-Signature: sha256=<hex>``, an
HMAC-SHA256 over ``timestamp + "." + body`` with the shared secret. Certificate checks
stay on; a company CA can be given; plain http:// is refused except to this computer.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlparse

import requests

from desktop import __version__
from desktop.reporting.transports.base import PermanentFailure, Receipt, TemporaryFailure

SIGNATURE_HEADER = "X-Ally-Signature"
TIMESTAMP_HEADER = "X-Ally-Timestamp"
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme == "https":
        return url
    if parsed.scheme == "http" and is_loopback(parsed.hostname or ""):
        return url
    raise PermanentFailure(
        f"refusing {url!r}: only https:// (or http:// to this computer itself) is allowed",
        "settings",
    )


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class WebhookTransport:
    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: str | None,
        ca_bundle: str | None = None,
        timeout: tuple[float, float] = (5.0, 20.0),
    ) -> None:
        self.url = check_url(url)
        self.secret = secret
        self.verify: str | bool = ca_bundle or True
        self.timeout = timeout

    def send(self, report: dict[str, Any], body: bytes) -> Receipt:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": report["id"],
            "User-Agent": f"Ally/{__version__}",
            TIMESTAMP_HEADER: timestamp,
        }
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, timestamp, body)
        try:
            response = requests.post(
                self.url, data=body, headers=headers, timeout=self.timeout, verify=self.verify
            )
        except requests.exceptions.SSLError as exc:
            raise PermanentFailure(
                f"TLS certificate of {self.url} not trusted: {exc}", "certificate"
            ) from exc
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
            raise TemporaryFailure(f"{type(exc).__name__} talking to {self.url}: {exc}") from exc
        except requests.exceptions.RequestException as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return Receipt(self.name, *_reference(response, report["id"]))
        if status in RETRY_STATUSES:
            raise TemporaryFailure(
                f"{self.url} answered HTTP {status}",
                retry_after(response.headers.get("Retry-After")),
            )
        if status in (401, 403):
            raise PermanentFailure(
                f"{self.url} refused the credentials: HTTP {status}", "credentials"
            )
        raise PermanentFailure(
            f"{self.url} rejected the report: HTTP {status} {response.text[:300]}", "rejected"
        )


def _reference(response: requests.Response, fallback: str) -> tuple[str, str | None]:
    """The ticket id and URL the receiver gave back, if it gave any."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        ref = data.get("ticket") or data.get("id") or data.get("number") or data.get("key")
        url = data.get("url") or data.get("link")
        if ref is not None:
            return str(ref), str(url) if url else None
    return response.headers.get("Location") or fallback, response.headers.get("Location")
