"""The running app: tray, windows, background status, tips and delivery, wired together."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, QThreadPool, QTimer
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from desktop.config import Policy
from desktop.diagnostics.diagnosis import diagnose, local_probes
from desktop.diagnostics.explain import load_catalog
from desktop.diagnostics.sampler import Sampler, SamplerSettings
from desktop.paths import AllyPaths
from desktop.reporting import delivery
from desktop.reporting.credentials import CredentialsUnavailable
from desktop.reporting.transports.base import STATUS_WORDS, DeliveryError
from desktop.settings import UserSettings, settings_path
from desktop.status import TrayStatus, status_of
from desktop.tips import TipScheduler
from desktop.ui.tray import Tray
from desktop.ui.workers import Background

log = logging.getLogger(__name__)
STATUS_EVERY_MS = 60_000
DELIVERY_EVERY_MS = 60_000
FIRST_STATUS_AFTER_MS = 15_000
TIPS_PAUSE_S = 4 * 3600
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
        self.catalog = load_catalog()
        self.settings_file = settings_path(self.paths.config_dir)
        self.settings = UserSettings.load(self.settings_file)
        self.sampler = Sampler(SamplerSettings(interval_s=self.policy.sampling_interval_s))
        self.sampler.start()
        self.outbox = delivery.outbox(self.paths)
        self.tips = TipScheduler(enabled_by_policy=self.policy.tips_enabled)
        self.background = Background(self)
        self.windows: dict[str, QObject] = {}
        available = (
            QSystemTrayIcon.isSystemTrayAvailable() if tray_available is None else tray_available
        )
        self.tray: Tray | None = None
        if available:
            self.tray = Tray(
                TrayStatus("ok", self.catalog.summary.get("all_good_tooltip", "Ally"), None),
                self.tips_paused,
            )
            self.tray.report_requested.connect(self.open_report)
            self.tray.status_requested.connect(self.open_status)
            self.tray.reports_requested.connect(self.open_reports)
            self.tray.contact_requested.connect(self.open_contact)
            self.tray.settings_requested.connect(self.open_settings)
            self.tray.pause_toggled.connect(self.toggle_tips)
            self.tray.quit_requested.connect(self.quit)
            self.tray.show()
        else:
            self.open_report(notice=NO_TRAY)
        self.status_timer = QTimer(self)
        self.status_timer.timeout.connect(self.refresh_status)
        self.status_timer.start(STATUS_EVERY_MS)
        QTimer.singleShot(FIRST_STATUS_AFTER_MS, self.refresh_status)
        self.delivery_timer = QTimer(self)
        self.delivery_timer.timeout.connect(self.deliver_waiting)
        self.delivery_timer.start(DELIVERY_EVERY_MS)
        QTimer.singleShot(5_000, self.deliver_waiting)

    # --- windows --------------------------------------------------------------------------

    def _show(self, name: str, make) -> QObject:
        window = self.windows.get(name)
        if window is None or not window.isVisible():
            window = make()
            self.windows[name] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

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
        session = ReportSession(self.policy, self.paths, self.sampler, self.catalog)
        return self._show("report", lambda: ReportWindow(session, self.settings, shot, notice))

    def grab_screen(self) -> QImage | None:
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return None
        image = screen.grabWindow(0).toImage()
        return None if image.isNull() else image

    def open_status(self):
        from desktop.ui.other_windows import StatusWindow

        return self._show("status", lambda: StatusWindow(self.local_check))

    def open_reports(self):
        from desktop.ui.other_windows import ReportsWindow

        return self._show("reports", lambda: ReportsWindow(self.outbox, self.ticket_status))

    def open_settings(self):
        from desktop.ui.other_windows import SettingsWindow

        return self._show(
            "settings", lambda: SettingsWindow(self.settings, self.save_settings, self.policy)
        )

    def open_contact(self) -> None:
        from desktop.ui.other_windows import contact_text

        box = QMessageBox()
        box.setWindowTitle("Contact IT")
        box.setText(contact_text(self.policy))
        box.setAccessibleName("How to contact IT")
        box.exec()

    def save_settings(self, settings: UserSettings) -> None:
        from desktop.ui.other_windows import apply_start_at_login

        self.settings = settings
        try:
            settings.save(self.settings_file)
            apply_start_at_login(settings.start_at_login)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)

    # --- background -----------------------------------------------------------------------

    def local_check(self, on_done) -> None:
        """A check that stays on this computer (no network walk on a timer)."""
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
        if self.tray is not None:
            self.tray.set_status(status_of(d, self.catalog))
        tip = self.tips.next_tip(
            d.findings, time.time(), self.settings.tips_paused_until, self.settings.tips_enabled
        )
        if tip is not None and self.tray is not None:
            self.tray.tip(tip.title, tip.text)

    def tips_paused(self) -> bool:
        return time.time() < self.settings.tips_paused_until

    def toggle_tips(self) -> None:
        self.settings.tips_paused_until = 0.0 if self.tips_paused() else time.time() + TIPS_PAUSE_S
        self.save_settings(self.settings)

    def deliver_waiting(self) -> None:
        relay = self.policy.transport.kind == "relay"  # enrols at the first start
        if not self.outbox.entries() and not relay:
            return

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

    def shutdown(self) -> None:
        self.status_timer.stop()
        self.delivery_timer.stop()
        self.sampler.stop()
        QThreadPool.globalInstance().waitForDone(5000)
        if self.tray is not None:
            self.tray.icon.hide()
