"""Every sentence Ally says: ``say``, ``table`` and ``listed`` are ally_words' own (the
ground floor, which imports nothing of Ally's), named here so the desktop's modules keep
one short import."""

from __future__ import annotations

from ally_words import listed, say, table

__all__ = ["listed", "say", "table"]
