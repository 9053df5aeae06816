"""The relay's side of "nothing lost": a helpdesk that fails, refuses Ally's credentials or
is away keeps the reports at the relay (the desktop already has its receipt), and each
is delivered once when IT has fixed the cause. And a database that goes away is said by
the health check, not hidden."""

from __future__ import annotations

import json
import time

import requests

from desktop.reporting.report import dumps
from tests.relay.lab import HELPDESK_SECRET, RelayLab, enrol
from tests.webhook_server import Receiver


def send(lab, device, doc):
    r = requests.post(
        lab.url + "/api/v1/reports",
        data=dumps(doc),
        headers={"Authorization": f"Bearer {device}"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    return r.json()["number"]


def status(lab, device, number):
    return requests.get(
        lab.url + f"/api/v1/reports/{number}",
        headers={"Authorization": f"Bearer {device}"},
        timeout=10,
    ).json()


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_a_failing_then_refusing_helpdesk_keeps_reports_until_it_is_fixed(tmp_path, new_report):
    with Receiver(secret=HELPDESK_SECRET) as rx:
        rx.plan.extend(["500", "401"])
        with RelayLab(tmp_path, {"kind": "webhook", "url": rx.url, "timeout_s": 5}) as lab:
            device = enrol(lab, lab.token())
            doc = new_report()
            number = send(lab, device, doc)
            # 500: kept in the queue, to be tried again after the outbox's backoff
            wait_for(lambda: rx.requests == 1)
            wait_for(lambda: lab.health()["queue"]["queued"] == 1)
            assert status(lab, device, number)["state"] == "queued"
            assert lab.cli("retry", str(number)).returncode == 0  # IT: "Try again now"
            # 401: the helpdesk refused the relay's credentials: stopped until IT acts
            wait_for(lambda: lab.health()["queue"]["stopped"] == 1)
            assert status(lab, device, number)["state"] == "stopped"
            assert rx.tickets == {}
            assert lab.cli("retry").returncode == 0  # every stopped report
            wait_for(lambda: lab.health()["queue"]["delivered"] == 1)
            assert status(lab, device, number) == {
                "report_id": doc["id"],
                "number": number,
                "state": "delivered",
                "ticket": str(rx.tickets[doc["id"]]["id"]),
                "ticket_status": None,
            }
            assert list(rx.tickets) == [doc["id"]] and rx.requests == 3
            # each log line is written just after the state it tells of: wait for them
            wanted = {"not forwarded, will retry", "forwarding stopped until IT acts", "forwarded"}
            wait_for(lambda: wanted <= {e.get("msg") for e in lab.log_lines()})


def test_the_health_check_says_when_the_database_is_away(tmp_path, own_postgres):
    pg = own_postgres
    url = pg.create_database("relay")
    with RelayLab(
        tmp_path, {"kind": "folder", "folder": str(tmp_path / "hd")}, database=url
    ) as lab:
        assert lab.health()["database"] == "postgresql"
        pg.halt()  # the database goes away; the relay keeps running
        r = requests.get(lab.url + "/healthz", timeout=10)
        assert r.status_code == 503 and r.json()["database"] == "unreachable"
        assert lab.proc.poll() is None


def test_the_relay_takes_reports_again_when_postgresql_comes_back(
    tmp_path, new_report, own_postgres
):
    """PostgreSQL restarted under two running workers (an upgrade, a failover): every
    pooled connection is dead. The relay heals by itself, without a restart: the devices'
    next sends are taken, none is lost, and each is forwarded."""
    pg = own_postgres
    url = pg.create_database("relay")
    with Receiver(secret="s") as rx:
        lab = RelayLab(
            tmp_path,
            # a report whose receipt the database missed is sent again after its lease
            {"kind": "webhook", "url": rx.url, "timeout_s": 5, "lease_s": 5},
            database=url,
            server={"workers": 2},
            secret="s",
        )
        with lab:
            token = lab.token("--uses", "4")
            devices = [enrol(lab, token, f"pc-{i}") for i in range(4)]

            def send(i: int, doc: dict) -> int:
                return requests.post(
                    lab.url + "/api/v1/reports",
                    data=json.dumps(doc),
                    headers={"Authorization": f"Bearer {devices[i % 4]}"},
                    timeout=30,
                ).status_code

            before = [new_report() for _ in range(40)]
            assert {send(i, doc) for i, doc in enumerate(before)} == {201}  # pools in use
            pg.halt()
            pg.resume()
            after, refused = [new_report() for _ in range(40)], 0
            for i, doc in enumerate(after):
                for _ in range(5):  # a desktop keeps a refused report, sends it again
                    code = send(i, doc)
                    if code in (200, 201):
                        break
                    assert code >= 500, code
                    refused += 1
                assert code in (200, 201), f"report {i} still refused"
            print("sends refused after PostgreSQL came back:", refused)
            assert lab.health()["status"] == "ok"
            lab.wait_queue_empty()
        assert set(rx.tickets) == {doc["id"] for doc in before + after}
        assert len(rx.tickets) == 80  # one ticket each
