"""A private CUPS scheduler for the printing tests: its own folder, its own socket.

Nothing is changed in /etc/cups and the machine's own printing (if any) is untouched;
clients reach this scheduler through CUPS_SERVER.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def available() -> str | None:
    for tool in ("cupsd", "lpstat", "lpadmin", "lp", "cupsdisable"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            return f"needs CUPS from the system packages (apt install cups); .ci/run installs it ({tool} missing)"
    if os.geteuid() != 0:
        return (
            "needs root to run a private cupsd (it drops to the lp user for jobs); CI runs as root"
        )
    return None


class CupsLab:
    """Lives in a folder of its own under /tmp: the spool must be readable by the 'lp'
    user that runs CUPS backends, which pytest's private temporary folders are not."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ally-cups-"))
        os.chmod(self.root, 0o755)
        self.socket = self.root / "cups.sock"
        self.proc: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": str(self.socket), "LC_ALL": "C"}

    def start(self) -> None:
        r = self.root
        for d in ("etc/ppd", "spool", "cache", "run", "tmp", "log", "out"):
            (r / d).mkdir(parents=True, exist_ok=True)
        os.chmod(r / "tmp", 0o1777)
        os.chmod(r / "out", 0o1777)
        (r / "etc/cups-files.conf").write_text(
            f"ServerRoot {r}/etc\nRequestRoot {r}/spool\nCacheDir {r}/cache\nStateDir {r}/run\n"
            f"TempDir {r}/tmp\nAccessLog {r}/log/access_log\nErrorLog {r}/log/error_log\n"
            f"PageLog {r}/log/page_log\nFileDevice Yes\nGroup lp\nSystemGroup root\n"
        )
        (r / "etc/cupsd.conf").write_text(
            f"Listen {self.socket}\nLogLevel warn\nBrowsing No\nWebInterface No\nDefaultAuthType None\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
        )
        self.proc = subprocess.Popen(
            [
                "/usr/sbin/cupsd",
                "-f",
                "-c",
                str(r / "etc/cupsd.conf"),
                "-s",
                str(r / "etc/cups-files.conf"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if "is running" in self.run("lpstat", "-r", check=False).stdout:
                return
            time.sleep(0.1)
        raise RuntimeError(
            f"cupsd did not start: {(r / 'log/error_log').read_text(errors='replace')[-2000:]}"
        )

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            list(args), env=self.env, capture_output=True, text=True, check=check, timeout=20
        )

    def add_printer(self, name: str, uri: str) -> None:
        self.run("lpadmin", "-p", name, "-E", "-v", uri, "-m", "raw")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
