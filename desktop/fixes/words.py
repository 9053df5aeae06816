"""The person's words for fixes, from the catalog's [fixes] tables.

Each fix has its own table ([fixes.ID]: button, before, and a sentence per outcome, with
[fixes.ID.variants.NAME] for other words on another platform); [fixes.outcome] holds the
sentences every fix shares when it has none of its own, so a result is always said, and
always without blame.
"""

from __future__ import annotations

from typing import Any

from ally_words import Catalog, fill
from desktop.fixes.base import Offer, Result


class FixWords:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.table: dict[str, Any] = catalog.data.get("fixes", {})  # the words all fixes share

    def _entry(self, fix_id: str, variant: str | None = None) -> dict[str, Any]:
        # Imported here: the registry imports the fixes, which import this module.
        from desktop.fixes.registry import words_key

        entry = self.catalog.table(words_key(fix_id))
        entry = dict(entry) if isinstance(entry, dict) else {}
        variants = entry.pop("variants", {})
        if variant and isinstance(variants.get(variant), dict):
            entry.update(variants[variant])
        return entry

    def common(self, key: str, **values: Any) -> str:
        return fill(str(self.table.get(key, key)), values)

    def button(self, offer: Offer) -> str:
        return fill(
            self._entry(offer.fix_id, offer.variant).get("button", offer.fix_id), offer.words
        )

    def before(self, offer: Offer) -> str:
        return fill(self._entry(offer.fix_id, offer.variant).get("before", ""), offer.words)

    def result(self, offer: Offer, result: Result, for_report: bool = False) -> str:
        """What came of a fix. ``for_report``: it was tried for a report the person may
        still send (the report window), so a fix that did not work adds that IT will see
        it then; from the terminal no report carries it, and nothing is promised."""
        key = result.outcome.value
        variant = result.variant or offer.variant
        template = self._entry(offer.fix_id, variant).get(key) or self.table.get("outcome", {}).get(
            key, key
        )
        text = fill(template, {**offer.words, **result.words})
        if for_report and key in ("not_fixed", "failed"):
            text += " " + str(self.table.get("outcome", {}).get("seen_if_sent", ""))
        return text.strip()

    def step(self, offer: Offer, key: str) -> str:
        """Another sentence of one fix (force_button, force_before, check_again_button)."""
        return fill(self._entry(offer.fix_id, offer.variant).get(key, key), offer.words)
