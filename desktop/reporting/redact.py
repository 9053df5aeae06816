"""Leaving parts out of a report: the person's choices on the review screen, and IT's
policy for screenshots, user and computer names, and network addresses.

Dropping or hashing a name changes the fields that hold it (and the person's home path
in any text), never every value that happens to read like the name: a person whose
account is called "ok" must not turn every "ok" status into nothing.

A report says what was left out (``left_out``) so IT knows a gap is deliberate.
"""

from __future__ import annotations

import copy
import ipaddress
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

PERSON_CHOICES = ("note", "screenshot", "process_list", "contact")
NAME_RULES = ("keep", "hash", "drop")
ADDRESS_LEFT_OUT = "[address left out]"
# Fields that hold versions, not addresses ("10.0.19045.1" is a Windows build).
NOT_ADDRESSES = {"os", "os_version", "ally_version", "model", "version", "kernel"}
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\w.])")
IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[\w.-]+)?(?![\w:])")


def _it(key: str, /, **values: Any) -> str:
    """IT's words about the outbox and its reports ([report_it] in the catalog). Imported
    here: the catalog is read only when there is something to say."""
    from desktop.base.words import say

    return say(key, "report_it", **values)


@dataclass(frozen=True)
class PrivacyPolicy:
    screenshots: bool = True  # IT may forbid screenshots altogether
    user_name: str = "keep"  # keep, hash or drop
    host_name: str = "keep"
    # The organisation's secret: hashes are keyed so that nobody outside can turn a hash
    # back into a name by trying names. Without it, "hash" drops the name.
    hash_key: str | None = None
    ip_addresses: str = "keep"  # keep or drop


def _hash(value: str, key: str) -> str:
    """A keyed hash (HMAC-SHA256). hashlib is loaded only here, when IT's policy asks for
    hashing: it brings OpenSSL, which the tray app otherwise needs only to send."""
    import hashlib
    import hmac

    mac = hmac.new(key.encode("utf-8"), value.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return "h:" + mac.hexdigest()[:16]


def _home_paths(user: str) -> re.Pattern[str]:
    """The places named after the person: their home folder and their removable drives,
    on Linux, macOS and Windows, and this account's real home."""
    u = re.escape(user)
    prefixes = [
        rf"/home/{u}",
        rf"/Users/{u}",
        rf"/media/{u}",
        rf"/run/media/{u}",
        rf"[A-Za-z]:[\\/]+Users[\\/]+{u}",
    ]
    home = os.path.expanduser("~")
    if home not in ("~", "/") and os.path.basename(home.rstrip("/\\")) == user:
        prefixes.append(re.escape(home))
    return re.compile(rf"(?:{'|'.join(prefixes)})(?![\w.-])", re.IGNORECASE)


def _walk_strings(node: Any, change, key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: _walk_strings(v, change, str(k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk_strings(v, change, key) for v in node]
    if isinstance(node, str):
        return change(node, key)
    return node


def _without_addresses(text: str, key: str) -> str:
    if key in NOT_ADDRESSES:
        return text

    def address(match: re.Match[str]) -> str:
        candidate = match.group().split("%")[0].split("/")[0]
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            return match.group()
        return ADDRESS_LEFT_OUT

    return IPV6.sub(address, IPV4.sub(address, text))


def apply(
    report: dict[str, Any], leave_out: Iterable[str] = (), policy: PrivacyPolicy | None = None
) -> dict[str, Any]:
    """A copy of ``report`` without what the person and IT's policy leave out."""
    policy = policy or PrivacyPolicy()
    out = copy.deepcopy(report)
    left = list(out.get("left_out", []))
    wanted = set(leave_out)
    unknown = wanted - set(PERSON_CHOICES)
    if unknown:
        raise ValueError(_it("cannot_leave_out", parts=sorted(unknown), choices=PERSON_CHOICES))
    if not policy.screenshots:
        wanted.add("screenshot")
    if "note" in wanted and out.get("note") is not None:
        out["note"] = None
    if "screenshot" in wanted and out.get("screenshot") is not None:
        out["screenshot"] = None
    if "contact" in wanted and out.get("contact") is not None:
        out["contact"] = None
    if "process_list" in wanted:
        sections = out["diagnosis"]["sections"]
        if "processes" in sections:
            sections["processes"] = {"status": "unavailable", "reason": _it("left_out_by_person")}
        memory = sections.get("memory", {}).get("data")
        if isinstance(memory, dict):
            memory["top_users"] = []
    for choice in wanted:
        if choice not in left:
            left.append(choice)
    out.setdefault("privacy", {})
    system = out.get("diagnosis", {}).get("sections", {}).get("system", {}).get("data")
    system = system if isinstance(system, dict) else {}
    machine = out["machine"]
    home_rename: tuple[str, str] | None = None
    for field, rule, label in (
        ("user", policy.user_name, "user_name"),
        ("hostname", policy.host_name, "host_name"),
    ):
        value = machine.get(field)
        if rule == "keep" or not value:
            out["privacy"][label] = "kept"
            continue
        hashed = rule == "hash" and bool(policy.hash_key)
        new = _hash(value, policy.hash_key) if hashed else None  # type: ignore[arg-type]
        # Only the fields that hold the name change: a status that happens to read like
        # the name ("ok" for a person called ok) is left alone.
        machine[field] = new
        if system.get(field) == value:
            system[field] = new
        if field == "user":
            home_rename = (value, new or "[user]")
        out["privacy"][label] = "hashed" if hashed else "dropped"
        if not hashed and label not in left:
            left.append(label)
    if home_rename is not None:
        homes, shown = _home_paths(home_rename[0]), home_rename[1]
        out = _walk_strings(out, lambda t, _k: homes.sub(lambda m: _rename(m, shown), t))
    if policy.ip_addresses == "drop":
        out = _walk_strings(out, _without_addresses)
        network = out["diagnosis"]["sections"].get("network", {}).get("data")
        for iface in network.get("interfaces", []) if isinstance(network, dict) else []:
            if isinstance(iface, dict):
                iface["ipv4"], iface["ipv6"] = [], []
        out["privacy"]["ip_addresses"] = "dropped"
        if "ip_addresses" not in left:
            left.append("ip_addresses")
    out["left_out"] = left
    return out


def _rename(match: re.Match[str], shown: str) -> str:
    """``/home/alex`` → ``/home/[user]``: the place stays readable, the name goes."""
    text = match.group()
    cut = max(text.rfind("/"), text.rfind("\\"))
    return text[: cut + 1] + shown
