"""Real, isolated networks for the network-walk tests: Linux network namespaces.

One "world" namespace plays the internet (see world.py); each scenario gets a client
namespace joined to it by a veth pair on its own 198.18.N.0/24 (the range set aside for
network tests, RFC 2544). Traffic never leaves these namespaces. Everything is removed
at the end, and left-overs of an earlier, killed run are removed at the start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.certs import ca_and_server
from tests.own_machine import OwnMachine

PREFIX = "allyt"
HERE = Path(__file__).parent


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=30)


def available() -> str | None:
    """None if the lab can be built here, else why not (for the skip message)."""
    if not sys.platform.startswith("linux"):
        return "network namespaces are Linux only"
    if os.geteuid() != 0:
        return "needs root to create network namespaces (ip netns); CI runs as root"
    for tool in ("ip", "tc", "openssl"):
        if shutil.which(tool) is None:
            return f"needs '{tool}' (apt install iproute2 openssl); .ci/run installs it"
    return None


def netem_available() -> bool:
    """Whether this kernel has the netem queueing discipline (some VM kernels do not)."""
    probe = f"{PREFIX}probe{os.getpid() % 100000}"
    sh("ip", "netns", "add", probe, check=False)
    try:
        sh(
            "ip",
            "netns",
            "exec",
            probe,
            "ip",
            "link",
            "add",
            "p0",
            "type",
            "veth",
            "peer",
            "name",
            "p1",
        )
        return (
            sh(
                "ip",
                "netns",
                "exec",
                probe,
                "tc",
                "qdisc",
                "add",
                "dev",
                "p0",
                "root",
                "netem",
                "delay",
                "1ms",
                check=False,
            ).returncode
            == 0
        )
    finally:
        sh("ip", "netns", "delete", probe, check=False)


@dataclass
class Client:
    index: int
    namespace: str
    address: str
    world_address: str
    world_link: str
    extra: dict = field(default_factory=dict)


class NetLab:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.tag = str(os.getpid() % 100000)
        self.world = f"{PREFIX}w{self.tag}"
        self.clients: dict[str, Client] = {}
        self.world_proc: subprocess.Popen | None = None
        self.helpers: list[subprocess.Popen] = []
        self.notes: list[str] = []

    # --- building ---------------------------------------------------------------------

    @staticmethod
    def clean_leftovers() -> None:
        for line in sh("ip", "netns", "list", check=False).stdout.splitlines():
            name = line.split()[0] if line.split() else ""
            if name.startswith(PREFIX):
                sh("ip", "netns", "delete", name, check=False)
                shutil.rmtree(f"/etc/netns/{name}", ignore_errors=True)

    def make_certificates(self) -> tuple[Path, Path, Path]:
        return ca_and_server(self.workdir, ["www.ally.test", "check.ally.test", "it.ally.test"])

    def start(self, captive: list[int]) -> Path:
        self.clean_leftovers()
        sh("ip", "netns", "add", self.world)
        sh("ip", "-n", self.world, "link", "set", "lo", "up")
        ca, cert, key = self.make_certificates()
        self.proxy_log = self.workdir / "proxy.log"
        self._world_args = [
            "--cert",
            str(cert),
            "--key",
            str(key),
            "--proxy-log",
            str(self.proxy_log),
        ] + [a for i in captive for a in ("--captive", str(i))]
        return ca

    def add_client(
        self,
        name: str,
        index: int,
        *,
        route_via: str | None = "gateway",
        nameserver: str | None = "world",
        netem: str | None = None,
    ) -> Client:
        ns = f"{PREFIX}c{index}x{self.tag}"
        inner, outer = f"c{index}x{self.tag}", f"w{index}x{self.tag}"
        world_ip, client_ip = f"198.18.{index}.1", f"198.18.{index}.2"
        client = Client(index, ns, client_ip, world_ip, outer)
        self.clients[name] = client  # registered first, so a half-built one is removed too
        sh("ip", "netns", "add", ns)
        sh(
            "ip",
            "link",
            "add",
            inner,
            "netns",
            ns,
            "type",
            "veth",
            "peer",
            "name",
            outer,
            "netns",
            self.world,
        )
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "addr", "add", f"{client_ip}/24", "dev", inner)
        sh("ip", "-n", ns, "link", "set", inner, "up")
        sh("ip", "-n", self.world, "addr", "add", f"{world_ip}/24", "dev", outer)
        sh("ip", "-n", self.world, "link", "set", outer, "up")
        if route_via == "gateway":
            sh("ip", "-n", ns, "route", "add", "default", "via", world_ip)
        elif route_via:
            sh("ip", "-n", ns, "route", "add", "default", "via", route_via)
        resolver = world_ip if nameserver == "world" else nameserver
        etc = Path("/etc/netns") / ns
        etc.mkdir(parents=True, exist_ok=True)
        (etc / "resolv.conf").write_text(f"nameserver {resolver}\n" if resolver else "")
        (etc / "hosts").write_text("127.0.0.1 localhost\n")
        if netem:
            sh(
                "ip",
                "netns",
                "exec",
                self.world,
                "tc",
                "qdisc",
                "add",
                "dev",
                outer,
                "root",
                "netem",
                *netem.split(),
            )
        return client

    def add_impaired_client(self, name: str, index: int, delay_ms: int, loss_pct: float) -> Client:
        """A client whose only link to the world has real delay and loss: tc netem where
        the kernel has it, else the user-space link emulator (link_emulator.py)."""
        if netem_available():
            return self.add_client(name, index, netem=f"delay {delay_ms}ms loss {loss_pct}%")
        self.notes.append(
            "sch_netem is missing from this kernel: delay and loss come from link_emulator.py"
        )
        ns = f"{PREFIX}c{index}x{self.tag}"
        world_ip, client_ip = f"198.18.{index}.1", f"198.18.{index}.2"
        client = Client(index, ns, client_ip, world_ip, "emu")
        self.clients[name] = client
        sh("ip", "netns", "add", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        etc = Path("/etc/netns") / ns
        etc.mkdir(parents=True, exist_ok=True)
        (etc / "resolv.conf").write_text(f"nameserver {world_ip}\n")
        (etc / "hosts").write_text("127.0.0.1 localhost\n")
        # Half the delay and loss each way, so a round trip sees the whole of both.
        proc = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "link_emulator.py"),
                ns,
                client_ip,
                self.world,
                world_ip,
                str(delay_ms / 2),
                str(loss_pct / 2),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.helpers.append(proc)
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"link emulator did not start: {proc.stderr.read()}")
        return client

    def run_world(self) -> None:
        self.world_proc = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                self.world,
                sys.executable,
                str(HERE / "world.py"),
                *self._world_args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.world_proc.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"the test world did not start: {self.world_proc.stderr.read()}")

    # --- using ------------------------------------------------------------------------

    def diagnose(
        self, client: Client, policy: Path, symptom: str = "internet", proxy: str | None = None
    ) -> tuple[dict, float]:
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        if proxy:
            env["http_proxy"] = proxy
        env["ALLY_POLICY"] = str(policy)
        env["ALLY_HOME"] = str(self.workdir / f"home-{client.index}")
        # The walk is judged on a quiet machine of the test's own: the namespace hides the
        # network, not this machine's processor, memory and pressure figures.
        with OwnMachine(self.workdir / f"machine-{client.index}") as machine:
            t0 = time.monotonic()
            out = self._diagnose_in(client, machine, symptom, env)
            elapsed = time.monotonic() - t0
        if out.returncode != 0:
            raise RuntimeError(f"diagnose failed in {client.namespace}: {out.stderr}")
        import json

        return json.loads(out.stdout), elapsed

    def _diagnose_in(
        self, client: Client, machine: OwnMachine, symptom: str, env: dict[str, str]
    ) -> subprocess.CompletedProcess:
        # The machine first: its control group is joined through /sys, which
        # `ip netns exec` remounts for the namespace (without the control groups).
        return subprocess.run(
            [
                *machine.prefix(),
                "ip",
                "netns",
                "exec",
                client.namespace,
                sys.executable,
                "-m",
                "desktop",
                "diagnose",
                "--symptom",
                symptom,
                "--json",
                "--warm-up",
                "0.2",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            cwd=str(HERE.parent.parent),
        )

    # --- removing ---------------------------------------------------------------------

    def stop(self) -> None:
        for proc in self.helpers:
            proc.kill()
            proc.wait(10)
        if self.world_proc is not None:
            self.world_proc.kill()
            self.world_proc.wait(10)
        for client in self.clients.values():
            sh("ip", "netns", "delete", client.namespace, check=False)
            shutil.rmtree(f"/etc/netns/{client.namespace}", ignore_errors=True)
        sh("ip", "netns", "delete", self.world, check=False)
