import threading
import time

from desktop.diagnostics.sampling.counters import Counters, DiskCounters, default_reader
from desktop.diagnostics.sampling.sampler import Sampler, SamplerSettings, rates


def counters(mono, busy, total, swap_in=0, swap_out=0, read=0, write=0, busy_ms=0, rx=0, tx=0):
    return Counters(
        monotonic=mono,
        wall=1000.0 + mono,
        cpu_busy=busy,
        cpu_total=total,
        per_core=(),
        mem_total=1000,
        mem_available=250,
        swap_total=100,
        swap_free=75,
        swap_in_pages=swap_in,
        swap_out_pages=swap_out,
        disks={"sda": DiskCounters(read, write, busy_ms)},
        net={"eth0": (rx, tx)},
        load1=1.5,
    )


def test_rates_from_two_readings():
    a = counters(10.0, 100, 1000)
    b = counters(
        12.0,
        400,
        1400,
        swap_in=100,
        swap_out=300,
        read=2000,
        write=4000,
        busy_ms=1000,
        rx=600,
        tx=200,
    )
    r = rates(a, b)
    assert r["cpu_pct"] == 75.0
    assert r["mem_used_pct"] == 75.0
    assert r["swap_used_pct"] == 25.0
    assert r["swap_in_pps"] == 50.0 and r["swap_out_pps"] == 150.0
    assert r["disk_read_bps"] == 1000.0 and r["disk_write_bps"] == 2000.0
    assert r["disk_busy_pct"] == 50.0
    assert r["net_recv_bps"] == 300.0 and r["net_sent_bps"] == 100.0


def test_counter_resets_never_give_negative_rates():
    a = counters(10.0, 100, 1000, read=5000, rx=9000)
    b = counters(12.0, 150, 1100, read=10, rx=5)
    r = rates(a, b)
    assert r["disk_read_bps"] == 0.0 and r["net_recv_bps"] == 0.0


def test_idle_time_that_steps_back_never_reads_as_more_than_all_the_processor():
    # busy moved on by 120 ticks while the total moved by 100: a core's idle stepped back.
    assert rates(counters(10.0, 100, 1000), counters(11.0, 220, 1100))["cpu_pct"] == 100.0
    # and the other way: never below nothing
    assert rates(counters(10.0, 100, 1000), counters(11.0, 90, 1100))["cpu_pct"] == 0.0


def test_sampler_thread_fills_history_and_stops():
    # quiet_factor 1: a walk every 0.1 s whether or not the machine is busy.
    settings = SamplerSettings(
        interval_s=0.05, process_interval_s=0.1, window_s=1.0, quiet_factor=1.0
    )
    s = Sampler(settings)
    s.start()
    time.sleep(0.6)
    s.stop()
    n = len(s.history)
    assert 5 <= n <= s.settings.capacity
    assert len(s.process_history) >= 2
    time.sleep(0.2)
    assert len(s.history) == n  # stopped means stopped


def test_a_failing_reading_does_not_end_sampling():
    real = default_reader()
    calls = {"n": 0}

    def flaky():
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            raise OSError("simulated: /proc/stat unreadable")
        return real()

    s = Sampler(SamplerSettings(interval_s=0.03, process_interval_s=10, window_s=5), reader=flaky)
    s.start()
    time.sleep(0.5)
    s.stop()
    assert s.failures >= 2
    assert len(s.history) >= 4


def test_warm_up_samples_on_schedule_and_leaves_history():
    slept = []
    s = Sampler(SamplerSettings(interval_s=2.0, process_interval_s=4.0), sleep=slept.append)
    s.warm_up(7.0)
    assert slept == [2.0, 2.0, 2.0, 1.0]
    assert len(s.history) == 3  # readings at 0, 2, 4, 6 s make three rows; collect adds the last
    assert len(s.process_history) >= 1


def test_sample_now_is_safe_from_many_threads():
    s = Sampler(SamplerSettings(interval_s=1, window_s=600))
    threads = [
        threading.Thread(target=lambda: [s.sample_now() for _ in range(20)]) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(s.history) == 79
    times = s.history.window()["t"]
    assert times == sorted(times)


class _Machine:
    """A reader whose processor load the test sets, on a clock of its own: each reading is
    one interval (0.05 s) after the last, however late the thread got to it on a busy
    machine, so what the sampler decides depends only on what it read."""

    STEP_S = 0.05

    def __init__(self, busy_from: int) -> None:
        self.busy_from = busy_from  # the reading from which the processor is busy
        self.readings = 0
        self._busy = 0.0
        self._total = 0.0

    def __call__(self) -> Counters:
        self.readings += 1
        self._total += 100.0
        self._busy += 100.0 * (0.95 if self.readings > self.busy_from else 0.05)
        return counters(self.readings * self.STEP_S, self._busy, self._total)


class _CountingWalker:
    def __init__(self, machine: _Machine) -> None:
        self.machine = machine
        self.at: list[float] = []  # the machine's time of each walk

    def sample(self):
        from desktop.diagnostics.sampling.process_sample import ProcessSample

        self.at.append(self.machine.readings * _Machine.STEP_S)
        return ProcessSample(time.time(), 1.0 if len(self.at) > 1 else None, 0, 0, ())


def test_a_quiet_computer_is_walked_less_often_and_a_load_at_once():
    """The process walk is the idle tray's main cost: quiet, it comes QUIET_FACTOR times
    less often; the first busy sample brings one at once; busy, the usual pace."""
    machine = _Machine(busy_from=50)  # quiet for 2.5 s, then busy
    walker = _CountingWalker(machine)
    settings = SamplerSettings(interval_s=0.05, process_interval_s=0.25, quiet_factor=4)
    s = Sampler(settings, reader=machine, process_sampler=walker)
    s.start()
    try:
        deadline = time.monotonic() + 60
        while machine.readings < 50 + 3 + 20 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        s.stop()
    quiet_walks = [t for t in walker.at if t <= 2.5]
    brought_forward = [t for t in walker.at if 2.5 < t <= 2.62]
    busy_walks = [t for t in walker.at if 2.62 < t <= 3.62]
    assert 3 <= len(quiet_walks) <= 4, walker.at  # at the usual pace it would be 10
    assert len(brought_forward) == 1, walker.at
    assert 3 <= len(busy_walks) <= 5, walker.at
