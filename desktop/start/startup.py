"""Whether Ally starts at login: IT's policy first, then the person's own choice.

Every installer starts Ally at login for every person the same way (Linux's
/etc/xdg/autostart, the machine's Run key on Windows, a LaunchAgent on macOS), always as
``ally --login``. Ally then decides here, so that "Start Ally when I sign in" in Settings
works the same on all three, and IT can force it or forbid it with one policy key
(``[startup] at_login = "always" | "never" | "person"``) without touching the installers.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

from ally_helpdesk.atomic import write_atomic
from desktop.policy.config import Policy
from desktop.policy.settings import UserSettings
from desktop.start.launch import LOGIN_ARG

DESKTOP_GROUP = "[Desktop Entry]"  # the freedesktop.org file's group, read by the session


def wants_to_start(policy: Policy, settings: UserSettings) -> bool:
    """At login: start now?"""
    if policy.start_at_login == "always":
        return True
    if policy.start_at_login == "never":
        return False
    return settings.start_at_login


def person_may_choose(policy: Policy) -> bool:
    """Whether Settings lets the person change it (else it shows IT's choice, greyed)."""
    return policy.start_at_login == "person"


# --- Linux without the package: the person's own autostart entry ---------------------------

SYSTEM_ENTRY = Path("/etc/xdg/autostart/ally.desktop")


def user_entry(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "autostart" / "ally.desktop"


def login_command() -> str:
    """This Ally, started at login (the bundle, a venv or a checkout)."""
    from desktop.start.own_program import ally_argv

    return " ".join(shlex.quote(arg) for arg in ally_argv(LOGIN_ARG))


def apply_person_choice(enabled: bool, system_entry: Path | None = None) -> Path | None:
    """Where the package put Ally in every person's login (Linux's /etc/xdg/autostart,
    Windows' Run key, macOS's LaunchAgent), the choice is read at login and nothing is
    written. Ally run from a checkout on Linux has no such entry: the person's own XDG
    autostart file then starts it, or is removed. Returns the file written, if any."""
    system_entry = SYSTEM_ENTRY if system_entry is None else system_entry
    if not sys.platform.startswith("linux") or system_entry.exists():
        return None
    path = user_entry()
    if enabled:
        from desktop.base.words import say

        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(
            path,
            "\n".join(
                (
                    DESKTOP_GROUP,
                    "Type=Application",
                    "Name=Ally",
                    f"Comment={say('autostart_comment', 'tray')}",  # the session's list shows it
                    f"Exec={login_command()}",
                    "X-GNOME-Autostart-enabled=true",
                    "NoDisplay=true",
                    "",
                )
            ).encode(),
        )
        return path
    path.unlink(missing_ok=True)
    return None
