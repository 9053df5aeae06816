"""Ally's log file: where tracebacks and IT's details go, never the person's screen.

One rotating file (``ally.log``, 1 MB, three old ones kept) in Ally's log folder, for the
tray app and every ``ally`` command. The terminal gets one plain line that says where
the file is; with ``-v`` it also gets IT's log lines, still without tracebacks.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_NAME = "ally.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_path(log_dir: Path) -> Path:
    return Path(log_dir) / LOG_NAME


def log_to_file(log_dir: Path, level: int = logging.INFO) -> Path | None:
    """Send every log line (tracebacks included) to the rotating file; the path, or None
    when the folder cannot be written (no log file is no reason not to help)."""
    path = log_path(log_dir)
    root = logging.getLogger()
    for h in root.handlers:
        if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path:
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return path


class WithoutTraceback(logging.Formatter):
    """For a terminal: the message, never the traceback (that is in the file)."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
