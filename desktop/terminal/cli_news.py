"""``ally news``: what Ally knows from IT's status feed, read now when it can be.

The person's sentence comes first (from the catalog), then IT's detail: every open
incident with its status, impact, components and IT's latest words, and when the feed
was read. A feed that cannot be read changes nothing else: the command says so and
shows the last good reading if it is still recent.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from desktop.base.paths import AllyPaths
from desktop.base.words import say
from desktop.diagnostics.explain import load_catalog
from desktop.policy.config import Policy

WIDTH = 88
POLL_S = 5.0  # a terminal does not wait longer than this for the feed


def add_commands(commands: argparse._SubParsersAction) -> None:
    news = commands.add_parser("news", help=say("news", "cli_help"))
    news.add_argument("--json", action="store_true", help=say("news_json", "cli_help"))
    news.add_argument("--no-refresh", action="store_true", help=say("news_no_refresh", "cli_help"))


def watcher_for(policy: Policy | None = None, paths: AllyPaths | None = None) -> Any:
    from desktop.news.watcher import NewsWatcher

    return NewsWatcher(policy or Policy.load(), (paths or AllyPaths.from_environment()).data_dir)


def refreshed(watcher: Any) -> Any:
    """The watcher, read once now if what it holds is not recent (bounded, never raises)."""
    if watcher.configured and not watcher.fresh():
        from desktop.news.fetch import fetch

        watcher.fetcher = lambda url, **kw: fetch(url, **kw, total_s=POLL_S)
        watcher.poll()
    return watcher


def checked_now(policy: Policy | None = None, paths: AllyPaths | None = None) -> Any:
    """For ``ally doctor``: the feed read now (bounded), whatever Ally kept."""
    watcher = watcher_for(policy, paths)
    if watcher.configured:
        from desktop.news.fetch import fetch

        watcher.fetcher = lambda url, **kw: fetch(url, **kw, total_s=POLL_S)
        watcher.poll()
    return watcher


class Prefetch:
    """The feed read on the side while ``ally diagnose`` or ``ally report`` checks the
    computer, so a slow feed does not hold the answer: after ``WAIT_S`` from the start the
    answer goes out without the news, and the read is abandoned."""

    WAIT_S = 2.0

    def __init__(self, policy: Policy | None = None, paths: AllyPaths | None = None) -> None:
        import time

        from desktop.diagnostics.bounded import Pending

        self.started = time.monotonic()
        self.pending = Pending(lambda: refreshed(watcher_for(policy, paths)), "ally-news")

    def watcher(self) -> Any:
        import time

        left = self.WAIT_S - (time.monotonic() - self.started)
        try:
            return self.pending.result(max(left, 0.0))
        except Exception:  # slow or broken: news must never stop an answer
            import logging

            logging.getLogger(__name__).info("news not read in time", exc_info=True)
            return None


def run(args: argparse.Namespace) -> int:
    from desktop.news import words

    catalog = load_catalog()
    table = catalog.data.get("news", {})
    watcher = watcher_for()
    if not args.no_refresh:
        refreshed(watcher)
    incidents = watcher.open_incidents()
    if args.json:
        doc = watcher.report_section()
        doc["url"] = watcher.news.url
        doc["tooltip"] = words.tooltip(watcher, catalog) if watcher.configured else None
        json.dump(doc, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not watcher.configured:
        _say(table.get("cli_no_feed", ""))
        return 0
    if watcher.state.get("problem"):
        _say(table.get("cli_not_read", ""))
    line = words.tooltip(watcher, catalog)
    _say(line or table.get("cli_none", ""))
    from desktop.terminal.cli_output import for_it_heading

    sys.stdout.write("\n" + for_it_heading())
    _, text = watcher.doctor()
    _say(say("news_feed", "cli_it", text=text))
    for i in incidents:
        _say(_incident_line(i, watcher, words))
    return 0


def _incident_line(i: Any, watcher: Any, words: Any) -> str:
    """One open incident for IT: impact, status, since when, what it touches."""
    line = say(
        "news_incident",
        "cli_it",
        impact=i.impact,
        name=i.name,
        status=i.status,
        since=words.since(i) or say("news_since_unknown", "cli_it"),
        components=", ".join(i.components) or say("news_no_components", "cli_it"),
        symptoms=", ".join(sorted(watcher.symptoms_of(i))) or say("news_no_symptoms", "cli_it"),
    )
    if i.latest_update:
        line += say("news_latest", "cli_it", latest=i.latest_update)
    return line + (f" ({i.link})" if i.link else "")


def _say(text: str) -> None:
    sys.stdout.write(textwrap.fill(text, WIDTH) + "\n")
