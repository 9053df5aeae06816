"""The line between a terminal command and the running tray app of the same person.

The tray app listens on a local socket (a Unix socket in the session's temporary folder; a
named pipe on Windows; desktop/ui/instance_channel.py) so that a second start can bring it
forward. ``ally diagnose`` and ``ally report`` use the same socket to ask for the minutes
the tray has watched, so an answer from a terminal is as good as one from the tray. Nothing
here imports Qt on Linux and macOS: the terminal commands never load it there (Windows'
named pipe is spoken with Qt's local socket, loaded on use).

There is one Ally per graphical session, not per account: the socket is named after the
account, the session's display (X11's DISPLAY, WAYLAND_DISPLAY, Windows' session id) and
the folder Ally keeps its data in. A window asked for (a second start, ``ally open``) opens
only in this session; a terminal without a display of its own (SSH) may borrow the minutes
of any of this account's sessions, since they watch the same computer.

Only a socket owned by this account is trusted, and on Linux the process at the other
end must run as this account too; anything else is ignored and Ally falls back to what
the system keeps.
"""

from __future__ import annotations

import getpass
import glob
import hashlib
import json
import logging
import os
import selectors
import socket
import stat
import struct
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import cast

from desktop.diagnostics.sampling.history import import_state
from desktop.diagnostics.sampling.sampler import Sampler, SamplerSettings
from desktop.start.launch import TRAY_CHILD_ARG

log = logging.getLogger(__name__)
HISTORY_REQUEST = b"history\n"
SHOW_REQUEST = b"show\n"
RESTART_REQUEST = b"restart\n"
MAX_ANSWER_BYTES = 16 * 1024 * 1024  # 15 minutes of history is about 100 KB
# The tray answers in milliseconds; one that does not answer in this time is hung or is
# not Ally, and the terminal does not wait for it longer.
PER_SOCKET_S = 0.5
# ``ally restart-trays`` (the package's postinst) asks every tray app at once and waits
# this long for all of them together: a tray app answers in milliseconds.
RESTART_DEADLINE_S = 2.0


def graphical_session(
    environ: Mapping[str, str] | None = None, platform: str = sys.platform
) -> str:
    """The graphical session this process belongs to, as a short name; "" for none (a
    terminal over SSH). Two sessions of one account (the console and a remote desktop, two
    X displays) have different names, so each has its own Ally."""
    env = os.environ if environ is None else environ
    if platform.startswith("win"):
        return f"s{_windows_session_id(env)}"
    wayland = env.get("WAYLAND_DISPLAY", "")
    if wayland:
        return "wl" + os.path.basename(wayland)
    display = env.get("DISPLAY", "")
    if display:
        # ":1", ":1.0" and "unix:1" are one display; "localhost:10.0" (SSH's X11
        # forwarding) is another.
        host, _, number = display.rpartition(":")
        host = "" if host in ("", "unix") else host
        return f"x{host}{number.split('.')[0]}"
    if platform == "darwin":
        return "aqua"  # one graphical login per account at a time
    return ""


def _windows_session_id(env: Mapping[str, str]) -> str:
    """The Remote Desktop Services session id: 1 for the first console login, others for
    remote desktops. Named pipes are visible to every session, so the name must carry it."""
    try:
        import ctypes

        session = ctypes.c_ulong()
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        if kernel32.ProcessIdToSessionId(kernel32.GetCurrentProcessId(), ctypes.byref(session)):
            return str(session.value)
    except (AttributeError, OSError):
        pass
    return env.get("SESSIONNAME", "")


def _home_mark(environ: Mapping[str, str] | None = None) -> str:
    """Eight characters that stand for the folder this Ally keeps its data in: an Ally with
    another ALLY_HOME (a test, a second profile IT set up) is another Ally."""
    from desktop.base.paths import AllyPaths

    where = AllyPaths.from_environment(dict(os.environ if environ is None else environ))
    return hashlib.sha256(str(where.data_dir).encode("utf-8", "replace")).hexdigest()[:8]


def instance_key(environ: Mapping[str, str] | None = None) -> str:
    """The name of the tray app's socket: one per account, graphical session and data
    folder."""
    return _file_name(f"ally-{_user()}-{graphical_session(environ)}-{_home_mark(environ)}")


def _file_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


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
    """This session's socket first, then those of this account's other sessions with the
    same data folder (a terminal over SSH has no graphical session of its own)."""
    own = socket_path(instance_key())
    pattern = glob.escape(_file_name(f"ally-{_user()}-")) + "*-" + _home_mark()
    others = sorted(Path(p) for p in glob.glob(str(_socket_dir() / pattern)))
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
    creds = _peer_credentials(sock)
    return None if creds is None else creds[1]


def _peer_credentials(sock: socket.socket) -> tuple[int, int] | None:
    """The process and account at the other end (for a listening socket not yet accepting:
    the process that listens), where the kernel says it (Linux); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _gid = struct.unpack("3i", creds)
    return pid, uid


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
    """Send one request to this person's tray app; its whole answer, or None if no tray app
    answers (not running, someone else's socket, too slow, too much). A request that opens a
    window goes with ``this_session`` (only this graphical session's Ally); the minutes
    watched may come from any of this account's sessions, as they watch the same computer."""
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


def restart_all(folder: Path | None = None, deadline_s: float = RESTART_DEADLINE_S) -> list[str]:
    """For installers, after an upgrade: ask every running tray app to start the newly
    installed Ally (root reaches every person's; anyone else only their own). Only sockets
    served by an Ally tray app are asked, all at once, and all within one short deadline,
    so sockets that never answer (left by anyone in a shared temporary folder) cost at most
    that. Returns the sockets that said they restart."""
    if not hasattr(socket, "AF_UNIX"):
        return []
    folder = folder or _socket_dir()
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    asked: dict[socket.socket, Path] = {}
    with selectors.DefaultSelector() as selector:
        for path in sorted(folder.glob("ally-*")):
            sock = _ask_to_restart(path, root)
            if sock is not None:
                asked[sock] = path
                selector.register(sock, selectors.EVENT_READ, path)
        done = []
        end = time.monotonic() + deadline_s
        while asked and (left := end - time.monotonic()) > 0:
            for key, _events in selector.select(left):
                sock = cast(socket.socket, key.fileobj)
                try:
                    answer = sock.recv(64)
                except OSError:
                    answer = b""
                if answer.startswith(b"restarting"):
                    done.append(str(key.data))
                selector.unregister(sock)
                sock.close()
                del asked[sock]
    for sock, path in asked.items():
        log.info("no restart from %s: no answer within %.1f s", path, deadline_s)
        sock.close()
    return done


def _ask_to_restart(path: Path, root: bool) -> socket.socket | None:
    """A connection to ``path`` with the restart request sent, when it is a socket of this
    account (any account's, for root) served by an Ally tray app; else None."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISSOCK(info.st_mode) or not (root or info.st_uid == os.getuid()):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        sock.connect(str(path))  # a Unix socket connects at once, or not at all
        creds = _peer_credentials(sock)
        if creds is not None and not _is_ally_tray(creds[0]):
            log.info("%s is not served by an Ally tray app; not asked to restart", path)
            sock.close()
            return None
        sock.send(RESTART_REQUEST)
    except OSError as exc:  # a stale socket of an Ally that is not running, a full queue
        log.info("no restart from %s: %s", path, exc)
        sock.close()
        return None
    return sock


def _is_ally_tray(pid: int) -> bool:
    """Whether process ``pid`` is an Ally tray app (``ally --tray-child``), by its arguments
    (Linux's /proc; read here only, never kept or sent)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = fh.read(4096).split(b"\0")
    except OSError:
        return False
    return TRAY_CHILD_ARG.encode() in args[1:]
