"""The tray app's end of the single-instance socket (see desktop/start/tray_link.py).

Each connection sends one short line: ``show`` (Ally was started again: bring the
report window forward), ``open WHAT`` (``ally open`` and the launcher entry: open the
report, status, reports or settings window; answered ``opened``), ``history`` (a terminal
command asks for the minutes the tray has watched: answer with them and close) or
``restart`` (an upgrade replaced Ally's files: start the new Ally). Anything else, or
nothing within two seconds, is dropped. The socket is open to this account only (and the
administrator, who installs upgrades).

On Linux and macOS this is a plain Unix socket watched by Qt's event loop
(QSocketNotifier): Qt's own local server would load QtNetwork, about 3 MB more in a process
that lives for weeks (benchmarks/RESULTS.md). Windows has no Unix sockets for Python, so
there Qt's local server speaks over a named pipe, as before.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import sys
import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

from desktop.diagnostics.sampling.history import export_state
from desktop.diagnostics.sampling.sampler import Sampler
from desktop.start.tray_link import own_socket, peer_uid, socket_path

log = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 64
SILENT_AFTER_MS = 2000
REPLY_TIMEOUT_S = 2.0  # a client that asked but does not read its answer is dropped
OPENABLE = ("report", "status", "reports", "settings")  # desktop/terminal/cli_open.py


class InstanceChannel(QObject):
    """Listens for this person's later starts and terminal commands; ``listening`` says
    whether it could (when not, Ally still runs: only the single-instance help is lost)."""

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
        if hasattr(socket, "AF_UNIX") and not sys.platform.startswith("win"):
            self.listener: _UnixListener | _PipeListener = _UnixListener(self, key)
        else:
            self.listener = _PipeListener(self, key)
        self.listening = self.listener.listening

    def close(self) -> None:
        self.listener.close()

    def answer(self, request: bytes) -> tuple[bytes | None, Callable[[], object] | None]:
        """What to write back (None: drop the connection unanswered) and what to do once the
        answer is on its way."""
        if request == b"show":
            return b"", self.on_show
        if request.startswith(b"open ") and self.on_open is not None:
            what = request[5:].decode("ascii", "replace")
            if what not in OPENABLE:
                log.info("single-instance socket: nothing called %r to open", what[:20])
                return None, None
            on_open = self.on_open
            return b"opened\n", lambda: on_open(what)
        if request == b"history":
            return self.history_bytes(), None
        if request == b"restart" and self.on_restart is not None:
            log.info("asked to restart (Ally was upgraded)")
            return b"restarting\n", self.on_restart
        log.info("single-instance socket: unknown request %r dropped", request[:20])
        return None, None

    def history_bytes(self) -> bytes:
        state = export_state(
            self.sampler.history, self.sampler.process_history, self.sampler.settings.interval_s
        )
        return json.dumps(state, separators=(",", ":")).encode("utf-8")


class _UnixListener:
    """A Unix socket in the session's temporary folder, mode 0600, served on the GUI thread:
    every request is one short line and every answer is ready at once.

    The listener holds its channel weakly. With a strong reference the two would form a
    cycle, and a channel dropped without ``close()`` would wait for Python's cycle
    collector, which runs in whatever thread happens to allocate: it could close the
    sockets while Qt still watched them ("QSocketNotifier: Invalid socket", without end)
    or delete the channel's Qt objects from a worker thread (a crash). Without the cycle a
    dropped channel goes at once, in the thread that dropped it: its notifiers first, as
    Qt children of the channel, then the sockets.
    """

    def __init__(self, channel: InstanceChannel, key: str) -> None:
        self._channel = weakref.ref(channel)
        self.path = socket_path(key)
        self.clients: dict[int, tuple[socket.socket, QSocketNotifier, bytearray]] = {}
        self.server: socket.socket | None = None
        self.notifier: QSocketNotifier | None = None
        try:
            self.server = self._listen()
        except OSError as exc:
            log.warning("single-instance socket %s: %s", self.path, exc)
        self.listening = self.server is not None
        if self.server is not None:
            self.notifier = QSocketNotifier(
                self.server.fileno(), QSocketNotifier.Type.Read, channel
            )
            self.notifier.activated.connect(self._accept)

    def _listen(self) -> socket.socket:
        self._remove_stale()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(self.path))
            # Before listen() nobody can connect, so the mode is right before anyone can try.
            os.chmod(self.path, 0o600)
            server.listen(8)
            server.setblocking(False)
        except OSError:
            server.close()
            raise
        return server

    def _remove_stale(self) -> None:
        """A socket left by an Ally that crashed is ours to remove; anything else with this
        name (another account's file in a shared /tmp) is not, and the bind then fails."""
        if own_socket(self.path):
            self.path.unlink()

    def _accept(self) -> None:
        while self.server is not None:
            try:
                conn, _ = self.server.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.info("single-instance socket: accept failed: %s", exc)
                return
            channel = self._channel()
            if channel is None:  # dropped without close(): take no one in
                conn.close()
                return
            if not _peer_is_this_account(conn):
                log.warning("single-instance socket: a connection from another account dropped")
                conn.close()
                continue
            conn.setblocking(False)
            notifier = QSocketNotifier(conn.fileno(), QSocketNotifier.Type.Read, channel)
            fd = conn.fileno()
            self.clients[fd] = (conn, notifier, bytearray())
            notifier.activated.connect(lambda *_args, fd=fd: self._read(fd))
            # Bound to the notifier: gone with it, so it never acts on a channel deleted since.
            QTimer.singleShot(SILENT_AFTER_MS, notifier, lambda c=conn: self._drop(c))

    def _read(self, fd: int) -> None:
        client = self.clients.get(fd)
        if client is None:
            return
        conn, _notifier, buffer = client
        try:
            chunk = conn.recv(MAX_REQUEST_BYTES + 1)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        buffer += chunk
        if b"\n" not in buffer:
            if not chunk or len(buffer) > MAX_REQUEST_BYTES:
                self._drop(conn)  # gone before a whole line, or too much
            return
        request = bytes(buffer.split(b"\n", 1)[0]).strip()
        channel = self._channel()
        if channel is None:  # dropped without close(): nothing left to answer for
            self._drop(conn)
            return
        reply, then = channel.answer(request)
        if reply:
            try:
                conn.settimeout(REPLY_TIMEOUT_S)
                conn.sendall(reply)
            except OSError as exc:
                log.info("single-instance socket: the answer was not taken: %s", exc)
        self._drop(conn)
        if then is not None and reply is not None:
            then()

    def _drop(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError, ValueError):
            fd = conn.fileno()
            if fd in self.clients:
                _conn, notifier, _buffer = self.clients.pop(fd)
                notifier.setEnabled(False)
                notifier.deleteLater()
        with contextlib.suppress(OSError):
            conn.close()

    def close(self) -> None:
        for conn, _notifier, _buffer in list(self.clients.values()):
            self._drop(conn)
        if self.notifier is not None:
            self.notifier.setEnabled(False)
        if self.server is not None:
            self.server.close()
            self.server = None
            with contextlib.suppress(OSError):
                self.path.unlink()


def _peer_is_this_account(conn: socket.socket) -> bool:
    """The socket's mode already keeps other accounts out; on Linux the kernel also says who
    is at the other end (the administrator, who restarts Ally after upgrades, may ask)."""
    try:
        uid = peer_uid(conn)
    except OSError:
        return False
    return uid is None or uid in (os.getuid(), 0)


class _PipeListener:
    """Windows: Qt's local server over a named pipe, for this account only. It holds its
    channel weakly, as _UnixListener does and for the same reason."""

    def __init__(self, channel: InstanceChannel, key: str) -> None:
        from PySide6.QtNetwork import QLocalServer

        self._channel = weakref.ref(channel)
        self.server = QLocalServer(channel)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(key)  # a stale socket from a run that crashed
        self.listening = self.server.listen(key)
        if not self.listening:
            log.warning("single-instance socket %s: %s", key, self.server.errorString())
        self.server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        channel = self._channel()
        while channel is not None and self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            sock.setParent(channel)
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)
            QTimer.singleShot(SILENT_AFTER_MS, sock, sock.abort)

    def _read(self, sock) -> None:
        if not sock.canReadLine():
            if sock.bytesAvailable() > MAX_REQUEST_BYTES:
                sock.abort()
            return
        request = bytes(sock.readLine(MAX_REQUEST_BYTES)).strip()
        channel = self._channel()
        reply, then = channel.answer(request) if channel is not None else (None, None)
        if reply is None:
            sock.abort()
            return
        if reply:
            sock.write(reply)
        sock.disconnectFromServer()  # after what was written has gone out
        if then is not None:
            then()

    def close(self) -> None:
        self.server.close()
