"""The running app on screen: the tray and the windows. It only shows and asks: what it
shows comes from the Qt-free services (desktop/start/services.py) that the composition root
(desktop/start/app.py) builds and hands over; their background work runs on Qt's thread pool."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, QThreadPool, QTimer
from PySide6.QtGui import QImage, QPixmapCache
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from desktop.base.words import say
from desktop.policy.settings import TIPS_PAUSE_FOR_S, UserSettings
from desktop.showing.status import TrayStatus
from desktop.start.own_crashes import notice_due
from desktop.start.process_memory import give_back, page_out_program_files, settle_after_start
from desktop.start.services import Services
from desktop.ui.tray import Tray
from desktop.ui.workers import Background

log = logging.getLogger(__name__)
STATUS_EVERY_MS = 60_000
# How often the tray looks at the sampler's latest reading (an attribute read, nothing
# measured), and how often it judges again while a load lasts: the icon follows the
# answer the report window would give within about this long.
WATCH_EVERY_MS = 2_000
STATUS_WHILE_LOADED_S = 8.0
DELIVERY_EVERY_MS = 60_000
POLICY_EVERY_MS = 60_000  # IT's policy is read again each minute (a few KB)
FIRST_STATUS_AFTER_MS = 15_000
TIPS_PAUSE_S = TIPS_PAUSE_FOR_S  # the tray's menu says how long
RELEASE_AFTER_MS = 3_000
NO_TRAY = say("no_tray", "tray")


class AllyApp(QObject):
    def __init__(
        self,
        app: QApplication,
        tray_available: bool | None = None,
        services: Services | None = None,
    ) -> None:
        super().__init__()
        self.app = app
        self.services = services or Services.load()
        self.background = Background(self)
        self.windows: dict[str, QObject] = {}
        self.portal_asked = False  # Wayland: the screen's picture is being asked for
        self.stopping = False
        available = (
            QSystemTrayIcon.isSystemTrayAvailable() if tray_available is None else tray_available
        )
        self.tray: Tray | None = None
        if available:
            # The icon first, before the diagnostics are even loaded: it is what the person
            # waits for at login (about 0.3 s sooner). Its tooltip is the catalog's "all good"
            # once that is loaded, a moment later.
            self.tray = Tray(TrayStatus("neutral", "Ally", None), self.tips_paused)
            self.tray.report_requested.connect(self.open_report)
            self.tray.status_requested.connect(self.open_status)
            self.tray.reports_requested.connect(self.open_reports)
            self.tray.contact_requested.connect(self.open_contact)
            self.tray.settings_requested.connect(self.open_settings)
            self.tray.pause_toggled.connect(self.toggle_tips)
            self.tray.remind_later_requested.connect(lambda: self.tips.remind_later(time.time()))
            self.tray.quit_requested.connect(self.quit)
            self.tray.show()
            self.app.processEvents()  # hand the icon to the tray host now
        self.services.start()  # the words, the sampler, the outbox, the tips
        if self.tray is not None:
            self.tray.set_status(
                TrayStatus("neutral", self.catalog.summary.get("all_good_tooltip", "Ally"), None)
            )
        from desktop.ui.helping import Helping

        # IT's news and the reminders the person asked for (issue 18).
        self.helping = Helping(
            self.policy, self.paths, self.catalog, self.tips, lambda: self.settings, self.tray
        )
        # After the watchdog gave up on repeated crashes, this start says so, once.
        health = notice_due(self.paths.data_dir)
        if health is not None:
            log.warning("telling the person that Ally had stopped after repeated crashes")
        if self.tray is not None and health is not None:
            self.tray.notice(*health)
        elif self.tray is None:
            self.open_report(notice=NO_TRAY if health is None else f"{health[1]}\n\n{NO_TRAY}")
        self.status_timer = QTimer(self)
        self.status_timer.timeout.connect(self.refresh_status)
        self.status_timer.start(STATUS_EVERY_MS)
        QTimer.singleShot(FIRST_STATUS_AFTER_MS, self.refresh_status)
        self.last_status_at = -1e9  # monotonic time of the last status check asked for
        self.loaded_since: float | None = None  # when the current load began, by the sampler
        self.quiet_since: float | None = None  # when the last load ended, until judged again
        self.watch_timer = QTimer(self)
        self.watch_timer.timeout.connect(self.watch_load)
        self.watch_timer.start(WATCH_EVERY_MS)
        self.delivery_timer = QTimer(self)
        self.delivery_timer.timeout.connect(self.deliver_waiting)
        self.delivery_timer.start(DELIVERY_EVERY_MS)
        QTimer.singleShot(5_000, self.deliver_waiting)
        self.policy_restart_due = False
        self.policy_timer = QTimer(self)
        self.policy_timer.timeout.connect(self.check_policy)
        self.policy_timer.start(POLICY_EVERY_MS)
        # Once start-up is over (the first status check included), hand its memory back.
        QTimer.singleShot(FIRST_STATUS_AFTER_MS + 5_000, self, settle_after_start)

    # What the windows read, all from the services.
    policy = property(lambda self: self.services.policy)
    paths = property(lambda self: self.services.paths)
    catalog = property(lambda self: self.services.catalog)
    sampler = property(lambda self: self.services.sampler)
    outbox = property(lambda self: self.services.outbox)
    tips = property(lambda self: self.services.tips)

    @property
    def settings(self) -> UserSettings:
        return self.services.settings

    # --- windows --------------------------------------------------------------------------

    def _show(self, name: str, make) -> QObject:
        window = self.windows.get(name)
        if window is None or not window.isVisible():
            if window is not None:  # closed, not yet released: released with the others
                self.windows[f"{name} (closed {id(window)})"] = window
            window = make()
            window.installEventFilter(self)  # to notice when it closes
            self.windows[name] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Close, QEvent.Type.Hide):
            QTimer.singleShot(RELEASE_AFTER_MS, self.release_closed_windows)
        return False

    def release_closed_windows(self) -> None:
        """A closed window is dropped (its chart, screenshot and report with it) once its
        work is done, and the memory it used goes back to the system: the tray app left
        alone for weeks is as small as it was before the person opened anything.
        A window still sending or checking is kept until it is done."""
        released = False
        for name, window in list(self.windows.items()):
            if window.isVisible():
                continue
            own = getattr(window, "background", None)
            if self.background.busy() or (own is not None and own.busy()):
                QTimer.singleShot(RELEASE_AFTER_MS, self.release_closed_windows)
                continue
            del self.windows[name]
            window.removeEventFilter(self)
            window.deleteLater()
            released = True
        if released:  # also while another window stays open (the status window for hours)
            QTimer.singleShot(0, self._give_memory_back)  # after deleteLater has run

    def _give_memory_back(self) -> None:
        """The closed windows' memory; once none is open, also the pictures Qt keeps for
        drawing them and the pages of Qt's libraries and fonts that only they needed."""
        if not self.windows:
            QPixmapCache.clear()
        give_back()
        if not self.windows:
            page_out_program_files()

    # Windows are built (and their modules loaded) only when the person opens them: an idle
    # tray app stays small.

    def open_report(self, notice: str | None = None):
        """The report window, at once, or on Wayland once the screen's picture is in
        (then None now)."""
        existing = self.windows.get("report")
        if existing is not None and existing.isVisible():
            existing.raise_()
            existing.activateWindow()
            return existing
        from desktop.reporting.screen_portal import needs_portal

        if self.policy.privacy.screenshots and needs_portal():
            self._ask_portal_then_open(notice)
            return None
        # The screenshot is taken before Ally's window appears, so it shows what the person saw.
        shot, no_picture = self.grab_screen() if self.policy.privacy.screenshots else (None, None)
        return self._open_report_window(notice, shot, no_picture)

    def _ask_portal_then_open(self, notice: str | None) -> None:
        """Wayland: the desktop portal takes the picture, and may first ask the person
        (up to 10 s). That wait runs on a worker, so the tray keeps answering and the
        desktop never sees Ally hang; the window opens once the answer is in, so the
        picture still shows what the person saw. Clicks meanwhile are the same request."""
        from desktop.ui.screen_capture import ask_portal, grab_without_ally

        if self.portal_asked:
            return
        self.portal_asked = True

        def answered(answer) -> None:
            self.portal_asked = False
            if self.stopping:
                return
            shot = grab_without_ally(self._visible_windows(), portal=answer)
            self._open_report_window(notice, *shot)

        no_answer = (None, say("no_answer", "screen_picture"))
        self.background.run(ask_portal, answered, lambda _error: answered(no_answer))

    def _open_report_window(self, notice: str | None, shot, no_picture: str | None):
        from desktop.ui.report_window import ReportWindow

        session = self.services.report_session(news=self.helping.watcher)

        def build() -> ReportWindow:
            window = ReportWindow(session, self.settings, shot, notice, no_picture=no_picture)
            window.judged.connect(self.take_answer)
            return window

        return self._show("report", build)

    def grab_screen(self) -> tuple[QImage | None, str | None]:
        """The picture of the screen, or why there is none (said on the report window)."""
        from desktop.ui.screen_capture import grab_without_ally

        return grab_without_ally(self._visible_windows())

    def _visible_windows(self) -> list[QObject]:
        """Ally's own windows on screen: covered in the picture of the screen."""
        return [w for w in self.windows.values() if w.isVisible()]

    def open_status(self):
        from ally_helpdesk.evidence.thresholds import Thresholds
        from desktop.ui.other_windows import StatusWindow

        limits = Thresholds(self.policy.thresholds).as_dict()
        return self._show("status", lambda: StatusWindow(self.local_check, limits=limits))

    def open_reports(self):
        from desktop.ui.other_windows import ReportsWindow

        return self._show(
            "reports", lambda: ReportsWindow(self.outbox, self.ticket_status, self.policy)
        )

    def open_settings(self):
        from desktop.ui.other_windows import SettingsWindow

        return self._show(
            "settings", lambda: SettingsWindow(self.settings, self.save_settings, self.policy)
        )

    def open_contact(self):
        from desktop.ui.other_windows import ContactWindow

        return self._show("contact", lambda: ContactWindow(self.policy))

    def save_settings(self, settings: UserSettings) -> None:
        self.services.save_settings(settings)

    # --- background -----------------------------------------------------------------------

    def local_check(self, on_done) -> None:
        """A check that stays on this computer, on a worker thread."""
        self.background.run(self.services.local_check, on_done)

    def refresh_status(self) -> None:
        self.last_status_at = time.monotonic()
        self.local_check(self._status_ready)

    def watch_load(self) -> None:
        """Between the minute's checks, the icon keeps up with a load: when the sampler's
        latest reading shows one, Ally judges again once it has lasted long enough to be
        felt (freeze_min_s) and then every few seconds while it lasts; when it ends, once
        the let-up has outlasted what a spell tolerates (dip_max_s), when the rules agree
        it is over. So the icon never stays the green check while the window would say
        "very busy", nor stays red long after."""
        from ally_helpdesk.evidence.thresholds import Thresholds

        limits = Thresholds(self.policy.thresholds)
        loaded = self.sampler.loaded_now()
        now = time.monotonic()
        if loaded:
            self.quiet_since = None
            if self.loaded_since is None:
                self.loaded_since = now
            felt = now - self.loaded_since >= limits["freeze_min_s"] - WATCH_EVERY_MS / 1000
            if felt and now - self.last_status_at >= STATUS_WHILE_LOADED_S:
                self.refresh_status()
            return
        if self.loaded_since is not None:  # it ended: judged again once the rules agree
            self.loaded_since, self.quiet_since = None, now
        over_after = limits["dip_max_s"] + 2 * self.sampler.settings.interval_s
        if self.quiet_since is not None and now - self.quiet_since >= over_after:
            self.quiet_since = None
            self.refresh_status()

    def take_answer(self, d) -> None:
        """The report window's answer to "my computer is slow" is the tray's too: the icon
        and tooltip follow it at once instead of at the next check."""
        if getattr(d.snapshot.symptom, "value", "") == "slow":
            from desktop.showing.status import status_of

            self.last_status_at = time.monotonic()
            self.helping.set_local_status(status_of(d, self.catalog))

    def _status_ready(self, d) -> None:
        from desktop.showing.status import status_of

        self.helping.set_local_status(status_of(d, self.catalog))  # with IT's news added
        self.helping.check_reminders(d)
        args = (self.settings.tips_paused_until, self.settings.tips_enabled)
        if self.tray is None or not self.tips.due(d.findings, time.time(), *args):
            return
        # Is now a bad moment (full screen, presenting, do-not-disturb)? Read on a worker.
        from desktop.showing.quiet_time import reason_to_hold

        def show(quiet: str | None) -> None:
            tip = self.tips.next_tip(d.findings, time.time(), *args, quiet=quiet)
            if tip is not None and self.tray is not None:
                self.tray.tip(tip.title, tip.text, remind_after_s=self.tips.remind_s)
            elif quiet is not None:
                log.info("tip held: %s", quiet)

        self.background.run(reason_to_hold, show)

    def tips_paused(self) -> bool:
        return time.time() < self.settings.tips_paused_until

    def toggle_tips(self) -> None:
        self.settings.tips_paused_until = 0.0 if self.tips_paused() else time.time() + TIPS_PAUSE_S
        self.save_settings(self.settings)

    def deliver_waiting(self) -> None:
        """A delivery round (desktop/start/services.py) on a worker thread."""
        self.background.run(
            self.services.delivery_round,
            lambda result: result is not None and log.info("delivery round: %s", result),
        )

    def ticket_status(self, reference: str) -> str | None:
        return self.services.ticket_status(reference)

    # --- stopping -------------------------------------------------------------------------

    def quit(self) -> None:
        self.shutdown()
        self.app.quit()

    def check_policy(self) -> None:
        """IT changed the policy (the file, Group Policy or a profile): Ally starts again to
        apply it everywhere at once, as at login — once no window is open, so that nobody's
        report is cut off (the report is safe in the outbox either way)."""
        if not self.policy_restart_due:
            changed = self.services.policy_changed()
            if changed is None:
                return
            log.info("IT's policy changed (%s); Ally starts again to apply it", changed.source)
            self.policy_restart_due = True
        if any(w.isVisible() for w in self.windows.values()):
            return  # asked again at the next check
        self.policy_timer.stop()
        self.start_again()

    def start_again(self) -> None:
        """End, so that the watchdog starts Ally again: after an upgrade (the files under
        this running Ally were replaced) or a policy change. A report being written is
        already safe in the outbox."""
        from desktop.start.launch import EXIT_RESTART

        QTimer.singleShot(200, lambda: self.app.exit(EXIT_RESTART))  # the answer goes out first

    def shutdown(self) -> None:
        self.stopping = True
        self.status_timer.stop()
        self.watch_timer.stop()
        self.policy_timer.stop()
        self.delivery_timer.stop()
        self.helping.timer.stop()
        self.services.stop()
        QThreadPool.globalInstance().waitForDone(5000)
        if self.tray is not None:
            self.tray.icon.hide()
