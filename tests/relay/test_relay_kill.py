"""The relay killed (SIGKILL) 200 times while desktops send to it and while it forwards:
no report a desktop stored is lost, none is taken twice, none opens a second ticket.

Each trial starts a real relay process (SQLite), lets a desktop's outbox send to it for a
random 0-300 ms while the relay forwards to a real webhook receiver, and kills it with
SIGKILL. At the end the relay starts once more and the desktop delivers what waits."""

from __future__ import annotations

import random
import sqlite3
import threading
import time

import keyring

from desktop.config import Policy
from desktop.reporting.outbox import Outbox
from desktop.reporting.transports.relay import RelayTransport
from tests.file_keyring import FileKeyring
from tests.relay.lab import HELPDESK_SECRET, RelayLab
from tests.webhook_server import Receiver

TRIALS = int(__import__("os").environ.get("ALLY_KILL_TRIALS", "200"))


def test_200_sigkills_while_receiving_and_forwarding(tmp_path, new_report, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.file_keyring.FileKeyring")
    keyring.set_keyring(FileKeyring())
    rng = random.Random(20261129)
    with Receiver(secret=HELPDESK_SECRET) as rx:
        lab = RelayLab(
            tmp_path / "relay",
            # A forward cut short by the kill is tried again when its lease runs out.
            {"kind": "webhook", "url": rx.url, "timeout_s": 2, "lease_s": 3, "threads": 2},
            limits={"report_burst": 1_000_000, "reports_per_hour": 1e9},
        )
        policy = Policy.from_dict(
            {
                "transport": {"kind": "relay"},
                "relay": {"url": lab.url, "enrolment_token": lab.token(), "timeout_s": 2},
            }
        )
        outbox = Outbox(tmp_path / "outbox")
        stored: list[str] = []
        receipts: dict[str, str] = {}

        def send_all(transport: RelayTransport, stop: threading.Event | None) -> None:
            for entry in outbox.entries():
                if stop is not None and stop.is_set():
                    return
                outcome = outbox.deliver(entry, transport)
                if outcome.receipt is not None:
                    assert receipts.setdefault(entry.report_id, outcome.receipt.reference) == (
                        outcome.receipt.reference
                    )

        def feed(stop: threading.Event) -> None:
            transport = RelayTransport(policy)
            while not stop.is_set():
                doc = new_report()
                outbox.add(doc)
                stored.append(doc["id"])  # on the desktop's disk: from here it must arrive
                send_all(transport, stop)

        kills_while_busy = 0
        for _ in range(TRIALS):
            lab.start()
            stop = threading.Event()
            feeder = threading.Thread(target=feed, args=(stop,))
            feeder.start()
            time.sleep(rng.uniform(0.0, 0.3))
            busy = lab.health()["queue"]["queued"] > 0  # forwarding was under way
            lab.kill()
            kills_while_busy += busy
            stop.set()
            feeder.join(30)
            assert not feeder.is_alive()

        # The relay comes back; the desktop sends what waits (as its tray would).
        lab.start()
        try:
            transport = RelayTransport(policy)
            for _ in range(5):
                for entry in outbox.entries():
                    outbox.retry(entry.report_id)
                send_all(transport, None)
            assert outbox.entries() == []
            lab.wait_queue_empty(timeout=120)
        finally:
            lab.stop()

        assert outbox.quarantined == []
        assert set(stored) == set(receipts)  # every stored report has the relay's receipt
        assert set(rx.tickets) == set(stored)  # ... and reached the helpdesk: 0 lost
        # One ticket per report: the receiver keeps tickets by idempotency key, and each
        # key is the report's own id, so a second ticket would show as a second key.
        assert all(t["report"]["id"] == key for key, t in rx.tickets.items())
        with sqlite3.connect(lab.folder / "relay.db") as db:
            rows = db.execute("SELECT report_id, state FROM reports").fetchall()
        assert len(rows) == len(stored) == len({r[0] for r in rows})  # taken once each
        assert {r[1] for r in rows} == {"delivered"}
        numbers = list(receipts.values())
        assert len(numbers) == len(set(numbers))  # each report its own number
        resent = rx.requests - len(rx.tickets)
        print(
            f"\n{TRIALS} kills, {len(stored)} reports stored by the desktop, "
            f"{kills_while_busy} kills with reports still queued at the relay, "
            f"{resent} forwards repeated after a kill (deduplicated by the receiver), "
            f"0 lost, 0 duplicate tickets"
        )
        assert len(stored) > TRIALS  # the trials really did send
        assert kills_while_busy > TRIALS // 10  # and really did kill while forwarding
