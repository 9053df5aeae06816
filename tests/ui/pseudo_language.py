"""A pseudo-language 40 % longer than English, for the layout test: every word of the
catalog grows by 40 % and wears accents (so a longer language, such as German or French,
will fit when it comes, and a glyph without an accent would show). Placeholders
("{program}"), keyboard marks ("&Send") and numbers stay as they are, so the same code
fills and shows them.

``use()`` puts it in place of every catalog (ally_words.say and the findings' catalog read
the same parsed object), for this process only.
"""

from __future__ import annotations

import math
import re
from typing import Any

import tomllib

GROWTH = 0.4
ACCENTS = str.maketrans("aeiouyAEIOUYcnsz", "áéîõüÿÅÉÎÕÜŸçñšž")
# A placeholder, a run of letters, or anything else (kept as it is).
TOKENS = re.compile(r"(\{[^{}]*\})|([^\W\d_]+)")


def longer(text: str) -> str:
    """Each word 40 % longer (rounded up) and accented; the rest as it was."""

    def grow(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1)
        word = m.group(2)
        extra = math.ceil(len(word) * GROWTH)
        return (word + word[:extra].lower()).translate(ACCENTS)

    return TOKENS.sub(grow, text)


def _pseudo(node: Any) -> Any:
    if isinstance(node, str):
        return longer(node)
    if isinstance(node, list):
        return [_pseudo(v) for v in node]
    if isinstance(node, dict):
        # The glossary holds patterns the tests read, not words a person sees.
        return {k: (v if k == "glossary" else _pseudo(v)) for k, v in node.items()}
    return node


def use() -> None:
    import ally_words
    from desktop.diagnostics import explain

    data = _pseudo(tomllib.loads(ally_words.catalog_file("en").read_text(encoding="utf-8")))
    ally_words.parsed = lambda _language: data  # type: ignore[assignment]
    explain.parsed = ally_words.parsed  # type: ignore[attr-defined]
    explain._explainer.cache_clear()
