"""The tray's part in helping: IT's news on a calm timer, and reminders the person asked for.

The feed is read on a worker (never on the event loop), at the policy's interval with
jitter, longer after failures. An open incident shows in the tooltip and calmly on the
icon; a new major outage and its end each bring one notification, through the same
discipline as tips (desktop/showing/tips.py). A restart reminder is shown when due, unless the
computer has restarted since. With no feed set, no timer runs at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from desktop.news import words
from desktop.showing import status
from desktop.showing.status import TrayStatus
from desktop.ui.workers import Background

log = logging.getLogger(__name__)
FIRST_POLL_S = 20.0  # after start, when the tray has settled


class Helping(QObject):
    def __init__(
        self,
        policy: Any,
        paths: Any,
        catalog: Any,
        tips: Any,  # desktop.showing.tips.TipScheduler
        settings: Callable[[], Any],  # the person's current UserSettings
        tray: Any,  # desktop.ui.tray.Tray or None
        first_poll_s: float = FIRST_POLL_S,
    ) -> None:
        super().__init__()
        self.policy, self.paths, self.catalog, self.tips = policy, paths, catalog, tips
        self.settings, self.tray = settings, tray
        self.background = Background(self)
        self.watcher: Any = None
        if policy.news.url:  # the network code is loaded only when IT set a feed
            from desktop.news.watcher import NewsWatcher

            self.watcher = NewsWatcher(policy, paths.data_dir)
        self.local = TrayStatus("neutral", catalog.summary.get("all_good_tooltip", "Ally"), None)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.poll)
        if self.watcher is not None:
            self.timer.start(int(first_poll_s * 1000))

    # --- IT's news --------------------------------------------------------------------

    def poll(self) -> None:
        if self.watcher is None or self.background.busy():
            return
        self.background.run(self.watcher.poll, self._polled, self._poll_failed)

    def _poll_failed(self, detail: str) -> None:
        log.warning("news poll failed: %s", detail)
        self._next()

    def _polled(self, events: list) -> None:
        settings = self.settings()
        now = time.time()
        for event in events:
            title, text = words.notification(event, self.watcher, self.catalog)
            tip = self.tips.news_tip(
                f"news:{event.kind}:{event.incident.id}",
                title,
                text,
                now,
                settings.tips_paused_until,
                settings.tips_enabled,
            )
            if tip is not None and self.tray is not None:
                self.tray.tip(tip.title, tip.text)
            self.watcher.noted(event, shown=tip is not None and self.tray is not None)
        self.refresh_tray()
        self._next()

    def _next(self) -> None:
        if self.watcher is not None:
            self.timer.start(int(self.watcher.next_delay() * 1000))

    def news_line(self) -> str | None:
        return words.tooltip(self.watcher, self.catalog) if self.watcher is not None else None

    def refresh_tray(self) -> None:
        if self.tray is not None:
            self.tray.set_status(status.tray_status(self.local, self.news_line()))

    def set_local_status(self, status: TrayStatus) -> None:
        """What Ally sees on this computer; the news is added to it."""
        self.local = status
        self.refresh_tray()

    # --- reminders the person asked for -----------------------------------------------

    def check_reminders(self, diagnosis: Any, now: float | None = None) -> None:
        """Show a due restart reminder if the restart is still waiting; drop it if not."""
        if not (self.paths.data_dir / "fixes" / "reminders.json").exists():
            return  # the usual case, checked without loading the fixes
        from desktop.fixes.restart_reminder import Reminders

        reminders = Reminders(self.paths.data_dir)
        now = time.time() if now is None else now
        from desktop.fixes.restart_reminder import FIX

        table = self.catalog.table(FIX.words)
        for kind, entry in reminders.due(now):
            finding = entry.get("finding", "restart_pending")
            still = any(f.id == finding for f in diagnosis.findings)
            if still and self.tray is not None:
                text_key = (
                    "reminder_text" if finding == "restart_pending" else "reminder_text_uptime"
                )
                self.tray.tip(table.get("reminder_title", ""), table.get(text_key, ""))
            log.info("restart reminder due: %s", "shown" if still else "dropped (restarted)")
            reminders.clear(kind)
