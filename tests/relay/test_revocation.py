"""A revoked device's token stops working in every relay process within DEVICE_CACHE_S
of the command line saying "revoked", while the relay keeps letting in the devices it
remembers without asking the database each time. Real relay processes: SQLite with one,
PostgreSQL with two workers on one socket; the real ``ally-relay device revoke``."""

from __future__ import annotations

import threading
import time

import psutil
import pytest
import requests

from relay.context import DEVICE_CACHE_S
from tests.relay.lab import RelayLab, enrol

AFTER_S = 2.0  # how long past the promise the devices keep asking


@pytest.fixture(params=["sqlite", "postgresql"])
def relay(request, tmp_path):
    if request.param == "sqlite":
        database, workers = None, 1
    else:
        database = request.getfixturevalue("postgres").create_database("revocation")
        workers = 2
    lab = RelayLab(
        tmp_path,
        {"kind": "folder", "folder": str(tmp_path / "helpdesk")},
        database=database,
        server={"workers": workers},
        secret=None,
    )
    with lab:
        yield lab


def ask(lab: RelayLab, token: str) -> tuple[float, int]:
    """When a device began to ask who it is (a new connection: any worker may answer)."""
    began = time.monotonic()
    r = requests.get(
        lab.url + "/api/v1/device",
        headers={"Authorization": f"Bearer {token}", "Connection": "close"},
        timeout=30,
    )
    return began, r.status_code


def served_by(lab: RelayLab, status: int) -> set[int]:
    return {
        line["pid"]
        for line in lab.log_lines()
        if line.get("path") == "/api/v1/device" and line.get("status") == status
    }


def test_a_token_revoked_on_the_command_line_stops_within_the_promise(relay):
    workers = {p.pid for p in psutil.Process(relay.proc.pid).children()} or {relay.proc.pid}
    enrol_token = relay.token("--uses", "2")
    revoked, kept = enrol(relay, enrol_token, "revoked"), enrol(relay, enrol_token, "kept")
    deadline = time.monotonic() + 60
    while served_by(relay, 200) != workers:  # every worker has let the device in
        assert time.monotonic() < deadline, (served_by(relay, 200), workers)
        assert ask(relay, revoked)[1] == 200
    answers: list[tuple[float, int]] = []
    kept_answers: list[int] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            answers.append(ask(relay, revoked))
            kept_answers.append(ask(relay, kept)[1])

    askers = [threading.Thread(target=keep_asking) for _ in range(4)]
    for t in askers:
        t.start()
    try:
        device_id = revoked.split(".")[1]
        out = relay.cli("device", "revoke", device_id)
        said_revoked = time.monotonic()  # the revocation was committed before this
        assert out.returncode == 0 and "revoked" in out.stdout, out
        promised = said_revoked + DEVICE_CACHE_S
        while time.monotonic() < promised + AFTER_S:
            stop.wait(0.05)
    finally:
        stop.set()
        for t in askers:
            t.join(60)
    late = [(round(b - said_revoked, 3), s) for b, s in answers if b > promised and s != 401]
    assert late == [], late  # not one request let in past the promise
    assert sum(b > promised for b, _ in answers) >= 8  # and the devices did ask then
    assert served_by(relay, 401) == workers  # every worker refused it
    assert set(kept_answers) == {200}  # the other device was never turned away
    print(
        "let in after the revocation:",
        sum(s == 200 and b > said_revoked for b, s in answers),
        "of",
        sum(b > said_revoked for b, _ in answers),
    )
