"""Writing a file so that it is either all there or not there at all.

Temporary file in the same folder, write, flush, fsync, rename over the target, fsync
the folder: a crash or power cut at any moment leaves the old file or the new one,
never half of one. Every file Ally must not lose goes through here.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(
    path: Path, data: bytes, mode: int | None = None, make_folder: bool = True
) -> None:
    """``mode``: the file's permission bits (default: owner only, as mkstemp makes it).
    ``make_folder=False`` for a folder that must already be there (a share: creating it
    would put reports on the local drive under an empty mount point)."""
    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)  # before the rename: never seen with another mode
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
