"""Leaving parts out of a report: the person's choices on the review screen, and IT's
policy for screenshots and for user and computer names.

A report says what was left out (``left_out``) so IT knows a gap is deliberate.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

PERSON_CHOICES = ("note", "screenshot", "process_list", "contact")
NAME_RULES = ("keep", "hash", "drop")


@dataclass(frozen=True)
class PrivacyPolicy:
    screenshots: bool = True  # IT may forbid screenshots altogether
    user_name: str = "keep"  # keep, hash or drop
    host_name: str = "keep"
    hash_salt: str = "ally"  # the same salt on every machine keeps hashes comparable


def _hash(value: str, salt: str) -> str:
    return "h:" + hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()[:16]


def _replace_everywhere(node: Any, pattern: re.Pattern[str], new: str | None) -> Any:
    """Names also appear inside IT detail and evidence (a home folder, a hostname); only
    whole names are replaced, so a user called "al" leaves "total" alone."""
    if isinstance(node, dict):
        return {k: _replace_everywhere(v, pattern, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_everywhere(v, pattern, new) for v in node]
    if isinstance(node, str) and pattern.search(node):
        if new is None and pattern.fullmatch(node):
            return None
        return pattern.sub(new or "[left out]", node)
    return node


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
        raise ValueError(f"cannot leave out {sorted(unknown)}; choices are {PERSON_CHOICES}")
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
            sections["processes"] = {"status": "unavailable", "reason": "left out by the person"}
        memory = sections.get("memory", {}).get("data")
        if isinstance(memory, dict):
            memory["top_users"] = []
    for choice in wanted:
        if choice not in left:
            left.append(choice)
    machine = out["machine"]
    for field, rule, label in (
        ("user", policy.user_name, "user_name"),
        ("hostname", policy.host_name, "host_name"),
    ):
        value = machine.get(field)
        if rule == "keep" or not value:
            out["privacy"][label] = "kept"
            continue
        new = _hash(value, policy.hash_salt) if rule == "hash" else None
        pattern = re.compile(rf"(?<![\w-]){re.escape(value)}(?![\w-])")
        out = _replace_everywhere(out, pattern, new)
        out["machine"][field] = new
        out["privacy"][label] = "hashed" if rule == "hash" else "dropped"
        if rule == "drop" and label not in left:
            left.append(label)
    out["left_out"] = left
    return out
