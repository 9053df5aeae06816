"""This person's enrolment with Ally Relay: the device token, kept in their own keyring
(never in a file), with the relay it belongs to and the enrolment token it was made with
— so that a new relay address or a new token from IT leads to a new enrolment."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass

from desktop.policy.config import Policy
from desktop.reporting import credentials
from desktop.reporting.redact import _hash

KEYRING_NAME = "relay-device"


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


def token_id(enrolment_token: str | None) -> str:
    """The public id part of ``allyenrol.<id>.<secret>``."""
    parts = (enrolment_token or "").split(".")
    return parts[1] if len(parts) == 3 else ""


def device_name(policy: Policy) -> str:
    """The name IT sees in the relay's device list, as [privacy] host_name allows."""
    host = socket.gethostname()
    rule = policy.privacy.host_name
    return (
        host if rule == "keep" else _hash(host, policy.privacy.hash_salt) if rule == "hash" else ""
    )
