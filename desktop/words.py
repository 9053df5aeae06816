"""The person's sentences about what they typed or chose ([input] in the catalog).

The same catalog file as the findings and the delivery words, so IT edits one place.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import tomllib

from desktop.diagnostics.explain import DEFAULT_LANGUAGE, fill, preferred_language
from desktop.resources_access import read_text, resource


@lru_cache(maxsize=4)
def _table(section: str, language: str) -> dict[str, str]:
    name = f"catalog/{language}.toml"
    if not resource(name).is_file():
        name = f"catalog/{DEFAULT_LANGUAGE}.toml"
    table = tomllib.loads(read_text(name)).get(section, {})
    return table if isinstance(table, dict) else {}


def say(key: str, section: str = "input", **values: Any) -> str:
    """The sentence ``key`` of ``section``, filled in with ``values``."""
    template = _table(section, preferred_language()).get(key)
    if template is None:  # a translation that lacks the key: English has them all
        template = _table(section, DEFAULT_LANGUAGE).get(key, key)
    return fill(template, values)


def table(section: str) -> dict[str, Any]:
    """A whole section of the catalog (with its sub-tables), in the person's language."""
    return dict(_table(section, DEFAULT_LANGUAGE)) | dict(_table(section, preferred_language()))
