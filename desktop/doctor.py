"""``ally doctor``: IT's check of everything a report needs, one plain line each.

It tries what the transport needs rather than only reading the policy: the URL's scheme
is one Ally may use, its host has an address, the server accepts a connection, the
folder is there and takes a file, the secret is stored. Every check is bounded in time.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from urllib.parse import urlparse

from desktop.config import Policy, TransportPolicy
from desktop.logs import log_path
from desktop.paths import AllyPaths
from desktop.reporting import credentials, delivery
from desktop.reporting.credentials import CredentialsUnavailable
from desktop.reporting.transports.base import PermanentFailure
from desktop.text_safety import visible

LOOKUP_WAIT_S = 3.0
CONNECT_WAIT_S = 3.0


def run_checks(policy: Policy, paths: AllyPaths, say: Callable[[str], None]) -> int:
    """Prints one line per check; returns how many found a problem."""
    problems = 0

    def line(ok: bool, what: str, text: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        say(f"{'OK     ' if ok else 'PROBLEM'}  {what}: {visible(text, one_line=True)}")

    if policy.problems:
        for problem in policy.problems:
            line(False, "policy", problem)
    else:
        line(True, "policy", policy.source or "no policy file, defaults in use")
    t = policy.transport
    line(
        True,
        "transport",
        t.kind
        + (f" to {t.url}" if t.url else "")
        + (f" via {t.smtp_host}:{t.smtp_port}" if t.kind == "email" else ""),
    )
    if not delivery.it_chose_transport(policy):
        line(
            False,
            "transport",
            f"not chosen: no [transport] in {policy.source or 'a policy file'}, so each report "
            f"stays on its own computer, in {delivery.reports_folder(policy, paths)}; the person "
            "is told so. Set [transport] so that reports reach IT",
        )
    refused = [k for k in t.refused if k in delivery.uses(t.kind)]
    if refused:
        line(
            False,
            "transport",
            f"{', '.join(refused)} refused (see above): reports wait in the outbox until fixed",
        )
    _secret(t, line)
    if t.kind == "folder":
        if "folder" not in t.refused:  # else the default folder is not the one in force
            _folder(policy, paths, line)
    elif t.kind == "relay":
        from desktop.reporting.relay_doctor import doctor_lines

        for ok, what, text in doctor_lines(policy):  # reachability and enrolment
            line(ok, what, text)
    else:
        _endpoint_checks(t, line)
    _privacy(policy, line)
    outbox = delivery.outbox(paths)
    entries = outbox.entries()
    stopped = [e for e in entries if e.state.status == "stopped"]
    aside = outbox.quarantine_count()
    line(
        not stopped and not aside,
        "outbox",
        f"{len(entries)} waiting, {len(stopped)} stopped, {aside} set aside"
        + (f" (in {outbox.quarantine_dir})" if aside else "")
        + f", {len(outbox.receipts())} sent",
    )
    log = log_path(paths.log_dir)
    line(True, "log", f"{log}" + ("" if log.exists() else " (not written yet)"))
    from desktop.cli_news import checked_now

    news_ok, news_text = checked_now(policy, paths).doctor()  # IT's status feed (issue 18)
    line(news_ok, "news", news_text)
    return problems


def _secret(t: TransportPolicy, line) -> None:
    """Which secret the transport needs, and whether this account's keyring has it."""
    needed = {
        "webhook": "the webhook secret (it signs every report)",
        "request-tracker": f"the Request Tracker {'password for ' + t.rt_user if t.rt_user else 'token'}",
        "email": f"the SMTP password for {t.smtp_user}" if t.smtp_user else None,
    }.get(t.kind)
    if needed is None:
        return
    try:
        has = credentials.get_secret(t.kind) is not None
    except CredentialsUnavailable as exc:
        line(False, "credentials", str(exc))
        return
    line(
        has,
        "credentials",
        f"{needed} is stored in {credentials.backend_name()}"
        if has
        else f"{needed} is not stored, so reports wait and nothing is sent unsigned; "
        f"run: ally credentials set {t.kind}",
    )


def _folder(policy: Policy, paths: AllyPaths, line) -> None:
    folder = delivery.reports_folder(policy, paths)
    configured = bool(policy.transport.folder)
    try:
        if not configured:
            folder.mkdir(parents=True, exist_ok=True)  # Ally's own default folder
        elif not folder.is_dir():
            what = "is not a folder" if folder.exists() else "is not there (a share not mounted?)"
            line(False, "reports folder", f"{folder} {what}; Ally does not create it")
            return
        probe = folder / ".ally-write-test"
        probe.write_bytes(b"ok")
        probe.unlink()
        mode = f"{policy.transport.file_mode:04o}"
        line(True, "reports folder", f"{folder} is writable; report files get mode {mode}")
    except OSError as exc:
        line(False, "reports folder", f"{folder} cannot be written: {exc.strerror or exc}")


def _endpoint_checks(t: TransportPolicy, line) -> None:
    if t.kind == "email":
        host, port = t.smtp_host, t.smtp_port
    elif t.url:
        from desktop.reporting.transports.webhook import check_url

        try:
            check_url(t.url)
        except PermanentFailure as exc:
            line(False, "address", exc.detail)
            return
        u = urlparse(t.url)
        host, port = u.hostname, u.port or (443 if u.scheme == "https" else 80)
    else:
        return
    if not host:
        return
    addresses = _lookup(host, port)
    if isinstance(addresses, str):
        line(False, "name", f"{host} has no address: {addresses}")
        return
    line(True, "name", f"{host} is {', '.join(addresses[:3])}")
    try:
        with socket.create_connection((host, port), timeout=CONNECT_WAIT_S):
            line(True, "reachable", f"{host}:{port} accepts connections")
    except OSError as exc:
        line(
            False,
            "reachable",
            f"{host}:{port} does not answer ({exc.strerror or exc}); reports wait "
            "in the outbox until it does",
        )


def _lookup(host: str, port: int) -> list[str] | str:
    """The host's addresses, or why there are none; at most LOOKUP_WAIT_S (the system's
    own lookup has no time limit, so it runs aside and is left behind if it hangs)."""
    result: list = []

    def look() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            result.append(sorted({str(i[4][0]) for i in infos}))
        except (OSError, UnicodeError) as exc:
            result.append(str(getattr(exc, "strerror", None) or exc))

    worker = threading.Thread(target=look, daemon=True)
    worker.start()
    worker.join(LOOKUP_WAIT_S)
    return result[0] if result else f"no answer within {LOOKUP_WAIT_S:g} s"


def _privacy(policy: Policy, line) -> None:
    p = policy.privacy
    hashed = [n for n, rule in (("user", p.user_name), ("computer", p.host_name)) if rule == "hash"]
    if not hashed:
        return
    if delivery.hash_key(policy):
        line(
            True, "privacy", f"{' and '.join(hashed)} names are hashed with the organisation's key"
        )
        return
    line(
        False,
        "privacy",
        f"{' and '.join(hashed)} names are set to hash, but there is no organisation key "
        "([privacy] hash_key in the policy, or: ally credentials set hash-key), so they are "
        "dropped instead: a hash without a secret key can be undone by trying names",
    )
