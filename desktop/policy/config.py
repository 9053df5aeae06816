"""IT's policy: one TOML file per machine, read once, checked key by key.

Where it lives: /etc/ally/policy.toml (Linux), %ProgramData%\\Ally\\policy.toml (Windows),
/Library/Application Support/Ally/policy.toml (macOS); ``ALLY_POLICY`` names another file.
A missing file means "all defaults". A bad value never stops Ally: the problem is noted
with the file, the key and what was expected, and the default is used.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import tomllib

from ally_helpdesk.evidence.thresholds import LIMITS
from ally_helpdesk.policy_reader import Reader, is_url
from ally_helpdesk.policy_reader import said as _said
from ally_helpdesk.policy_reader import want as _want
from ally_helpdesk.report_format import SYMPTOMS
from ally_helpdesk.transport_policy import (
    HELPDESK_KINDS,
    TransportPolicy,
    read_transport,
)
from desktop.base.safe_read import NotReadable, read_regular_file
from desktop.policy.managed_policy import merged
from desktop.policy.relay_policy import RelayPolicy, read_relay

ENV_POLICY = "ALLY_POLICY"
MAX_POLICY_BYTES = 1024 * 1024  # a policy is a few KB; anything near this is not one
MIN_HASH_KEY_CHARS = 16


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
    vpn_program: str = ""  # what people know the secure link's program as ("GlobalProtect")
    ca_bundle: str | None = None  # a company CA for HTTPS checks; certificate checks stay on
    active_checks: bool = True  # IT may forbid sending anything from endpoints: basics only
    proxy_pac: str | None = None  # IT's PAC file (http(s) URL); else the system's setting
    proxy_wpad: bool = False  # look for a PAC file by WPAD's well-known names (name lookups)


@dataclass(frozen=True)
class ItContact:
    email: str | None = None
    phone: str | None = None
    hours: str | None = None
    where: str | None = None  # where to find IT in person
    # "one working day", "4 hours": said at the end of every report ("IT usually answers
    # within …"); IT's own words, one short line.
    answers_within: str | None = None


ANSWERS_WITHIN_MAX = 40


def read_contact(reader: Any, data: Mapping[str, Any]) -> dict[str, str | None]:
    """[it_contact]: IT's own words, each checked; ``answers_within`` is one short line."""
    contact = reader.table(data, "it_contact")
    within = _want("answers_within", max=ANSWERS_WITHIN_MAX)
    values = {
        f.name: reader.value(
            contact,
            "it_contact",
            f.name,
            str,
            None,
            short_line if f.name == "answers_within" else None,
            within if f.name == "answers_within" else None,
        )
        for f in fields(ItContact)
    }
    reader.unknown(contact, "it_contact", values)
    return values


def short_line(value: str) -> bool:
    """One short line of IT's words: shown inside a sentence, so no line breaks or
    control characters, and short enough to read at a glance."""
    text = value.strip()
    return 0 < len(text) <= ANSWERS_WITHIN_MAX and all(c.isprintable() for c in text)


START_AT_LOGIN = ("person", "always", "never")
TRANSPORT_KINDS = (*HELPDESK_KINDS, "relay")  # a desktop may also send to IT's relay


# The tables (and the one key) a policy may have; anything else is named and ignored.
POLICY_TABLES = frozenset(
    {
        "organisation",
        "it_contact",
        "thresholds",
        "sampling",
        "network",
        "apps",
        "transport",
        "privacy",
        "tips",
        "startup",
        "fixes",
        "news",
        "relay",
    }
)
DEFAULT_KEEP_SENT_DAYS = 30
MAX_KEEP_SENT_DAYS = 3650


@dataclass(frozen=True)
class PrivacySettings:
    screenshots: bool = True
    # Whether "Send this picture of my screen" starts ticked. Off: the picture (which may
    # show anything that was on the screen) goes only when the person ticks it each time.
    # IT may start it ticked; the window then says that IT asked for it.
    screenshot_ticked: bool = False
    user_name: str = "keep"  # keep, hash or drop
    host_name: str = "keep"
    # The organisation's secret for keyed hashes of names (or in the keyring as
    # "hash-key"). There is no public default: without a secret, "hash" drops the name.
    hash_key: str | None = None
    ip_addresses: str = "keep"  # keep or drop
    # Days a sent report (with its screenshot) stays in Ally's own record of what was sent
    # ("My reports"); 0 keeps nothing once IT has it. Waiting and set-aside reports stay.
    keep_sent_days: int = DEFAULT_KEEP_SENT_DAYS
    # The screenshot in Ally's own copy of a delivered report: gone once IT has it, unless
    # IT wants the copies whole (the picture may show anything that was on the screen).
    keep_sent_screenshots: bool = False


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
    # Start at login: "person" (the person's own setting decides), "always" or "never".
    start_at_login: str = "person"
    relay: RelayPolicy = field(default_factory=RelayPolicy)  # [relay]: Ally Relay, enrolment
    problems: tuple[str, ...] = ()
    fixes: FixesPolicy = field(default_factory=lambda: FixesPolicy())
    news: NewsPolicy = field(default_factory=lambda: NewsPolicy())

    @classmethod
    def load(
        cls, path: Path | str | None = None, environ: Mapping[str, str] | None = None
    ) -> Policy:
        """IT's policy. ``path`` is for a pre-flight check (``ally doctor --policy FILE``);
        ``ALLY_POLICY`` names another file only where no machine policy exists, so that no
        one can point Ally away from the policy IT put on the machine. A policy that
        exists but cannot be read applies the safe settings (no network checks, no
        screenshots, names dropped), never the open defaults."""
        env = os.environ if environ is None else environ
        machine = default_policy_path(environ=env)
        # Group Policy (Windows) or a configuration profile (macOS): over the file.
        managed = None if path else _managed()
        if managed is not None and managed.problem:
            return cls.safe(managed.problem)
        notes: list[str] = []
        if path:
            chosen = Path(path)
        elif env.get(ENV_POLICY) and not _exists(machine) and managed is None:
            chosen = Path(env[ENV_POLICY])
        else:
            chosen = machine
            if env.get(ENV_POLICY):
                its = managed.source if managed is not None else str(machine)
                notes.append(_said("env_ignored", env=ENV_POLICY, path=env[ENV_POLICY], its=its))
        explicit = bool(path) or chosen != machine
        data, source, problem = _read_policy_file(chosen, explicit)
        if problem is not None:
            return cls.safe(problem, *notes, source=source)
        if data is None and managed is None:
            return cls(problems=tuple(notes))
        if managed is not None:
            data = merged(data or {}, managed.data)
            source = managed.source + (f" over {chosen}" if source else "")
        policy = cls.from_dict(data or {}, source or str(chosen))
        return replace(policy, problems=(*notes, *policy.problems)) if notes else policy

    @classmethod
    def safe(cls, problem: str, *more: str, source: str | None = None) -> Policy:
        """What applies when IT's policy exists but cannot be read: nothing is sent beyond
        this computer on a timer, no screenshot is taken, and names are left out of reports
        until IT fixes the file (``ally doctor`` says what is wrong)."""
        return cls(
            source=source,
            network=NetworkPolicy(active_checks=False),
            privacy=PrivacySettings(
                screenshots=False, user_name="drop", host_name="drop", ip_addresses="drop"
            ),
            problems=(_said("safe", problem=problem), *more),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "policy") -> Policy:
        """IT's policy from its tables. It fails closed: a blank value (a Group Policy text
        box left empty) is unset; a misspelled or unknown table or key, or a table written
        as a plain value, makes the safe choice for the feature it was meant for (no
        screenshots, names dropped, no network checks, no fixes), and ``doctor`` names it."""
        data = _without_blanks(data)
        policy, reader = cls._read(data, source)
        closed, notes, said_instead = _fail_closed(data, reader, source)
        if not notes:
            return policy
        policy, _ = cls._read(closed, source)
        kept = [p for p in policy.problems if p not in said_instead]
        return replace(policy, problems=(*kept, *notes))

    @classmethod
    def _read(cls, data: Mapping[str, Any], source: str) -> tuple[Policy, _Reader]:
        problems: list[str] = []
        reader = _Reader(source, problems)
        for key in data:
            if key not in POLICY_TABLES:
                problems.append(_said("unknown_table", source=source, setting=key))
        contact_values = read_contact(reader, data)
        sampling = reader.table(data, "sampling")
        interval = reader.value(
            sampling,
            "sampling",
            "interval_s",
            float,
            2.0,
            lambda v: 0.5 <= v <= 60,
            _want("seconds_half_to_60"),
        )
        reader.unknown(sampling, "sampling", {"interval_s"})
        thresholds = reader.thresholds(reader.table(data, "thresholds"))
        apps = reader.table(data, "apps")
        fault_window = reader.value(
            apps,
            "apps",
            "fault_window_hours",
            float,
            24.0,
            lambda v: 1 <= v <= 24 * 30,
            _want("hours_1_to_720"),
        )
        reader.unknown(apps, "apps", {"fault_window_hours"})
        network = reader.network(reader.table(data, "network"))
        tips = reader.table(data, "tips")
        tips_enabled = reader.value(tips, "tips", "enabled", bool, True)
        reader.unknown(tips, "tips", {"enabled"})
        startup = reader.table(data, "startup")
        start_at_login = reader.value(
            startup,
            "startup",
            "at_login",
            str,
            "person",
            lambda v: v in START_AT_LOGIN,
            _want("choices", choices=", ".join(START_AT_LOGIN)),
        )
        reader.unknown(startup, "startup", {"at_login"})
        transport = reader.transport(reader.table(data, "transport"))
        privacy = reader.privacy(reader.table(data, "privacy"))
        fixes = read_fixes(reader, reader.table(data, "fixes"))
        news = read_news(reader, reader.table(data, "news"), network.ca_bundle)
        relay = read_relay(reader.table(data, "relay"), reader.value, reader.unknown)
        if transport.kind == "relay" and not relay.url:
            problems.append(_said("relay_needs_url", source=source))
        policy = cls(
            relay=relay,
            source=source,
            transport=transport,
            privacy=privacy,
            tips_enabled=tips_enabled,
            start_at_login=start_at_login,
            organisation=reader.value(data, "", "organisation", str, None),
            it_contact=ItContact(**contact_values),
            thresholds=dict(thresholds),
            sampling_interval_s=interval,
            network=network,
            fault_window_hours=fault_window,
            problems=tuple(problems),
            fixes=fixes,
            news=news,
        )
        return policy, reader

    def with_network(self, **changes: Any) -> Policy:
        return replace(self, network=replace(self.network, **changes))


def proxy_choice(policy: Policy | None = None) -> Any:
    """The policy's (by default the one in force) proxy settings (``[network] proxy_pac``, ``proxy_wpad``), for every HTTP
    session the desktop makes; an ``ally_helpdesk.http_session.ProxyChoice``."""
    # Imported here: http_session loads ssl (25 ms, measured with -X importtime), which a
    # policy read at start does not need.
    from ally_helpdesk.http_session import ProxyChoice

    network = (policy or Policy.load()).network
    return ProxyChoice(network.proxy_pac, network.proxy_wpad)


def _managed() -> Any:
    from desktop.policy.managed_policy import managed_policy

    return managed_policy()


def _read_policy_file(
    chosen: Path, explicit: bool
) -> tuple[dict[str, Any] | None, str | None, str | None]:
    """(the file's tables, its name, why it cannot be used); (None, None, None) when the
    machine has no policy file, which means defaults. A file that exists but cannot be
    used is a problem: the safe settings apply, never the open defaults."""
    if not explicit:
        from desktop.policy.policy_owner import untrusted_reason

        why = untrusted_reason(chosen) if _exists(chosen) else None
        if why is not None:
            return None, None, _said("untrusted", path=chosen, why=why)
    try:
        text = read_regular_file(chosen, MAX_POLICY_BYTES).decode("utf-8-sig")
    except FileNotFoundError:
        if explicit:
            return None, None, _said("no_file", path=chosen)
        return None, None, None
    except NotReadable as exc:
        return None, None, _said("unusable", path=chosen, error=exc)
    except OSError as exc:
        return None, None, _said("unreadable", path=chosen, error=exc.strerror or exc)
    except UnicodeDecodeError:
        return None, None, _said("not_utf8", path=chosen)
    try:
        return tomllib.loads(text), str(chosen), None
    except tomllib.TOMLDecodeError as exc:
        return None, str(chosen), _said("not_toml", path=chosen, error=exc)
    except RecursionError:
        return None, str(chosen), _said("too_deep", path=chosen)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True  # there, but not even its existence can be read: treat it as IT's


class _Reader(Reader):
    """The desktop's policy, one feature's table at a time."""

    def transport(self, t: Mapping[str, Any]) -> TransportPolicy:
        return read_transport(self, t, "transport", TRANSPORT_KINDS)

    def thresholds(self, t: Mapping[str, Any]) -> dict[str, float]:
        """Only finite numbers of 0 or more get through: a NaN limit is never crossed and
        an infinite one never reached, so either would silence a finding unnoticed."""
        out = {}
        for key, value in t.items():
            if key not in LIMITS:
                self.problems.append(_said("unknown_threshold", source=self.source, setting=key))
                continue
            number = (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and math.isfinite(value)
                and value >= 0
            )
            if not number:
                self.problems.append(
                    _said(
                        "bad_threshold",
                        source=self.source,
                        setting=key,
                        unit=LIMITS[key].unit,
                        value=value,
                    )
                )
                continue
            out[key] = value
        return out

    def network(self, net: Mapping[str, Any]) -> NetworkPolicy:
        """[network]: what the network walk may try; ``active_checks`` fails closed."""
        defaults = NetworkPolicy()
        out = NetworkPolicy(
            check_url=self.value(
                net, "network", "check_url", str, defaults.check_url, is_url, _want("http_url")
            ),
            check_status=self.value(
                net,
                "network",
                "check_status",
                int,
                defaults.check_status,
                lambda v: 100 <= v <= 599,
                _want("status_code"),
            ),
            https_endpoints=tuple(
                self.value(
                    net,
                    "network",
                    "https_endpoints",
                    list,
                    list(defaults.https_endpoints),
                    lambda v: all(isinstance(u, str) and u.startswith("https://") for u in v),
                    _want("https_urls"),
                )
            ),
            lookup_name=self.value(net, "network", "lookup_name", str, defaults.lookup_name),
            it_servers=self.servers(net),
            vpn_required=self.value(net, "network", "vpn_required", bool, False),
            vpn_program=self.value(
                net, "network", "vpn_program", str, "", lambda v: 0 < len(v.strip()) <= 60
            ).strip(),
            ca_bundle=self.value(
                net,
                "network",
                "ca_bundle",
                str,
                None,
                lambda v: Path(v).is_file(),
                _want("pem_file"),
            ),
            active_checks=self.value(net, "network", "active_checks", bool, True, safe=False),
            proxy_pac=self.value(net, "network", "proxy_pac", str, None, is_url, _want("pac_url")),
            proxy_wpad=self.value(net, "network", "proxy_wpad", bool, False, safe=False),
        )
        self.unknown(net, "network", {f.name for f in fields(NetworkPolicy)})
        return out

    def privacy(self, t: Mapping[str, Any]) -> PrivacySettings:
        rule = lambda v: v in ("keep", "hash", "drop")  # noqa: E731
        out = PrivacySettings(
            screenshots=self.value(t, "privacy", "screenshots", bool, True, safe=False),
            screenshot_ticked=self.value(t, "privacy", "screenshot_ticked", bool, False),
            user_name=self.value(
                t, "privacy", "user_name", str, "keep", rule, _want("keep_hash_drop"), safe="drop"
            ),
            host_name=self.value(
                t, "privacy", "host_name", str, "keep", rule, _want("keep_hash_drop"), safe="drop"
            ),
            hash_key=self.hash_key(t),
            ip_addresses=self.value(
                t,
                "privacy",
                "ip_addresses",
                str,
                "keep",
                lambda v: v in ("keep", "drop"),
                _want("keep_drop"),
                safe="drop",
            ),
            keep_sent_days=self.value(
                t,
                "privacy",
                "keep_sent_days",
                int,
                DEFAULT_KEEP_SENT_DAYS,
                lambda v: 0 <= v <= MAX_KEEP_SENT_DAYS,
                _want("days_to", max=MAX_KEEP_SENT_DAYS),
            ),
            keep_sent_screenshots=self.value(
                t, "privacy", "keep_sent_screenshots", bool, False, safe=False
            ),
        )
        self.unknown(t, "privacy", {f.name for f in fields(PrivacySettings)} | {"hash_salt"})
        return out

    def hash_key(self, t: Mapping[str, Any]) -> str | None:
        """``hash_key`` (``hash_salt`` is its older name). A short key can be guessed, and
        with it every hashed name: such a key is refused, and "hash" drops names."""
        key = "hash_key" if "hash_key" in t else "hash_salt"
        if key not in t:
            return None
        value = t[key]
        if isinstance(value, str) and len(value.strip()) >= MIN_HASH_KEY_CHARS:
            return value
        what = (
            _said("characters", count=len(value))
            if isinstance(value, str)
            else type(value).__name__
        )
        # The value itself is a secret: it is never repeated in a message.
        self.problems.append(
            _said(
                "short_hash_key",
                source=self.source,
                setting=key,
                min=MIN_HASH_KEY_CHARS,
                what=what,
            )
        )
        return None

    def servers(self, net: Mapping[str, Any]) -> tuple[ItServer, ...]:
        raw = net.get("it_servers", [])
        if not isinstance(raw, list):
            self.problems.append(_said("servers_not_list", source=self.source))
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
                self.problems.append(_said("bad_server", source=self.source, n=i + 1, entry=entry))
                continue
            name = entry.get("name") if isinstance(entry.get("name"), str) else host
            out.append(ItServer(host, port, name))
        return tuple(out)


# --- Helping (issue 18): safe fixes and IT's news --------------------------------------

END_OF_DAY_RE = r"^([01]?\d|2[0-3]):[0-5]\d$"


@dataclass(frozen=True)
class FixesPolicy:
    """Which safe fixes Ally may offer. IT can turn them all off, or one by one by its id
    (``ally fix`` lists them); ``end_of_day`` is when a restart reminder is due."""

    enabled: bool = True
    off: frozenset[str] = frozenset()
    end_of_day: str = "17:00"

    def allows(self, fix_id: str) -> bool:
        return self.enabled and fix_id not in self.off


@dataclass(frozen=True)
class NewsComponent:
    """A component of IT's status feed, as the person would call it and the symptoms it
    may explain ("Exchange Online" is "email" and may explain "app" and "internet")."""

    name: str
    say: str
    symptoms: tuple[str, ...]


NEWS_SYMPTOMS = SYMPTOMS


@dataclass(frozen=True)
class NewsPolicy:
    url: str | None = None  # https://…/api/v2/summary.json, file:///share/status.json or a path
    interval_s: float = 300.0  # between polls, with jitter
    ca_bundle: str | None = None  # a company CA; default: [network] ca_bundle
    components: tuple[NewsComponent, ...] = ()


def _is_feed_location(value: str) -> bool:
    parsed = urlparse(value)
    if parsed.scheme in ("http", "https"):
        return bool(parsed.netloc)
    if parsed.scheme == "file":
        return bool(parsed.path)
    return Path(value).is_absolute() or value.startswith("\\\\")


def read_fixes(reader: _Reader, t: Mapping[str, Any]) -> FixesPolicy:
    import re

    from desktop.policy.fix_ids import FIX_IDS

    # A switch of the wrong kind ("false", "off", 0) turns off what it was meant to switch.
    enabled = reader.value(t, "fixes", "enabled", bool, True, safe=False)
    off = frozenset(
        fid for fid in FIX_IDS if reader.value(t, "fixes", fid, bool, True, safe=False) is False
    )
    end = reader.value(
        t,
        "fixes",
        "end_of_day",
        str,
        "17:00",
        lambda v: re.match(END_OF_DAY_RE, v) is not None,
        _want("time_of_day"),
    )
    reader.unknown(t, "fixes", {"enabled", "end_of_day", *FIX_IDS})
    return FixesPolicy(enabled, off, end)


def read_news(reader: _Reader, t: Mapping[str, Any], network_ca: str | None) -> NewsPolicy:
    url = reader.value(
        t,
        "news",
        "url",
        str,
        None,
        _is_feed_location,
        _want("feed_location"),
    )
    interval = reader.value(
        t,
        "news",
        "interval_s",
        float,
        300.0,
        lambda v: 60 <= v <= 3600,
        _want("seconds_60_to_3600"),
    )
    ca = reader.value(
        t,
        "news",
        "ca_bundle",
        str,
        None,
        lambda v: Path(v).is_file(),
        _want("pem_file"),
    )
    raw = t.get("components", [])
    components = []
    if not isinstance(raw, list):
        reader.problems.append(_said("components_not_list", source=reader.source))
        raw = []
    for i, entry in enumerate(raw):
        name = entry.get("name") if isinstance(entry, dict) else None
        say = entry.get("say", name) if isinstance(entry, dict) else None
        symptoms = entry.get("symptoms", []) if isinstance(entry, dict) else None
        if (
            not isinstance(name, str)
            or not name
            or not isinstance(say, str)
            or not isinstance(symptoms, list)
            or not all(s in NEWS_SYMPTOMS for s in symptoms)
        ):
            reader.problems.append(
                _said(
                    "bad_component",
                    source=reader.source,
                    n=i + 1,
                    symptoms=", ".join(NEWS_SYMPTOMS),
                    entry=entry,
                )
            )
            continue
        components.append(NewsComponent(name, say or name, tuple(symptoms)))
    reader.unknown(t, "news", {"url", "interval_s", "ca_bundle", "components"})
    return NewsPolicy(url, interval, ca or network_ca, tuple(components))


def _without_blanks(data: Mapping[str, Any]) -> dict[str, Any]:
    """The policy without blank values: Group Policy writes a text box left empty as "",
    which means "not set", not a wrong value."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str) and not value.strip():
            continue
        out[key] = _without_blanks(value) if isinstance(value, dict) else value
    return out


def _meant(name: str, known: Collection[str]) -> str | None:
    """The known name IT most likely meant by ``name`` ("Privacy", "screenshot")."""
    import difflib

    for k in known:
        if k.lower() == name.lower():
            return k
    close = difflib.get_close_matches(name.lower(), sorted(known), n=1, cutoff=0.8)
    return close[0] if close else None


def _fail_closed(
    data: Mapping[str, Any], reader: _Reader, source: str
) -> tuple[dict[str, Any], list[str], set[str]]:
    """``data`` with the safe value put where IT's words were not understood, and a line
    for ``doctor`` for each. A key Ally does not know takes the safe value of the key it
    most likely meant (or, when it looks like none, its whole table takes its safe
    values); a table it does not know (or a table written as a plain value)
    takes its feature's safe values, and, when Ally cannot tell which feature it was
    meant for, those of every feature that has them. Also returns the plain "not a
    setting Ally knows" lines these notes say better, to leave out."""
    safe_tables: dict[str, dict[str, Any]] = {}
    for (table, key), value in reader.safe_values.items():
        safe_tables.setdefault(table, {})[key] = value
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    notes: list[str] = []
    said_instead: set[str] = set()

    def close_table(table: str, written: str, words: str) -> bool:
        safe = safe_tables.get(table)
        if not safe:
            return False
        current = out.get(table)
        out[table] = {**(current if isinstance(current, dict) else {}), **safe}
        values = ", ".join(f"{k} = {v!r}" for k, v in sorted(safe.items()))
        notes.append(_said(words, source=source, written=written, table=table, values=values))
        return True

    for key, value in data.items():
        if key in POLICY_TABLES:
            # "privacy = false": a feature's table written as a plain value.
            if not isinstance(value, dict) and close_table(key, key, "safe_for_not_a_table"):
                said_instead.add(_said("not_a_table", source=source, name=key))
            continue
        meant = _meant(key, POLICY_TABLES)
        closed = [
            close_table(table, key, "safe_for_table" if meant else "safe_for_unplaced")
            for table in ([meant] if meant else sorted(safe_tables))
        ]
        if any(closed):
            said_instead.add(_said("unknown_table", source=source, setting=key))
    for table, key in reader.strangers:
        meant = _meant(key, reader.known.get(table, ()))
        if (
            meant is not None
            and (table, meant) in reader.safe_values
            and isinstance(out.get(table), dict)
        ):
            safe = reader.safe_values[(table, meant)]
            out[table][meant] = safe
            notes.append(
                _said(
                    "safe_for_setting",
                    source=source,
                    table=table,
                    written=key,
                    meant=meant,
                    value=safe,
                )
            )
            said_instead.add(_said("unknown_setting", source=source, table=table, setting=key))
        elif table in safe_tables and close_table(table, f"[{table}] {key}", "safe_for_key"):
            # Like nothing Ally knows there ("screenshots_enabled = false"): what it was
            # meant to do cannot be told, so the whole feature takes its safe values.
            said_instead.add(_said("unknown_setting", source=source, table=table, setting=key))
    return out, notes, said_instead
