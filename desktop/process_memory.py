"""Keeping the tray app's memory small over weeks (no Qt here).

glibc gives each thread that allocates a malloc arena of its own and keeps freed memory
inside the process for later. With the sampler's and Qt's worker threads that meant
memory Ally no longer used stayed counted against it, most of all after a window (a
chart, a screenshot, a report) was closed.
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


def settle_after_start() -> None:
    """Once start-up is over: give the memory back, then set every object alive now
    (modules, Qt's enums, the catalog: the app's whole lasting state) aside from Python's
    cycle collector (gc.freeze). A full collection otherwise walks all of them again every
    few minutes for weeks, about 30 ms each time, to find nothing. Done once only: an
    object alive now that later becomes part of a garbage cycle is never collected, which
    is harmless for start-up's objects and would not be for a window's."""
    give_back()
    gc.freeze()
