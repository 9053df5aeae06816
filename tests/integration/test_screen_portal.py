"""The screen picture on Wayland, through the desktop portal, over a real D-Bus session
bus; the portal's part is played by tests/desktop_portal.py (no portal backend can run
here), Ally's side is the code that runs on people's desktops."""

from __future__ import annotations

import shutil

import pytest

from desktop.reporting.screen_portal import (
    NoPicture,
    looks_blank,
    needs_portal,
    take_through_portal,
)
from tests.desktop_portal import PICTURE, Portal, private_session_bus

pytest.importorskip("jeepney", reason="jeepney comes with keyring on Linux")
pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None, reason="needs dbus-daemon (apt install dbus)"
)


@pytest.fixture
def session_bus(monkeypatch):
    with private_session_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address


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
