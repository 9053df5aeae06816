"""A real desktop for measuring the tray app as people run it: Xvfb, a tray host (trayer),
the ``ally`` command (watchdog and tray app), and the person's hands (xdotool, and a polite
"close this window" as a window manager would send it).

Offscreen Qt has no tray, so there the app opens its report window and measures something
else: everything here runs on a real X server with the icon in a real tray.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "tests" / "data" / "policy-no-active-network.toml"
GREEN = (0x1A, 0x7F, 0x37)  # the check mark of the all-good icon
MENU = ("report", "status", "reports", "contact", "settings", "pause")  # the tray menu, in order
TITLES = {
    "report": "Ally — tell IT what is wrong",
    "status": "Ally — how is my computer doing?",
    "reports": "Ally — my reports",
    "settings": "Ally — settings",
}


def free_display(start: int) -> int:
    for n in range(start, start + 100):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


def wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


class Desktop:
    """Xvfb and trayer; ``start_ally`` runs ``python -m desktop`` (the ``ally`` command)."""

    def __init__(self, home: Path, policy: Path = POLICY, first_display: int = 150) -> None:
        self.number = free_display(first_display)
        self.env = {
            **os.environ,
            "DISPLAY": f":{self.number}",
            "QT_QPA_PLATFORM": "xcb",
            "ALLY_HOME": str(home),
            "ALLY_POLICY": str(policy),
        }
        self.home = home
        self.procs: list[subprocess.Popen] = []
        self.ally: subprocess.Popen | None = None

    def __enter__(self) -> Desktop:
        self.procs.append(
            subprocess.Popen(
                ["Xvfb", f":{self.number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait(lambda: Path(f"/tmp/.X11-unix/X{self.number}").exists(), 10, "Xvfb")
        self.procs.append(
            subprocess.Popen(
                [
                    *("trayer", "--edge", "top", "--align", "right", "--widthtype", "request"),
                    *("--height", "32", "--SetDockType", "true", "--transparent", "false"),
                    *("--tint", "0x333333"),
                ],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        time.sleep(1.0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.ally is not None and self.ally.poll() is None:
            self.ally.terminate()
            try:
                self.ally.wait(15)
            except subprocess.TimeoutExpired:
                self.ally.kill()
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()

    def start_ally(self, command: list[str] | None = None) -> subprocess.Popen:
        self.ally = subprocess.Popen(
            command or [sys.executable, "-m", "desktop"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self.ally

    def tray_app(self) -> psutil.Process:
        """The tray app (the watchdog's child)."""
        kids = psutil.Process(self.ally.pid).children()
        return wait(lambda: kids or psutil.Process(self.ally.pid).children(), 10, "tray app")[0]

    def log(self) -> str:
        path = self.home / "logs" / "ally.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    # --- the person's hands -----------------------------------------------------------------

    def xdo(self, *args: str) -> str:
        return subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=30
        ).stdout

    def icon(self, timeout: float = 20) -> tuple[int, int]:
        return wait(self._find_icon, timeout, "the icon in the tray")

    def _find_icon(self) -> tuple[int, int] | None:
        from PySide6.QtGui import QImage

        shot = self.home / "tray.png"
        subprocess.run(
            ["import", "-window", "root", "-crop", "200x40+1080+0", str(shot)],
            env=self.env,
            check=False,
            timeout=20,
            capture_output=True,
        )
        image = QImage(str(shot))
        for y in range(image.height()):
            for x in range(image.width()):
                c = image.pixelColor(x, y)
                if all(
                    abs(v - g) < 40
                    for v, g in zip((c.red(), c.green(), c.blue()), GREEN, strict=True)
                ):
                    return 1080 + x, y
        return None

    def windows(self, name: str) -> list[str]:
        return self.xdo("search", "--name", name).split()

    def open_from_menu(self, item: str, icon: tuple[int, int]) -> None:
        self.xdo("mousemove", str(icon[0]), str(icon[1]), "click", "3")
        time.sleep(0.6)
        self.xdo("key", *(["Down"] * (MENU.index(item) + 1)), "Return")

    def open_window(self, item: str, icon: tuple[int, int], tries: int = 3) -> str:
        """Open a window as a person would; a menu that did not open or a key that went
        elsewhere (xdotool has no feedback) is tried again, as a person would."""
        for attempt in range(tries):
            if item == "report":
                self.xdo("mousemove", str(icon[0]), str(icon[1]), "click", "1")
            else:
                self.open_from_menu(item, icon)
            try:
                return wait(lambda: self.windows(TITLES[item]), 8, f"the {item} window")[0]
            except TimeoutError:
                if attempt == tries - 1:
                    raise
                self.xdo("key", "Escape")  # a menu left open
                time.sleep(1.0)
        raise AssertionError("unreachable")

    def close(self, window: str) -> None:
        """What a window manager's close button does: ask the window to close
        (WM_DELETE_WINDOW), so the app's own close handling runs."""
        close_window(self.env["DISPLAY"], int(window))

    def walk_report_flow(self, icon: tuple[int, int], note: str) -> str:
        """Click the icon, pick "My computer is slow", read the findings, write a note, look
        at what will be sent and send it; returns the window."""
        window = self.open_window("report", icon)
        time.sleep(0.5)
        self.xdo("windowfocus", window)
        self.xdo("key", "space")
        time.sleep(3.0)
        self.xdo("key", "alt+t")
        time.sleep(0.5)
        self.xdo("type", "--delay", "20", note)
        self.xdo("key", "alt+s")
        time.sleep(0.8)
        self.xdo("key", "alt+s")
        time.sleep(2.0)
        return window


class _ClientMessage(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    )


class _Event(ctypes.Union):
    _fields_ = (("xclient", _ClientMessage), ("pad", ctypes.c_long * 24))


def close_window(display: str, window: int) -> None:
    """Send WM_DELETE_WINDOW to ``window`` (Xvfb has no window manager to do it)."""
    x = ctypes.CDLL("libX11.so.6")
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = (ctypes.c_char_p,)
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int)
    x.XSendEvent.argtypes = (
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_long,
        ctypes.POINTER(_Event),
    )
    x.XFlush.argtypes = x.XCloseDisplay.argtypes = (ctypes.c_void_p,)
    dpy = x.XOpenDisplay(display.encode())
    if not dpy:
        raise RuntimeError(f"cannot open display {display}")
    try:
        event = _Event()
        event.xclient.type = 33  # ClientMessage
        event.xclient.window = window
        event.xclient.message_type = x.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
        event.xclient.format = 32
        event.xclient.data[0] = x.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
        x.XSendEvent(dpy, window, 0, 0, ctypes.byref(event))
        x.XFlush(dpy)
    finally:
        x.XCloseDisplay(dpy)


def memory(pids: list[int]) -> dict[str, float]:
    """Memory of Ally's processes (``pids``: the watchdog first, then the tray app), in MB.

    - ``rss_mb``: resident, summed (a page both processes map, libpython, counts twice);
    - ``pss_mb``: proportional, summed (a shared page split between those mapping it);
    - ``together_mb``: what Ally's processes hold between them: the tray app's resident
      pages and the pages only the watchdog maps (USS) — each page once;
    - ``tray_rss_mb``, ``tray_anon_mb``: the tray app's resident pages and of those the
      anonymous ones (its heap: Python's objects and Qt's), which nothing else shares and
      the system cannot drop and read back from a file."""
    procs = [psutil.Process(pid) for pid in pids]
    infos = [p.memory_full_info() for p in procs]
    tray = infos[-1]
    anon = 0.0
    with open(f"/proc/{pids[-1]}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("RssAnon:"):
                anon = int(line.split()[1]) / 1024
    return {
        "rss_mb": sum(m.rss for m in infos) / 2**20,
        "pss_mb": sum(m.pss for m in infos) / 2**20,
        "together_mb": (tray.rss + sum(m.uss for m in infos[:-1])) / 2**20,
        "tray_rss_mb": tray.rss / 2**20,
        "tray_anon_mb": anon,
    }


def cpu_seconds(proc: psutil.Process) -> float:
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def tools_missing() -> list[str]:
    return [t for t in ("Xvfb", "trayer", "xdotool", "import") if shutil.which(t) is None]
