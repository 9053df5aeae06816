"""The relay's disk fills up: a real tmpfs of a few MB holds its SQLite database. Reports it
cannot store are answered 503 with Retry-After (the desktops keep them and send again),
the health check says that reports cannot be stored, every report with a receipt is
kept, the device's allowance is not used up by the relay's own trouble, and once there is
room again the relay goes on without a restart."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess

import pytest
import requests

from desktop.reporting.report import dumps
from relay.config import ForwardSettings
from tests.relay.lab import RelayLab, enrol

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)"
)


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk):
    """Fills the disk to the last byte, then frees 48 KB: the relay keeps writing while it
    forwards, so room measured first may be gone by the time a filler of that size lands."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as f:  # unbuffered: nothing left to write at close
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    os.truncate(filler, max(0, filler.stat().st_size - 48 * 1024))
    return filler


def send(lab, device, doc):
    return requests.post(
        lab.url + "/api/v1/reports",
        data=dumps(doc),
        headers={"Authorization": f"Bearer {device}"},
        timeout=30,
    )


def test_a_full_disk_refuses_reports_plainly_and_loses_none(tmp_path, small_disk, new_report):
    lab = RelayLab(
        tmp_path / "relay",
        {"kind": "folder", "folder": str(tmp_path / "helpdesk")},
        database=f"sqlite:///{small_disk / 'relay.db'}",
        limits={"report_burst": 10, "reports_per_hour": 1.0},  # 23 sends would use it up
        secret=None,
    )
    with lab:
        device = enrol(lab, lab.token(), "pc")
        receipts = []
        for _ in range(2):
            doc = new_report()
            assert send(lab, device, doc).status_code == 201
            receipts.append(doc["id"])
        filler = fill(small_disk)
        refused = 0
        for _ in range(20):
            doc = new_report()
            r = send(lab, device, doc)
            if r.status_code == 201:  # the little room left takes a few
                receipts.append(doc["id"])
                continue
            assert r.status_code == 503, r.text
            assert r.json() == {"error": "not_stored"} and int(r.headers["Retry-After"]) > 0
            refused += 1
        assert refused >= 15
        health = requests.get(lab.url + "/healthz", timeout=10)
        assert health.status_code == 503 and health.json()["storing_reports"] == "failing"

        filler.unlink()  # IT makes room
        doc = new_report()
        r = send(lab, device, doc)
        assert r.status_code == 201, r.text  # not 429: the refused sends were given back
        receipts.append(doc["id"])
        assert requests.get(lab.url + "/healthz", timeout=10).json()["status"] == "ok"
        log = lab.log.read_text()
    with sqlite3.connect(small_disk / "relay.db") as db:
        kept = {row[0] for row in db.execute("SELECT report_id FROM reports")}
    assert kept == set(receipts)  # every receipt's report, and nothing else
    assert "Exception in ASGI application" not in log
    # Each part tells the whole story once (each forwarding thread for itself), then a
    # line per try until it works again.
    stories = [json.loads(line)["logger"] for line in log.splitlines() if "Traceback" in line]
    assert stories.count("relay.intake") == 1, stories
    assert stories.count("relay.forward") <= ForwardSettings().threads, stories
