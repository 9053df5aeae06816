"""What Ally knows from IT's status feed, kept up to date on a calm, conditional poll.

The watcher owns no timer and no thread: the tray calls ``poll()`` on a worker when
``next_delay()`` says so, and the CLI calls it once. What it last read is kept in Ally's
data folder, so ``ally news``, a report and the tray after a restart all know the same
thing, and a notification is never sent twice for the same incident. A feed that fails
only changes ``problem`` (shown by ``ally doctor``); the last good reading is kept, and
dropped when it is too old to be true.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ally_helpdesk.atomic import write_atomic
from ally_helpdesk.http_session import ProxyChoice
from desktop.news import feed as feeds
from desktop.news.fetch import FetchError, fetch

log = logging.getLogger(__name__)
JITTER = 0.2  # ± share of the interval, so a whole office does not ask in the same second
MAX_BACKOFF = 4  # after failures, wait up to this many intervals
STALE_AFTER_INTERVALS = 3  # older news than this (plus 10 minutes) is not shown as true
NOTIFIED_KEEP_S = 7 * 86400


@dataclass(frozen=True)
class NewsEvent:
    kind: str  # "opened" (a new major outage) or "resolved" (one the person was told of)
    incident: feeds.Incident


class NewsWatcher:
    def __init__(
        self,
        policy: Any,  # desktop.policy.config.Policy
        data_dir: Path,
        clock: Callable[[], float] = time.time,
        fetcher: Callable[..., Any] = fetch,
    ) -> None:
        self.news = policy.news
        # Through the proxy a PAC file names, as reports go (ally_helpdesk/http_session.py).
        self.proxy = ProxyChoice(policy.network.proxy_pac, policy.network.proxy_wpad)
        self.clock = clock
        self.fetcher = fetcher
        self.path = data_dir / "news" / "state.json"
        self.body_path = data_dir / "news" / "feed.json"
        self.state = self._load()
        self.feed: feeds.Feed | None = self._cached_feed()

    # --- state on disk ----------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            state = {}
        if not isinstance(state, dict) or state.get("url") != self.news.url:
            state = {"url": self.news.url}  # another feed: what was known about the old one goes
        state.setdefault("notified", {})
        return state

    def _cached_feed(self) -> feeds.Feed | None:
        """The feed as last read, kept apart from the small state file: it is written only
        when it changed, the state after every poll."""
        if not self.state.get("body_saved"):
            return None
        try:
            return feeds.parse(self.body_path.read_bytes())
        except (OSError, feeds.FeedError):
            return None

    def _save(self) -> None:
        try:
            write_atomic(self.path, json.dumps(self.state).encode("utf-8"))
        except OSError as exc:
            log.warning("news state not saved: %s", exc)

    # --- polling ----------------------------------------------------------------------

    @property
    def configured(self) -> bool:
        return bool(self.news.url)

    def next_delay(self, rng: random.Random | None = None) -> float:
        """Seconds until the next poll: the interval with jitter, longer after failures."""
        rng = rng or random
        failures = int(self.state.get("failures", 0))
        factor = min(2**failures, MAX_BACKOFF) if failures else 1
        return self.news.interval_s * factor * (1 + rng.uniform(-JITTER, JITTER))

    def poll(self) -> list[NewsEvent]:
        """Read the feed once (conditionally); returns what is new enough to tell the person."""
        if not self.configured:
            return []
        now = self.clock()
        self.state["tried_at"] = now
        try:
            got = self.fetcher(
                self.news.url,
                etag=self.state.get("etag"),
                last_modified=self.state.get("last_modified"),
                stamp=self.state.get("stamp"),
                ca_bundle=self.news.ca_bundle,
                proxy=self.proxy,
            )
            if got.changed:
                parsed = feeds.parse(got.body or b"")
                try:
                    write_atomic(self.body_path, got.body or b"")
                    saved = True
                except OSError as exc:  # still shown now; read again in full after a restart
                    log.warning("news feed not kept on disk: %s", exc)
                    saved = False
                self.state.update(
                    body_saved=saved,
                    etag=got.etag if saved else None,
                    last_modified=got.last_modified if saved else None,
                    stamp=got.stamp if saved else None,
                )
                self.feed = parsed
            elif self.feed is None:
                # 304 with nothing cached (the state was lost): ask again in full next time.
                self.state.update(etag=None, last_modified=None, stamp=None)
                raise FetchError(_it("no_copy"))
        except (FetchError, feeds.FeedError, OSError) as exc:
            self.state["failures"] = int(self.state.get("failures", 0)) + 1
            self.state["problem"] = str(exc)
            self.state["problem_at"] = now
            self._save()
            log.info("news feed %s not read: %s", self.news.url, exc)
            return []
        self.state.update(read_at=now, failures=0, problem=None, problem_at=None)
        events = self._events(now)
        self._save()
        return events

    def _events(self, now: float) -> list[NewsEvent]:
        notified: dict[str, dict[str, Any]] = self.state["notified"]
        for key in [k for k, v in notified.items() if now - v.get("at", now) > NOTIFIED_KEEP_S]:
            del notified[key]
        events = []
        current = {i.id: i for i in (self.feed.incidents if self.feed else ())}
        for inc in current.values():
            if inc.is_open and inc.is_major and inc.id not in notified:
                events.append(NewsEvent("opened", inc))
        for iid, seen in notified.items():
            inc = current.get(iid)
            ended = inc is None or not inc.is_open  # summary.json lists only open ones
            if seen.get("shown") and ended and not seen.get("resolved_done"):
                events.append(NewsEvent("resolved", inc or _gone(iid, seen)))
        return events

    def noted(self, event: NewsEvent, shown: bool) -> None:
        """The tray says whether it showed an event; each is offered once, whatever happened."""
        notified = self.state["notified"]
        if event.kind == "opened":
            notified[event.incident.id] = {
                "at": self.clock(),
                "shown": shown,
                "name": event.incident.name,
                "components": list(event.incident.components),
            }
        else:
            notified.setdefault(event.incident.id, {})["resolved_done"] = True
        self._save()

    # --- what Ally knows --------------------------------------------------------------

    def fresh(self) -> bool:
        read_at = self.state.get("read_at")
        limit = self.news.interval_s * STALE_AFTER_INTERVALS + 600
        return isinstance(read_at, (int, float)) and self.clock() - read_at <= limit

    def open_incidents(self) -> list[feeds.Incident]:
        """IT's open incidents, if what Ally read is recent enough to be true now."""
        if self.feed is None or not self.fresh():
            return []
        return list(self.feed.open_incidents)

    def symptoms_of(self, incident: feeds.Incident) -> set[str]:
        mapped = {c.name.lower(): c for c in self.news.components}
        out: set[str] = set()
        for name in incident.components:
            comp = mapped.get(name.lower())
            if comp is not None:
                out.update(comp.symptoms)
        return out

    def explaining(self, symptom: str) -> list[feeds.Incident]:
        """Open incidents that may explain what the person feels: those on a component IT
        mapped to this symptom; for "something else", every open one."""
        incidents = self.open_incidents()
        if symptom == "other":
            return incidents
        return [i for i in incidents if symptom in self.symptoms_of(i)]

    def say(self, incident: feeds.Incident) -> str | None:
        """How the person calls what is affected ("email"), or None if it names nothing."""
        mapped = {c.name.lower(): c.say for c in self.news.components}
        names = list(dict.fromkeys(mapped.get(n.lower(), n) for n in incident.components))
        if not names:
            return None
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def report_section(self) -> dict[str, Any]:
        """For a report: the feed's state and the incidents open at the click."""
        return {
            "configured": self.configured,
            "read_at": _iso(self.state.get("read_at")),
            "fresh": self.fresh(),
            "problem": self.state.get("problem"),
            "open_incidents": [i.to_dict() for i in self.open_incidents()],
        }

    def doctor(self) -> tuple[bool, str]:
        if not self.configured:
            return True, _it("doctor_no_feed")
        problem = self.state.get("problem")
        read = _iso(self.state.get("read_at")) or _it("never")
        if problem:
            return False, _it("doctor_problem", url=self.news.url, problem=problem, read=read)
        shown = len(self.open_incidents())
        return True, _it("doctor_read", url=self.news.url, read=read, shown=shown)


def _it(key: str, /, **values: object) -> str:
    """IT's words about the status feed ([news_it] in the catalog)."""
    from desktop.base.words import say

    return say(key, "news_it", **values)


def _iso(t: Any) -> str | None:
    if not isinstance(t, (int, float)):
        return None
    return (
        datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def _gone(iid: str, seen: dict[str, Any]) -> feeds.Incident:
    """An incident that left the feed: it is resolved; its name is what Ally noted."""
    return feeds.Incident(
        iid,
        str(seen.get("name") or iid),
        "resolved",
        "none",
        None,
        None,
        tuple(seen.get("components") or ()),
        (),
        None,
        None,
    )
