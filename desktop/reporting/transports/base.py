"""What every transport is: ``send(report, body) -> Receipt``, or a failure that says
whether trying again can help."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from desktop.reporting.report import utc_now

# The longest a receiver's "try again later" is honoured: a day. A longer, negative or
# nonsense Retry-After must not park a report for good.
MAX_RETRY_AFTER_S = 24 * 3600.0

# RT's own status words, as a person reads them in "My reports".
STATUS_WORDS = {
    "new": "new",
    "open": "IT is working on it",
    "stalled": "IT is waiting for something",
    "resolved": "resolved",
    "rejected": "closed",
    "deleted": "closed",
}


@dataclass(frozen=True)
class Receipt:
    transport: str
    reference: str  # the ticket number, message id or file name IT will see
    url: str | None = None
    delivered_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["delivered_at"] = self.delivered_at or utc_now()
        return out


class DeliveryError(Exception):
    """``plain_key`` names the person's sentence in the catalog; ``detail`` is for IT."""

    def __init__(self, detail: str, plain_key: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.plain_key = plain_key


class TemporaryFailure(DeliveryError):
    """Worth trying again later: timeouts, resets, 5xx, 429."""

    def __init__(
        self, detail: str, retry_after_s: float | None = None, plain_key: str = "temporary"
    ) -> None:
        super().__init__(detail, plain_key)
        self.retry_after_s = retry_after_s


class PermanentFailure(DeliveryError):
    """Trying again cannot help until someone changes something (credentials, settings)."""

    def __init__(self, detail: str, plain_key: str = "rejected") -> None:
        super().__init__(detail, plain_key)


class Transport(Protocol):
    name: str

    def send(self, report: dict[str, Any], body: bytes) -> Receipt: ...
