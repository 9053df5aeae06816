"""The relay's own settings: one TOML file (``/etc/ally-relay/relay.toml``, or
``ALLY_RELAY_CONFIG``, or ``--config``).

Unlike a desktop, a server with a wrong setting must not start half-right: every problem
is collected with the file and key, and ``ally-relay`` refuses to start until it is fixed.
The ``[forward]`` table takes the same keys as a desktop's ``[transport]`` (so the same
checks apply), plus where the helpdesk secret is read from.
"""

from __future__ import annotations

import dataclasses
import math
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from ally_helpdesk.policy_reader import Reader
from ally_helpdesk.transport_policy import HELPDESK_KINDS, TransportPolicy, read_transport
from ally_words import say

ENV_CONFIG = "ALLY_RELAY_CONFIG"
DEFAULT_PATH = Path("/etc/ally-relay/relay.toml")
DEFAULT_DATABASE = "sqlite:////var/lib/ally-relay/relay.db"


class ConfigError(Exception):
    """The settings cannot be used; ``problems`` names each file and key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8443
    tls_cert: str | None = None  # TLS by the relay itself; else behind a reverse proxy
    tls_key: str | None = None
    behind_proxy: bool = False  # trust X-Forwarded-For/-Proto from trusted_proxies
    trusted_proxies: tuple[str, ...] = ("127.0.0.1",)
    max_body_bytes: int = 8 * 1024 * 1024  # a report with a 4 MB screenshot fits
    body_timeout_s: float = 30.0  # a body still arriving after this is refused
    head_timeout_s: float = 10.0  # a request head still unfinished after this: closed
    max_connections: int = 1000  # per worker
    # Per worker, from one address (a reverse proxy in trusted_proxies is not counted).
    # An office behind one NAT address shares it: raise it for a fleet that sends at once.
    max_connections_per_address: int = 100
    workers: int = 1  # processes on one socket; more than 1 only with PostgreSQL


@dataclass(frozen=True)
class Limits:
    reports_per_hour: float = 120.0  # per device, refilled continuously
    report_burst: int = 30  # an outbox flushing after a week offline
    enrolments_per_minute: float = 30.0  # per client address
    status_per_minute: float = 120.0  # per device


@dataclass(frozen=True)
class ForwardSettings:
    transport: TransportPolicy = field(default_factory=TransportPolicy)
    secret_file: str | None = None  # mode 600, owned by the relay's user; or systemd credential
    threads: int = 4  # 0: this relay only takes reports in (another one forwards)
    lease_s: float = 120.0  # a forward not finished by then is tried again (same report id)
    status_cache_s: float = 60.0  # how long a helpdesk ticket status is reused


@dataclass(frozen=True)
class AdminSettings:
    auth: str = "local"  # local accounts, or "proxy": the reverse proxy signs people in
    proxy_user_header: str = "X-Remote-User"
    session_hours: float = 8.0
    # With "proxy": a file (mode 600) holding the secret the proxy sends in
    # X-Ally-Proxy-Secret. The proxy's address alone is not enough: any account on the
    # relay's machine can connect from 127.0.0.1 too.
    proxy_secret_file: str | None = None


@dataclass(frozen=True)
class RelaySettings:
    source: str | None = None
    database: str = DEFAULT_DATABASE
    migrate_on_start: bool = True
    server: ServerSettings = field(default_factory=ServerSettings)
    limits: Limits = field(default_factory=Limits)
    forward: ForwardSettings = field(default_factory=ForwardSettings)
    admin: AdminSettings = field(default_factory=AdminSettings)
    keep_delivered_days: float = 90.0  # report bodies are dropped after this; the row stays

    def proxy_secret(self) -> str | None:
        """The secret the reverse proxy sends with its sign-in header; None when it cannot
        be read now (then nobody is signed in through the proxy)."""
        if not self.admin.proxy_secret_file:
            return None
        try:
            secret = Path(self.admin.proxy_secret_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return secret or None

    def helpdesk_secret(self) -> str | None:
        """The helpdesk secret, read when forwarding starts; never logged or shown."""
        path = self.forward.secret_file
        if path is None:
            creds = os.environ.get("CREDENTIALS_DIRECTORY")  # systemd LoadCredential=
            candidate = Path(creds) / "helpdesk" if creds else None
            if candidate is None or not candidate.is_file():
                return None
            path = str(candidate)
        return Path(path).read_text(encoding="utf-8").strip() or None


def _w(key: str, /, **values: Any) -> str:
    """IT's words about the relay's settings ([relay_settings] in the catalog)."""
    return say(key, "relay_settings", **values)


def load(path: str | Path | None = None) -> RelaySettings:
    chosen = Path(path or os.environ.get(ENV_CONFIG) or DEFAULT_PATH)
    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError([_w("no_file", path=chosen)]) from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError([_w("not_toml", path=chosen, error=exc)]) from exc
    return from_dict(data, str(chosen))


def from_dict(data: Mapping[str, Any], source: str = "relay.toml") -> RelaySettings:
    r = _Reader(source)
    r.known(data, "", {"database", "server", "limits", "forward", "admin", "retention"})
    db = r.table(data, "database")
    r.known(db, "database", {"url", "migrate_on_start"})
    server_t = r.table(data, "server")
    d = ServerSettings()
    r.known(server_t, "server", {f for f in ServerSettings.__dataclass_fields__})
    server = ServerSettings(
        host=r.get(server_t, "server", "host", str, d.host),
        port=r.get(server_t, "server", "port", int, d.port, lambda v: 0 < v < 65536),
        tls_cert=r.get(server_t, "server", "tls_cert", str, None, _readable),
        tls_key=r.get(server_t, "server", "tls_key", str, None, _readable),
        behind_proxy=r.get(server_t, "server", "behind_proxy", bool, False),
        trusted_proxies=tuple(
            r.get(server_t, "server", "trusted_proxies", list, list(d.trusted_proxies))
        ),
        max_body_bytes=r.get(
            server_t, "server", "max_body_bytes", int, d.max_body_bytes, lambda v: v >= 65536
        ),
        body_timeout_s=r.get(
            server_t, "server", "body_timeout_s", float, d.body_timeout_s, lambda v: v > 0
        ),
        head_timeout_s=r.get(
            server_t, "server", "head_timeout_s", float, d.head_timeout_s, lambda v: v > 0
        ),
        max_connections=r.get(
            server_t, "server", "max_connections", int, d.max_connections, lambda v: v > 0
        ),
        max_connections_per_address=r.get(
            server_t,
            "server",
            "max_connections_per_address",
            int,
            d.max_connections_per_address,
            lambda v: v > 0,
        ),
    )
    server = _with_workers(r, server_t, server)
    if bool(server.tls_cert) != bool(server.tls_key):
        r.problems.append(_w("tls_pair", source=source))
    limits_t = r.table(data, "limits")
    r.known(limits_t, "limits", set(Limits.__dataclass_fields__))
    dl = Limits()
    limits = Limits(
        **{
            # A rate is a number from 1: 0 divided by zero later, nan meant no limit at
            # all, and below zero refused every report (issue 31).
            name: r.get(
                limits_t, "limits", name, type(getattr(dl, name)), getattr(dl, name), _a_rate
            )
            for name in Limits.__dataclass_fields__
        }
    )
    fwd = dict(r.table(data, "forward"))
    own = {
        k: fwd.pop(k) for k in ("secret_file", "threads", "lease_s", "status_cache_s") if k in fwd
    }
    # The same keys, checks and words as a desktop's [transport], named [forward] here.
    transport = read_transport(Reader(source, r.problems), fwd, "forward", HELPDESK_KINDS)
    secret_file = r.get(own, "forward", "secret_file", str, None)
    if secret_file:
        r.check_secret_file(secret_file, "[forward] secret_file")
    forward = ForwardSettings(
        transport=transport,
        secret_file=secret_file,
        threads=r.get(own, "forward", "threads", int, 4, lambda v: 0 <= v <= 64),
        lease_s=r.get(own, "forward", "lease_s", float, 120.0, lambda v: v >= 1),
        status_cache_s=r.get(own, "forward", "status_cache_s", float, 60.0, lambda v: v >= 0),
    )
    admin_t = r.table(data, "admin")
    r.known(admin_t, "admin", set(AdminSettings.__dataclass_fields__))
    admin = AdminSettings(
        auth=r.get(admin_t, "admin", "auth", str, "local", lambda v: v in ("local", "proxy")),
        proxy_user_header=r.get(admin_t, "admin", "proxy_user_header", str, "X-Remote-User"),
        session_hours=r.get(admin_t, "admin", "session_hours", float, 8.0, lambda v: v > 0),
        proxy_secret_file=r.get(admin_t, "admin", "proxy_secret_file", str, None),
    )
    if admin.auth == "proxy" and not server.behind_proxy:
        r.problems.append(_w("proxy_needs_trust", source=source))
    if admin.auth == "proxy" and not admin.proxy_secret_file:
        r.problems.append(_w("proxy_needs_secret", source=source))
    elif admin.proxy_secret_file:
        r.check_secret_file(admin.proxy_secret_file, "[admin] proxy_secret_file")
        try:
            secret = Path(admin.proxy_secret_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            secret = None  # said by check_secret_file, or read by the relay's own account
        if secret is not None and len(secret) < MIN_PROXY_SECRET:
            r.problems.append(
                _w(
                    "proxy_secret_short",
                    source=source,
                    path=admin.proxy_secret_file,
                    least=MIN_PROXY_SECRET,
                )
            )
    retention = r.table(data, "retention")
    r.known(retention, "retention", {"keep_delivered_days"})
    settings = RelaySettings(
        source=source,
        database=r.get(db, "database", "url", str, DEFAULT_DATABASE, _database_url),
        migrate_on_start=r.get(db, "database", "migrate_on_start", bool, True),
        server=server,
        limits=limits,
        forward=forward,
        admin=admin,
        keep_delivered_days=r.get(
            retention, "retention", "keep_delivered_days", float, 90.0, lambda v: v >= 1
        ),
    )
    if settings.server.workers > 1 and settings.database.startswith("sqlite"):
        r.problems.append(
            _w("workers_need_postgresql", source=source, workers=settings.server.workers)
        )
    if r.problems:
        raise ConfigError(r.problems)
    return settings


def _with_workers(
    r: _Reader, server_t: Mapping[str, Any], server: ServerSettings
) -> ServerSettings:
    workers = r.get(server_t, "server", "workers", int, 1, lambda v: 1 <= v <= 64)
    if workers > 1 and not hasattr(os, "fork"):
        r.problems.append(_w("workers_need_fork", source=r.source, workers=workers))
        workers = 1
    return dataclasses.replace(server, workers=workers)


MIN_PROXY_SECRET = 32  # characters: `openssl rand -hex 32` gives 64


def _a_rate(value: float) -> bool:
    """At least one a minute or an hour (or a burst of one): a rate above zero but below
    that divides to nothing (5e-324 an hour), waits for ever (1e-310), or never fills a
    bucket for one whole request (0.5 a minute)."""
    return math.isfinite(value) and 1 <= value <= 1e9


def _readable(value: str) -> bool:
    return Path(value).is_file()


def _database_url(value: str) -> bool:
    return value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://"))


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def table(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            self.problems.append(_w("not_a_table", source=self.source, name=name))
            return {}
        return value

    def known(self, data: Mapping[str, Any], name: str, keys: set[str]) -> None:
        for key in data:
            if key not in keys:
                where = f"[{name}] {key}" if name else key
                self.problems.append(_w("unknown_setting", source=self.source, where=where))

    def get(self, t, table, key, kind, default, check=None):  # type: ignore[no-untyped-def]
        if key not in t:
            return default
        value = t[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        if ok and check is not None:
            ok = bool(check(value))
        if not ok:
            self.problems.append(
                _w("not_valid", source=self.source, table=table, key=key, value=value)
            )
            return default
        return value

    def check_secret_file(self, path: str, where: str) -> None:
        values = {"source": self.source, "where": where, "path": path}
        try:
            info = Path(path).stat()
        except OSError as exc:
            self.problems.append(_w("secret_unreadable", **values, error=exc.strerror))
            return
        if stat.S_IMODE(info.st_mode) & 0o077:
            mode = f"{stat.S_IMODE(info.st_mode):o}"
            self.problems.append(_w("secret_readable", **values, mode=mode))
