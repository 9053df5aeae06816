"""Keeping the tray app's memory small over weeks (no Qt here).

glibc gives each thread that allocates a malloc arena of its own and keeps freed memory
inside the process for later. With the sampler's and Qt's worker threads that meant
memory Ally no longer used stayed counted against it, most of all after a window (a
chart, a screenshot, a report) was closed.

Program files are the other half: drawing a window reads pages of Qt's libraries, the
fonts and Python's modules into memory, and they stay there, counted against Ally, long
after the window is gone (about 10 MB at start, 10 more after the windows).
"""

from __future__ import annotations

import contextlib
import gc
import sys


def _libc():
    import ctypes

    return ctypes.CDLL("libc.so.6")


def fewer_malloc_arenas() -> None:
    """Two arenas are plenty for Ally (M_ARENA_MAX); set before any thread starts."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            _libc().mallopt(-8, 2)


def give_back() -> None:
    """After the last window closed: drop the source text PySide6 read, collect Python's
    cycles, then hand the free pages of every arena back to the system (malloc_trim), so
    the idle tray app is as small again as before the window opened.

    PySide6's import hook (shibokensupport's ``feature_imported``) reads the source of
    every module imported after it, to see whether it uses Qt, and leaves it in Python's
    line cache: about 120 files and several MB that are never needed again."""
    import linecache

    linecache.clearcache()
    gc.collect()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            _libc().malloc_trim(0)


MADV_PAGEOUT = 21  # linux/mman-common.h, Linux 5.4 and later
_NOT_PROGRAM_FILES = ("/dev/", "/memfd:", "/SYSV", "/proc/", "/sys/")


def page_out_program_files(maps: str = "/proc/self/maps") -> int:
    """Linux: hand back the pages of program files (libraries, fonts, modules) that this
    process holds, with ``madvise(MADV_PAGEOUT)``, as Android does for the apps in the
    background. Only mappings that cannot be written: their pages are the file's own, so
    the kernel frees them without writing anything, and it leaves alone any page another
    process also maps. The tray's own work brings back the few pages it uses (from the
    disk cache or the disk), once. Returns the bytes asked for; 0 where not possible."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        with open(maps, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    except (OSError, AttributeError):
        return 0
    asked = 0
    for line in lines:
        fields = line.split(maxsplit=5)
        if len(fields) < 6 or fields[4] == "0" or "w" in fields[1]:
            continue  # memory of the process's own, or a mapping it may write to
        path = fields[5].rstrip("\n")
        if not path.startswith("/") or path.startswith(_NOT_PROGRAM_FILES):
            continue  # [vdso] and the like, devices, shared memory
        start, _, end = fields[0].partition("-")
        try:
            begin, size = int(start, 16), int(end, 16) - int(start, 16)
        except ValueError:
            continue
        if madvise(begin, size, MADV_PAGEOUT) == 0:  # EINVAL before Linux 5.4, or a
            asked += size  # mapping the kernel will not page out (locked): left as it is
    return asked


def settle_after_start() -> None:
    """Once start-up is over: give the memory back, then set every object alive now
    (modules, Qt's enums, the catalog: the app's whole lasting state) aside from Python's
    cycle collector (gc.freeze). A full collection otherwise walks all of them again every
    few minutes for weeks, about 30 ms each time, to find nothing. Done once only: an
    object alive now that later becomes part of a garbage cycle is never collected, which
    is harmless for start-up's objects and would not be for a window's. Last, the pages
    of program files that only start-up needed go back (page_out_program_files)."""
    give_back()
    gc.freeze()
    page_out_program_files()
