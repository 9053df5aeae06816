"""The cheap /proc walk agrees with psutil on this machine, and parses odd names."""

import os
import subprocess
import sys
import time

import psutil
import pytest

from desktop.diagnostics.sampling import procfs_walk as pp

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux /proc")


def test_names_with_spaces_and_parentheses():
    text = b"4242 (Web Content (x) 1) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 30 0 777 1048576 512 18446744073709551615"
    comm, utime, stime, start, vsize, rss = pp.parse_stat(text)
    assert comm == "Web Content (x) 1"
    assert (utime, stime) == (250 / pp.CLK_TCK, 50 / pp.CLK_TCK)
    assert (start, vsize, rss) == (777, 1048576, 512)


def test_io_counters():
    text = b"rchar: 100\nwchar: 200\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n"
    assert pp.parse_io(text) == pp.IoCounters(4096, 8192)


def test_agrees_with_psutil_for_this_process():
    me = os.getpid()
    mine = next(e for e in pp.process_iter() if e.pid == me).info
    theirs = psutil.Process(me)
    assert mine["name"] == theirs.name()
    assert abs(mine["create_time"] - theirs.create_time()) < 1.0
    assert abs(mine["memory_info"].rss - theirs.memory_info().rss) < 8 * 1024 * 1024
    assert abs(sum(mine["cpu_times"]) - (theirs.cpu_times().user + theirs.cpu_times().system)) < 0.5


def test_long_names_come_from_the_executable_not_the_command_line(tmp_path):
    exe = tmp_path / "a-very-long-program-name"
    exe.symlink_to("/bin/sleep")
    proc = subprocess.Popen([str(exe), "30"])
    try:
        time.sleep(0.2)
        entry = next(e for e in pp.process_iter() if e.pid == proc.pid)
        # comm is cut to 15 characters; the executable file's own name is used instead.
        assert entry.info["name"] == os.path.basename(os.path.realpath("/bin/sleep"))
    finally:
        proc.kill()
        proc.wait()


def test_kernel_threads_are_grouped_as_the_operating_system():
    from desktop.diagnostics.sampling.process_sample import ProcessSampler

    if not any(e.info["memory_info"].vms == 0 for e in pp.process_iter()):
        pytest.skip("no kernel threads are visible in this process namespace")
    sample = ProcessSampler().sample()
    assert any(a.app_id == "os-kernel" and a.name == "the operating system" for a in sample.apps)


def test_a_sleeping_process_is_not_asked_for_its_io_again(tmp_path):
    """The walk remembers: a process whose processor time did not move between two walks
    read and wrote nothing, so its I/O counters are taken from the walk before."""
    import subprocess
    import time

    from desktop.diagnostics.sampling.procfs_walk import RememberingWalk

    sleeper = subprocess.Popen(["sleep", "30"])
    busy = subprocess.Popen([sys.executable, "-c", "while True: open('/dev/null').read()"])
    try:
        time.sleep(0.5)
        walk = RememberingWalk()
        first = {e.pid: e.info for e in walk()}
        # Until the busy one has used more processor time (on a machine busy with other
        # work that can take longer than the usual tenth of a second).
        moved = first[busy.pid]["cpu_times"]
        deadline = time.monotonic() + 30
        while psutil.Process(busy.pid).cpu_times()[:2] == tuple(moved) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.1)
        second = {e.pid: e.info for e in walk()}
        fresh = {e.pid: e.info for e in RememberingWalk()()}
    finally:
        for p in (sleeper, busy):
            p.kill()
            p.wait()
    assert second[sleeper.pid]["io_counters"] is first[sleeper.pid]["io_counters"]
    assert second[busy.pid]["io_counters"] is not first[busy.pid]["io_counters"]
    assert second[busy.pid]["cpu_times"] != first[busy.pid]["cpu_times"]
    # What a fresh walk reads is what the remembering walk gives.
    assert fresh[sleeper.pid]["io_counters"] == second[sleeper.pid]["io_counters"]
    assert fresh[sleeper.pid]["name"] == second[sleeper.pid]["name"] == "sleep"


def test_a_process_that_ended_but_was_not_reaped_is_not_the_operating_system():
    """A zombie has no memory of its own, like a kernel thread: it was counted as "the
    operating system". It ended; it is not counted at all."""
    import subprocess
    import time

    from desktop.diagnostics.sampling.procfs_walk import RememberingWalk

    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 10
        while psutil.Process(zombie.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert zombie.pid not in {e.pid for e in RememberingWalk()()}
    finally:
        zombie.wait()


def test_a_process_seen_before_its_exec_takes_the_new_programs_name():
    """A process seen between fork and exec has its parent's name and the same start time
    as after the exec: the walk must not keep the old name for it (a program started by a
    Python script was named after the script for as long as it ran)."""
    import subprocess
    import time

    from desktop.diagnostics.sampling.procfs_walk import RememberingWalk
    from desktop.diagnostics.sampling.script_names import ScriptNames

    code = "import os, sys, time; time.sleep(1.0); os.execv('/bin/sleep', ['sleep', '30'])"
    proc = subprocess.Popen([sys.executable, "-c", code, "--as-hogx"])
    try:
        walk, names = RememberingWalk(), ScriptNames()
        time.sleep(0.3)
        before = {e.pid: e.info for e in walk()}[proc.pid]
        assert before["name"].startswith("python")
        deadline = time.monotonic() + 10
        while psutil.Process(proc.pid).name() != "sleep":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        after = {e.pid: e.info for e in walk()}[proc.pid]
        assert after["create_time"] == before["create_time"]  # one process throughout
        assert after["name"] == "sleep"
        assert names.name(proc.pid, after["create_time"], after["name"]) == "sleep"
    finally:
        proc.kill()
        proc.wait()
