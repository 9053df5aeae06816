"""The composition root for the tray app (``ally`` with no arguments).

It decides whether a desktop is there at all before Qt is imported: on a machine without
a display the person (or IT over SSH) gets a plain sentence and the command that works
without a screen, never a Qt platform-plugin error. Otherwise it builds the policy, the
sampler, the outbox and the windows, and owns the single-instance lock.
"""

from __future__ import annotations

import logging
import os
import sys

NO_DISPLAY = (
    "Ally lives in the system tray, but this computer has no screen Ally can use right now "
    "(no desktop session was found).\n"
    "You can still check this computer: run  ally diagnose\n"
)

log = logging.getLogger("ally")


def display_available(environ: dict[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether a graphical session exists. Windows and macOS always have one when logged in."""
    env = os.environ if environ is None else environ
    if platform.startswith(("win", "darwin")):
        return True
    if env.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _log_to_file(log_dir) -> None:
    from desktop.logs import log_to_file

    log_to_file(log_dir)

    def to_the_log(kind, value, tb) -> None:  # a fault in a slot: the log, not a terminal
        log.error("unexpected error in the tray app", exc_info=(kind, value, tb))

    sys.excepthook = to_the_log


def _fewer_malloc_arenas() -> None:
    """glibc gives threads malloc arenas of their own; with the sampler and Qt's worker
    threads that keeps memory Ally no longer uses. Two arenas are plenty for Ally."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
        except (OSError, AttributeError):
            pass


def main(argv: list[str] | None = None) -> int:
    if not display_available():
        sys.stderr.write(NO_DISPLAY)
        return 2
    _fewer_malloc_arenas()
    from PySide6.QtNetwork import QLocalSocket
    from PySide6.QtWidgets import QApplication

    from desktop.tray_link import SHOW_REQUEST, instance_key

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Ally")
    app.setQuitOnLastWindowClosed(False)

    key = instance_key()
    probe = QLocalSocket()
    probe.connectToServer(key)
    if probe.waitForConnected(300):  # Ally already runs in this session: bring it forward
        probe.write(SHOW_REQUEST)
        probe.waitForBytesWritten(1000)
        probe.disconnectFromServer()
        return 0
    from desktop.ui.ally_app import AllyApp
    from desktop.ui.instance_channel import InstanceChannel

    ally = AllyApp(app)
    # Started again: the window comes forward; `ally diagnose`: the tray's minutes.
    channel = InstanceChannel(key, ally.sampler, ally.open_report)
    _log_to_file(ally.paths.log_dir)
    log.info(
        "Ally started (tray available: %s, single-instance socket: %s)",
        ally.tray is not None,
        channel.listening,
    )
    code = app.exec()
    ally.shutdown()
    return code
