"""Which application a process belongs to, under the name a person knows.

The table lives in resources/apps.toml so IT can add its own programs without code.
Only the executable name is used for matching.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import lru_cache

import tomllib

from ally_helpdesk.text_safety import visible
from desktop.base.resources_access import read_text
from desktop.diagnostics.sampling.service_hosts import SERVICE_PREFIX, ServiceTable, keys_of

BACKGROUND_KINDS = frozenset({"antivirus", "update", "indexing", "backup", "sync"})


@dataclass(frozen=True)
class AppIdentity:
    app_id: str
    name: str
    background: str | None = None  # one of BACKGROUND_KINDS for maintenance tasks


def normalise(executable: str) -> str:
    name = executable.strip().lower()
    return name[:-4] if name.endswith(".exe") else name


class AppCatalog:
    def __init__(self, entries: list[dict]) -> None:
        self._exact: dict[str, AppIdentity] = {}
        self._patterns: list[tuple[str, AppIdentity]] = []
        for entry in entries:
            background = entry.get("background")
            if background is not None and background not in BACKGROUND_KINDS:
                raise ValueError(
                    f"app {entry.get('id')!r}: background must be one of "
                    f"{sorted(BACKGROUND_KINDS)}, not {background!r}"
                )
            ident = AppIdentity(entry["id"], entry["name"], background)
            for pattern in entry.get("match", []):
                pattern = normalise(pattern)
                if any(ch in pattern for ch in "*?["):
                    self._patterns.append((pattern, ident))
                else:
                    self._exact.setdefault(pattern, ident)
        self._cache: dict[str, AppIdentity] = {}

    @classmethod
    def from_toml(cls, text: str) -> AppCatalog:
        return cls(tomllib.loads(text).get("app", []))

    def identify(self, executable: str, services: ServiceTable | None = None) -> AppIdentity:
        """The application for an executable name; unknown programs keep their own name.
        A Windows service host (named "service:KEY,…" by the sampler) is the application
        its service belongs to when apps.toml knows it ("service:wuauserv" is Windows
        Update), else the service by its display name (``services`` knows them)."""
        cached = self._cache.get(executable)
        if cached is not None:
            return cached
        key = normalise(executable)
        ident = self._exact.get(key)
        if ident is None:
            ident = next((i for p, i in self._patterns if fnmatch.fnmatchcase(key, p)), None)
        if ident is None and key.startswith(SERVICE_PREFIX):
            ident = self._services(executable, services)
        if ident is None:
            shown = executable[:-4] if executable.lower().endswith(".exe") else executable
            # A program may name itself with escape sequences or line breaks: the name a
            # person and IT read shows them as text, wherever it is shown.
            shown = visible(shown, one_line=True)
            ident = AppIdentity(f"exe:{key}", shown or _unknown_program())
        if len(self._cache) < 4096:  # bounded: process names are few, but never grow forever
            self._cache[executable] = ident
        return ident

    def _services(self, name: str, services: ServiceTable | None) -> AppIdentity:
        keys = keys_of(name)
        known = {self._exact.get(normalise(SERVICE_PREFIX + k)) for k in keys}
        if len(known) == 1 and None not in known:  # all belong to one application people know
            return known.pop()  # type: ignore[return-value]
        shown = [services.display_name(k) if services is not None else k for k in keys]
        return AppIdentity(
            SERVICE_PREFIX + ",".join(k.lower() for k in keys), _services_name(shown)
        )


def _services_name(shown: list[str]) -> str:
    """ "Windows Event Log"; "Windows services (DHCP Client, Windows Event Log and 2
    others)" for a host that runs several ([finding_words] in the catalog)."""
    from desktop.base.words import listed, say

    if len(shown) == 1:
        return shown[0]
    names = (
        shown
        if len(shown) <= 3
        else [*shown[:2], say("others", "finding_words", count=len(shown) - 2)]
    )
    return say("windows_services", "finding_words", services=listed(names))


def _unknown_program() -> str:
    """The name of a program that gives none ([finding_words]); the catalog is read only
    then, so the sampler does not load it for the names it knows."""
    from desktop.base.words import say

    return say("unknown_program", "finding_words")


@lru_cache(maxsize=1)
def default_catalog() -> AppCatalog:
    return AppCatalog.from_toml(read_text("apps.toml"))
