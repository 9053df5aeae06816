"""Where Ally keeps its files.

Everything Ally writes lives under three folders: settings, data (history, reports,
outbox) and logs. ``ALLY_HOME`` moves all three under one folder, which is what tests
use to stay out of the real profile and what IT uses to put Ally's files somewhere
managed. Without it the per-OS conventions from platformdirs apply.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Ally"
APP_AUTHOR = "Ally"
ENV_HOME = "ALLY_HOME"


@dataclass(frozen=True)
class AllyPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path

    @classmethod
    def from_environment(
        cls, environ: os._Environ[str] | dict[str, str] | None = None
    ) -> AllyPaths:
        env = os.environ if environ is None else environ
        home = env.get(ENV_HOME, "").strip()
        if home:
            root = Path(home).expanduser()
            return cls(config_dir=root / "config", data_dir=root / "data", log_dir=root / "logs")
        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
        )
