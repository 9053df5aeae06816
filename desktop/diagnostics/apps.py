"""Which application a process belongs to, under the name a person knows.

The table lives in resources/apps.toml so IT can add its own programs without code.
Only the executable name is used for matching.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import lru_cache

import tomllib

from desktop.resources_access import read_text
from desktop.text_safety import visible

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

    def identify(self, executable: str) -> AppIdentity:
        """The application for an executable name; unknown programs keep their own name."""
        cached = self._cache.get(executable)
        if cached is not None:
            return cached
        key = normalise(executable)
        ident = self._exact.get(key)
        if ident is None:
            ident = next((i for p, i in self._patterns if fnmatch.fnmatchcase(key, p)), None)
        if ident is None:
            shown = executable[:-4] if executable.lower().endswith(".exe") else executable
            # A program may name itself with escape sequences or line breaks: the name a
            # person and IT read shows them as text, wherever it is shown.
            shown = visible(shown, one_line=True)
            ident = AppIdentity(f"exe:{key}", shown or _unknown_program())
        if len(self._cache) < 4096:  # bounded: process names are few, but never grow forever
            self._cache[executable] = ident
        return ident


def _unknown_program() -> str:
    """The name of a program that gives none ([finding_words]); the catalog is read only
    then, so the sampler does not load it for the names it knows."""
    from desktop.words import say

    return say("unknown_program", "finding_words")


@lru_cache(maxsize=1)
def default_catalog() -> AppCatalog:
    return AppCatalog.from_toml(read_text("apps.toml"))
