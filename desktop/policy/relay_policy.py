"""The ``[relay]`` table of IT's policy: where Ally Relay is and the enrolment token.

The enrolment token is in the policy on purpose (everyone on the machine can read it):
it only lets a computer enrol, IT limits it in time or uses and can revoke it, and what
an enrolled device can do is send reports and read the status of its own. Each person's
device token, which does the sending, lives in their own keyring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from desktop.base.words import say

# An enrolment token as Ally Relay makes them (relay/tokens.py: kind, id, secret).
ENROLMENT_TOKEN = re.compile(r"allyenrol\.[a-z0-9]{16}\.[A-Za-z0-9_-]{43}")


def _want(key: str, /) -> Callable[[], str]:
    """What a [relay] setting should be ([policy.expected]), looked up only if it is not."""
    return partial(say, key, "policy.expected")


@dataclass(frozen=True)
class RelayPolicy:
    url: str | None = None  # https://relay.example.org (http:// only to this computer)
    enrolment_token: str | None = None
    ca_bundle: str | None = None  # a company CA; certificate checks stay on
    timeout_s: float = 20.0


def read_relay(
    table: Mapping[str, Any],
    value: Callable[..., Any],
    unknown: Callable[[Mapping[str, Any], str, Any], None],
) -> RelayPolicy:
    """Read ``[relay]`` with the policy reader's own ``value`` and ``unknown`` checks."""
    d = RelayPolicy()
    out = RelayPolicy(
        url=value(
            table,
            "relay",
            "url",
            str,
            None,
            lambda v: urlparse(v).scheme in ("http", "https") and bool(urlparse(v).netloc),
            _want("https_url"),
        ),
        enrolment_token=value(
            table,
            "relay",
            "enrolment_token",
            str,
            None,
            # The shape Ally Relay gives its tokens (relay/tokens.py), so the
            # example's placeholder ("allyenrol.REPLACE-…") is refused, not sent.
            lambda v: ENROLMENT_TOKEN.fullmatch(v) is not None,
            _want("relay_token"),
        ),
        ca_bundle=value(
            table,
            "relay",
            "ca_bundle",
            str,
            None,
            lambda v: Path(v).is_file(),
            _want("pem_file"),
        ),
        timeout_s=value(
            table,
            "relay",
            "timeout_s",
            float,
            d.timeout_s,
            lambda v: 1 <= v <= 120,
            _want("seconds_1_to_120"),
        ),
    )
    unknown(table, "relay", {f.name for f in fields(RelayPolicy)})
    return out
