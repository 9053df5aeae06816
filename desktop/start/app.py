"""The composition root for the tray app (``ally --tray-child``, which the watchdog runs).

It decides whether a desktop is there at all (desktop/start/launch.py) before Qt is imported: on
a machine without a display the person (or IT over SSH) gets a plain sentence and the command that works
without a screen, never a Qt platform-plugin error. Otherwise it builds the Qt-free
services (desktop/start/services.py: policy, folders, settings, words, sampler, outbox, tips,
delivery, ticket status, the local check) and hands them to the windows
(desktop/ui/ally_app.py), which only show and ask; and it owns the single-instance lock.
"""

from __future__ import annotations

import faulthandler
import logging
import signal
import sys

from desktop.start.launch import EXIT_NO_DISPLAY, display_available, no_display_text
from desktop.start.process_memory import fewer_malloc_arenas

log = logging.getLogger("ally")


def _log_to_file(log_dir) -> None:
    from desktop.start.logs import log_to_file

    log_to_file(log_dir)

    def to_the_log(kind, value, tb) -> None:  # a fault in a slot: the log, not a terminal
        log.error("unexpected error in the tray app", exc_info=(kind, value, tb))

    sys.excepthook = to_the_log


def _qt_messages_to_log() -> None:
    """Qt's own warnings go to Ally's log (with their level), not to a terminal nobody reads."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("ally.qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind, context, message: str) -> None:
        category = getattr(context, "category", None) or "qt"
        qt_log.log(levels.get(kind, logging.WARNING), "%s: %s", category, message)

    qInstallMessageHandler(handler)


def _services():
    """Policy, folders and the person's settings: cheap, and read once for the whole run."""
    from desktop.start.services import Services

    return Services.load()


def _brought_forward() -> bool:
    """Ask an Ally already running in this desktop session to show itself; True when one
    answered. Over a plain Unix socket before Qt is even loaded (a second start costs little);
    on Windows over Qt's named pipe, which is what the running Ally listens on."""
    from desktop.start.tray_link import SHOW_REQUEST, ask, ask_over_pipe

    if not sys.platform.startswith("win"):
        return ask(SHOW_REQUEST, timeout=0.5, this_session=True) is not None
    from PySide6.QtWidgets import QApplication

    _app = QApplication.instance() or QApplication(sys.argv[:1])
    return ask_over_pipe(SHOW_REQUEST, wait_for_answer=False, connect_ms=300) is not None


def main(argv: list[str] | None = None, login: bool = False) -> int:
    """The tray app itself (``ally --tray-child``, run by desktop/start/watchdog.py)."""
    if not display_available():
        sys.stderr.write(no_display_text())
        return EXIT_NO_DISPLAY
    services = _services()
    if login:
        from desktop.start.startup import wants_to_start

        if not wants_to_start(services.policy, services.settings):
            return 0  # the person (or IT) chose not to start Ally at login: a quiet no
    # A crash (a fault in Qt or in a library, a fatal Python error) leaves its Python
    # traceback on stderr, which the watchdog copies into Ally's log before restarting.
    faulthandler.enable(all_threads=True)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C stops it at once, even inside Qt
    fewer_malloc_arenas()
    if _brought_forward():  # Ally already runs in this session: its window comes forward
        return 0
    from PySide6.QtWidgets import QApplication

    from desktop.start.tray_link import instance_key

    _qt_messages_to_log()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Ally")
    app.setQuitOnLastWindowClosed(False)
    key = instance_key()
    from desktop.ui.ally_app import AllyApp
    from desktop.ui.instance_channel import InstanceChannel

    _log_to_file(services.paths.log_dir)
    ally = AllyApp(app, services=services)  # starts the services once its icon is up
    # Started again: the window comes forward; `ally diagnose`: the tray's minutes.
    channel = InstanceChannel(
        key,
        ally.sampler,
        ally.open_report,
        ally.start_again,
        on_open=lambda what: getattr(ally, f"open_{what}")(),  # `ally open WHAT`
    )
    log.info(
        "Ally started (tray available: %s, single-instance socket: %s)",
        ally.tray is not None,
        channel.listening,
    )
    code = app.exec()
    channel.close()
    ally.shutdown()
    return code
