"""The person's own settings (not IT's policy): contact details, tips, start at login.

Kept as JSON in Ally's config folder, written atomically. A damaged file is set aside and
the defaults are used — the person's settings must never stop Ally from starting.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ally_helpdesk.atomic import write_atomic
from desktop.base.safe_read import read_regular_file

log = logging.getLogger(__name__)


# "Pause tips" pauses them for this long; the tray's menu says so ("for 4 hours").
TIPS_PAUSE_FOR_S = 4 * 3600


@dataclass
class UserSettings:
    name: str = ""
    email: str = ""
    phone: str = ""
    how_to_reach: str = ""
    tips_enabled: bool = True
    tips_paused_until: float = 0.0  # epoch seconds; the person paused tips until then
    start_at_login: bool = True

    @classmethod
    def load(cls, path: Path) -> UserSettings:
        try:
            # A regular file of sane size only: a FIFO there must not stop Ally starting.
            data = json.loads(read_regular_file(path, 1024 * 1024))
            if not isinstance(data, dict):
                from desktop.base.words import say

                raise ValueError(say("settings_not_a_table", "report_it"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, RecursionError) as exc:
            log.warning("settings %s unreadable (%s); defaults used", path, exc)
            with contextlib.suppress(OSError):
                path.replace(path.with_suffix(".damaged"))
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        clean = {
            k: v for k, v in data.items() if k in known and isinstance(v, type(getattr(cls(), k)))
        }
        return cls(**clean)

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps(asdict(self), indent=2).encode("utf-8"))


def settings_path(config_dir: Path) -> Path:
    return config_dir / "settings.json"
