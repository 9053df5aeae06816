"""Several relay processes on one socket (``[server] workers``): each report is taken and
forwarded once whichever worker a device reaches, a revocation on IT's page counts at
once in every worker, and stopping the relay stops them all. PostgreSQL only."""

from __future__ import annotations

import json
import os
import time

import psutil
import pytest
import requests

from relay import config
from relay.context import Relay
from relay.workers import Shared
from tests.relay.lab import RelayLab, enrol
from tests.relay.pg_lab import PostgresLab, available
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


def test_a_revocation_in_one_worker_empties_every_workers_memory_of_devices():
    url = "postgresql://ally@127.0.0.1:9/none"
    settings = config.from_dict({"database": {"url": url}, "server": {"workers": 2}})
    shared = Shared()
    one, other = Relay(settings, shared), Relay(settings, shared)
    other.remember_device("token", "the device", other.revocation_mark())
    assert other.device_cached("token") == "the device"
    one.forget_devices()  # IT revoked a device on a page the first worker served
    assert other.device_cached("token") is None
    # a lookup that began before the revocation is not remembered as current
    mark = other.revocation_mark()
    one.forget_devices()
    other.remember_device("token", "the device", mark)
    assert other.device_cached("token") is None


@pytest.fixture(scope="module")
def postgres():
    why = available()
    if why:
        pytest.skip(why)
    lab = PostgresLab().start()
    try:
        yield lab
    finally:
        lab.stop()


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
