"""``ally doctor``: IT's check of everything a report needs, one plain line each.

It tries what the transport needs rather than only reading the policy: the URL's scheme
is one Ally may use, its host has an address, the server answers the way a report would
go (the same session: the system's trust store, the proxy), the folder is there and takes
a file, the secret is stored. Every check is bounded in time.

For fleets: ``--json`` prints one document with a stable shape, and the exit code is
stable (0 every check passed, 1 at least one problem, 2 the checks could not be run), so
the same command serves as an Intune remediation's detection script, a Jamf extension
attribute or an Ansible check. Run by root, ``--user NAME`` runs the checks as that
person (their profile, their rights), because Ally's outbox and settings are per person.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from urllib.parse import urlparse

from ally_helpdesk.http_session import ProxyChoice
from ally_helpdesk.text_safety import visible
from ally_helpdesk.transports.base import PermanentFailure
from desktop.base.paths import AllyPaths
from desktop.base.words import say as _say
from desktop.policy.config import NetworkPolicy, Policy, TransportPolicy
from desktop.reporting import credentials, delivery
from desktop.reporting.credentials import CredentialsUnavailable
from desktop.start.logs import log_path


def _w(key: str, **values: object) -> str:
    """IT's words for one line of the doctor ([doctor] in the catalog)."""
    return _say(key, "doctor", **values)


def _mark(ok: bool) -> str:
    return _w("ok") if ok else _w("problem")


LOOKUP_WAIT_S = 3.0
CONNECT_WAIT_S = 3.0
ANSWER_WAIT_S = 8.0  # an HTTPS answer through a proxy may take a few round trips
AS_USER_WAIT_S = 120.0

# Exit codes, stable for fleet tools (documented in docs/deploy.md).
EXIT_ALL_OK = 0
EXIT_PROBLEMS = 1
EXIT_NOT_RUN = 2
JSON_SCHEMA = 1  # the shape of --json; raised only when a field changes meaning


@dataclass(frozen=True)
class Check:
    """One line of ``ally doctor``: ``check`` is a stable name fleet tools may match on."""

    check: str
    ok: bool
    text: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", metavar="FILE", help=_say("doctor_policy", "cli_help"))
    parser.add_argument("--json", action="store_true", help=_say("doctor_json", "cli_help"))
    parser.add_argument("--user", metavar="NAME", help=_say("doctor_user", "cli_help"))


def main(args: argparse.Namespace) -> int:
    """``ally doctor``: the checks, printed as lines or as one JSON document."""
    if args.user:
        return _as_user(args.user, args.policy, args.json)
    checks = collect(Policy.load(args.policy), AllyPaths.from_environment())
    if args.json:
        _print_json(checks)
    else:
        for c in checks:
            _print_line(c)
    return EXIT_ALL_OK if all(c.ok for c in checks) else EXIT_PROBLEMS


def collect(policy: Policy, paths: AllyPaths) -> list[Check]:
    checks: list[Check] = []
    run_checks(policy, paths, None, checks)
    return checks


def _print_line(c: Check) -> None:
    sys.stdout.write(f"{_mark(c.ok)}  {c.check}: {c.text}\n")


def _print_json(checks: list[Check], user: str | None = None) -> None:
    import getpass

    from desktop import __version__

    try:
        who = user or getpass.getuser()
    except (OSError, KeyError):  # no name for this account (a container's bare uid)
        who = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    doc = {
        "schema": JSON_SCHEMA,
        "ally_version": __version__,
        "host": socket.gethostname(),
        "user": who,
        "checked_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "ok": all(c.ok for c in checks),
        "problems": sum(not c.ok for c in checks),
        "checks": [asdict(c) for c in checks],
    }
    json.dump(doc, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def run_checks(
    policy: Policy,
    paths: AllyPaths,
    say: Callable[[str], None] | None,
    into: list[Check] | None = None,
) -> int:
    """One line per check, to ``say`` and/or into ``into``; returns how many found a
    problem. Every text goes through ``visible``: a policy value or a server's words must
    not reach IT's terminal as escape sequences."""
    problems = 0

    def line(ok: bool, what: str, text: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        check = Check(what, ok, visible(text, one_line=True))
        if into is not None:
            into.append(check)
        if say is not None:
            say(f"{_mark(ok)}  {check.check}: {check.text}")

    if policy.problems:
        for problem in policy.problems:
            line(False, "policy", problem)
    else:
        line(True, "policy", policy.source or _w("no_policy"))
    t = policy.transport
    line(
        True,
        "transport",
        t.kind
        + (_w("transport_to", url=t.url) if t.url else "")
        + (_w("transport_via", host=t.smtp_host, port=t.smtp_port) if t.kind == "email" else ""),
    )
    if not delivery.it_chose_transport(policy):
        source = policy.source or _w("a_policy_file")
        folder = delivery.reports_folder(policy, paths)
        line(False, "transport", _w("not_chosen", source=source, folder=folder))
    refused = [k for k in t.refused if k in delivery.uses(t.kind)]
    if refused:
        line(False, "transport", _w("refused", keys=", ".join(refused)))
    _secret(t, line)
    if t.kind == "folder":
        if "folder" not in t.refused:  # else the default folder is not the one in force
            _folder(policy, paths, line)
    elif t.kind == "relay":
        from desktop.reporting.relay_doctor import doctor_lines

        for ok, what, text in doctor_lines(policy):  # reachability and enrolment
            line(ok, what, text)
    else:
        _endpoint_checks(t, policy.network, line)
    _privacy(policy, line)
    outbox = delivery.outbox(paths)
    entries = outbox.entries()
    stopped = [e for e in entries if e.state.status == "stopped"]
    aside = outbox.quarantine_count()
    counts = {"waiting": len(entries), "stopped": len(stopped), "aside": aside}
    where = _w("outbox_where", folder=outbox.quarantine_dir) if aside else ""
    text = _w("outbox", **counts, where=where, sent=len(outbox.receipts()))
    line(not stopped and not aside, "outbox", text)
    log = log_path(paths.log_dir)
    line(True, "log", f"{log}" + ("" if log.exists() else _w("log_not_written")))
    from desktop.terminal.cli_news import checked_now

    news_ok, news_text = checked_now(policy, paths).doctor()  # IT's status feed (issue 18)
    line(news_ok, "news", news_text)
    return problems


def _secret(t: TransportPolicy, line) -> None:
    """Which secret the transport needs, and whether this account's keyring has it."""
    rt = _w("secret_rt_password", user=t.rt_user) if t.rt_user else _w("secret_rt_token")
    needed = {
        "webhook": _w("secret_webhook"),
        "request-tracker": rt,
        "email": _w("secret_smtp", user=t.smtp_user) if t.smtp_user else None,
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
        _w("secret_stored", secret=needed, backend=credentials.backend_name())
        if has
        else _w("secret_missing", secret=needed, kind=t.kind),
    )


def _folder(policy: Policy, paths: AllyPaths, line) -> None:
    folder = delivery.reports_folder(policy, paths)
    configured = bool(policy.transport.folder)
    try:
        if not configured:
            folder.mkdir(parents=True, exist_ok=True)  # Ally's own default folder
        elif not folder.is_dir():
            what = _w("folder_not_folder") if folder.exists() else _w("folder_not_there")
            line(False, "reports folder", _w("folder_missing", folder=folder, what=what))
            return
        probe = folder / ".ally-write-test"
        probe.write_bytes(b"ok")
        probe.unlink()
        mode = f"{policy.transport.file_mode:04o}"
        line(True, "reports folder", _w("folder_writable", folder=folder, mode=mode))
    except OSError as exc:
        reason = exc.strerror or exc
        line(False, "reports folder", _w("folder_unwritable", folder=folder, reason=reason))


def _endpoint_checks(t: TransportPolicy, network: NetworkPolicy, line) -> None:
    if t.kind == "email":
        _smtp_checks(t, line)
        return
    if not t.url:
        return
    from ally_helpdesk.transports.webhook import check_url

    try:
        check_url(t.url)
    except PermanentFailure as exc:
        line(False, "address", exc.detail)
        return
    _http_checks(t.url, t.ca_bundle, ProxyChoice(network.proxy_pac, network.proxy_wpad), line)


def _smtp_checks(t: TransportPolicy, line) -> None:
    """Mail goes straight to the SMTP server (no HTTP proxy on the way): a connection."""
    host, port = t.smtp_host, t.smtp_port
    if not host or not _named(host, port, line):
        return
    try:
        with socket.create_connection((host, port), timeout=CONNECT_WAIT_S):
            line(True, "reachable", _w("smtp_accepts", host=host, port=port))
    except OSError as exc:
        reason = exc.strerror or exc
        text = _w("no_answer_waits", host=host, port=port, via="", reason=reason)
        line(False, "reachable", text)


def _http_checks(url: str, ca_bundle: str | None, choice: ProxyChoice, line) -> None:
    """The server asked the way a report goes: the same session (system trust store,
    IT's CA, the proxy), no redirect followed. A direct socket would give false alarms
    behind a proxy, and would not see a certificate this computer does not trust."""
    import requests

    from ally_helpdesk.http_session import new_session, pac_in_force, proxy_for

    u = urlparse(url)
    host, port = u.hostname or "", u.port or (443 if u.scheme == "https" else 80)
    pac = pac_in_force(choice)
    if pac.problem:
        line(False, "pac", _w("pac_problem", problem=pac.problem))
    elif pac.pac is not None:
        where = choice.pac_url or _w("pac_system")
        line(True, "pac", _w("pac_chooses", where=where))
    proxy = proxy_for(url, choice)
    if proxy is None:
        if not _named(host, port, line):
            return
        via = ""
    else:  # the proxy looks the name up: this computer may rightly not know it
        via = _w("through_proxy", proxy=proxy)
        line(True, "proxy", _w("proxy_reached", host=host, proxy=proxy))
    try:
        with new_session(ca_bundle, proxy=choice) as session:
            answer = session.head(
                url, allow_redirects=False, timeout=(CONNECT_WAIT_S, ANSWER_WAIT_S)
            )
        status = answer.status_code
        line(True, "reachable", _w("answers", host=host, port=port, via=via, status=status))
    except requests.exceptions.SSLError as exc:
        line(False, "certificate", _w("untrusted", host=host, port=port, reason=_reason(exc)))
    except requests.exceptions.ProxyError as exc:
        line(False, "proxy", _w("proxy_refused", proxy=proxy, reason=_reason(exc)))
    except requests.exceptions.RequestException as exc:
        text = _w("no_answer_waits", host=host, port=port, via=via, reason=_reason(exc))
        line(False, "reachable", text)


def _named(host: str, port: int, line) -> bool:
    addresses = _lookup(host, port)
    if isinstance(addresses, str):
        line(False, "name", _w("no_address", host=host, reason=addresses))
        return False
    line(True, "name", _w("address", host=host, addresses=", ".join(addresses[:3])))
    return True


def _reason(exc: BaseException) -> str:
    """The innermost plain reason (``Connection refused``), not urllib3's whole chain."""
    queue: list[BaseException] = [exc]
    seen: set[int] = set()
    while queue:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        queue.extend(a for a in current.args if isinstance(a, BaseException))
        for name in ("reason", "__cause__", "__context__"):
            nested = getattr(current, name, None)
            if isinstance(nested, BaseException):
                queue.append(nested)
    return str(exc)[:200]


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
    return result[0] if result else _w("lookup_no_answer", seconds=LOOKUP_WAIT_S)


def _privacy(policy: Policy, line) -> None:
    p = policy.privacy
    rules = (("name_user", p.user_name), ("name_computer", p.host_name))
    hashed = [_w(key) for key, rule in rules if rule == "hash"]
    if not hashed:
        return
    names = _w("names_and").join(hashed)
    if delivery.hash_key(policy):
        line(True, "privacy", _w("hashed", names=names))
        return
    line(False, "privacy", _w("hash_no_key", names=names))


def _as_user(name: str, policy: str | None, as_json: bool) -> int:
    """The checks run as ``name``: a new ``ally doctor --json`` with that person's uid,
    groups and home, so that their outbox, settings and rights are what is checked (and
    nothing is created in their profile as root). Their keyring is reachable only while
    they are logged in (their session bus)."""
    if sys.platform.startswith("win"):
        return _not_run(_w("user_on_windows"), as_json)
    import pwd

    try:
        account = pwd.getpwnam(name)
    except KeyError:
        return _not_run(_w("no_account", name=repr(name)), as_json)
    if os.geteuid() not in (0, account.pw_uid):
        return _not_run(_w("root_only"), as_json)
    child = _run_as(account, policy)
    if isinstance(child, str):
        return _not_run(child, as_json)
    if as_json:
        json.dump(child, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for c in child["checks"]:
            _print_line(Check(str(c["check"]), bool(c["ok"]), visible(str(c["text"]), True)))
    return EXIT_ALL_OK if child["ok"] else EXIT_PROBLEMS


def _run_as(account, policy: str | None) -> dict | str:
    """``ally doctor --json`` as ``account``; its document, or why it could not run."""
    import subprocess

    from desktop.start.watchdog import own_command

    runtime = f"/run/user/{account.pw_uid}"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": account.pw_dir,
        "USER": account.pw_name,
        "LOGNAME": account.pw_name,
    }
    if os.environ.get("ALLY_POLICY"):
        env["ALLY_POLICY"] = os.environ["ALLY_POLICY"]  # still only without a machine policy
    if os.path.exists(f"{runtime}/bus"):  # logged in: their keyring can be asked
        env["XDG_RUNTIME_DIR"] = runtime
        env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={runtime}/bus"
    policy_arg = ["--policy", os.path.abspath(policy)] if policy else []  # their cwd differs
    command = [*own_command(), "doctor", "--json", *policy_arg]
    try:
        done = subprocess.run(
            command,
            env=env,
            cwd=account.pw_dir if os.path.isdir(account.pw_dir) else "/",
            user=account.pw_uid,
            group=account.pw_gid,
            extra_groups=os.getgrouplist(account.pw_name, account.pw_gid),
            capture_output=True,
            timeout=AS_USER_WAIT_S,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return _w("run_as_failed", user=account.pw_name, error=exc)
    try:
        doc = json.loads(done.stdout)
        if isinstance(doc, dict) and isinstance(doc.get("checks"), list):
            return doc
    except ValueError:
        pass
    said = visible(done.stderr.decode("utf-8", "replace").strip()[-300:], one_line=True)
    return _w("run_as_unfinished", user=account.pw_name, said=said or done.returncode)


def _not_run(why: str, as_json: bool) -> int:
    if as_json:
        json.dump({"schema": JSON_SCHEMA, "ok": False, "error": why}, sys.stdout)
        sys.stdout.write("\n")
    else:
        sys.stderr.write(_w("not_run", why=why) + "\n")
    return EXIT_NOT_RUN
