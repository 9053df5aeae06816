"""The running app: tray, windows, background status, tips and delivery, wired together."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from desktop.config import Policy
from desktop.own_crashes import notice_due
from desktop.paths import AllyPaths
from desktop.process_memory import give_back
from desktop.settings import UserSettings, settings_path
from desktop.status import TrayStatus
from desktop.ui.tray import Tray
from desktop.ui.workers import Background

log = logging.getLogger(__name__)
STATUS_EVERY_MS = 60_000
DELIVERY_EVERY_MS = 60_000
FIRST_STATUS_AFTER_MS = 15_000
TIPS_PAUSE_S = 4 * 3600
RELEASE_AFTER_MS = 3_000
NO_TRAY = (
    "Your desktop has no place for Ally's icon (no system tray), so Ally opens as a window "
    "instead. Close it when you are done; start Ally again to tell IT something."
)


class AllyApp(QObject):
    def __init__(self, app: QApplication, tray_available: bool | None = None) -> None:
        super().__init__()
        self.app = app
        self.policy = Policy.load()
        self.paths = AllyPaths.from_environment()
        self.settings_file = settings_path(self.paths.config_dir)
        self.settings = UserSettings.load(self.settings_file)
        self.background = Background(self)
        self.windows: dict[str, QObject] = {}
        available = (
            QSystemTrayIcon.isSystemTrayAvailable() if tray_available is None else tray_available
        )
        self.tray: Tray | None = None
        if available:
            # The icon first, before the diagnostics are even loaded: it is what the person
            # waits for at login (about 0.3 s sooner). Its tooltip is the catalog's "all good"
            # once that is loaded, a moment later.
            self.tray = Tray(TrayStatus("ok", "Ally", None), self.tips_paused)
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
        from desktop.diagnostics.explain import load_catalog
        from desktop.diagnostics.sampler import Sampler, SamplerSettings
        from desktop.reporting.outbox import Outbox
        from desktop.tips import TipScheduler

        self.catalog = load_catalog()
        if self.tray is not None:
            self.tray.set_status(
                TrayStatus("ok", self.catalog.summary.get("all_good_tooltip", "Ally"), None)
            )
        self.sampler = Sampler(SamplerSettings(interval_s=self.policy.sampling_interval_s))
        self.sampler.start()
        # The same folder as desktop.reporting.delivery.outbox(); delivery itself (keyring,
        # HTTP, email: about 11 MB) is loaded only when a report waits to be sent.
        self.outbox = Outbox(self.paths.data_dir / "outbox")
        self.tips = TipScheduler(enabled_by_policy=self.policy.tips_enabled)
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
        self.delivery_timer = QTimer(self)
        self.delivery_timer.timeout.connect(self.deliver_waiting)
        self.delivery_timer.start(DELIVERY_EVERY_MS)
        QTimer.singleShot(5_000, self.deliver_waiting)
        # Once start-up is over (the first status check included), hand its memory back.
        QTimer.singleShot(FIRST_STATUS_AFTER_MS + 5_000, give_back)

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
            QTimer.singleShot(0, give_back)  # after deleteLater has run

    # Windows are built (and their modules loaded) only when the person opens them: an idle
    # tray app stays small.

    def open_report(self, notice: str | None = None):
        from desktop.reporting.session import ReportSession
        from desktop.ui.report_window import ReportWindow

        existing = self.windows.get("report")
        if existing is not None and existing.isVisible():
            existing.raise_()
            existing.activateWindow()
            return existing
        # The screenshot is taken before Ally's window appears, so it shows what the person saw.
        shot = self.grab_screen() if self.policy.privacy.screenshots else None
        session = ReportSession(
            self.policy, self.paths, self.sampler, self.catalog, news=self.helping.watcher
        )
        return self._show("report", lambda: ReportWindow(session, self.settings, shot, notice))

    def grab_screen(self) -> QImage | None:
        from desktop.ui.screen_capture import grab_without_ally

        return grab_without_ally([w for w in self.windows.values() if w.isVisible()])

    def open_status(self):
        from desktop.diagnostics.thresholds import Thresholds
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

    def open_contact(self) -> None:
        from desktop.ui.other_windows import contact_text

        box = QMessageBox()
        box.setWindowTitle("Contact IT")
        box.setTextFormat(Qt.TextFormat.PlainText)  # IT's policy text, never markup
        box.setText(contact_text(self.policy))
        box.setAccessibleName("How to contact IT")
        box.exec()

    def save_settings(self, settings: UserSettings) -> None:
        from desktop.startup import apply_person_choice

        self.settings = settings
        try:
            settings.save(self.settings_file)
            apply_person_choice(settings.start_at_login)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)

    # --- background -----------------------------------------------------------------------

    def local_check(self, on_done) -> None:
        """A check that stays on this computer (no network walk on a timer)."""
        from desktop.diagnostics.diagnosis import diagnose, local_probes

        self.background.run(
            lambda: diagnose(
                "slow",
                sampler=self.sampler,
                policy=self.policy,
                warm_up_s=0,
                probes=local_probes(),
                fresh_processes=False,  # reuse the sampler's last process walk: the cheap path
            ),
            on_done,
        )

    def refresh_status(self) -> None:
        self.local_check(self._status_ready)

    def _status_ready(self, d) -> None:
        from desktop.status import status_of

        self.helping.set_local_status(status_of(d, self.catalog))  # with IT's news added
        self.helping.check_reminders(d)
        args = (self.settings.tips_paused_until, self.settings.tips_enabled)
        if self.tray is None or not self.tips.due(d.findings, time.time(), *args):
            return
        # Is now a bad moment (full screen, presenting, do-not-disturb)? Read on a worker.
        from desktop.quiet_time import reason_to_hold

        def show(quiet: str | None) -> None:
            tip = self.tips.next_tip(d.findings, time.time(), *args, quiet=quiet)
            if tip is not None and self.tray is not None:
                self.tray.tip(tip.title, tip.text)
            elif quiet is not None:
                log.info("tip held: %s", quiet)

        self.background.run(reason_to_hold, show)

    def tips_paused(self) -> bool:
        return time.time() < self.settings.tips_paused_until

    def toggle_tips(self) -> None:
        self.settings.tips_paused_until = 0.0 if self.tips_paused() else time.time() + TIPS_PAUSE_S
        self.save_settings(self.settings)

    def deliver_waiting(self) -> None:
        relay = self.policy.transport.kind == "relay"  # enrols at the first start
        if not self.outbox.entries() and not relay:
            return
        from desktop.reporting import delivery
        from desktop.reporting.credentials import CredentialsUnavailable
        from desktop.reporting.transports.base import DeliveryError

        def work():
            try:
                transport = delivery.make_transport(self.policy, self.paths)
                if relay:
                    transport.ensure_enrolled()
            except (CredentialsUnavailable, DeliveryError) as exc:
                return f"not sent: {exc}"
            return self.outbox.deliver_due(transport)

        self.background.run(work, lambda result: log.info("delivery round: %s", result))

    def ticket_status(self, reference: str) -> str | None:
        if self.policy.transport.kind not in ("request-tracker", "relay"):
            return None
        from desktop.reporting import delivery
        from desktop.reporting.transports.base import STATUS_WORDS

        try:
            word = delivery.make_transport(self.policy, self.paths).status(reference)
        except Exception as exc:  # My reports must open even when the helpdesk is away
            log.info("ticket %s status unknown: %s", reference, exc)
            return None
        return STATUS_WORDS.get(word, word)

    # --- stopping -------------------------------------------------------------------------

    def quit(self) -> None:
        self.shutdown()
        self.app.quit()

    def restart_for_upgrade(self) -> None:
        """The files under this running Ally were replaced: end, so that the watchdog
        starts the new one (a report being written is already safe in the outbox)."""
        from desktop.launch import EXIT_RESTART

        QTimer.singleShot(200, lambda: self.app.exit(EXIT_RESTART))  # the answer goes out first

    def shutdown(self) -> None:
        self.status_timer.stop()
        self.delivery_timer.stop()
        self.helping.timer.stop()
        self.sampler.stop()
        QThreadPool.globalInstance().waitForDone(5000)
        if self.tray is not None:
            self.tray.icon.hide()
