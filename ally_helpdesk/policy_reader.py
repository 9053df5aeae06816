"""Reading a policy table one typed value at a time, every problem named with its file and
key. The desktop's policy and the relay's ``[forward]`` settings are read by the same code
and explained in the same words (``[policy]`` in the catalog), so a value IT wrote wrongly
is refused alike on both sides.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any
from urllib.parse import urlparse

from ally_words import say


class RegistryNumber(int):
    """A REG_DWORD or REG_QWORD: 0 and 1 may also mean false and true."""


class RegistryText(str):
    """A REG_SZ: Group Policy has no fractional numbers, so "2.5" may be a number."""


def said(key: str, /, **values: Any) -> str:
    """A line of the policy's messages to IT ([policy] in the catalog), read in `ally
    doctor` and the log. The catalog is parsed only when there is something to say, so a
    good policy costs no catalog at start."""
    return say(key, "policy", **values)


def want(key: str, /, **values: Any) -> Callable[[], str]:
    """What a setting should be ([policy.expected]), looked up only if it is not that."""
    return partial(say, key, "policy.expected", **values)


# What a value of each kind is called when the policy gives something else.
KIND_WORDS = {str: "text", int: "whole_number", float: "number", bool: "true_false", list: "list"}


def is_absolute(path: str) -> bool:
    """Absolute on this system, or a Windows share or drive path (``\\\\server\\share``,
    ``C:\\Reports``) for a policy written for Windows."""
    if os.path.isabs(path):
        return True
    return path.startswith("\\\\") or (len(path) > 2 and path[1] == ":" and path[2] in "\\/")


def is_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


UNSET: Any = object()


def from_registry(value: Any, kind: type) -> Any:
    """Group Policy writes booleans as DWORD 0/1 and has no fractional numbers: read them
    as the policy file would have said them. Anything else is left for the checks."""
    if kind is bool and isinstance(value, RegistryNumber) and value in (0, 1):
        return bool(value)
    if kind in (int, float) and isinstance(value, RegistryText):
        try:
            return kind(value.strip())
        except ValueError:
            return value
    return value


class Reader:
    """Reads one value at a time, noting every problem with the file and key."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        self.refused: set[tuple[str, str]] = set()  # (table, key) whose value was refused
        # For failing closed (desktop/policy/config.py _fail_closed): each table's keys, each
        # key's safe value, and the keys IT wrote that Ally does not know, as (table, key).
        self.known: dict[str, set[str]] = {}
        self.safe_values: dict[tuple[str, str], Any] = {}
        self.strangers: list[tuple[str, str]] = []

    def _name(self, table: str, key: str) -> str:
        return f"[{table}] {key}" if table else key

    def table(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            self.problems.append(said("not_a_table", source=self.source, name=name))
            return {}
        return value

    def unknown(self, table: Mapping[str, Any], name: str, known: Any) -> None:
        self.known.setdefault(name, set()).update(known)
        for key in table:
            if key not in known:
                self.strangers.append((name, key))
                self.problems.append(
                    said("unknown_setting", source=self.source, table=name, setting=key)
                )

    def refuse(self, table: str, key: str, problem: str) -> None:
        """A value of ``[table] key`` that cannot be used, said in ``problem``."""
        self.refused.add((table, key))
        self.problems.append(problem)

    def value(
        self,
        table: Mapping[str, Any],
        table_name: str,
        key: str,
        kind: type,
        default: Any,
        check: Callable[[Any], bool] | None = None,
        expected: Callable[[], str] | None = None,
        safe: Any = UNSET,
    ) -> Any:
        """The value of ``key``; a value of the wrong kind is reported with the file and the
        key, and then ``safe`` applies where given (privacy and network keys: off), else
        the default. A policy must fail closed: ``active_checks = "false"`` is not true."""
        if safe is not UNSET:
            self.safe_values[(table_name, key)] = safe
        if key not in table:
            return default
        value = from_registry(table[key], kind)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if ok and check is not None:
            try:
                ok = check(value)
            except (TypeError, ValueError):
                ok = False
        if not ok:
            what = expected() if expected is not None else want(KIND_WORDS[kind])()
            fallback = default if safe is UNSET else safe
            self.refuse(
                table_name,
                key,
                said(
                    "wrong_value",
                    source=self.source,
                    name=self._name(table_name, key),
                    what=what,
                    value=value,
                    which=said("the_default" if safe is UNSET else "the_safe_value"),
                    fallback=fallback,
                ),
            )
            return fallback
        return value
