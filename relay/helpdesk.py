"""The transport the relay forwards with, built from ``[forward]`` and the secret that
only the relay holds. The same modules the desktops use: one way to reach each helpdesk."""

from __future__ import annotations

from pathlib import Path

from ally_words import say
from desktop.reporting.transports.base import PermanentFailure, Transport
from relay.config import RelaySettings


def make_transport(settings: RelaySettings) -> Transport:
    t = settings.forward.transport
    secret = settings.helpdesk_secret()
    if t.kind == "folder":
        from desktop.reporting.transports.folder import FolderTransport

        if not t.folder:
            raise PermanentFailure(say("no_folder", "relay_settings"), "settings")
        return FolderTransport(Path(t.folder))
    if t.kind == "webhook":
        from desktop.reporting.transports.webhook import WebhookTransport

        if not t.url:
            raise PermanentFailure(say("no_url", "relay_settings"), "settings")
        return WebhookTransport(t.url, secret, t.ca_bundle, (5.0, t.timeout_s))
    if t.kind == "email":
        from desktop.reporting.transports.email import EmailTransport

        return EmailTransport.from_policy(t, secret)
    if t.kind == "request-tracker":
        from desktop.reporting.transports.request_tracker import RequestTrackerTransport

        return RequestTrackerTransport.from_policy(t, secret)
    raise PermanentFailure(say("cannot_forward_with", "relay_settings", kind=t.kind), "settings")


def can_read_status(settings: RelaySettings) -> bool:
    """Only a helpdesk with tickets has a status to read back (Request Tracker)."""
    return settings.forward.transport.kind == "request-tracker"
