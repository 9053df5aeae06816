"""Every sentence Ally says, for the desktop and the relay alike: the catalog files
(ally_words/catalog/<language>.toml), which language to speak, and filling in a sentence.

The ground floor of Ally: this package imports nothing of Ally's, so anything may say
something (the policy reader, a fix, a window, the relay's pages) without depending on the
findings, the diagnostics or Qt. The findings' own explainer
(desktop/diagnostics/explain.py) reads the same parsed catalog.

A second language is one more file: whatever it lacks (a key, a sub-table) is said in
English, key by key, so a half-done translation still says every sentence.
"""

from __future__ import annotations

import locale
import logging
import string
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import tomllib

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"

__all__ = [
    "DEFAULT_LANGUAGE",
    "Catalog",
    "catalog_file",
    "fill",
    "language_in_use",
    "listed",
    "parsed",
    "preferred_language",
    "say",
    "table",
]


class _Keep(dict):
    """Leaves unknown placeholders visible ("{app}") instead of raising."""

    def __missing__(self, key: str) -> str:
        log.warning("catalog placeholder {%s} has no value", key)
        return "{" + key + "}"


class _Words(string.Formatter):
    """``{count:n sample}`` gives "1 sample" or "3 samples"; ``{count:n crash|crashes}``
    names the plural itself. So the catalog never needs "sample(s)"."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("n "):
            one, _, many = format_spec[2:].partition("|")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                n = number(value)
                return f"{n} {one if value == 1 else (many or one + 's')}"
            return f"{value} {many or one + 's'}"
        return super().format_field(value, format_spec)


def fill(template: str, values: Mapping[str, Any]) -> str:
    """``template`` with its placeholders filled in; a placeholder without a value stays
    visible, and a template broken by hand is said as it is (and logged), never raised."""
    try:
        return _Words().vformat(template, (), _Keep(values))
    except (ValueError, IndexError, TypeError) as exc:
        log.warning("catalog template %r cannot be filled: %s", template, exc)
        return template


def number(value: float | int) -> str:
    """A number as a careful technician writes it: whole numbers without ".0", others
    rounded to what can matter ("1.08", not "1.08056640625"; "0.767", "0.999")."""
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return "unknown"
    if value.is_integer():
        return str(int(value))
    if abs(value) >= 100:
        text = f"{value:.1f}"
    elif abs(value) >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
    return text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text


class Catalog:
    """One language's whole catalog, its sections by name. The findings' explainer builds
    on it (desktop/diagnostics/explain.py); the fixes and the news read their tables."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    @classmethod
    def from_toml(cls, text: str) -> Catalog:
        return cls(tomllib.loads(text))

    def table(self, dotted: str) -> dict[str, Any]:
        """The table a dotted name names ("findings.cpu_saturated", "fixes.empty_trash")."""
        node: Any = self.data
        for part in dotted.split("."):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node if isinstance(node, dict) else {}


def catalog_file(language: str) -> Traversable:
    """The catalog file for ``language`` (it may not exist), wherever Ally runs from: a
    checkout, a wheel or a bundle."""
    return resources.files(__name__).joinpath("catalog", f"{language}.toml")


def preferred_language() -> str:
    """The language of the person's session (LANG / LC_MESSAGES, the system's locale)."""
    try:
        lang = (locale.getlocale()[0] or "").split("_")[0].lower()
    except ValueError:
        lang = ""
    return lang or DEFAULT_LANGUAGE


def language_in_use(language: str | None = None) -> str:
    """``language`` (the session's by default) if the catalog has a file for it, else
    English."""
    return _with_a_file(language or preferred_language())


@lru_cache(maxsize=8)
def _with_a_file(language: str) -> str:
    return language if catalog_file(language).is_file() else DEFAULT_LANGUAGE


@lru_cache(maxsize=4)
def parsed(language: str) -> Mapping[str, Any]:
    """The whole catalog of ``language``, parsed once per process, whoever asks first (the
    findings' explainer reads the same object)."""
    return tomllib.loads(catalog_file(language).read_text(encoding="utf-8"))


def _table(section: str, language: str) -> dict[str, Any]:
    """The table ``section`` names, dotted for a sub-table ("fixes.empty_trash")."""
    return Catalog(parsed(language)).table(section)


def _merged(english: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """``other`` over ``english``, sub-table by sub-table, so every English key is there."""
    out = dict(english)
    for key, value in other.items():
        base = out.get(key)
        out[key] = (
            _merged(base, value) if isinstance(base, dict) and isinstance(value, dict) else value
        )
    return out


def say(key: str, section: str = "input", /, **values: Any) -> str:
    """The sentence ``key`` of ``section``, filled in with ``values``. Both are
    positional only, so a sentence may have placeholders named ``key`` or ``section``."""
    template = _table(section, language_in_use()).get(key)
    if not isinstance(template, str):  # a translation that lacks the key: English has them all
        template = _table(section, DEFAULT_LANGUAGE).get(key, key)
    return fill(str(template), values)


def table(section: str) -> dict[str, Any]:
    """A whole section of the catalog (with its sub-tables), in the person's language, with
    English for whatever the translation lacks."""
    english = _table(section, DEFAULT_LANGUAGE)
    language = language_in_use()
    return (
        dict(english)
        if language == DEFAULT_LANGUAGE
        else _merged(english, _table(section, language))
    )


def listed(items: Any) -> str:
    """ "a, b and c", with the catalog's "and" ([review] and)."""
    names = [x for x in items if x]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {say('and', 'review')} " + names[-1]
