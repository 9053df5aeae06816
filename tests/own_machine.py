"""A machine of a test's own, for an ``ally`` the test runs: the processor, memory,
pressure and drive figures and the process table it judges are the test's, not this
machine's, so the test passes on a busy machine as on a quiet one.

A network namespace alone does not hide the machine's load: /proc/stat, /proc/meminfo and
the pressure stall figures are machine-wide. So the command runs

- in a control group of its own with the first call on the processor (the highest
  weight), so that other work on the machine does not slow what the test runs;
- in a PID namespace with a /proc of its own, where the only processes are the test's;
- in a mount namespace where files of the test's are bound over those of /proc (as LXCFS
  does for containers): /proc/stat counts only the processor time of the group (the
  kernel's own figure, cpu.stat), /proc/pressure/* are the group's own pressure stall
  figures (cgroup v2 keeps them per group), memory is 16 GB with 12 GB available, no
  swapping, no drive activity.

Ally's readers are the real ones, reading files in the kernel's own formats; the
constructed ones are written here (not captured).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HZ = 100  # USER_HZ: /proc/stat counts in 1/100 s on every Linux
GIB_KB = 1024 * 1024
BOUND = ("stat", "meminfo", "loadavg", "uptime", "diskstats", "vmstat")
PRESSURE = ("cpu", "memory", "io")


def why_not() -> str | None:
    """None when a machine of one's own can be made here, else why not."""
    if not shutil.which("unshare"):
        return "needs unshare (util-linux)"
    if os.geteuid() != 0:
        return "needs root to bind files over /proc and make a control group (CI runs as root)"
    if _mount_of("cgroup2") is None:
        return "needs the cgroup v2 hierarchy (every systemd Linux has it)"
    return None


def _mount_of(fstype: str, option: str | None = None) -> Path | None:
    with open("/proc/self/mounts", encoding="utf-8") as fh:
        for line in fh:
            _dev, where, kind, options, *_ = line.split()
            if kind == fstype and (option is None or option in options.split(",")):
                return Path(where)
    return None


class CpuGroup:
    """A control group for the test's processes: its processor time and pressure stall
    figures (cgroup v2, which keeps both for every group), and the highest processor
    weight (cpu.weight in v2 where its cpu controller is on, else cpu.shares in v1)."""

    def __init__(self, name: str) -> None:
        unified = _mount_of("cgroup2")
        assert unified is not None, why_not()
        self.v2 = unified / name
        self.v2.mkdir()
        self.joins = [self.v2 / "cgroup.procs"]
        self.v1: Path | None = None
        self.extra: list[Path] = []  # other v1 hierarchies joined (blkio)
        if not _write(self.v2 / "cpu.weight", "10000"):
            v1_cpu = _mount_of("cgroup", "cpu")
            if v1_cpu is not None:
                self.v1 = v1_cpu / name
                self.v1.mkdir()
                _write(self.v1 / "cpu.shares", "262144")
                self.joins.append(self.v1 / "cgroup.procs")

    def throttle_writes(self, folder: Path, bytes_per_s: int) -> None:
        """Writes by the group's processes to the drive holding ``folder`` go no faster
        than ``bytes_per_s`` (a slow, remote or throttled disk): work waits for the drive
        while the drive itself has little to do. cgroup v2's io.max where its io
        controller is on, else v1's blkio throttle."""
        disk = _whole_disk(folder)
        if _write(self.v2 / "io.max", f"{disk} wbps={bytes_per_s}"):
            return
        v1_blkio = _mount_of("cgroup", "blkio")
        assert v1_blkio is not None, "no io controller to throttle with"
        group = v1_blkio / self.v2.name
        group.mkdir(exist_ok=True)
        assert _write(group / "blkio.throttle.write_bps_device", f"{disk} {bytes_per_s}")
        self.joins.append(group / "cgroup.procs")
        self.extra.append(group)

    def close(self) -> None:
        """Removed once its processes are gone (the PID namespace ended them)."""
        for group in (self.v2, self.v1, *self.extra):
            if group is None:
                continue
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    group.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)


def _whole_disk(folder: Path) -> str:
    """ "MAJOR:MINOR" of the disk holding ``folder`` (a partition's parent disk: the
    throttle applies to whole devices)."""
    dev = os.stat(folder).st_dev
    node = Path(f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}")
    if (node / "partition").exists():
        return (node.resolve().parent / "dev").read_text().strip()
    return f"{os.major(dev)}:{os.minor(dev)}"


def _real_boot_time() -> int:
    with open("/proc/stat", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("btime "))


def _write(path: Path, text: str) -> bool:
    try:
        path.write_text(text)
    except OSError:
        return False
    return True


class OwnMachine:
    """Use as a context manager; ``prefix()`` is what runs a command on it."""

    def __init__(
        self, folder: Path, cores: int | None = None, write_bps: int | None = None
    ) -> None:
        """``write_bps``: the drive holding ``folder`` takes the machine's writes no faster
        than this (see CpuGroup.throttle_writes)."""
        self.workdir = folder
        self.write_bps = write_bps
        self.folder = folder / "own-proc"
        self.cores = cores or os.cpu_count() or 1
        # The real boot time: processes' start times count from it (/proc/<pid>/stat).
        self._boot = _real_boot_time()
        self.group: CpuGroup | None = None
        self._clock_group: CpuGroup | None = None
        self._clock: subprocess.Popen | None = None

    def __enter__(self) -> OwnMachine:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"ally-test-{os.getpid()}-{id(self):x}"
        self.group = CpuGroup(name)
        if self.write_bps is not None:
            self.group.throttle_writes(self.workdir, self.write_bps)
        for file, text in self._files().items():
            (self.folder / file).write_text(text)
        # /proc/stat is kept up to date by a small process of its own, in a group of its
        # own with the same first call on the processor: in the test's process it would
        # wait behind the load the test makes, and the machine's clock would stop.
        self._clock_group = CpuGroup(name + "-clock")
        joins = " && ".join(f'echo $$ > "{path}"' for path in self._clock_group.joins)
        self._clock = subprocess.Popen(
            ["sh", "-c", joins + ' && exec "$@"', "clock", sys.executable, "-P", __file__,
             str(self.folder / "stat"), str(self.group.v2), str(self._boot), str(self.cores)],
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not (self.folder / "stat").exists():
            assert self._clock.poll() is None and time.monotonic() < deadline, "no clock"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._clock is not None:
            self._clock.kill()
            self._clock.wait(10)
        for group in (self.group, self._clock_group):
            if group is not None:
                group.close()

    def prefix(self) -> list[str]:
        """What runs a command on this machine (put it before the command)."""
        assert self.group is not None, "use OwnMachine as a context manager"
        steps = [f'echo $$ > "{path}"' for path in self.group.joins]
        steps += [
            f'mount --bind "$OWN/{name}" /proc/{name}'
            for name in BOUND
            if Path("/proc", name).exists()
        ]
        steps += [
            f'mount --bind "{self.group.v2}/{name}.pressure" /proc/pressure/{name}'
            for name in PRESSURE
            if Path("/proc/pressure", name).exists()
        ]
        script = " && ".join(steps) + ' && exec "$@"'
        return [
            "unshare", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private",
            "env", f"OWN={self.folder}", "sh", "-c", script, "own-machine",
        ]  # fmt: skip

    def _files(self) -> dict[str, str]:
        uptime = time.time() - self._boot
        meminfo = {
            "MemTotal": 16 * GIB_KB, "MemFree": 10 * GIB_KB, "MemAvailable": 12 * GIB_KB,
            "Buffers": 200_000, "Cached": 2 * GIB_KB, "SwapCached": 0, "Active": 3 * GIB_KB,
            "Inactive": 1 * GIB_KB, "Shmem": 100_000, "SReclaimable": 150_000, "Slab": 300_000,
            "SwapTotal": 2 * GIB_KB, "SwapFree": 2 * GIB_KB, "Dirty": 100, "Writeback": 0,
        }  # fmt: skip
        return {
            "meminfo": "".join(f"{k}:{v:>16} kB\n" for k, v in meminfo.items()),
            "loadavg": "0.05 0.04 0.01 1/80 100\n",
            "uptime": f"{uptime:.2f} {uptime * self.cores * 0.9:.2f}\n",
            "diskstats": "   8       0 sda 1000 0 80000 500 2000 0 160000 900 0 1200 1400 0 0 0 0 0 0\n",
            "vmstat": "pgpgin 40000\npgpgout 80000\npswpin 0\npswpout 0\npgfault 100000\n",
        }


def _keep_stat(path: Path, group: Path, boot: int, cores: int) -> None:
    """/proc/stat as the kernel writes it, ten times a second until it is stopped: the
    group's processor time (its cpu.stat), the rest idle, shared evenly over the cores.
    The file keeps one length (numbers padded with zeros) and is written in one call, in
    place: a bind mount follows the file it was made on, and a reader never sees it half
    written or cut short. Idle time never goes back, as in the kernel."""
    fd = os.open(path.with_suffix(".new"), os.O_WRONLY | os.O_CREAT, 0o644)
    os.rename(path.with_suffix(".new"), path)
    last_idle = 0
    while True:
        stat = dict(line.split() for line in (group / "cpu.stat").read_text().splitlines() if line)
        user_s, system_s = int(stat["user_usec"]) / 1e6, int(stat["system_usec"]) / 1e6
        total = int((time.time() - boot) * HZ)  # per core
        user, system = int(user_s * HZ / cores), int(system_s * HZ / cores)
        idle = last_idle = max(total - user - system, last_idle)

        def cpu(name: str, k: int, user: int = user, system: int = system, idle: int = idle) -> str:
            return f"{name} {user * k:012d} 0 {system * k:012d} {idle * k:012d} 0 0 0 0 0 0"

        lines = [cpu("cpu ", cores), *(cpu(f"cpu{i}", 1) for i in range(cores))]
        lines += ["intr 0", "ctxt 0", f"btime {boot}", "processes 100"]
        lines += ["procs_running 1", "procs_blocked 0", "softirq 0"]
        os.pwrite(fd, ("\n".join(lines) + "\n").encode("ascii"), 0)
        time.sleep(0.1)


if __name__ == "__main__":  # the machine's clock (see OwnMachine.__enter__)
    _keep_stat(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
