"""Ally Relay on this machine: reports taken per second from many devices (SQLite and
PostgreSQL), the time to forward a 10,000-report backlog to a webhook receiver on
loopback, and what enrolment and a send through the relay add to a desktop's path.

Run alone: ``.venv/bin/python -m benchmarks.bench_relay`` (writes benchmarks/RELAY-RESULTS.md;
about 5 minutes). Everything runs on loopback: the relay, the load, the receiver, the
database. The load generator shares the machine's two cores with the relay, so the
intake figures are a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import copy
import hashlib
import json
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose
from desktop.reporting import report
from tests.relay.lab import HELPDESK_SECRET, RelayLab, enrol
from tests.webhook_server import Receiver

DEVICES = 64
PROCESSES = 4  # load generators; each runs DEVICES / PROCESSES devices on threads
INTAKE_REPORTS = 4000
BACKLOG = 10_000
RUNS = 3
# Relay processes ([server] workers): SQLite takes one writer, so one process; PostgreSQL
# with one worker per core of this 2-core machine.
WORKERS = {"SQLite": 1, "PostgreSQL 15": 2}
OUT = Path(__file__).parent / "RELAY-RESULTS.md"
INTAKE_JSON = Path(__file__).parent / "RELAY-INTAKE.json"
NO_LIMITS = {"report_burst": 10_000_000, "reports_per_hour": 1e12, "enrolments_per_minute": 1e9}


def sample() -> dict:
    d = diagnose("slow", sampler=Sampler(SamplerSettings(interval_s=0.2)), warm_up_s=0.5)
    return report.build(d, note="Everything is slow since lunch.")


class _Device:
    """One simulated device's kept-alive HTTP/1.1 connection, on a plain socket.

    Why not http.client: the devices share this machine's two cores with the relay, and
    http.client spent about 0.46 ms of CPU per report building headers and parsing the
    answer's with the email package (measured 2026-11-30: 0.15 ms this way) — time taken
    from the relay under test, which a real fleet's devices spend on their own machines.
    On the wire it does what http.client does: the head in one send, the body in the
    next, with TCP_NODELAY.
    """

    def __init__(self, host: str, port: int, token: str) -> None:
        self.sock = socket.create_connection((host, port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.head = (
            f"POST /api/v1/reports HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        )
        self.pending = b""  # bytes read past the end of the last answer

    def post(self, body: bytes) -> int:
        """Send one report and read its whole answer; the answer's status."""
        self.sock.sendall(f"{self.head}Content-Length: {len(body)}\r\n\r\n".encode())
        self.sock.sendall(body)
        while b"\r\n\r\n" not in self.pending:
            self.pending += self._read()
        head, _, rest = self.pending.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                raise ValueError("the relay answered chunked; this client reads lengths only")
        while len(rest) < length:
            rest += self._read()
        self.pending = rest[length:]
        return status

    def _read(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the relay closed a kept-alive connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


def _device_load(
    url: str, tokens: list[str], base: dict, per_device: int
) -> tuple[list[float], float, float, float]:
    """One load process: each device on its own thread with its own kept-alive
    connection. The bodies are made before the clock starts: the devices' own work is
    not the relay's."""
    from urllib.parse import urlparse

    host, port = urlparse(url).hostname, urlparse(url).port
    bodies = {}
    for token in tokens:
        bodies[token] = []
        for _ in range(per_device):
            doc = copy.deepcopy(base)
            doc["id"] = str(uuid.uuid4())
            bodies[token].append(json.dumps(doc).encode())
    start = threading.Barrier(len(tokens))

    def one(token: str) -> list[float]:
        device = _Device(host, port, token)
        out = []
        start.wait()
        for body in bodies[token]:
            t0 = time.perf_counter()
            status = device.post(body)
            out.append(time.perf_counter() - t0)
            assert status == 201, status
        device.close()
        return out

    cpu_before = time.process_time()
    with concurrent.futures.ThreadPoolExecutor(len(tokens)) as pool:
        futures = [pool.submit(one, t) for t in tokens]
        began = time.perf_counter()  # CLOCK_MONOTONIC: the same clock in every process
        latencies = [x for f in futures for x in f.result()]
    return latencies, began, time.perf_counter(), time.process_time() - cpu_before


def _server_cpu(pid: int | None) -> dict[int, float]:
    """CPU seconds of a database server's processes, by pid: the postmaster's own and
    its reaped children's under its pid, each live backend under its own."""
    import psutil

    if pid is None:
        return {}
    try:
        root = psutil.Process(pid)
        out = {pid: sum(root.cpu_times())}  # user, system, children_user, children_system
        for p in root.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                out[p.pid] = sum(p.cpu_times()[:2])
    except psutil.NoSuchProcess:
        return {}
    return out


def intake(lab: RelayLab, base: dict, server_pid: int | None = None) -> dict:
    import psutil

    load_before = round(os.getloadavg()[0], 2)
    enrol_token = lab.token()
    tokens = [enrol(lab, enrol_token, f"bench-{i}") for i in range(DEVICES)]
    relay = psutil.Process(lab.proc.pid)
    processes = [relay, *relay.children(recursive=True)]  # the workers, when there are

    def relay_cpu() -> float:
        return sum(sum(p.cpu_times()[:2]) for p in processes)

    server_before = _server_cpu(server_pid)
    cpu_before = relay_cpu()
    per_device = INTAKE_REPORTS // DEVICES
    groups = [tokens[i::PROCESSES] for i in range(PROCESSES)]
    with concurrent.futures.ProcessPoolExecutor(PROCESSES) as pool:
        parts = list(
            pool.map(
                _device_load,
                [lab.url] * PROCESSES,
                groups,
                [base] * PROCESSES,
                [per_device] * PROCESSES,
            )
        )
    cpu = relay_cpu() - cpu_before
    server_after = _server_cpu(server_pid)  # before the relay stops: its backends still live
    server = sum(v - server_before.get(k, 0.0) for k, v in server_after.items())
    latencies = [x for lat, _, _, _ in parts for x in lat]
    elapsed = max(end for _, _, end, _ in parts) - min(began for _, began, _, _ in parts)
    load_cpu = sum(cpu for _, _, _, cpu in parts)
    latencies.sort()
    return {
        "reports": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
        "relay_cpu_ms_per_report": 1000 * cpu / len(latencies),
        "server_cpu_ms_per_report": 1000 * server / len(latencies) if server_pid else None,
        "load_cpu_ms_per_report": 1000 * load_cpu / len(latencies),  # the simulated devices
        "load_average_1min_before": load_before,
    }


def intake_runs(
    database_for,
    base: dict,
    folder: Path,
    workers: int = 1,
    server_pid: int | None = None,
    runs: int = RUNS,
) -> list[dict]:
    out = []
    for i in range(runs):
        # Forwarding is off on this relay (threads = 0, as on a relay that only takes
        # reports in while another forwards): only taking reports in is measured.
        lab = RelayLab(
            folder / f"intake-{i}",
            {"kind": "webhook", "url": "http://127.0.0.1:9/none", "timeout_s": 2, "threads": 0},
            database=database_for(i),
            limits=NO_LIMITS,  # one address plays 64 devices: the per-address limits are lifted
            server={"workers": workers},
        )
        with lab:
            out.append(intake(lab, base, server_pid))
    return out


def backlog(database: str, base: dict, folder: Path, workers: int = 1) -> dict:
    """10,000 reports already queued; the relay starts and forwards them all."""
    from relay.db import engine_for, upgrade
    from relay.schema import reports
    from relay.store import Store

    with Receiver(secret=HELPDESK_SECRET) as rx:
        lab = RelayLab(
            folder,
            {"kind": "webhook", "url": rx.url, "timeout_s": 10, "threads": 4},
            database=database,
            server={"workers": workers},
        )
        upgrade(lab.database)
        store = Store(engine_for(lab.database))
        device = store.enrol(str(store.create_enrolment_token()), "bench", "0", "127.0.0.1")
        rows = []
        for _ in range(BACKLOG):
            doc = copy.deepcopy(base)
            doc["id"] = str(uuid.uuid4())
            body = json.dumps(doc).encode()
            rows.append(
                {
                    "report_id": doc["id"],
                    "device_id": device.id,
                    "received_at": time.time(),
                    "body": body,
                    "body_sha256": hashlib.sha256(body).hexdigest(),
                    "size": len(body),
                    "symptom": "slow",
                    "hostname": "bench",
                    "headline": "",
                    "state": "queued",
                    "attempts": 0,
                    "next_attempt_at": 0.0,
                }
            )
        with store.engine.begin() as c:  # one transaction: filling the queue is not measured
            c.execute(reports.insert(), rows)
        store.engine.dispose()
        t0 = time.perf_counter()
        with lab:
            lab.wait_queue_empty(timeout=600)
            elapsed = time.perf_counter() - t0
        assert len(rx.tickets) == BACKLOG and rx.requests == BACKLOG
    return {"reports": BACKLOG, "seconds": elapsed, "per_s": BACKLOG / elapsed}


def desktop_path(base: dict, folder: Path) -> dict:
    """Enrolment once, then a send through the relay, next to today's webhook send."""
    import keyring

    from ally_helpdesk.transports.webhook import WebhookTransport
    from desktop.policy.config import Policy
    from desktop.reporting.transports.relay import KEYRING_NAME, RelayTransport
    from tests.file_keyring import FileKeyring

    os.environ["ALLY_HOME"] = str(folder / "home")
    keyring.set_keyring(FileKeyring())
    enrol_ms, relay_ms, webhook_ms = [], [], []
    with Receiver(secret=HELPDESK_SECRET) as rx:
        lab = RelayLab(folder / "relay", {"kind": "webhook", "url": rx.url}, limits=NO_LIMITS)
        with lab:
            token = lab.token()
            policy = Policy.from_dict(
                {
                    "transport": {"kind": "relay"},
                    "relay": {"url": lab.url, "enrolment_token": token},
                }
            )
            for _ in range(30):
                keyring.get_keyring().set_password("Ally", KEYRING_NAME, "")  # not enrolled
                t = RelayTransport(policy)
                t0 = time.perf_counter()
                t.ensure_enrolled()
                enrol_ms.append(1000 * (time.perf_counter() - t0))
            webhook = WebhookTransport(rx.url, HELPDESK_SECRET)
            for _ in range(60):
                doc = copy.deepcopy(base)
                doc["id"] = str(uuid.uuid4())
                body = report.dumps(doc)
                t = RelayTransport(policy)  # a fresh connection, as a new report would have
                t0 = time.perf_counter()
                t.send(doc, body)
                relay_ms.append(1000 * (time.perf_counter() - t0))
                t0 = time.perf_counter()
                webhook.send(doc, body)
                webhook_ms.append(1000 * (time.perf_counter() - t0))
    return {"enrol_ms": enrol_ms, "relay_ms": relay_ms, "webhook_ms": webhook_ms}


def _spread(values: list[float], fmt: str = "{:.1f}") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def _server_spread(runs: list[dict]) -> str:
    values = [x["server_cpu_ms_per_report"] for x in runs]
    if None in values:
        return "in the relay's own"  # SQLite runs inside the relay process
    return _spread(values, "{:.2f}")


def _keep(results: dict, path: Path) -> None:
    """Each stage's figures are written as soon as they exist (a long run may fail late)."""
    results.setdefault("load_average_1min", []).append(round(os.getloadavg()[0], 2))
    path.write_text(json.dumps(results, indent=1))
    print({k: v for k, v in results.items() if k != "desktop"}, flush=True)


def run(runs: int = RUNS, intake_only: bool = False) -> dict:
    """Every stage, SQLite then PostgreSQL, each written down as soon as it is measured.
    ``intake_only``: reports taken per second alone, for comparing a change before and
    after (written to RELAY-INTAKE.json; RELAY-RESULTS stays as it is)."""
    from tests.relay.pg_lab import PostgresLab, available

    path = INTAKE_JSON if intake_only else OUT.with_suffix(".json")
    base = sample()
    results: dict = {"report_bytes": len(report.dumps(base))}
    with tempfile.TemporaryDirectory(prefix="ally-bench-relay-") as tmp:
        folder = Path(tmp)
        results["sqlite_intake"] = intake_runs(
            lambda i: f"sqlite:///{folder}/intake-{i}.db", base, folder, runs=runs
        )
        _keep(results, path)
        if not intake_only:
            results["sqlite_backlog"] = backlog(
                f"sqlite:///{folder}/backlog.db", base, folder / "bl"
            )
            _keep(results, path)
        if available() is None:
            pg = PostgresLab().start()
            try:
                results["pg_intake"] = intake_runs(
                    lambda i: pg.create_database(f"intake{i}"),
                    base,
                    folder / "pg",
                    WORKERS["PostgreSQL 15"],
                    server_pid=pg.proc.pid,
                    runs=runs,
                )
                _keep(results, path)
                if not intake_only:
                    results["pg_backlog"] = backlog(
                        pg.create_database("backlog"),
                        base,
                        folder / "pgbl",
                        WORKERS["PostgreSQL 15"],
                    )
                    _keep(results, path)
            finally:
                pg.stop()
        if not intake_only:
            results["desktop"] = desktop_path(base, folder / "desktop")
    return results


def markdown(r: dict) -> str:
    lines = [
        "# Ally Relay — measured",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {sys.version.split()[0]}; "
        "shared with other work, so figures vary. The relay, the load, the receiver and the "
        "database all run on this one machine over loopback. Load average (1 min) of the "
        f"machine after each stage: {r.get('load_average_1min')} (its own earlier stages and whatever else ran included).",
        "",
        f"A report is a real one from `diagnose('slow')` ({r['report_bytes'] / 1024:.0f} KB of JSON), "
        "with a fresh id each time; every report is checked against the report schema and "
        "committed (SQLite: WAL, synchronous=FULL; PostgreSQL: synchronous_commit on, the "
        "body lz4-compressed) before the receipt is sent.",
        "",
        "## Reports taken per second",
        "",
        f"{DEVICES} enrolled devices, each on its own connection, spread over {PROCESSES} load "
        f"processes (bodies made before the clock starts, kept-alive connections, plain "
        "sockets that send the way http.client does, so the load takes less of the cores "
        "the relay is measured on); "
        f"{INTAKE_REPORTS} reports per run, {RUNS} runs, a fresh relay and database each "
        "run; forwarding is off on the measured relay (`[forward] threads = 0`) so that only "
        "taking reports in is measured. The relay's own CPU time per report is the figure "
        "that does not depend on what else the machine is doing: one core gives "
        "1000 / that many reports a second. The PostgreSQL server's processes and the load "
        "generators are measured the same way (CPU time during the run / reports). "
        "Median (min–max) over the runs.",
        "",
        "| database | relay processes | reports/s | latency p50 ms | latency p99 ms "
        "| relay CPU ms per report | database server CPU ms per report "
        "| load generators CPU ms per report |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, name in (("sqlite_intake", "SQLite"), ("pg_intake", "PostgreSQL 15")):
        if key in r:
            runs = r[key]
            lines.append(
                f"| {name} | {WORKERS[name]} | {_spread([x['per_s'] for x in runs], '{:.0f}')} | "
                f"{_spread([x['p50_ms'] for x in runs])} | {_spread([x['p99_ms'] for x in runs])} | "
                f"{_spread([x['relay_cpu_ms_per_report'] for x in runs])} | "
                f"{_server_spread(runs)} | "
                f"{_spread([x['load_cpu_ms_per_report'] for x in runs], '{:.2f}')} |"
            )
    lines += [
        "",
        "## Forwarding a backlog",
        "",
        f"{BACKLOG:,} reports already queued; the relay starts and forwards them with 4 threads "
        "per relay process to a signed-webhook receiver on loopback (Python's threading HTTP "
        "server) that keeps one ticket per report id. One run each.",
        "",
        "| database | relay processes | seconds for 10,000 | reports/s |",
        "|---|---|---|---|",
    ]
    for key, name in (("sqlite_backlog", "SQLite"), ("pg_backlog", "PostgreSQL 15")):
        if key in r:
            b = r[key]
            lines.append(f"| {name} | {WORKERS[name]} | {b['seconds']:.1f} | {b['per_s']:.0f} |")
    d = r["desktop"]
    lines += [
        "",
        "## What the relay adds to a desktop's path",
        "",
        "Median (min–max) in ms on loopback, each with a new connection as a new report has.",
        "",
        "| step | ms |",
        "|---|---|",
        f"| enrolment (once per person; 30 times) | {_spread(d['enrol_ms'])} |",
        f"| one send through the relay, until its receipt (60 times) | {_spread(d['relay_ms'])} |",
        f"| one send with today's signed webhook, for comparison (60 times) | {_spread(d['webhook_ms'])} |",
        "",
        "Method: `benchmarks/bench_relay.py`.",
    ]
    return "\n".join(lines) + "\n"


def print_intake(results: dict) -> None:
    """The intake-only figures, one line per database."""
    for key in ("sqlite_intake", "pg_intake"):
        if key not in results:  # no PostgreSQL on this machine
            print(key, "not measured")
            continue
        runs_ = results[key]
        print(
            key,
            "reports/s",
            _spread([x["per_s"] for x in runs_], "{:.0f}"),
            "relay CPU ms",
            _spread([x["relay_cpu_ms_per_report"] for x in runs_], "{:.2f}"),
            "server CPU ms",
            [round(x["server_cpu_ms_per_report"] or 0, 2) for x in runs_],
            "load CPU ms",
            [round(x.get("load_cpu_ms_per_report", 0), 2) for x in runs_],
            "load before",
            [x["load_average_1min_before"] for x in runs_],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--intake-only",
        action="store_true",
        help="only reports taken per second (no file rewritten)",
    )
    parser.add_argument("--runs", type=int, default=RUNS, help="runs of the intake (--intake-only)")
    args = parser.parse_args()
    if args.intake_only:
        print_intake(run(args.runs, intake_only=True))
        return
    results = run()
    OUT.write_text(markdown(results))
    (OUT.with_suffix(".json")).write_text(json.dumps(results, indent=1))
    print(OUT.read_text())


if __name__ == "__main__":
    main()
