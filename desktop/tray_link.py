"""The line between a terminal command and the running tray app of the same person.

The tray app listens on a local socket (a Unix socket in the session's temporary folder; a
named pipe on Windows; one per user session, desktop/ui/instance_channel.py) so that a
second start can bring it forward. ``ally diagnose`` and ``ally report`` use the same
socket to ask for the minutes the tray has watched, so an answer from a terminal is as
good as one from the tray. Nothing here imports Qt on Linux and macOS: the terminal commands
never load it there (Windows' named pipe is spoken with Qt's local socket, loaded on use).

Only a socket owned by this account is trusted, and on Linux the process at the other
end must run as this account too; anything else is ignored and Ally falls back to what
the system keeps.
"""

from __future__ import annotations

import getpass
import glob
import json
import logging
import os
import socket
import stat
import struct
import sys
import time
from pathlib import Path

from desktop.diagnostics.sampling.history import import_state
from desktop.diagnostics.sampling.sampler import Sampler, SamplerSettings

log = logging.getLogger(__name__)
HISTORY_REQUEST = b"history\n"
SHOW_REQUEST = b"show\n"
RESTART_REQUEST = b"restart\n"
MAX_ANSWER_BYTES = 16 * 1024 * 1024  # 15 minutes of history is about 100 KB
# The tray answers in milliseconds; one that does not answer in this time is hung or is
# not Ally, and the terminal does not wait for it longer.
PER_SOCKET_S = 0.5


def instance_key() -> str:
    """The name of the tray app's socket: one per user and desktop session."""
    session = (
        os.environ.get("XDG_SESSION_ID")
        or os.environ.get("DISPLAY", "")
        or os.environ.get("SESSIONNAME", "")
    )
    return f"ally-{_user()}-{session}".replace("/", "_").replace(":", "_")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def _socket_dir() -> Path:
    # Where Qt's local server put it too (QDir::tempPath(): $TMPDIR, else /tmp), so an Ally
    # of before and after an upgrade find each other.
    return Path(os.environ.get("TMPDIR") or "/tmp")


def socket_path(key: str) -> Path:
    return _socket_dir() / key


def candidate_sockets() -> list[Path]:
    """This session's socket first, then those of this account's other sessions (a
    terminal over SSH has no desktop session of its own)."""
    folder = _socket_dir()
    own = socket_path(instance_key())
    others = sorted(Path(p) for p in glob.glob(str(folder / f"ally-{_user()}-*")))
    return [own, *[p for p in others if p != own]]


def own_socket(path: Path) -> bool:
    """Whether ``path`` is a socket this account owns (the tray app's, or a stale one)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISSOCK(info.st_mode) and info.st_uid == os.getuid()


def peer_uid(sock: socket.socket) -> int | None:
    """The account at the other end of a connected Unix socket, where the kernel says it
    (Linux); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid


def _peer_is_me(sock: socket.socket) -> bool:
    uid = peer_uid(sock)  # elsewhere the socket file's owner was checked
    return uid is None or uid == os.getuid()


def ask_over_pipe(request: bytes, wait_for_answer: bool, connect_ms: int = 500) -> bytes | None:
    """Windows: one request to this session's tray app over its named pipe, which Qt's local
    socket speaks (loaded only here); the answer (empty when not waited for), or None when
    no tray app listens."""
    from PySide6.QtNetwork import QLocalSocket

    sock = QLocalSocket()
    sock.connectToServer(instance_key())
    if not sock.waitForConnected(connect_ms):
        return None
    sock.write(request)
    sock.waitForBytesWritten(1000)
    answer = b""
    if wait_for_answer and sock.waitForReadyRead(1500):
        answer = bytes(sock.readAll())
    sock.disconnectFromServer()
    return answer


def ask(request: bytes, timeout: float = 1.2, this_session: bool = False) -> bytes | None:
    """Send one request to this person's tray app (with ``this_session``, only to the one of
    this desktop session); its whole answer, or None if no tray app answers (not running,
    someone else's socket, too slow, too much)."""
    if sys.platform.startswith("win") or not hasattr(socket, "AF_UNIX"):
        return None  # named pipes on Windows: not used from the terminal yet
    overall = time.monotonic() + timeout
    paths = [socket_path(instance_key())] if this_session else candidate_sockets()
    for path in paths:
        if not own_socket(path):
            continue
        deadline = min(overall, time.monotonic() + PER_SOCKET_S)
        if deadline - time.monotonic() < 0.05:
            break
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(max(deadline - time.monotonic(), 0.05))
                sock.connect(str(path))
                if not _peer_is_me(sock):
                    log.warning("%s is not served by this account; ignored", path)
                    continue
                sock.sendall(request)
                answer = _whole_answer(sock, deadline)
                if answer is not None:
                    return answer
                log.info("the answer from %s is over %d bytes: dropped", path, MAX_ANSWER_BYTES)
        except OSError as exc:  # a stale socket, a hung app: try the next one
            log.info("no answer from %s: %s", path, exc)
    return None


def _whole_answer(sock: socket.socket, deadline: float) -> bytes | None:
    """Everything the tray app writes until it closes; None when it is too much."""
    chunks, size = [], 0
    while True:
        sock.settimeout(max(deadline - time.monotonic(), 0.05))
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            return None
        chunks.append(chunk)


def borrowed_sampler(settings: SamplerSettings | None = None) -> tuple[Sampler, str | None]:
    """A sampler holding the tray app's minutes when one runs for this person, else an
    empty one; and where its history came from (None: only what this process watches)."""
    sampler = Sampler(settings)
    answer = ask(HISTORY_REQUEST)
    if not answer:
        return sampler, None
    try:
        rows = import_state(
            json.loads(answer.decode("utf-8")), sampler.history, sampler.process_history
        )
    except (ValueError, UnicodeDecodeError) as exc:
        log.warning("the tray app's history could not be read: %s", exc)
        return Sampler(settings), None
    if not rows:
        return sampler, None
    from desktop.diagnostics.it_words import it_says

    return sampler, it_says("history", "from_tray", rows=rows)


def restart_all(folder: Path | None = None) -> list[str]:
    """For installers, after an upgrade: ask every running tray app to start the newly
    installed Ally (root reaches every person's; anyone else only their own). Returns the
    sockets that said they restart."""
    if not hasattr(socket, "AF_UNIX"):
        return []
    folder = folder or _socket_dir()
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    done = []
    for path in sorted(folder.glob("ally-*")):
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISSOCK(info.st_mode) or not (root or info.st_uid == os.getuid()):
            continue
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(PER_SOCKET_S * 4)
                sock.connect(str(path))
                sock.sendall(RESTART_REQUEST)
                if sock.recv(64).startswith(b"restarting"):
                    done.append(str(path))
        except OSError as exc:  # a stale socket of an Ally that is not running
            log.info("no restart from %s: %s", path, exc)
    return done
