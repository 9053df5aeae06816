"""The Linux /proc reader against psutil and against the files themselves, on this machine."""

import os
import shutil
import sys
import time

import psutil
import pytest

from desktop.diagnostics.sampling.counters import LinuxProcReader, psutil_reader

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux /proc")


def test_proc_reader_agrees_with_psutil():
    ours = LinuxProcReader()()
    theirs = psutil_reader()
    assert ours.mem_total == theirs.mem_total
    assert abs(ours.mem_available - theirs.mem_available) < 64 * 1024 * 1024
    assert ours.swap_total == theirs.swap_total
    assert len(ours.per_core) == psutil.cpu_count()
    # /proc/stat counts ticks, psutil seconds: the busy share must agree.
    assert abs(ours.cpu_busy / ours.cpu_total - theirs.cpu_busy / theirs.cpu_total) < 0.01
    assert set(ours.net) <= set(psutil.net_io_counters(pernic=True))
    assert "lo" not in ours.net


def test_proc_reader_counts_only_physical_drives():
    ours = LinuxProcReader()()
    assert all(not n.startswith(("loop", "zram", "ram", "dm-")) for n in ours.disks)
    for d in ours.disks.values():
        assert d.read_bytes >= 0 and d.busy_ms is not None


def test_proc_reader_parses_a_copy_of_proc(tmp_path):
    proc = tmp_path / "proc"
    (proc / "net").mkdir(parents=True)
    for name in ("stat", "meminfo", "vmstat", "diskstats"):
        shutil.copyfile(f"/proc/{name}", proc / name)
    shutil.copyfile("/proc/net/dev", proc / "net" / "dev")
    (proc / "loadavg").write_text("3.25 1.50 0.75 2/300 4242\n")
    block = tmp_path / "block"
    block.mkdir()
    (block / "sdz").mkdir()
    with open(proc / "diskstats", "a") as fh:
        fh.write(" 8 0 sdz 100 0 2048 10 50 0 4096 20 0 30 40 0 0 0 0\n")
    c = LinuxProcReader(proc=str(proc), sys_block=str(block))()
    assert c.disks["sdz"].read_bytes == 2048 * 512
    assert c.disks["sdz"].write_bytes == 4096 * 512
    assert c.disks["sdz"].busy_ms == 30
    assert c.disks["sdz"].weighted_ms == 40
    assert c.mem_total == psutil.virtual_memory().total
    assert c.load1 == 3.25  # from the /proc it was given, not the kernel's own figure


def test_readings_move_forward():
    r = LinuxProcReader()
    a = r()
    time.sleep(0.05)
    b = r()
    assert b.monotonic > a.monotonic
    assert b.cpu_total >= a.cpu_total

    """The light sample keeps its /proc files open for weeks (seven, or six where the kernel
    keeps no pressure record): a fixed number of open files, each reading the kernel's
    current text (not the first one again)."""
    r = LinuxProcReader()
    r()
    # The reader's own descriptors (other threads of this test process may open and
    # close files meanwhile: only what this test set up is judged).
    held = dict(r._fds)
    kept = 7 if os.path.exists("/proc/pressure/io") else 6
    assert len(held) == kept and all(os.fstat(fd) for fd in held.values())
    first = r()
    time.sleep(0.3)
    for _ in range(50):
        last = r()
    assert r._fds == held  # the same files, kept open, none added
    assert last.cpu_total > first.cpu_total  # the ticks moved on: a fresh /proc/stat
    before = {fd: os.readlink(f"/proc/self/fd/{fd}") for fd in held.values()}
    r.close()

    def still_open(fd: int) -> bool:
        try:
            return os.readlink(f"/proc/self/fd/{fd}") == before[fd]
        except OSError:
            return False

    # Closed: none still open on its file (a number may be another thread's by now).
    assert sum(still_open(fd) for fd in held.values()) == 0 and r._fds == {}
    assert r().cpu_total >= last.cpu_total  # opened again when needed
