"""A real Ally Relay process on loopback, as IT would run it: its own settings file, its
own database (SQLite in a temp folder, or a PostgreSQL URL), ``ally-relay serve``."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.run_ally import run_ally

ROOT = Path(__file__).resolve().parent.parent.parent
HELPDESK_SECRET = "relay-only-helpdesk-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RelayLab:
    def __init__(
        self,
        folder: Path,
        forward: dict,
        database: str | None = None,
        server: dict | None = None,
        limits: dict | None = None,
        admin: dict | None = None,
        secret: str | None = HELPDESK_SECRET,
        command: tuple[str, ...] | None = None,
    ) -> None:
        # The relay's command: this repository's relay by default; an installed
        # ``ally-relay`` (run outside the repository) for a relay installed alone.
        self.command = command or (sys.executable, "-m", "relay.cli")
        self.cwd = ROOT if command is None else Path(folder)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.database = database or f"sqlite:///{self.folder / 'relay.db'}"
        srv = {"host": "127.0.0.1", "port": self.port, **(server or {})}
        self.scheme = "https" if "tls_cert" in srv else "http"
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"
        fwd = dict(forward)
        if secret is not None:
            secret_file = self.folder / "helpdesk.secret"
            secret_file.write_text(secret)
            secret_file.chmod(0o600)
            fwd["secret_file"] = str(secret_file)
        self.config = self.folder / "relay.toml"
        self.config.write_text(
            _toml(
                {
                    "database": {"url": self.database},
                    "server": srv,
                    "forward": fwd,
                    "limits": limits or {},
                    "admin": admin or {},
                }
            )
        )
        self.proc: subprocess.Popen | None = None
        self.log = self.folder / "relay.log"
        self.ca: str | None = None

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.command, "--config", str(self.config), *args],
            capture_output=True,
            text=True,
            input=stdin,
            timeout=60,
            cwd=self.cwd,
            check=False,
        )

    def token(self, *args: str) -> str:
        out = self.cli("token", "create", *args)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    def start(self, wait: bool = True) -> RelayLab:
        self.proc = subprocess.Popen(
            [*self.command, "--config", str(self.config), "serve"],
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("a"),
            start_new_session=True,
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError("the relay exited: " + self.log.read_text()[-3000:])
            try:
                if requests.get(self.url + "/healthz", timeout=1, verify=self.ca or True).ok:
                    return
            except requests.exceptions.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("the relay did not start: " + self.log.read_text()[-3000:])

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)

    def health(self) -> dict:
        return requests.get(self.url + "/healthz", timeout=5, verify=self.ca or True).json()

    def wait_queue_empty(self, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            queue = self.health()["queue"]
            if queue["queued"] == 0:
                return queue
            time.sleep(0.1)
        raise AssertionError(f"the relay's queue did not empty: {self.health()}")

    def log_lines(self) -> list[dict]:
        out = []
        for line in self.log.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"raw": line})
        return out

    def __enter__(self) -> RelayLab:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _toml(tables: dict) -> str:
    lines = []
    for name, values in tables.items():
        lines.append(f"[{name}]")
        for key, value in values.items():
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def enrol(lab: RelayLab, token: str, name: str = "pc-1") -> str:
    """A device token straight from the API (for tests that play a desktop by hand)."""
    r = requests.post(
        lab.url + "/api/v1/enrol",
        json={"token": token, "name": name, "ally_version": "0.1.0"},
        timeout=10,
        verify=lab.ca or True,
    )
    assert r.status_code == 201, r.text
    return r.json()["device_token"]


def signed_in(lab: RelayLab, user: str, password: str) -> requests.Session:
    """A browser-less session signed in on IT's pages through the sign-in form."""
    session = requests.Session()
    r = session.post(
        lab.url + "/admin/login",
        data={"user": user, "password": password},
        allow_redirects=False,
        timeout=10,
        verify=lab.ca or True,
    )
    assert r.status_code == 303, r.text
    return session


def desktop_policy(path: Path, lab: RelayLab, token: str | None, ca: str | None = None) -> Path:
    relay = {"url": lab.url, "timeout_s": 5}
    if token:
        relay["enrolment_token"] = token
    if ca:
        relay["ca_bundle"] = ca
    path.write_text(
        _toml({"network": {"active_checks": False}, "transport": {"kind": "relay"}, "relay": relay})
    )
    return path


class Desktop:
    """One person's Ally on one computer: its own ALLY_HOME (outbox, test keyring)."""

    def __init__(self, folder, lab, token):
        folder.mkdir(parents=True, exist_ok=True)
        self.home = folder / "home"
        self.policy = desktop_policy(folder / "policy.toml", lab, token)

    def use_token(self, lab, token):
        desktop_policy(self.policy, lab, token)

    def ally(self, *args):
        return run_ally(*args, home=self.home, policy=self.policy)

    def report(self, note="The computer is slow since this morning."):
        return self.ally("report", "--symptom", "slow", "--note", note, "--yes", "--warm-up", "0")

    def keyring(self) -> dict:
        path = self.home / "test-keyring.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def sent_ids(self) -> list[str]:
        return [p.stem for p in (self.home / "data" / "outbox" / "sent").glob("*.json")]

    def waiting_ids(self) -> list[str]:
        folder = self.home / "data" / "outbox" / "pending"
        return [p.stem for p in folder.glob("*.json") if not p.name.endswith(".state.json")]


def number_in(text: str) -> str:
    m = re.search(r"IT has your report \(reference (\d+)\)\.", text)
    assert m, text
    return m.group(1)
