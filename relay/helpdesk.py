"""The helpdesk the relay forwards to, built from ``[forward]`` and the secret that only the
relay holds, by the same shared modules the desktops use (ally_helpdesk/transports/): one
way to reach each helpdesk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ally_helpdesk.transports import module
from ally_helpdesk.transports.base import PermanentFailure, Transport
from ally_words import say
from relay.config import RelaySettings


def make_transport(
    settings: RelaySettings, secret: Callable[[], str | None] | None = None
) -> Transport:
    """The transport ``[forward]`` names, with the relay's secret (``secret`` gives another
    way to read it: `ally-relay check` uses a stand-in for one only the service can read)."""
    t = settings.forward.transport
    found = module(t.kind)
    if found is None:
        raise PermanentFailure(
            say("cannot_forward_with", "relay_settings", kind=t.kind), "settings"
        )
    if t.kind == "folder":
        if not t.folder:  # a relay has no folder of its own to fall back to
            raise PermanentFailure(say("no_folder", "relay_settings"), "settings")
        # On a desktop, a folder IT named is never made (a share that is not mounted must
        # not turn into a local folder); the relay's [forward] folder is on the relay's own
        # server, set up with it, so it is made when missing.
        return found.FolderTransport(Path(t.folder), t.file_mode, create=True)
    return found.make(t, secret or settings.helpdesk_secret)


def can_read_status(settings: RelaySettings) -> bool:
    """Only a helpdesk with tickets has a status to read back (Request Tracker)."""
    return settings.forward.transport.kind == "request-tracker"
