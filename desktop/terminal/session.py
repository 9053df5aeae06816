"""The report session of the terminal's commands, wired the terminal's way."""

from __future__ import annotations

from desktop.base.paths import AllyPaths
from desktop.diagnostics.explain import load_catalog
from desktop.policy.config import Policy
from desktop.reporting.session import ReportSession
from desktop.start.tray_link import borrowed_sampler
from desktop.terminal.cli_news import Prefetch


def terminal_session() -> tuple[ReportSession, str | None]:
    """The session ``ally diagnose`` and ``ally report`` use: IT's policy and this
    person's folders, the tray app's minutes when it runs for this person (else what
    the system keeps, and where they came from), and IT's news read on the side."""
    policy, paths = Policy.load(), AllyPaths.from_environment()
    news = Prefetch(policy, paths)  # started now: read while the computer is checked
    sampler, history_from = borrowed_sampler()
    return ReportSession(policy, paths, sampler, load_catalog(), news=news.watcher), history_from
