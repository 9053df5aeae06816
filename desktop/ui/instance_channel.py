"""The tray app's end of the single-instance socket (see desktop/tray_link.py).

Each connection sends one short line: ``show`` (Ally was started again: bring the
report window forward), ``open WHAT`` (``ally open`` and the launcher entry: open the
report, status, reports or settings window; answered ``opened``), ``history`` (a terminal command asks for the minutes the tray
has watched: answer with them and close) or ``restart`` (an upgrade replaced Ally's
files: start the new Ally). Anything else, or nothing within two seconds, is dropped.
The socket is open to this account only (and the administrator, who installs upgrades).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop.diagnostics.sampling.history import export_state
from desktop.diagnostics.sampling.sampler import Sampler

log = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 64
SILENT_AFTER_MS = 2000
OPENABLE = ("report", "status", "reports", "settings")  # desktop/cli_open.py


class InstanceChannel(QObject):
    def __init__(
        self,
        key: str,
        sampler: Sampler,
        on_show: Callable[[], object],
        on_restart: Callable[[], object] | None = None,
        on_open: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self.on_open = on_open
        self.sampler = sampler
        self.on_show = on_show
        self.on_restart = on_restart
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(key)  # a stale socket from a run that crashed
        self.listening = self.server.listen(key)
        if not self.listening:
            log.warning("single-instance socket %s: %s", key, self.server.errorString())
        self.server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            sock.setParent(self)
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)
            QTimer.singleShot(SILENT_AFTER_MS, sock, sock.abort)

    def _read(self, sock: QLocalSocket) -> None:
        if not sock.canReadLine():
            if sock.bytesAvailable() > MAX_REQUEST_BYTES:
                sock.abort()
            return
        request = bytes(sock.readLine(MAX_REQUEST_BYTES)).strip()
        if request == b"show":
            sock.disconnectFromServer()
            self.on_show()
        elif request.startswith(b"open ") and self.on_open is not None:
            what = request[5:].decode("ascii", "replace")
            if what not in OPENABLE:
                log.info("single-instance socket: nothing called %r to open", what[:20])
                sock.abort()
                return
            sock.write(b"opened\n")
            sock.disconnectFromServer()
            self.on_open(what)
        elif request == b"history":
            sock.write(self.history_bytes())
            sock.disconnectFromServer()  # after what was written has gone out
        elif request == b"restart" and self.on_restart is not None:
            sock.write(b"restarting\n")
            sock.disconnectFromServer()
            log.info("asked to restart (Ally was upgraded)")
            self.on_restart()
        else:
            log.info("single-instance socket: unknown request %r dropped", request[:20])
            sock.abort()

    def history_bytes(self) -> bytes:
        state = export_state(
            self.sampler.history, self.sampler.process_history, self.sampler.settings.interval_s
        )
        return json.dumps(state, separators=(",", ":")).encode("utf-8")
