"""Choosing and building the transport IT's policy names, with its secret from the keyring."""

from __future__ import annotations

import logging
from pathlib import Path

from ally_helpdesk.transports.base import PermanentFailure, Transport, detail
from desktop.base.paths import AllyPaths
from desktop.policy.config import Policy, proxy_choice
from desktop.reporting import transports
from desktop.reporting.outbox import Outbox, open_outbox
from desktop.reporting.redact import PrivacyPolicy

log = logging.getLogger(__name__)


def outbox(paths: AllyPaths, policy: Policy | None = None) -> Outbox:
    """This person's outbox; with IT's policy, sent reports are kept only as long as
    ``[privacy] keep_sent_days`` says."""
    days = policy.privacy.keep_sent_days if policy is not None else None
    return open_outbox(
        paths.data_dir,
        days,
        keep_sent_screenshots=policy is None or policy.privacy.keep_sent_screenshots,
    )


def reports_folder(policy: Policy, paths: AllyPaths) -> Path:
    return Path(policy.transport.folder) if policy.transport.folder else paths.data_dir / "reports"


def it_chose_transport(policy: Policy) -> bool:
    """IT named where reports go. Without that (no policy, or no ``[transport]``), reports
    go to Ally's own folder on this computer, which is not the same as IT having them."""
    t = policy.transport
    return t.kind != "folder" or bool(t.folder)


def uses(kind: str) -> tuple[str, ...]:
    """The policy keys a transport reads: one of them refused means the transport IT
    meant is not the one Ally would use, so reports wait instead of going elsewhere."""
    found = transports.module(kind)
    return tuple(found.USES) if found is not None else ()


HASH_KEY_NAME = "hash-key"  # the keyring entry for the organisation's hash key


def hash_key(policy: Policy) -> str | None:
    """The organisation's secret for keyed hashes: the policy's, else the keyring's."""
    from desktop.policy.config import MIN_HASH_KEY_CHARS
    from desktop.reporting import credentials  # the keyring loads only when a key is needed

    if policy.privacy.hash_key:
        return policy.privacy.hash_key
    try:
        stored = credentials.get_secret(HASH_KEY_NAME)
    except credentials.CredentialsUnavailable:
        return None
    return stored if stored and len(stored.strip()) >= MIN_HASH_KEY_CHARS else None


def privacy(policy: Policy) -> PrivacyPolicy:
    p = policy.privacy
    needs_key = "hash" in (p.user_name, p.host_name)
    return PrivacyPolicy(
        p.screenshots,
        p.user_name,
        p.host_name,
        hash_key(policy) if needs_key else None,
        p.ip_addresses,
    )


def ready_for_round(transport: Transport, outbox: Outbox) -> None:
    """Before a delivery round. With the relay: enrol first (the first round enrols this
    computer even when nothing waits); when that used a new enrolment token from IT, the
    reports the relay refused are tried in this round instead of an hour later. Raises
    DeliveryError when the relay cannot enrol this computer now."""
    ensure_enrolled = getattr(transport, "ensure_enrolled", None)
    if ensure_enrolled is None:
        return
    ensure_enrolled()
    if getattr(transport, "enrolled_now", False):
        freed = outbox.make_due("device_refused")
        if freed:
            log.info("enrolled with IT's new token: %d refused report(s) due now", len(freed))


def make_transport(policy: Policy, paths: AllyPaths) -> Transport:
    """The transport in force. A setting that is missing or refused raises
    PermanentFailure('settings') and the report stays in the outbox; a missing secret
    raises PermanentFailure('secret_missing'); a missing keyring CredentialsUnavailable."""
    t = policy.transport
    refused = [k for k in t.refused if k in uses(t.kind)]
    if refused:
        raise PermanentFailure(
            detail("policy", "refused", source=policy.source, keys=", ".join(refused)),
            "folder_unusable" if refused == ["folder"] else "settings",
        )
    found = transports.module(t.kind)  # imported now, when it is used
    if found is None:
        raise PermanentFailure(detail("policy", "unknown", kind=t.kind), "settings")
    if t.kind == "relay":
        return found.RelayTransport(policy)  # its device token is read (or made) when it sends

    def secret() -> str | None:
        from desktop.reporting import credentials  # the keyring loads only for a secret

        return credentials.get_secret(found.SECRET) if found.SECRET else None

    return found.make(t, secret, proxy_choice(policy), paths.data_dir / "reports")
