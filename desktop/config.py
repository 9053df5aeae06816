"""IT's policy: one TOML file per machine, read once, checked key by key.

Where it lives: /etc/ally/policy.toml (Linux), %ProgramData%\\Ally\\policy.toml (Windows),
/Library/Application Support/Ally/policy.toml (macOS); ``ALLY_POLICY`` names another file.
A missing file means "all defaults". A bad value never stops Ally: the problem is noted
with the file, the key and what was expected, and the default is used.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import tomllib

from desktop.relay_policy import RelayPolicy, read_relay

ENV_POLICY = "ALLY_POLICY"


def default_policy_path(
    platform: str = sys.platform, environ: Mapping[str, str] | None = None
) -> Path:
    env = os.environ if environ is None else environ
    if platform.startswith("win"):
        return Path(env.get("ProgramData", r"C:\ProgramData")) / "Ally" / "policy.toml"
    if platform == "darwin":
        return Path("/Library/Application Support/Ally/policy.toml")
    return Path("/etc/ally/policy.toml")


@dataclass(frozen=True)
class ItServer:
    host: str
    port: int
    name: str  # how IT calls it: "file server", "mail"


@dataclass(frozen=True)
class NetworkPolicy:
    # A plain-HTTP check on purpose: a hotel or guest Wi-Fi login page can only step in on
    # plain HTTP, so this is how a captive portal shows itself. It sends nothing but a GET.
    check_url: str = "http://connectivitycheck.gstatic.com/generate_204"
    check_status: int = 204
    https_endpoints: tuple[str, ...] = ("https://www.gstatic.com/generate_204",)
    lookup_name: str = "connectivitycheck.gstatic.com"
    it_servers: tuple[ItServer, ...] = ()
    vpn_required: bool = False
    ca_bundle: str | None = None  # a company CA for HTTPS checks; certificate checks stay on
    active_checks: bool = True  # IT may forbid sending anything from endpoints: basics only


@dataclass(frozen=True)
class ItContact:
    email: str | None = None
    phone: str | None = None
    hours: str | None = None
    where: str | None = None  # where to find IT in person


TRANSPORT_KINDS = ("folder", "webhook", "email", "request-tracker", "relay")


@dataclass(frozen=True)
class TransportPolicy:
    """How reports reach IT. Secrets (webhook secret, SMTP password, helpdesk token) are
    never here: they live in the OS keyring (``ally credentials set KIND``)."""

    kind: str = "folder"
    folder: str | None = None  # folder transport; default: the reports folder in Ally's data
    url: str | None = None  # webhook URL, or Request Tracker's base URL
    ca_bundle: str | None = None  # a company CA; certificate checks stay on
    timeout_s: float = 20.0
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls or tls
    smtp_user: str | None = None
    mail_from: str | None = None
    mail_to: str | None = None
    rt_queue: str = "General"
    rt_user: str | None = None  # with a password in the keyring; without: a token in the keyring


@dataclass(frozen=True)
class PrivacySettings:
    screenshots: bool = True
    user_name: str = "keep"  # keep, hash or drop
    host_name: str = "keep"
    hash_salt: str = "ally"


@dataclass(frozen=True)
class Policy:
    source: str | None = None  # the file it came from, None for defaults
    organisation: str | None = None
    it_contact: ItContact = field(default_factory=ItContact)
    thresholds: Mapping[str, Any] = field(default_factory=dict)  # checked by Thresholds
    sampling_interval_s: float = 2.0
    network: NetworkPolicy = field(default_factory=NetworkPolicy)
    fault_window_hours: float = 24.0  # how far back app crashes and hangs are looked for
    transport: TransportPolicy = field(default_factory=TransportPolicy)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    tips_enabled: bool = True  # IT may switch tips off for everyone
    relay: RelayPolicy = field(default_factory=RelayPolicy)  # [relay]: Ally Relay, enrolment
    problems: tuple[str, ...] = ()

    @classmethod
    def load(
        cls, path: Path | str | None = None, environ: Mapping[str, str] | None = None
    ) -> Policy:
        env = os.environ if environ is None else environ
        chosen = (
            Path(path)
            if path
            else Path(env[ENV_POLICY])
            if env.get(ENV_POLICY)
            else default_policy_path()
        )
        try:
            text = chosen.read_text(encoding="utf-8")
        except FileNotFoundError:
            if path or env.get(ENV_POLICY):
                return cls(
                    problems=(f"{chosen}: the policy file does not exist; defaults are used",)
                )
            return cls()
        except OSError as exc:
            return cls(
                problems=(f"{chosen}: cannot be read ({exc.strerror or exc}); defaults are used",)
            )
        except UnicodeDecodeError:
            return cls(problems=(f"{chosen}: is not UTF-8 text; defaults are used",))
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            return cls(
                source=str(chosen),
                problems=(f"{chosen}: is not valid TOML ({exc}); defaults are used",),
            )
        return cls.from_dict(data, str(chosen))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "policy") -> Policy:
        problems: list[str] = []
        reader = _Reader(source, problems)
        known = {
            "organisation",
            "it_contact",
            "thresholds",
            "sampling",
            "network",
            "apps",
            "transport",
            "privacy",
            "tips",
            "relay",
        }
        for key in data:
            if key not in known:
                problems.append(
                    f"{source}: '{key}' is not a policy setting Ally knows; it is ignored"
                )
        contact = reader.table(data, "it_contact")
        contact_values = {
            f.name: reader.value(contact, "it_contact", f.name, str, None)
            for f in fields(ItContact)
        }
        reader.unknown(contact, "it_contact", contact_values)
        sampling = reader.table(data, "sampling")
        interval = reader.value(
            sampling,
            "sampling",
            "interval_s",
            float,
            2.0,
            lambda v: 0.5 <= v <= 60,
            "a number of seconds from 0.5 to 60",
        )
        reader.unknown(sampling, "sampling", {"interval_s"})
        thresholds = reader.table(data, "thresholds")
        apps = reader.table(data, "apps")
        fault_window = reader.value(
            apps,
            "apps",
            "fault_window_hours",
            float,
            24.0,
            lambda v: 1 <= v <= 24 * 30,
            "a number of hours from 1 to 720",
        )
        reader.unknown(apps, "apps", {"fault_window_hours"})
        net = reader.table(data, "network")
        defaults = NetworkPolicy()
        network = NetworkPolicy(
            check_url=reader.value(
                net, "network", "check_url", str, defaults.check_url, _is_url, "an http(s):// URL"
            ),
            check_status=reader.value(
                net,
                "network",
                "check_status",
                int,
                defaults.check_status,
                lambda v: 100 <= v <= 599,
                "an HTTP status code",
            ),
            https_endpoints=tuple(
                reader.value(
                    net,
                    "network",
                    "https_endpoints",
                    list,
                    list(defaults.https_endpoints),
                    lambda v: all(isinstance(u, str) and u.startswith("https://") for u in v),
                    "a list of https:// URLs",
                )
            ),
            lookup_name=reader.value(net, "network", "lookup_name", str, defaults.lookup_name),
            it_servers=reader.servers(net),
            vpn_required=reader.value(net, "network", "vpn_required", bool, False),
            ca_bundle=reader.value(
                net,
                "network",
                "ca_bundle",
                str,
                None,
                lambda v: Path(v).is_file(),
                "the path of an existing PEM file",
            ),
            active_checks=reader.value(net, "network", "active_checks", bool, True),
        )
        reader.unknown(net, "network", {f.name for f in fields(NetworkPolicy)})
        tips = reader.table(data, "tips")
        tips_enabled = reader.value(tips, "tips", "enabled", bool, True)
        reader.unknown(tips, "tips", {"enabled"})
        transport = reader.transport(reader.table(data, "transport"))
        privacy = reader.privacy(reader.table(data, "privacy"))
        relay = read_relay(reader.table(data, "relay"), reader.value, reader.unknown)
        if transport.kind == "relay" and not relay.url:
            problems.append(
                f'{source}: [transport] kind = "relay" needs [relay] url; reports are kept in the outbox until it is set'
            )
        return cls(
            relay=relay,
            source=source,
            transport=transport,
            privacy=privacy,
            tips_enabled=tips_enabled,
            organisation=reader.value(data, "", "organisation", str, None),
            it_contact=ItContact(**contact_values),
            thresholds=dict(thresholds),
            sampling_interval_s=interval,
            network=network,
            fault_window_hours=fault_window,
            problems=tuple(problems),
        )

    def with_network(self, **changes: Any) -> Policy:
        return replace(self, network=replace(self.network, **changes))


def _is_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


class _Reader:
    """Reads one value at a time, noting every problem with the file and key."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems

    def _name(self, table: str, key: str) -> str:
        return f"[{table}] {key}" if table else key

    def table(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            self.problems.append(
                f"{self.source}: '{name}' must be a table ([{name}]); it is ignored"
            )
            return {}
        return value

    def unknown(self, table: Mapping[str, Any], name: str, known: Any) -> None:
        for key in table:
            if key not in known:
                self.problems.append(
                    f"{self.source}: [{name}] {key} is not a setting Ally knows; it is ignored"
                )

    def value(
        self,
        table: Mapping[str, Any],
        table_name: str,
        key: str,
        kind: type,
        default: Any,
        check: Callable[[Any], bool] | None = None,
        expected: str | None = None,
    ) -> Any:
        if key not in table:
            return default
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if ok and check is not None:
            try:
                ok = check(value)
            except (TypeError, ValueError):
                ok = False
        if not ok:
            what = (
                expected
                or {
                    str: "text",
                    int: "a whole number",
                    float: "a number",
                    bool: "true or false",
                    list: "a list",
                }[kind]
            )
            self.problems.append(
                f"{self.source}: {self._name(table_name, key)} should be {what}, not {value!r}; "
                f"the default {default!r} is used"
            )
            return default
        return value

    def transport(self, t: Mapping[str, Any]) -> TransportPolicy:
        d = TransportPolicy()
        name = "transport"
        kind = self.value(
            t,
            name,
            "kind",
            str,
            d.kind,
            lambda v: v in TRANSPORT_KINDS,
            f"one of {', '.join(TRANSPORT_KINDS)}",
        )
        out = TransportPolicy(
            kind=kind,
            folder=self.value(t, name, "folder", str, None),
            url=self.value(t, name, "url", str, None, _is_url, "an https:// URL"),
            ca_bundle=self.value(
                t,
                name,
                "ca_bundle",
                str,
                None,
                lambda v: Path(v).is_file(),
                "the path of an existing PEM file",
            ),
            timeout_s=self.value(
                t,
                name,
                "timeout_s",
                float,
                d.timeout_s,
                lambda v: 1 <= v <= 120,
                "seconds from 1 to 120",
            ),
            smtp_host=self.value(t, name, "smtp_host", str, None),
            smtp_port=self.value(
                t, name, "smtp_port", int, d.smtp_port, lambda v: 0 < v < 65536, "a port 1-65535"
            ),
            smtp_security=self.value(
                t,
                name,
                "smtp_security",
                str,
                d.smtp_security,
                lambda v: v in ("starttls", "tls"),
                "starttls or tls",
            ),
            smtp_user=self.value(t, name, "smtp_user", str, None),
            mail_from=self.value(
                t, name, "mail_from", str, None, lambda v: "@" in v, "an email address"
            ),
            mail_to=self.value(
                t, name, "mail_to", str, None, lambda v: "@" in v, "an email address"
            ),
            rt_queue=self.value(t, name, "rt_queue", str, d.rt_queue),
            rt_user=self.value(t, name, "rt_user", str, None),
        )
        self.unknown(t, name, {f.name for f in fields(TransportPolicy)})
        needs = {
            "webhook": ("url",),
            "email": ("smtp_host", "mail_from", "mail_to"),
            "request-tracker": ("url",),
        }
        for key in needs.get(kind, ()):
            if getattr(out, key) is None:
                self.problems.append(
                    f'{self.source}: [transport] kind = "{kind}" needs {key}; reports are kept in the outbox until it is set'
                )
        return out

    def privacy(self, t: Mapping[str, Any]) -> PrivacySettings:
        rule = lambda v: v in ("keep", "hash", "drop")  # noqa: E731
        out = PrivacySettings(
            screenshots=self.value(t, "privacy", "screenshots", bool, True),
            user_name=self.value(
                t, "privacy", "user_name", str, "keep", rule, "keep, hash or drop"
            ),
            host_name=self.value(
                t, "privacy", "host_name", str, "keep", rule, "keep, hash or drop"
            ),
            hash_salt=self.value(t, "privacy", "hash_salt", str, "ally"),
        )
        self.unknown(t, "privacy", {f.name for f in fields(PrivacySettings)})
        return out

    def servers(self, net: Mapping[str, Any]) -> tuple[ItServer, ...]:
        raw = net.get("it_servers", [])
        if not isinstance(raw, list):
            self.problems.append(
                f"{self.source}: [network] it_servers should be a list of tables; it is ignored"
            )
            return ()
        out = []
        for i, entry in enumerate(raw):
            host = entry.get("host") if isinstance(entry, dict) else None
            port = entry.get("port") if isinstance(entry, dict) else None
            if (
                not isinstance(host, str)
                or not host
                or not isinstance(port, int)
                or not 0 < port < 65536
            ):
                self.problems.append(
                    f'{self.source}: [network] it_servers entry {i + 1} needs host = "name" and port = 1-65535, '
                    f"not {entry!r}; it is skipped"
                )
                continue
            name = entry.get("name") if isinstance(entry.get("name"), str) else host
            out.append(ItServer(host, port, name))
        return tuple(out)
