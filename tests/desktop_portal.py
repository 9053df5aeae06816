"""The desktop portal's documented part of a screenshot (org.freedesktop.portal.Screenshot:
reply with the request handle, then a Response signal with the picture's file URI), played
on a private D-Bus session bus: no portal backend can run here (it needs a Wayland
compositor). Ally's side, which talks to it, is the code that runs on people's desktops."""

from __future__ import annotations

import contextlib
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # the bytes only have to come back


@contextlib.contextmanager
def private_session_bus() -> Iterator[str]:
    """A dbus-daemon of its own; its address (set DBUS_SESSION_BUS_ADDRESS to it)."""
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield daemon.stdout.readline().strip()
    finally:
        daemon.terminate()
        daemon.wait(10)
        daemon.stdout.close()


class Portal:
    """The portal's side: ``mode`` is ok, refuse or silent."""

    def __init__(self, folder: Path, mode: str = "ok", picture: bytes = PICTURE) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.folder, self.mode, self.picture = folder, mode, picture
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
                self.saved.write_bytes(self.picture)
                uri = "file://" + str(self.saved).replace(" ", "%20")
                body = (0, {"uri": ("s", uri)})
                self.conn.send(new_signal(request, "Response", "ua{sv}", body))
            elif self.mode == "refuse":
                self.conn.send(new_signal(request, "Response", "ua{sv}", (1, {})))

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.conn.close()
