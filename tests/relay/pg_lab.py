"""A real PostgreSQL server from Debian's packages, in a temp folder, on 127.0.0.1.

As root (CI) the server runs as the ``postgres`` account, since PostgreSQL refuses to run
as root; as anyone else it runs as that user. Nothing under /etc or /var is touched.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.relay.lab import free_port


def bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def available() -> str | None:
    if bin_dir() is None:
        return (
            "needs a PostgreSQL server (apt install postgresql); tools/setup.sh --test installs it"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return (
                "running as root needs the postgres account (made by Debian's postgresql package)"
            )
    return None


class PostgresLab:
    def __init__(self) -> None:
        self.bin = bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="ally-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.as_postgres = os.geteuid() == 0

    def _run(self, *cmd: str, **kwargs) -> subprocess.CompletedProcess:
        if self.as_postgres:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kwargs)

    def url(self, database: str = "relay") -> str:
        return f"postgresql://ally@127.0.0.1:{self.port}/{database}"

    def start(self) -> PostgresLab:
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        out = self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "ally",
            "-A",
            "trust",
            "-E",
            "UTF8",
        )
        assert out.returncode == 0, out.stderr
        return self.resume()

    def resume(self) -> PostgresLab:
        """Start the server on the files it has (again, after ``halt``)."""
        cmd = [
            str(self.bin / "postgres"),
            "-D",
            str(self.data),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-k",
            str(self.root),
            "-c",
            "max_connections=200",
        ]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "server.log").open("a"),
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                return self
            time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not start: " + (self.root / "server.log").read_text())

    def create_database(self, name: str) -> str:
        out = subprocess.run(
            [
                str(self.bin / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "ally",
                name,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        return self.url(name)

    def halt(self) -> None:
        """Stop the server (PostgreSQL's "fast" shutdown), keeping its files."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)  # the group: runuser and postgres
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)
