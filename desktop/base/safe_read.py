"""Reading a file that someone else may have chosen: only a regular file, only so much.

A path given to Ally (a policy, a screenshot, a note file, an outbox entry) may name a
FIFO that never ends a read, ``/dev/zero`` that never ends at all, or a file of gigabytes.
The file is opened without waiting (a FIFO with no writer would block the open itself),
checked to be a regular file, and its size is checked before any byte is read; the read
itself stops one byte past the limit, in case the file grows meanwhile.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotReadable(ValueError):
    """The path cannot be used; the message is a plain reason ("is not a regular file")."""


def _said(key: str, /, **values: object) -> str:
    """Why a file is refused ([input_parts] in the catalog): the person may read it."""
    from desktop.base.words import say

    return say(key, "input_parts", **values)


def read_regular_file(path: Path | str, max_bytes: int, follow_symlinks: bool = True) -> bytes:
    """The bytes of ``path``; NotReadable if it is not a regular file or is larger than
    ``max_bytes``; OSError (FileNotFoundError, PermissionError, ...) as the system says.
    ``follow_symlinks=False`` for Ally's own folders, where a link is never Ally's: the
    open fails with ELOOP."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise NotReadable(_said("a_folder"))
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable(_said("not_a_file"))
        if info.st_size > max_bytes:
            raise NotReadable(_said("too_large", size=_size(max_bytes)))
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise NotReadable(_said("too_large", size=_size(max_bytes)))
        return data
    finally:
        os.close(fd)


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):g} MB"
    return f"{n / 1024:g} KB"
