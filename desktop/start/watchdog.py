"""The watchdog: ``ally`` with no arguments is this small parent, and the tray app is its
child. People leave Ally running for weeks, so when the tray app dies (a crash in Qt or in
a library, a fatal Python error, the system killing it) the icon must come back by itself,
and IT must be able to read why.

- The child's error output (Python's fatal errors, faulthandler's tracebacks, anything Qt
  prints before Ally's own log is set up) is copied line by line into Ally's log.
- A crash is restarted, at most three times in ten minutes; after that the watchdog stops,
  remembers it (desktop/start/own_crashes.py), and the next start tells the person once.
- A normal Quit, a second start that only brought the first Ally forward, no display, a
  stop asked for (SIGTERM at logout, Ctrl+C) and a desktop session that has ended are not
  crashes: the watchdog then ends too.

No Qt and nothing heavy is imported here: this process lives as long as the tray app and
counts in Ally's footprint. It sleeps in waitpid() and read() and wakes only when the
child writes to its error output or stops.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping

from desktop.start.launch import (
    EXIT_NO_DISPLAY,
    EXIT_RESTART,
    LOGIN_ARG,
    TRAY_CHILD_ARG,
    display_available,
    no_display_text,
)
from desktop.start.own_program import ally_argv

# typing alone is about 0.4 MB in a process that lives for weeks; only type checkers need it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

# Deliberately not imported up here: pathlib, platformdirs (desktop.base.paths), json and the
# crash record (desktop.start.own_crashes). They are loaded when there is something to write, so a
# watchdog whose tray app is well costs about 1 MB of its own (see benchmarks/RESULTS.md).
MAX_RESTARTS, WINDOW_MIN = 3, 10  # the same as desktop/start/own_crashes.py, which a test checks

RESTART_DELAY_S = 1.0  # a crash loop never spins the processor
STOP_GRACE_S = 10.0  # how long a child asked to stop may take before it is killed
# Signals by which someone asks a program to stop: the child ending by one of these is not
# a crash (IT ending it, the session closing).
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT} | (
    {signal.SIGHUP} if hasattr(signal, "SIGHUP") else set()
)


def child_command(login: bool = False) -> list[str]:
    """The tray app as a new process of the same Ally (a checkout, a venv or the bundle).
    Started at login, the tray app itself decides whether to stay (desktop/start/startup.py)."""
    return ally_argv(TRAY_CHILD_ARG, *([LOGIN_ARG] if login else []))


def own_command() -> list[str]:
    """This watchdog as a new program: after an upgrade, the newly installed one."""
    return ally_argv()


def why_it_stopped(returncode: int) -> str | None:
    """For IT, why the child stopped when it was a crash; None when it stopped as asked."""
    if returncode in (0, EXIT_NO_DISPLAY):
        return None
    if returncode < 0:
        try:
            sig = signal.Signals(-returncode)
        except ValueError:
            return f"signal {-returncode}"
        return None if sig in STOP_SIGNALS else f"signal {sig.name}"
    return f"exit code {returncode}"


def desktop_present(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the desktop the tray app ran on is still there. At logout the X server or
    the Wayland compositor goes away first and the tray app dies of it: starting it again
    would only fail. Displays that cannot be checked from here count as present."""
    env = os.environ if environ is None else environ
    wayland, runtime = env.get("WAYLAND_DISPLAY", ""), env.get("XDG_RUNTIME_DIR", "")
    if wayland:
        return os.path.exists(os.path.join(runtime, wayland))
    display = env.get("DISPLAY", "")
    if not display.startswith(":"):
        return True  # remote or forwarded X, or not X at all (Windows, macOS)
    number = display[1:].split(".")[0]
    path = f"/tmp/.X11-unix/X{number}"
    if not os.path.exists(path):
        return False
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        try:
            s.connect(path)
        except OSError:
            return False
    return True


class LogFile:
    """Lines into Ally's log, in the log's own format. The file is opened for each write,
    so the tray app's rotation of ally.log is followed."""

    def __init__(self, folder: Callable[[], str], name: str = "ally.watchdog") -> None:
        self.folder, self.name = folder, name

    def write(self, level: str, text: str) -> None:
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        line = f"{stamp},{int(now * 1000) % 1000:03d} {level} {self.name}: {text}\n"
        try:
            folder = self.folder()
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "ally.log"), "a", encoding="utf-8") as fh:
                fh.write(line)
        except OSError:
            pass  # no log is no reason to stop watching


def copy_errors(pipe: IO[bytes], log: LogFile, echo: IO[str] | None) -> None:
    """The child's error output, line by line, into the log (and to our own, which is a
    terminal or the session's log)."""
    for raw in iter(pipe.readline, b""):
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        log.write("ERROR", text)
        if echo is not None:
            try:
                echo.write(text + "\n")
                echo.flush()
            except (OSError, ValueError):
                echo = None
    pipe.close()


class Watchdog:
    def __init__(
        self,
        command: list[str],
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        echo: IO[str] | None = None,
        exec_program: Callable[[list[str]], object] | None = None,
    ) -> None:
        self.command = command
        # Replacing this process (os.execv); a test gives its own to see it asked for.
        self.exec = exec_program or (lambda argv: os.execv(argv[0], argv))
        self.environ = os.environ if environ is None else environ
        self.clock = clock
        self.echo = echo
        self._paths = None
        self.log = LogFile(self._log_dir)
        self.errors = LogFile(self._log_dir, "ally.tray-app.stderr")
        self.child: subprocess.Popen | None = None
        self.stopping = False

    @property
    def paths(self):
        """Ally's folders (desktop.base.paths), worked out the first time they are needed."""
        if self._paths is None:
            from desktop.base.paths import AllyPaths

            self._paths = AllyPaths.from_environment(dict(self.environ))
        return self._paths

    def _log_dir(self) -> str:
        return str(self.paths.log_dir)

    def _stop(self, signum: int, _frame: object) -> None:
        """Asked to stop (logout, IT, Ctrl+C): pass it on to the tray app, no restart."""
        self.stopping = True
        child = self.child
        if child is None or child.returncode is not None:
            return
        try:
            os.kill(child.pid, signal.SIGTERM)
        except OSError:
            return
        killer = threading.Timer(STOP_GRACE_S, self._kill_child, args=(child,))
        killer.daemon = True
        killer.start()

    @staticmethod
    def _kill_child(child: subprocess.Popen) -> None:
        if child.returncode is None:
            with contextlib.suppress(OSError):
                child.kill()

    def _run_child(self) -> int:
        self.child = subprocess.Popen(
            self.command, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(self.environ)
        )
        if self.stopping:  # asked to stop while it was being started: it stops too
            self._stop(signal.SIGTERM, None)
        reader = threading.Thread(
            target=copy_errors, args=(self.child.stderr, self.errors, self.echo), daemon=True
        )
        reader.start()
        code = self.child.wait()
        # Let the last lines (a traceback) reach the log before saying what happened. A
        # program the tray app opened may hold the pipe open: do not wait for it.
        reader.join(2.0)
        return code

    def run(self) -> int:
        if threading.current_thread() is threading.main_thread():  # where signals arrive
            for signum in STOP_SIGNALS:
                signal.signal(signum, self._stop)
        while True:
            code = self._run_child()
            if self.stopping:
                return 0
            if code == EXIT_RESTART:
                # An upgrade replaced Ally's files: this watchdog is old code too, so it
                # becomes the new Ally in the same process, which starts the new tray app.
                self.log.write("INFO", "restarting to run the newly installed Ally")
                try:
                    self.exec(own_command())
                except OSError as exc:
                    self.log.write(
                        "WARNING", f"could not restart itself ({exc}); the tray app only"
                    )
                continue
            why = why_it_stopped(code)
            if why is None:
                return code
            if not desktop_present(self.environ):
                self.log.write("INFO", f"the tray app stopped ({why}) as the desktop session ended")
                return 0
            from desktop.start.own_crashes import OwnCrashes

            record = OwnCrashes.load(self.paths.data_dir)
            now = self.clock()
            again = record.crashed(now, why)
            try:
                record.save(self.paths.data_dir)
            except OSError as exc:
                self.log.write("WARNING", f"could not record the crash: {exc}")
            if not again:
                self.log.write(
                    "ERROR",
                    f"the tray app stopped unexpectedly ({why}) after {MAX_RESTARTS} restarts "
                    f"within {WINDOW_MIN} minutes; not starting it again. The person "
                    "will be told at the next start.",
                )
                return 1
            n = record.restarts_within(now)
            self.log.write(
                "WARNING",
                f"the tray app stopped unexpectedly ({why}); starting it again (restart {n} of "
                f"{MAX_RESTARTS} within {WINDOW_MIN} minutes)",
            )
            time.sleep(RESTART_DELAY_S)
            if self.stopping:
                return 0


def register_for_restart_after_update() -> bool:
    """Windows: the installer's Restart Manager closes a running Ally to replace its files;
    registered like this, it starts Ally again afterwards (not after a crash or a hang,
    which the watchdog itself handles, nor after a reboot, which the Run key does)."""
    if not sys.platform.startswith("win"):
        return False
    import ctypes

    restart_no_crash, restart_no_hang, restart_no_reboot = 1, 2, 8
    try:
        result = ctypes.windll.kernel32.RegisterApplicationRestart(  # type: ignore[attr-defined]
            None, restart_no_crash | restart_no_hang | restart_no_reboot
        )
    except (AttributeError, OSError):
        return False
    return result == 0  # S_OK


def main(login: bool = False) -> int:
    """``ally`` without arguments, or ``ally --login`` as the system starts it at login."""
    if not display_available():
        sys.stderr.write(no_display_text())
        return EXIT_NO_DISPLAY
    register_for_restart_after_update()
    return Watchdog(child_command(login), echo=sys.stderr).run()
