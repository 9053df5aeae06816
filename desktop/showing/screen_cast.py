"""Is the screen being shared right now? Read from PipeWire on Linux (no Qt here).

On a Wayland desktop every screen share — a meeting app through the desktop portal, a
recorder, GNOME's own remote desktop — is a PipeWire stream that the compositor creates
when sharing starts and removes when it stops. ``pw-dump`` lists PipeWire's objects as
JSON without asking anyone; a node named by a compositor's screen-cast code means a share
is on:

- GNOME (Mutter): ``media.name`` "meta-screen-cast-src" (``pw_stream_new`` in
  src/backends/meta-screen-cast-stream-src.c), ``media.class`` "Stream/Output/Video".
- KDE Plasma (KWin): "kwin-screencast-…" (src/plugins/screencast/screencaststream.cpp).
- wlroots desktops (xdg-desktop-portal-wlr: Sway, river, …): "xdpw-stream-…", class
  "Video/Source"; Hyprland's portal: "xdph-streaming-…".

A camera is a "Video/Source" node too, so the class alone is not a share: only these
names count. Asking the portal instead cannot work: its ScreenCast sessions belong to the
app that asked, it has no call that lists other apps' sessions, and its session objects
were seen to outlive a finished share. On X11 there is no such stream to see (any client
can read the screen); a person presenting there is usually full screen, which
desktop/showing/quiet_time.py reads.

Cheap: asked only when a tip is due (desktop/showing/quiet_time.py); whether ``pw-dump`` exists
is looked up once per run of Ally, so a machine without PipeWire never starts a process.
"""

from __future__ import annotations

import functools
import json
import shutil

SCREEN_CAST_NAMES = ("meta-screen-cast-src", "kwin-screencast-", "xdpw-stream", "xdph-stream")
MAX_DUMP_CHARS = 8_000_000  # a busy desktop's graph is well under 1 MB


@functools.cache
def pw_dump() -> str | None:
    """Where ``pw-dump`` is, looked up once: None (and never a process) without PipeWire."""
    return shutil.which("pw-dump")


def is_screen_cast(obj: object) -> bool:
    """Whether one ``pw-dump`` object is a compositor's screen-cast stream."""
    if not isinstance(obj, dict) or obj.get("type") != "PipeWire:Interface:Node":
        return False
    info = obj.get("info")
    props = info.get("props") if isinstance(info, dict) else None
    if not isinstance(props, dict):
        return False
    names = (props.get("media.name"), props.get("node.name"))
    return any(isinstance(n, str) and n.startswith(SCREEN_CAST_NAMES) for n in names)


def sharing(dump: str | None) -> bool:
    """Whether ``pw-dump`` output holds a screen-cast stream (False when unreadable)."""
    if not dump or len(dump) > MAX_DUMP_CHARS:
        return False
    try:
        objects = json.loads(dump)
    except (ValueError, RecursionError):  # not JSON, or nested beyond reason
        return False
    return isinstance(objects, list) and any(is_screen_cast(o) for o in objects)
