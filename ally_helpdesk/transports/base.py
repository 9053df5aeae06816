"""What every transport is: ``send(report, body) -> Receipt``, or a failure that says
whether trying again can help."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from ally_helpdesk.report_format import utc_now
from ally_words import say, table

# The longest a receiver's "try again later" is honoured: a day. A longer, negative or
# nonsense Retry-After must not park a report for good.
MAX_RETRY_AFTER_S = 24 * 3600.0


class _StatusWords(Mapping[str, str]):
    """RT's own status words, as a person reads them in "My reports" ([ticket_status] in
    the catalog). Read when first asked, so importing a transport loads no catalog."""

    def _words(self) -> Mapping[str, str]:
        return {k: str(v) for k, v in table("ticket_status").items()}

    def __getitem__(self, status: str) -> str:
        return self._words()[status]

    def __iter__(self) -> Iterator[str]:
        return iter(self._words())

    def __len__(self) -> int:
        return len(self._words())


STATUS_WORDS: Mapping[str, str] = _StatusWords()


def detail(transport: str, key: str, /, **values: Any) -> str:
    """IT's words about one delivery (what went wrong, what to change), from
    [transport_detail.TRANSPORT] in the catalog; the person's sentence is ``plain_key``'s."""
    return say(key, f"transport_detail.{transport}", **values)


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
