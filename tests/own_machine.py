"""A machine of a test's own, for an ``ally`` the test runs: the processor, memory,
pressure and drive figures and the process table it judges are the test's, not this
machine's, so the test passes on a busy machine as on a quiet one.

A network namespace alone does not hide the machine's load: /proc/stat, /proc/meminfo and
the pressure stall figures are machine-wide. So the command runs in a mount namespace where
the test's own files are bound over those of /proc (as LXCFS does for containers), and in a
PID namespace with a /proc of its own, where the only processes are Ally's. Ally's readers
are the real ones, reading files in the kernel's own formats (written here: constructed,
not captured). The processor's counters advance while the command runs, at the share of
busy time the test asks for.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

HZ = 100  # USER_HZ: /proc/stat counts in 1/100 s on every Linux
GIB_KB = 1024 * 1024
PRESSURE_QUIET = (
    "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
)
BOUND = ("stat", "meminfo", "loadavg", "uptime", "diskstats", "vmstat")
PRESSURE = ("pressure/cpu", "pressure/memory", "pressure/io")


def why_not() -> str | None:
    """None when a machine of one's own can be made here, else why not."""
    if not shutil.which("unshare"):
        return "needs unshare (util-linux)"
    if os.geteuid() != 0:
        return "needs root to bind files over /proc (CI runs as root)"
    return None


class OwnMachine:
    """Quiet unless asked otherwise: ``busy`` is the processor's share of busy time (0-1),
    memory is 16 GB with 12 GB available, no swapping, no pressure, no drive activity."""

    def __init__(self, folder: Path, busy: float = 0.01, cores: int | None = None) -> None:
        self.folder = folder / "own-proc"
        self.busy, self.cores = busy, cores or os.cpu_count() or 1
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._started = time.time()
        self._boot = int(self._started) - 86400  # up one day

    def __enter__(self) -> OwnMachine:
        (self.folder / "pressure").mkdir(parents=True, exist_ok=True)
        for name, text in self._files().items():
            (self.folder / name).write_text(text)
        self._write_stat()
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(2)

    def prefix(self) -> list[str]:
        """What runs a command on this machine (put it before the command)."""
        binds = [name for name in BOUND if Path("/proc", name).exists()]
        binds += [name for name in PRESSURE if Path("/proc", name).exists()]
        script = (
            " && ".join(f'mount --bind "$OWN/{name}" /proc/{name}' for name in binds)
            + ' && exec "$@"'
        )
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
            "loadavg": f"{self.busy * self.cores:.2f} {self.busy * self.cores:.2f} 0.05 1/80 100\n",
            "uptime": f"{uptime:.2f} {uptime * self.cores * 0.9:.2f}\n",
            "diskstats": "   8       0 sda 1000 0 80000 500 2000 0 160000 900 0 1200 1400 0 0 0 0 0 0\n",
            "vmstat": "pgpgin 40000\npgpgout 80000\npswpin 0\npswpout 0\npgfault 100000\n",
            "pressure/cpu": PRESSURE_QUIET,
            "pressure/memory": PRESSURE_QUIET,
            "pressure/io": PRESSURE_QUIET,
        }

    def _write_stat(self) -> None:
        """/proc/stat as the kernel writes it, with the counters up to now. Written in place
        (same file), since a bind mount follows the file it was made on."""
        elapsed = time.time() - self._boot
        busy = int(elapsed * HZ * self.busy)
        idle = int(elapsed * HZ) - busy
        user, system = busy * 3 // 4, busy - busy * 3 // 4
        core = f"{user} 0 {system} {idle} 0 0 0 0 0 0"
        lines = [
            f"cpu  {user * self.cores} 0 {system * self.cores} {idle * self.cores} 0 0 0 0 0 0"
        ]
        lines += [f"cpu{n} {core}" for n in range(self.cores)]
        lines += ["intr 0", "ctxt 0", f"btime {self._boot}", "processes 100"]
        lines += ["procs_running 1", "procs_blocked 0", "softirq 0"]
        with open(self.folder / "stat", "r+" if (self.folder / "stat").exists() else "w") as fh:
            fh.seek(0)
            fh.write("\n".join(lines) + "\n")
            fh.truncate()

    def _tick(self) -> None:
        while not self._stop.wait(0.2):
            self._write_stat()


def run_on(machine: OwnMachine, command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*machine.prefix(), *command], **kwargs)
