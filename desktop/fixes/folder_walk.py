"""Measuring and removing folders without ever leaving them.

Used by the drive-space fixes on Linux and macOS. Links are never followed (a link to
elsewhere is measured and removed as a link: what it points to is untouched), another
drive mounted inside is never entered, special files (pipes, sockets, devices) are never
opened, only their names removed. Removal works through open folder handles
(``dir_fd``) and re-checks each folder's identity after opening it, so a folder swapped
for a link mid-way cannot lead outside. Every walk has a time limit.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field

MAX_DEPTH = 200  # deeper than this is left in place and said


@dataclass
class Size:
    bytes: int = 0
    items: int = 0  # files, links and other entries counted
    complete: bool = True  # False when the time ran out or a folder could not be read
    _seen: set = field(default_factory=set, repr=False)


def _it(key: str, /, **values: object) -> str:
    """IT's words about what a walk left alone ([fix_it.folder_walk] in the catalog)."""
    from desktop.base.words import say

    return say(key, "fix_it.folder_walk", **values)


def _on_disk(st: os.stat_result) -> int:
    blocks = getattr(st, "st_blocks", None)
    return blocks * 512 if blocks is not None else st.st_size


def measure(path: str, deadline: float, size: Size | None = None) -> Size:
    """How much space ``path`` takes on its own drive (a hard-linked file counts once)."""
    size = size or Size()
    try:
        top = os.lstat(path)
    except OSError:
        size.complete = False
        return size
    size.bytes += _on_disk(top)
    size.items += 1
    if not stat.S_ISDIR(top.st_mode):
        return size
    dev = top.st_dev
    stack = [path]
    while stack:
        if time.monotonic() > deadline:
            size.complete = False
            return size
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        size.complete = False
                        continue
                    if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode):
                        key = (st.st_dev, st.st_ino)
                        if key in size._seen:
                            continue
                        size._seen.add(key)
                    size.bytes += _on_disk(st)
                    size.items += 1
                    if stat.S_ISDIR(st.st_mode) and st.st_dev == dev:
                        stack.append(entry.path)
        except OSError:
            size.complete = False
    return size


@dataclass
class Removal:
    removed: int = 0
    problems: list[str] = field(default_factory=list)


def remove(dir_fd: int, name: str, dev: int, out: Removal, depth: int = 0) -> None:
    """Remove ``name`` inside the open folder ``dir_fd``: a file, link or special file by
    its name only; a folder with everything in it, on the same drive only."""
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    except OSError as exc:
        out.problems.append(f"{name}: {exc.strerror or exc}")
        return
    if not stat.S_ISDIR(st.st_mode):
        try:
            os.unlink(name, dir_fd=dir_fd)
            out.removed += 1
        except FileNotFoundError:
            pass
        except OSError as exc:
            out.problems.append(f"{name}: {exc.strerror or exc}")
        return
    if st.st_dev != dev:
        out.problems.append(_it("other_drive", name=name))
        return
    if depth >= MAX_DEPTH:
        out.problems.append(_it("too_deep", name=name, depth=MAX_DEPTH))
        return
    try:
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
    except OSError as exc:
        out.problems.append(f"{name}: {exc.strerror or exc}")
        return
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (st.st_dev, st.st_ino):
            out.problems.append(_it("changed", name=name))
            return
        with os.scandir(fd) as entries:
            names = [e.name for e in entries]
        for child in names:
            remove(fd, child, dev, out, depth + 1)
    finally:
        os.close(fd)
    try:
        os.rmdir(name, dir_fd=dir_fd)
        out.removed += 1
    except FileNotFoundError:
        pass
    except OSError as exc:
        out.problems.append(f"{name}: {exc.strerror or exc}")
