"""The person's sentences about IT's news, from the catalog's [news] table."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ally_words import Catalog, fill
from desktop.news.feed import Incident

if TYPE_CHECKING:  # the watcher loads the network code; the tray needs it only with a feed
    from desktop.news.watcher import NewsEvent, NewsWatcher

_ORDER = {"critical": 0, "major": 1, "minor": 2}


def since(incident: Incident, now: datetime | None = None, unknown: str = "") -> str:
    """When IT first said so, in local time: "9:05", or "3 March 9:05" on another day."""
    if incident.started_at is None:
        return unknown
    local = incident.started_at.astimezone()
    now = now or datetime.now().astimezone()
    clock = f"{local.hour}:{local.minute:02d}"
    return clock if local.date() == now.date() else f"{local.day} {local:%B} {clock}"


def _sentence(table: dict[str, Any], key: str, watcher: NewsWatcher, incident: Incident) -> str:
    what = watcher.say(incident)
    values = {"what": what, "name": incident.name, "since": since(incident)}
    return fill(_template(table, key if what else f"{key}_named", values["since"]), values)


def _template(table: dict[str, Any], key: str, since_text: str) -> str:
    """The sentence, or its `_nosince` form when the feed does not say since when."""
    if not since_text and f"{key}_nosince" in table:
        return str(table[f"{key}_nosince"])
    return str(table.get(key, ""))


def most_important(incidents: list[Incident]) -> Incident | None:
    return min(incidents, key=lambda i: (not i.is_major, _ORDER.get(i.impact, 3)), default=None)


def tooltip(watcher: NewsWatcher, catalog: Catalog) -> str | None:
    top = most_important(watcher.open_incidents())
    return _sentence(catalog.data.get("news", {}), "tooltip", watcher, top) if top else None


def explains(watcher: NewsWatcher, symptom: str, catalog: Catalog) -> str | None:
    top = most_important(watcher.explaining(symptom))
    return _sentence(catalog.data.get("news", {}), "explains", watcher, top) if top else None


def notification(event: NewsEvent, watcher: NewsWatcher, catalog: Catalog) -> tuple[str, str]:
    table = catalog.data.get("news", {})
    inc = event.incident
    if event.kind == "resolved":
        return _sentence(table, "resolved_title", watcher, inc), fill(
            table.get("resolved_text", ""), {}
        )
    when = since(inc)
    return _sentence(table, "notify_title", watcher, inc), fill(
        _template(table, "notify_text", when), {"since": when}
    )
