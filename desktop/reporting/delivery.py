"""Choosing and building the transport IT's policy names, with its secret from the keyring."""

from __future__ import annotations

from pathlib import Path

from desktop.config import Policy
from desktop.paths import AllyPaths
from desktop.reporting import credentials
from desktop.reporting.outbox import Outbox
from desktop.reporting.redact import PrivacyPolicy
from desktop.reporting.transports.base import PermanentFailure, Transport


def outbox(paths: AllyPaths) -> Outbox:
    return Outbox(paths.data_dir / "outbox")


def reports_folder(policy: Policy, paths: AllyPaths) -> Path:
    return Path(policy.transport.folder) if policy.transport.folder else paths.data_dir / "reports"


def privacy(policy: Policy) -> PrivacyPolicy:
    p = policy.privacy
    return PrivacyPolicy(p.screenshots, p.user_name, p.host_name, p.hash_salt)


def make_transport(policy: Policy, paths: AllyPaths) -> Transport:
    """The transport in force. A setting that is missing raises PermanentFailure('settings')
    and the report stays in the outbox; a missing keyring raises CredentialsUnavailable."""
    t = policy.transport
    # Each transport is imported when it is used: HTTP and mail libraries cost memory on
    # every office PC, and most use one transport only.
    if t.kind == "folder":
        from desktop.reporting.transports.folder import FolderTransport

        return FolderTransport(reports_folder(policy, paths))
    if t.kind == "webhook":
        from desktop.reporting.transports.webhook import WebhookTransport

        if not t.url:
            raise PermanentFailure("[transport] url is not set", "settings")
        return WebhookTransport(
            t.url, credentials.get_secret("webhook"), t.ca_bundle, (5.0, t.timeout_s)
        )
    if t.kind == "email":
        from desktop.reporting.transports.email import EmailTransport

        return EmailTransport.from_policy(t, credentials.get_secret("email"))
    if t.kind == "request-tracker":
        from desktop.reporting.transports.request_tracker import RequestTrackerTransport

        return RequestTrackerTransport.from_policy(t, credentials.get_secret("request-tracker"))
    if t.kind == "relay":
        from desktop.reporting.transports.relay import RelayTransport

        return RelayTransport(policy)  # its device token is read (or made) when it sends
    raise PermanentFailure(f"unknown transport {t.kind!r}", "settings")
