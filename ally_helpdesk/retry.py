"""How long a report waits before it is tried again, on a desktop's outbox and in the
relay's queue alike: 30 s doubling to an hour, ±20 % so that a thousand PCs (or the
relay's backlog) never retry in step after an outage."""

from __future__ import annotations

BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0


def backoff(attempts: int, jitter: float) -> float:
    """The wait after ``attempts`` failed tries; ``jitter`` is a number from 0 to 1."""
    base = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1))
    return base * (0.8 + 0.4 * jitter)
