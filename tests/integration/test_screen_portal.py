"""The screen picture on Wayland, through the desktop portal, over a real D-Bus session
bus. No portal backend can run here (it needs a Wayland compositor), so the test plays
the portal's documented part (org.freedesktop.portal.Screenshot: reply with the request
handle, then a Response signal with the picture's file URI) on a private bus; Ally's side
is the code that runs on people's desktops."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from desktop.screen_portal import NoPicture, looks_blank, needs_portal, take_through_portal

pytest.importorskip("jeepney", reason="jeepney comes with keyring on Linux")
pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None, reason="needs dbus-daemon (apt install dbus)"
)
PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # the bytes only have to come back


@pytest.fixture
def session_bus(monkeypatch):
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    address = daemon.stdout.readline().strip()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    yield address
    daemon.terminate()
    daemon.wait(10)


class Portal:
    """The portal's side: ``mode`` is ok, refuse or silent."""

    def __init__(self, folder: Path, mode: str = "ok") -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.folder, self.mode = folder, mode
        self.options: list[dict] = []
        self.saved: Path | None = None
        self.conn = open_dbus_connection(bus="SESSION")
        self.conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.portal.Desktop"))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        from jeepney import DBusAddress, HeaderFields, MessageType, new_method_return, new_signal

        while not self.stop.is_set():
            try:
                msg = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            fields = msg.header.fields
            if msg.header.message_type != MessageType.method_call:
                continue
            if fields.get(HeaderFields.member) != "Screenshot":
                continue
            _, options = msg.body
            self.options.append(options)
            sender = fields[HeaderFields.sender].lstrip(":").replace(".", "_")
            handle = (
                f"/org/freedesktop/portal/desktop/request/{sender}/{options['handle_token'][1]}"
            )
            self.conn.send(new_method_return(msg, "o", (handle,)))
            request = DBusAddress(handle, interface="org.freedesktop.portal.Request")
            if self.mode == "ok":
                self.saved = self.folder / "Screenshot from 2026-11-29 09-05-00.png"
                self.saved.write_bytes(PICTURE)
                uri = "file://" + str(self.saved).replace(" ", "%20")
                body = (0, {"uri": ("s", uri)})
                self.conn.send(new_signal(request, "Response", "ua{sv}", body))
            elif self.mode == "refuse":
                self.conn.send(new_signal(request, "Response", "ua{sv}", (1, {})))

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.conn.close()


@pytest.fixture
def portal(session_bus, tmp_path, request):
    p = Portal(tmp_path, getattr(request, "param", "ok"))
    yield p
    p.close()


def test_the_picture_comes_from_the_portal_and_no_copy_is_left(portal):
    assert take_through_portal(timeout=10) == PICTURE
    assert portal.saved is not None and not portal.saved.exists()  # deleted once read
    (options,) = portal.options
    assert options["interactive"] == ("b", False) and options["handle_token"][1].startswith("ally")


@pytest.mark.parametrize("portal", ["refuse"], indirect=True)
def test_a_refusal_is_said_not_sent_as_a_picture(portal):
    with pytest.raises(NoPicture) as said:
        take_through_portal(timeout=10)
    assert said.value.reason == "refused"


@pytest.mark.parametrize("portal", ["silent"], indirect=True)
def test_a_portal_that_never_answers_is_left_in_time(portal):
    with pytest.raises(NoPicture) as said:
        take_through_portal(timeout=1)
    assert said.value.reason == "no_answer"


def test_no_portal_on_the_bus_is_said(session_bus):
    with pytest.raises(NoPicture) as said:
        take_through_portal(timeout=5)
    assert said.value.reason == "no_portal" and "not provided" in said.value.detail


def test_no_session_bus_is_said(monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    with pytest.raises(NoPicture) as said:
        take_through_portal(timeout=1)
    assert said.value.reason == "no_portal"


def test_which_sessions_need_the_portal():
    assert needs_portal({"XDG_SESSION_TYPE": "wayland"}, "linux")
    assert needs_portal({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux")  # XWayland
    assert not needs_portal({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}, "linux")
    assert not needs_portal({"XDG_SESSION_TYPE": "wayland"}, "darwin")


def test_a_one_colour_picture_is_blank_and_a_real_screen_is_not():
    black = [0x000000] * (64 * 36)
    assert looks_blank(black) and looks_blank([])
    screen = [0x336699] * (64 * 33) + [0x202020] * (64 * 3)  # a wallpaper and a panel
    assert not looks_blank(screen)
