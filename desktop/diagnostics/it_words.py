"""IT's words for what a probe found or could not find: its one-line summary and its
reasons, from [evidence.PROBE] in the catalog (`ally diagnose`, the report, IT's page)."""

from __future__ import annotations

from typing import Any


def it_says(probe: str, key: str, /, **values: Any) -> str:
    """The line ``key`` of [evidence.PROBE], filled in. The catalog is read on first use
    (the diagnosis reads it anyway to explain what it found)."""
    from desktop.base.words import say

    return say(key, f"evidence.{probe}", **values)
