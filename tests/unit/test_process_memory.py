"""The idle tray app's memory housekeeping (desktop/start/process_memory.py), in a process of its
own: freezing start-up's objects is for the whole process, not for pytest's."""

from __future__ import annotations

import mmap
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from desktop.start.process_memory import page_out_program_files

CODE = """
import gc, weakref
import desktop.start.services, desktop.diagnostics.diagnosis  # a start-up's worth of objects
from desktop.start.process_memory import settle_after_start

settle_after_start()
frozen = gc.get_freeze_count()

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a cycle made after start-up: still Python's to collect
gone = weakref.ref(a)
del a, b
gc.collect()
print(frozen, gone() is None)
"""


def test_start_ups_objects_are_set_aside_and_later_cycles_still_collected():
    done = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=True
    )
    frozen, collected = done.stdout.split()
    assert int(frozen) > 10_000  # modules, classes, the catalog: not walked again
    assert collected == "True"


def _resident_kb(path: str) -> int:
    """Rss of the mappings of ``path`` (or of anonymous mappings of exactly ``size``)."""
    total, inside = 0, False
    with open("/proc/self/smaps", encoding="utf-8") as f:
        for line in f:
            head = line.split(maxsplit=5)
            if len(head) >= 5 and "-" in head[0] and ":" in head[3]:
                inside = line.rstrip("\n").endswith(path)
            elif inside and line.startswith("Rss:"):
                total += int(line.split()[1])
    return total


@pytest.fixture
def on_disk():
    """A folder on a drive, as program files are: where /tmp is a tmpfs (Debian 13, many
    others) the files' pages are their only copy and never leave memory. /var/tmp is on
    a drive by the file system standard."""
    folder = Path(tempfile.mkdtemp(prefix="ally-page-out-", dir="/var/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="MADV_PAGEOUT is Linux's")
def test_pages_of_program_files_go_back_and_written_memory_stays(on_disk):
    tmp_path = on_disk
    library = tmp_path / "library.so"
    with open(library, "wb") as f:
        f.write(os.urandom(4 * 1024 * 1024))
        os.fsync(f.fileno())  # on disk, as a program file is: its cached pages are clean
    writable = tmp_path / "written.bin"
    writable.write_bytes(bytes(4 * 1024 * 1024))
    with open(library, "rb") as f:
        program = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    with open(writable, "r+b") as f:  # a private copy the process writes to: its own memory
        own = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE)
    own.write(os.urandom(len(own)))
    sum(program[i] for i in range(0, len(program), 4096))  # read every page, as Qt does
    assert _resident_kb(str(library)) >= 4000
    assert _resident_kb(str(writable)) >= 4000

    asked = page_out_program_files()

    assert asked >= len(program)
    assert _resident_kb(str(library)) < 400  # the file's pages went back
    assert _cached_bytes(library) < 400 * 1024  # to the system: not even in the disk cache
    assert _resident_kb(str(writable)) >= 4000  # what the process wrote did not
    assert program[123_457] == library.read_bytes()[123_457]  # reading brings them back
    program.close()
    own.close()


def _cached_bytes(path) -> int:  # type: ignore[no-untyped-def]
    """How much of the file is in the system's disk cache: mincore(2) over a second,
    untouched mapping of it (it reports the cache, whoever mapped the pages)."""
    import ctypes

    with open(path, "rb") as f:
        view = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)  # writable: has an address
    pages = (len(view) + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    vec = (ctypes.c_ubyte * pages)()
    start = ctypes.c_char.from_buffer(view)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mincore.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
    assert libc.mincore(ctypes.addressof(start), len(view), vec) == 0, ctypes.get_errno()
    del start
    view.close()
    return sum(b & 1 for b in vec) * mmap.PAGESIZE


def test_a_strange_maps_file_is_no_harm(tmp_path):
    maps = tmp_path / "maps"
    maps.write_bytes(
        b"zz-yy r--p 00000000 08:01 1234 /usr/lib/x.so\n"
        b"\xff\xfe garbage\n\n"
        b"7f00-7f10 r--p 00000000 08:01 0\n"
        b"10000-20000 r-xp 00000000 00:00 77 /dev/dri/card0\n"
    )
    assert page_out_program_files(str(maps)) == 0
    assert page_out_program_files(str(tmp_path / "missing")) == 0
