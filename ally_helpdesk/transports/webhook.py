"""HTTPS POST of the report JSON, signed, with an idempotency key.

The receipt is a 2xx answer from the configured URL itself whose body is a JSON object
(``ticket``, ``id``, ``number`` or ``key`` is the number IT will see). Redirects are never
followed: on 301/302/303 the POST would become a GET without the report, and a sign-in
page at the end would look like a success; on 307/308 the report, its signature and its
key would go to another host. A 3xx, or a 2xx that is not JSON (a sign-in page), keeps
the report in the outbox.

Headers: ``Idempotency-Key`` (the report id, so a retry never opens a second ticket where
the receiver honours it), ``X-Ally-Timestamp`` and ``X-Ally-Signature: sha256=<hex>``, an
HMAC-SHA256 over ``timestamp + "." + body`` with the shared secret. Certificate checks
stay on; a company CA can be given; plain http:// is refused except to this computer.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests

from ally_helpdesk import __version__
from ally_helpdesk.http_session import SYSTEM_PROXIES, ProxyChoice, new_session
from ally_helpdesk.text_safety import visible
from ally_helpdesk.transport_policy import TransportPolicy
from ally_helpdesk.transports.base import (
    MAX_RETRY_AFTER_S,
    PermanentFailure,
    Receipt,
    TemporaryFailure,
    detail,
)

SIGNATURE_HEADER = "X-Ally-Signature"
TIMESTAMP_HEADER = "X-Ally-Timestamp"
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def _it(key: str, /, **values: Any) -> str:
    """IT's words about talking to the webhook ([transport_detail.webhook])."""
    return detail("webhook", key, **values)


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
    raise PermanentFailure(detail("http", "not_https", url=url), "settings")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date), at most
    MAX_RETRY_AFTER_S; None for a value that is negative, not a number or not a date, so
    Ally's own backoff applies. A server cannot park a report for a year."""
    if not value or len(value) > 64:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_S)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    delay = when - (time.time() if now is None else now)
    if not math.isfinite(delay):
        return None
    return min(max(0.0, delay), MAX_RETRY_AFTER_S)


def redirected(url: str, response: requests.Response) -> PermanentFailure:
    """A 3xx is not a receipt: nothing is followed, and IT reads where it pointed."""
    where = response.headers.get("Location")
    location = visible(detail("http", "no_location") if where is None else where, one_line=True)
    location = location[:300]
    return PermanentFailure(
        detail("http", "redirected", url=url, status=response.status_code, location=location),
        "redirected",
    )


def server_words(response: requests.Response, limit: int = 300) -> str:
    """The start of a server's reply, safe to log and print."""
    return visible(response.text[:limit], one_line=True)


class WebhookTransport:
    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: str | None,
        ca_bundle: str | None = None,
        timeout: tuple[float, float] = (5.0, 20.0),
        proxy: ProxyChoice = SYSTEM_PROXIES,
    ) -> None:
        self.url = check_url(url)
        self.proxy = proxy
        if not secret:
            # Sent unsigned, a report could be forged or altered by anyone on the way and
            # IT's receiver could not tell: it waits until IT stores the secret.
            raise PermanentFailure(_it("no_secret"), "secret_missing")
        self.secret = secret
        self.ca_bundle = ca_bundle  # besides the system's own trust store
        self.timeout = timeout
        self._session: Any = None

    @property
    def session(self) -> Any:
        """One HTTP session for this transport's sends: a round of waiting reports (or the
        relay forwarding a backlog, one transport per thread) reuses its connection instead
        of a new TCP and TLS handshake per report."""
        if self._session is None:
            self._session = new_session(self.ca_bundle, proxy=self.proxy)
        return self._session

    def send(self, report: dict[str, Any], body: bytes) -> Receipt:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": report["id"],
            "User-Agent": f"Ally/{__version__}",
            TIMESTAMP_HEADER: timestamp,
        }
        headers[SIGNATURE_HEADER] = sign(self.secret, timestamp, body)
        try:
            response = self.session.post(
                self.url,
                data=body,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise PermanentFailure(
                _it("not_trusted", url=self.url, error=exc), "certificate"
            ) from exc
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
            raise TemporaryFailure(
                _it("talking", kind=type(exc).__name__, url=self.url, error=exc)
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if 300 <= status < 400:
            raise redirected(self.url, response)
        if 200 <= status < 300:
            return Receipt(self.name, *_reference(self.url, response, report["id"]))
        if status in RETRY_STATUSES:
            raise TemporaryFailure(
                _it("busy", url=self.url, status=status),
                retry_after(response.headers.get("Retry-After")),
            )
        if status in (401, 403):
            raise PermanentFailure(
                _it("credentials_refused", url=self.url, status=status), "credentials"
            )
        raise PermanentFailure(
            _it("rejected", url=self.url, status=status, answer=server_words(response)), "rejected"
        )


def _reference(url: str, response: requests.Response, fallback: str) -> tuple[str, str | None]:
    """The ticket id and URL from the receiver's JSON receipt. A 2xx that is not a JSON
    object (a sign-in page, an empty answer) is not a receipt."""
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    try:
        data = response.json() if kind == "application/json" or kind.endswith("+json") else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise PermanentFailure(
            _it(
                "no_receipt",
                url=url,
                status=response.status_code,
                kind=kind or _it("no_content_type"),
                answer=server_words(response, 200),
            ),
            "no_receipt",
        )
    ref = next(
        (data[k] for k in ("ticket", "id", "number", "key") if isinstance(data.get(k), (str, int))),
        None,
    )
    link = data.get("url") or data.get("link")
    text = visible(str(ref), one_line=True)[:100] if ref not in (None, "") else fallback
    return text, visible(link, one_line=True)[:500] if isinstance(link, str) else None


# --- registered in transports/__init__.py: what the policy and the keyring give it ---
USES = ("url", "ca_bundle", "timeout_s")  # [transport] keys it reads
SECRET = "webhook"  # the secret it needs (a desktop's keyring entry), if any


def make(
    t: TransportPolicy,
    secret: Callable[[], str | None],
    proxy: ProxyChoice = SYSTEM_PROXIES,
    default_folder: Path | None = None,
) -> WebhookTransport:
    """IT's receiver, each report signed with the shared secret (read once the address
    is known: a missing setting is the problem to name first)."""
    if not t.url:
        raise PermanentFailure(_it("no_url"), "settings")
    return WebhookTransport(t.url, secret(), t.ca_bundle, (5.0, t.timeout_s), proxy)
