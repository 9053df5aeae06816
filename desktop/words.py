"""Every sentence Ally says, by section and key, from resources/catalog/<language>.toml.

The same catalog file as the findings and the delivery words, so IT edits one place. A
second language is one more file: whatever it lacks (a key, a sub-table) is said in
English, key by key, so a half-done translation still says every sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop.diagnostics.explain import DEFAULT_LANGUAGE, fill, load_catalog, preferred_language


def _catalog(language: str) -> Mapping[str, Any]:
    """The parsed catalog: the same object the findings are explained from, so a process
    parses each language's file once, whoever asks first."""
    return load_catalog(language).data


def _table(section: str, language: str) -> dict[str, Any]:
    """The table ``section`` names, dotted for a sub-table ("fixes.empty_trash")."""
    node: Any = _catalog(language)
    for part in section.split("."):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}


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
    template = _table(section, preferred_language()).get(key)
    if not isinstance(template, str):  # a translation that lacks the key: English has them all
        template = _table(section, DEFAULT_LANGUAGE).get(key, key)
    return fill(str(template), values)


def table(section: str) -> dict[str, Any]:
    """A whole section of the catalog (with its sub-tables), in the person's language, with
    English for whatever the translation lacks."""
    english = _table(section, DEFAULT_LANGUAGE)
    language = preferred_language()
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
