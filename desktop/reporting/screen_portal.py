"""A picture of the screen where a program may not read the screen itself.

On Wayland (GNOME, KDE and others) no program may read what other programs show: Qt's
own capture gives a black or empty picture there. The desktop portal
(``org.freedesktop.portal.Screenshot``) asks the desktop instead; it may ask the person
once whether Ally may. It writes the picture to a file (often in ~/Pictures) and hands
back its address: Ally reads the file and deletes it at once, so no copy of the person's
screen is left behind.

On macOS, reading the screen needs the person's (or IT's, by MDM) Screen Recording
consent; without it macOS gives only the wallpaper. Ally asks macOS first and says so
plainly instead of sending a picture that is not what the person saw.

And wherever the picture comes from, one that is a single colour is not sent as if it
were real (``looks_blank``). No Qt here: the Qt part only shows the result.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from desktop.base.safe_read import NotReadable, read_regular_file

PORTAL_WAIT_S = 20.0  # the desktop may ask the person first
MAX_PICTURE_BYTES = 64 * 1024 * 1024
BLANK_SHARE = 0.995  # one colour on this share of the screen: nothing real was captured
REQUEST_PREFIX = "/org/freedesktop/portal/desktop/request"


class NoPicture(Exception):
    """Why there is no picture; ``reason`` is a key of the catalog's [screen_picture]."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


def _it(key: str, /, **values: object) -> str:
    """IT's words about the screen picture the portal did not give ([report_it])."""
    from desktop.base.words import say

    return say(key, "report_it", **values)


def needs_portal(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> bool:
    """A Wayland session: Qt cannot read the screen, the portal must be asked."""
    env = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return False
    return env.get("XDG_SESSION_TYPE", "").lower() == "wayland" or bool(env.get("WAYLAND_DISPLAY"))


def macos_may_capture() -> bool:
    """Whether macOS lets Ally read the screen (Screen Recording consent), without asking
    the person: ``CGPreflightScreenCaptureAccess`` (macOS 10.15 and later)."""
    import ctypes
    import ctypes.util

    path = ctypes.util.find_library("CoreGraphics")
    if path is None:
        return True  # older macOS: no consent exists to be missing
    graphics = ctypes.CDLL(path)
    preflight = getattr(graphics, "CGPreflightScreenCaptureAccess", None)
    if preflight is None:
        return True
    preflight.restype = ctypes.c_bool
    return bool(preflight())


def looks_blank(pixels: Sequence[int]) -> bool:
    """One colour over (nearly) all of a downscaled picture: a black Wayland capture, a
    wallpaper-only macOS capture of an empty screen. A real screen has a panel, a menu
    bar, windows."""
    if not pixels:
        return True
    counts: dict[int, int] = {}
    for p in pixels:
        counts[p] = counts.get(p, 0) + 1
    return max(counts.values()) >= BLANK_SHARE * len(pixels)


def take_through_portal(timeout: float = PORTAL_WAIT_S) -> bytes:
    """The screen as image bytes (PNG), through the desktop portal; NoPicture if the
    portal is not there, the person said no, or no picture came in time."""
    from jeepney import DBusAddress, MatchRule, MessageType, new_method_call
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    try:
        conn = open_dbus_connection(bus="SESSION")
    except (OSError, KeyError, ValueError) as exc:
        raise NoPicture("no_portal", _it("no_session_bus", error=exc)) from exc
    with conn:
        token = "ally" + os.urandom(8).hex()  # the portal's handle for this request
        sender = (conn.unique_name or "").lstrip(":").replace(".", "_")
        handle = f"{REQUEST_PREFIX}/{sender}/{token}"
        rule = MatchRule(
            type="signal",
            interface="org.freedesktop.portal.Request",
            member="Response",
            path=handle,
        )
        portal = DBusAddress(
            "/org/freedesktop/portal/desktop",
            bus_name="org.freedesktop.portal.Desktop",
            interface="org.freedesktop.portal.Screenshot",
        )
        options = {"handle_token": ("s", token), "interactive": ("b", False)}
        try:
            conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=5)
            with conn.filter(rule) as answers:
                reply = conn.send_and_get_reply(
                    new_method_call(portal, "Screenshot", "sa{sv}", ("", options)),
                    timeout=timeout,
                )
                if reply.header.message_type == MessageType.error:
                    raise NoPicture("no_portal", _it("portal_answered", body=reply.body)[:300])
                signal = conn.recv_until_filtered(answers, timeout=timeout)
        except TimeoutError as exc:
            raise NoPicture("no_answer", _it("portal_timeout")) from exc
        except OSError as exc:
            raise NoPicture("no_portal", _it("portal_talking", error=exc)) from exc
    code, results = signal.body
    if code != 0:  # 1: the person (or the desktop) said no; 2: it failed
        raise NoPicture("refused" if code == 1 else "no_answer", _it("portal_response", code=code))
    return _read_and_delete(results.get("uri", ("s", ""))[1])


def _read_and_delete(uri: str) -> bytes:
    """The picture the portal saved, read once and deleted: no copy of the person's
    screen stays in their Pictures folder."""
    parsed = urlparse(uri)
    if parsed.scheme != "file" or not parsed.path:
        raise NoPicture("no_answer", _it("portal_no_file", uri=uri[:200]))
    path = Path(unquote(parsed.path))
    try:
        return read_regular_file(path, MAX_PICTURE_BYTES, follow_symlinks=False)
    except (OSError, NotReadable) as exc:
        raise NoPicture("no_answer", _it("portal_unreadable", error=exc)) from exc
    finally:
        with contextlib.suppress(OSError):  # gone already: nothing is left either way
            path.unlink()
