"""Several relay processes on one socket (``[server] workers``): each report is taken and
forwarded once whichever worker a device reaches, a revocation on IT's page counts at
once in every worker, and stopping the relay stops them all. PostgreSQL only."""

from __future__ import annotations

import asyncio
import json
import os
import time

import psutil
import pytest
import requests
from starlette.requests import Request

from relay import config
from relay.api import device_of
from relay.context import DEVICE_CACHE_S, Relay
from relay.db import engine_for, upgrade
from relay.store import Refused, Store
from relay.workers import Shared
from tests.relay.lab import RelayLab, enrol
from tests.webhook_server import Receiver


def test_more_than_one_worker_needs_postgresql():
    with pytest.raises(config.ConfigError) as err:
        config.from_dict({"database": {"url": "sqlite:////tmp/x.db"}, "server": {"workers": 2}})
    assert "[server] workers = 2 needs PostgreSQL" in str(err.value)
    for bad in (0, 65, "2"):
        with pytest.raises(config.ConfigError) as err:
            config.from_dict({"server": {"workers": bad}})
        assert "[server] workers" in str(err.value)
    url = "postgresql://ally@db/ally_relay"
    assert (
        config.from_dict({"database": {"url": url}, "server": {"workers": 2}}).server.workers == 2
    )


def test_a_limit_holds_for_all_workers_together():
    """Workers forked from one parent take from the same buckets: a burst of 30 is 30,
    however a device's requests are spread over them (the kernel chooses)."""
    url = "postgresql://ally@127.0.0.1:9/none"  # never connected to here
    settings = config.from_dict(
        {"database": {"url": url}, "server": {"workers": 2}, "limits": {"report_burst": 30}}
    )
    shared = Shared()
    parent_view = Relay(settings, shared)
    pids = []
    for share in (25, 15):  # uneven, as the kernel may spread them
        pid = os.fork()
        if pid == 0:  # a worker: take its share, say how many were allowed
            worker = Relay(settings, shared)
            allowed = sum(worker.report_limit.take("pc") == 0 for _ in range(share))
            os._exit(allowed)
        _, status = os.waitpid(pid, 0)
        pids.append(os.waitstatus_to_exitcode(status))
    assert pids == [25, 5]  # 30 in all, not 15 in each
    assert parent_view.report_limit.take("pc") > 0  # the parent sees the bucket empty too
    assert parent_view.report_limit.take("another pc") == 0


def _asking(token: str) -> Request:
    """A device's request as the API sees it: only its bearer token matters here."""
    headers = [(b"authorization", f"Bearer {token}".encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


def _counting(relay: Relay) -> dict[str, int]:
    """How often a relay asks the database for a device and for the revocation count."""
    asked = {"device": 0, "device_generation": 0}
    for name in asked:
        real = getattr(relay.store, name)

        def counted(*args, _real=real, _name=name):  # type: ignore[no-untyped-def]
            asked[_name] += 1
            return _real(*args)

        setattr(relay.store, name, counted)
    return asked


def test_a_device_is_remembered_until_a_revocation_reaches_the_worker(tmp_path):
    """Two workers (one Shared) and the command line (its own Store) on one database,
    with a clock of the test's own: a remembered device is let in without asking the
    database; a revocation on IT's page empties every worker's memory at once, one from
    the command line counts at the next check, at most DEVICE_CACHE_S later."""
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    upgrade(url)
    settings = config.from_dict({"database": {"url": url}})
    shared = Shared()
    one, other = Relay(settings, shared), Relay(settings, shared)
    now = [1000.0]
    for worker in (one, other):
        worker.monotonic = lambda: now[0]
    asked = _counting(other)
    command_line = Store(engine_for(url))
    enrol_token = str(command_line.create_enrolment_token(max_uses=None))
    a, b = (command_line.enrol(enrol_token, n, "0.1.0", "127.0.0.1") for n in ("a", "b"))

    def let_in(worker: Relay, device) -> str:  # type: ignore[no-untyped-def]
        try:
            return asyncio.run(device_of(worker, _asking(str(device)))).id
        except Refused as exc:
            return exc.reason

    assert let_in(other, a) == a.id and asked == {"device": 1, "device_generation": 1}
    now[0] += DEVICE_CACHE_S - 0.01
    assert let_in(other, a) == a.id and asked == {"device": 1, "device_generation": 1}
    # The command line revokes a: within DEVICE_CACHE_S of the last check it still gets in
    # (the documented window); at DEVICE_CACHE_S the worker asks, sees, forgets.
    assert command_line.revoke_device(a.id)
    assert let_in(other, a) == a.id
    now[0] += 0.01
    assert let_in(other, a) == "revoked" and asked == {"device": 2, "device_generation": 2}
    assert let_in(other, b) == b.id and asked["device"] == 3  # forgotten too, found again
    assert let_in(other, b) == b.id and asked["device"] == 3
    # IT revokes on a page another worker served: every worker forgets at once.
    one.forget_devices()
    assert let_in(other, b) == b.id and asked["device"] == 4
    # A look-up that began before the count moved is not remembered as current.
    mark = other.revocation_mark()
    c = command_line.enrol(enrol_token, "c", "0.1.0", "127.0.0.1")
    assert command_line.revoke_device(c.id)
    now[0] += DEVICE_CACHE_S
    asyncio.run(other.check_revocations())
    other.remember_device(str(b), b, mark)
    assert other.device_cached(str(b)) is None


def test_requests_arriving_together_wait_for_one_revocation_check(tmp_path):
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    upgrade(url)
    worker = Relay(config.from_dict({"database": {"url": url}}))
    asked = _counting(worker)
    store = worker.store
    device = store.enrol(str(store.create_enrolment_token()), "pc", "0.1.0", "127.0.0.1")

    async def twenty() -> list[str]:
        rows = await asyncio.gather(*(device_of(worker, _asking(str(device))) for _ in range(20)))
        return [row.id for row in rows]

    assert asyncio.run(twenty()) == [device.id] * 20
    assert asked["device_generation"] == 1


def test_two_workers_take_and_forward_each_report_once(postgres, tmp_path, new_report):
    with Receiver(secret="s") as rx:
        lab = RelayLab(
            tmp_path,
            {"kind": "webhook", "url": rx.url, "timeout_s": 5},
            database=postgres.create_database("workers"),
            server={"workers": 2},
            secret="s",
        )
        with lab:
            parent = psutil.Process(lab.proc.pid)
            workers = parent.children()
            assert len(workers) == 2
            token = lab.token("--uses", "4")
            devices = [enrol(lab, token, f"pc-{i}") for i in range(4)]
            sent = []
            for i in range(80):  # a new connection each time: either worker may take it
                doc = new_report()
                r = requests.post(
                    lab.url + "/api/v1/reports",
                    data=json.dumps(doc),
                    headers={"Authorization": f"Bearer {devices[i % 4]}"},
                    timeout=10,
                )
                assert r.status_code == 201, r.text
                sent.append(doc["id"])
            lab.wait_queue_empty()
            takers = [
                line["pid"]
                for line in lab.log_lines()
                if line.get("path") == "/api/v1/reports" and line.get("status") == 201
            ]
            print("reports taken per worker:", {pid: takers.count(pid) for pid in set(takers)})
            assert set(takers) == {w.pid for w in workers}  # both took reports
        assert set(rx.tickets) == set(sent)
        assert rx.requests == len(sent)  # not one report sent twice
        deadline = time.monotonic() + 15
        while any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers):
            assert time.monotonic() < deadline, "a worker outlived the relay"
            time.sleep(0.1)


def test_a_worker_that_dies_is_replaced(postgres, tmp_path):
    lab = RelayLab(
        tmp_path,
        {"kind": "folder", "folder": str(tmp_path / "helpdesk")},
        database=postgres.create_database("replaced"),
        server={"workers": 2},
        secret=None,
    )
    with lab:
        parent = psutil.Process(lab.proc.pid)
        first = {w.pid for w in parent.children()}
        psutil.Process(min(first)).kill()
        deadline = time.monotonic() + 30
        while True:
            now = {w.pid for w in parent.children()}
            if len(now) == 2 and now != first:
                break
            assert time.monotonic() < deadline, now
            time.sleep(0.1)
        for _ in range(10):
            assert lab.health()["status"] == "ok"
        assert any(
            line.get("msg") == "a relay worker ended; starting another" for line in lab.log_lines()
        )
