"""The composition root for the tray app (``ally --tray-child``, which the watchdog runs).

It decides whether a desktop is there at all (desktop/launch.py) before Qt is imported: on
a machine without a display the person (or IT over SSH) gets a plain sentence and the command that works
without a screen, never a Qt platform-plugin error. Otherwise it builds the policy, the
sampler, the outbox and the windows, and owns the single-instance lock.
"""

from __future__ import annotations

import faulthandler
import getpass
import logging
import logging.handlers
import os
import signal
import sys

from desktop.launch import NO_DISPLAY, display_available
from desktop.process_memory import fewer_malloc_arenas

log = logging.getLogger("ally")


def instance_key() -> str:
    session = (
        os.environ.get("XDG_SESSION_ID")
        or os.environ.get("DISPLAY", "")
        or os.environ.get("SESSIONNAME", "")
    )
    return f"ally-{getpass.getuser()}-{session}".replace("/", "_").replace(":", "_")


def _log_to_file(log_dir) -> None:
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_dir / "ally.log", maxBytes=1_000_000, backupCount=3
        )
    except OSError:
        return  # no log file is no reason not to help the person
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


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


def main(argv: list[str] | None = None) -> int:
    """The tray app itself (``ally --tray-child``, run by desktop/watchdog.py)."""
    if not display_available():
        sys.stderr.write(NO_DISPLAY)
        return 2
    # A crash (a fault in Qt or in a library, a fatal Python error) leaves its Python
    # traceback on stderr, which the watchdog copies into Ally's log before restarting.
    faulthandler.enable(all_threads=True)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C stops it at once, even inside Qt
    fewer_malloc_arenas()
    from PySide6.QtNetwork import QLocalServer, QLocalSocket
    from PySide6.QtWidgets import QApplication

    _qt_messages_to_log()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Ally")
    app.setQuitOnLastWindowClosed(False)

    key = instance_key()
    probe = QLocalSocket()
    probe.connectToServer(key)
    if probe.waitForConnected(300):  # Ally already runs in this session: bring it forward
        probe.write(b"show\n")
        probe.waitForBytesWritten(1000)
        probe.disconnectFromServer()
        return 0
    QLocalServer.removeServer(key)  # a stale socket from a crashed run
    server = QLocalServer()
    server.listen(key)

    from desktop.paths import AllyPaths
    from desktop.ui.ally_app import AllyApp

    _log_to_file(AllyPaths.from_environment().log_dir)
    ally = AllyApp(app)
    server.newConnection.connect(lambda: (server.nextPendingConnection(), ally.open_report()))
    log.info("Ally started (tray available: %s)", ally.tray is not None)
    code = app.exec()
    ally.shutdown()
    return code
