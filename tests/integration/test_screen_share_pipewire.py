"""A screen share holds tips: read with the real ``pw-dump`` from a real PipeWire daemon.

The daemon is private (its own runtime folder, no audio devices, no session manager, no
D-Bus; tests/data/linux/pipewire-private.conf). No compositor runs here, so the share is
played by a test-pattern video node that carries the name xdg-desktop-portal-wlr gives
its screen-cast streams ("xdpw-stream-…"); a camera is a node of the same class with the
name and role PipeWire's V4L2 monitor gives a webcam. Ally then runs ``pw-dump`` as on a
person's desktop and must tell the two apart.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from desktop.showing import quiet_time, screen_cast

pytestmark = pytest.mark.skipif(
    not (shutil.which("pipewire") and shutil.which("pw-dump") and shutil.which("pw-cli")),
    reason="needs PipeWire's daemon and tools (apt install pipewire pipewire-bin)",
)
CONF = Path(__file__).parent.parent / "data" / "linux" / "pipewire-private.conf"
CAST = "xdpw-stream-4f2a1c"
CAMERA = "v4l2_input.pci-0000_00_14.0-usb-0_1_1.0"


def wait(predicate, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def pipewire(tmp_path, monkeypatch):
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    for name in ("XDG_RUNTIME_DIR", "PIPEWIRE_RUNTIME_DIR"):
        monkeypatch.setenv(name, str(runtime))
    monkeypatch.delenv("PIPEWIRE_REMOTE", raising=False)
    daemon = subprocess.Popen(
        ["pipewire", "-c", str(CONF)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait(lambda: (runtime / "pipewire-0").exists(), 10, "PipeWire's socket")
        yield
    finally:
        daemon.terminate()
        daemon.wait(10)


def pw_cli(*args: str) -> None:
    subprocess.run(["pw-cli", *args], check=True, capture_output=True, timeout=10)


def node_id(name: str) -> int | None:
    dump = json.loads(subprocess.run(["pw-dump"], capture_output=True, timeout=10).stdout)
    props = (((o.get("info") or {}).get("props") or {}, o["id"]) for o in dump)
    return next((i for p, i in props if p.get("node.name") == name), None)


def add_node(name: str, *props: str) -> int:
    spec = " ".join((f"factory.name=videotestsrc node.name={name}", *props))
    pw_cli("create-node", "spa-node-factory", f"{{ {spec} object.linger=true }}")
    return wait(lambda: node_id(name), 10, f"the node {name}")


def test_a_screen_share_holds_tips_and_a_camera_does_not(pipewire, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("GSETTINGS_BACKEND", "memory")  # this machine's own settings: ignored
    screen_cast.pw_dump.cache_clear()
    assert quiet_time.linux() is None  # PipeWire runs, nothing is shared
    add_node(CAMERA, "media.class=Video/Source media.role=Camera device.api=v4l2")
    assert quiet_time.linux() is None  # a camera is a video source, not a share
    cast = add_node(CAST, "media.class=Video/Source")
    assert quiet_time.linux() == quiet_time.SHARING_SCREEN
    assert quiet_time.reason_to_hold() == quiet_time.SHARING_SCREEN
    pw_cli("destroy", str(cast))
    wait(lambda: node_id(CAST) is None, 10, "the share to end")
    assert quiet_time.linux() is None  # the share ended: tips may come again


def test_without_pipewire_running_pw_dump_says_nothing(tmp_path, monkeypatch):
    empty = tmp_path / "no-daemon"
    empty.mkdir(mode=0o700)
    for name in ("XDG_RUNTIME_DIR", "PIPEWIRE_RUNTIME_DIR"):
        monkeypatch.setenv(name, str(empty))
    screen_cast.pw_dump.cache_clear()
    tool = screen_cast.pw_dump()
    assert tool is not None
    assert not screen_cast.sharing(quiet_time.run_tool([tool, "--no-colors"]))
    assert os.listdir(empty) == []  # and it left nothing behind
