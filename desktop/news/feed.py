"""IT's status feed in the Statuspage v2 shape (``/api/v2/summary.json``), read defensively.

The feed comes from outside Ally, so it is checked item by item: the top level must be
an object with a list of incidents; an incident or component of the wrong shape is
skipped (and counted, for IT), never the cause of an error elsewhere. Text is cleaned
of control characters and cut to a sensible length; the number of items is capped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

OPEN_STATUSES = ("investigating", "identified", "monitoring")
CLOSED_STATUSES = ("resolved", "postmortem", "completed")
MAJOR_IMPACTS = ("major", "critical")
MAX_INCIDENTS = 50
MAX_COMPONENTS = 500
MAX_NAME = 200
MAX_BODY = 600
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class FeedError(ValueError):
    """The feed is not a status summary Ally can read; the message says why, for IT."""


def clean(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(_CONTROL.sub("", value).split())
    return text[:limit] if text else None


_FIRST_DAY = datetime(1, 1, 2, tzinfo=timezone.utc)
_LAST_DAY = datetime(9999, 12, 30, tzinfo=timezone.utc)


def when(value: Any) -> datetime | None:
    """A feed's time, in UTC; None when it is not one. A time that cannot be said in UTC
    ("9999-12-31T23:59:59-23:59" is in the year 10000) is unknown, never an error later
    when it is compared, kept or shown."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        utc = parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None
    # A day from either end of the calendar is unknown too: shown in local time (the
    # person's clock) it would run off the end (year 0 west of UTC, 10000 east of it).
    return utc if _FIRST_DAY < utc < _LAST_DAY else None


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    status: str  # operational, degraded_performance, partial_outage, major_outage, ...


@dataclass(frozen=True)
class Incident:
    id: str
    name: str
    status: str
    impact: str
    started_at: datetime | None
    updated_at: datetime | None
    components: tuple[str, ...]  # names of the components it affects
    component_statuses: tuple[str, ...]
    latest_update: str | None  # IT's newest words about it
    link: str | None

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def is_major(self) -> bool:
        return self.impact in MAJOR_IMPACTS or "major_outage" in self.component_statuses

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "impact": self.impact,
            "started_at": _iso(self.started_at),
            "updated_at": _iso(self.updated_at),
            "components": list(self.components),
            "latest_update": self.latest_update,
            "link": self.link,
        }


def _iso(t: datetime | None) -> str | None:
    return (
        t.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        if t
        else None
    )


@dataclass(frozen=True)
class Feed:
    page: str | None
    indicator: str | None  # none, minor, major, critical
    components: tuple[Component, ...]
    incidents: tuple[Incident, ...]
    skipped: int  # items of the wrong shape, left out

    @property
    def open_incidents(self) -> tuple[Incident, ...]:
        return tuple(i for i in self.incidents if i.is_open)

    def to_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "indicator": self.indicator,
            "components": [c.__dict__ for c in self.components],
            "incidents": [i.to_dict() for i in self.incidents],
            "skipped": self.skipped,
        }


def _component(raw: Any) -> Component | None:
    if not isinstance(raw, dict):
        return None
    name = clean(raw.get("name"), MAX_NAME)
    status = clean(raw.get("status"), 40)
    if name is None or status is None:
        return None
    return Component(clean(raw.get("id"), 80) or name, name, status)


def _incident(raw: Any) -> Incident | None:
    if not isinstance(raw, dict):
        return None
    iid, name = clean(raw.get("id"), 80), clean(raw.get("name"), MAX_NAME)
    status = clean(raw.get("status"), 40)
    if iid is None or name is None or status is None:
        return None
    comps = [c for c in (_component(c) for c in _list(raw.get("components"))) if c]
    updates = [u for u in _list(raw.get("incident_updates")) if isinstance(u, dict)]
    if not comps:  # older feeds name them only in the updates
        for u in updates:
            for a in _list(u.get("affected_components")):
                name_a = clean(a.get("name"), MAX_NAME) if isinstance(a, dict) else None
                if name_a:
                    comps.append(Component(name_a, name_a, clean(a.get("new_status"), 40) or ""))
    newest = max(
        updates,
        key=lambda u: (
            when(u.get("display_at") or u.get("created_at"))
            or datetime.min.replace(tzinfo=timezone.utc)
        ),
        default=None,
    )
    names = tuple(dict.fromkeys(c.name for c in comps))
    return Incident(
        id=iid,
        name=name,
        status=status,
        impact=clean(raw.get("impact"), 40) or "none",
        started_at=when(raw.get("started_at")) or when(raw.get("created_at")),
        updated_at=when(raw.get("updated_at")),
        components=names[:20],
        component_statuses=tuple(c.status for c in comps),
        latest_update=clean(newest.get("body"), MAX_BODY) if newest else None,
        link=clean(raw.get("shortlink"), 300),
    )


def _it(key: str, /, **values: object) -> str:
    """IT's words about reading the status feed ([news_it] in the catalog)."""
    from desktop.base.words import say

    return say(key, "news_it", **values)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def parse(data: bytes) -> Feed:
    """A Statuspage v2 summary; FeedError when it is not one."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FeedError(_it("not_utf8", reason=exc.reason, at=exc.start)) from exc
    except (ValueError, RecursionError) as exc:  # nested past what the parser can hold
        raise FeedError(_it("not_json", error=exc)) from exc
    if not isinstance(doc, dict):
        raise FeedError(_it("not_an_object", kind=type(doc).__name__))
    if not isinstance(doc.get("incidents"), list):
        raise FeedError(_it("no_incidents"))
    raw_incidents = doc["incidents"]
    raw_components = _list(doc.get("components"))
    incidents = [i for i in (_incident(r) for r in raw_incidents[:MAX_INCIDENTS]) if i]
    components = [c for c in (_component(r) for r in raw_components[:MAX_COMPONENTS]) if c]
    skipped = (min(len(raw_incidents), MAX_INCIDENTS) - len(incidents)) + (
        min(len(raw_components), MAX_COMPONENTS) - len(components)
    )
    status = doc.get("status")
    page = doc.get("page")
    return Feed(
        page=clean(page.get("name"), MAX_NAME) if isinstance(page, dict) else None,
        indicator=clean(status.get("indicator"), 40) if isinstance(status, dict) else None,
        components=tuple(components),
        incidents=tuple(incidents),
        skipped=skipped,
    )
