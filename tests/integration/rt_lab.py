"""A real Request Tracker 5 from Debian's packages, on SQLite, in a folder of the test's
own, listening on 127.0.0.1 (recipe: ../shared/REQUEST-TRACKER.md). /etc is not touched."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

SERVER = "/usr/share/request-tracker5/libexec/rt-server"
PASSWORD = "ally-test-root"


def available() -> str | None:
    if not Path(SERVER).exists() or shutil.which("rt-setup-database-5") is None:
        return (
            "needs Request Tracker 5 (apt install request-tracker5 rt5-db-sqlite rt5-standalone); "
            ".ci/run installs it"
        )
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RtLab:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ally-rt-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RT_SITE_CONFIG": str(self.root / "RT_SiteConfig.pm"),
            "RT_SITE_CONFIG_DIR": str(self.root / "site.d"),
        }

    def start(self) -> None:
        r = self.root
        (r / "site.d").mkdir()
        (r / "var/mason_data").mkdir(parents=True)
        (r / "var/session_data").mkdir(parents=True)
        (r / "RT_SiteConfig.pm").write_text(
            "Set($DatabaseType, 'SQLite');\n"
            f"Set($DatabaseName, '{r}/rt.db');\n"
            "Set($WebDomain, '127.0.0.1');\n"
            f"Set($WebPort, {self.port});\n"
            "Set($WebPath, '');\n"
            f"Set($WebBaseURL, '{self.url}');\n"
            "Set($LogToSTDERR, 'warning');\n"
            "Set($MailCommand, 'mbox');\n"
            f"$RT::VarPath = '{r}/var';\n"
            f"$RT::MasonDataDir = '{r}/var/mason_data';\n"
            f"$RT::MasonSessionDir = '{r}/var/session_data';\n"
            "1;\n"
        )
        (r / "root-password").write_text(PASSWORD)
        subprocess.run(
            [
                "rt-setup-database-5",
                "--action",
                "init",
                "--root-password-file",
                str(r / "root-password"),
            ],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.proc = subprocess.Popen(
            [SERVER, "--host", "127.0.0.1", "--port", str(self.port), "--max-workers", "2"],
            env=self.env,
            stdout=(r / "server.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if (
                    requests.get(
                        f"{self.url}/REST/2.0/queue/1", auth=("root", PASSWORD), timeout=2
                    ).status_code
                    == 200
                ):
                    return
            except requests.exceptions.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(
            "RT did not start: " + (r / "server.log").read_text(errors="replace")[-2000:]
        )

    def set_status(self, ticket: int, status: str) -> None:
        r = requests.put(
            f"{self.url}/REST/2.0/ticket/{ticket}",
            json={"Status": status},
            auth=("root", PASSWORD),
            timeout=10,
        )
        r.raise_for_status()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # not SIGINT: its handler chowns RT's folders
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)
