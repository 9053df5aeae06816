"""The relay killed (SIGKILL) 200 times while desktops send to it and while it forwards:
no report a desktop stored is lost, none is taken twice, none opens a second ticket.

Each trial starts a real relay process (SQLite), lets a desktop's outbox send to it for a
random 0-300 ms while the relay forwards to a real webhook receiver, and kills it with
SIGKILL. At the end the relay starts once more and the desktop delivers what waits."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time

from desktop.policy.config import Policy
from desktop.reporting.outbox import Outbox
from desktop.reporting.transports.relay import Enrolment, RelayTransport
from tests.relay.lab import HELPDESK_SECRET, RelayLab, enrol
from tests.webhook_server import Receiver

TRIALS = int(os.environ.get("ALLY_KILL_TRIALS", "200"))  # fewer only for a quick look by hand


LANES = 2  # two relays killed side by side (one per core): the same 200 kills in half the time


class LaneTransport(RelayTransport):
    """The relay transport with this lane's own device token: two lanes play two
    computers, which would each have a keyring of their own."""

    def __init__(self, policy: Policy, enrolment: Enrolment) -> None:
        super().__init__(policy)
        self.enrolment = enrolment

    def ensure_enrolled(self) -> Enrolment:
        return self.enrolment


class Lane:
    """One relay, its own database, and one desktop outbox sending to it."""

    def __init__(self, folder, rx, new_report, seed: int) -> None:
        self.rng = random.Random(seed)
        self.new_report = new_report
        self.lab = RelayLab(
            folder / "relay",
            # A forward cut short by the kill is tried again when its lease runs out.
            {"kind": "webhook", "url": rx.url, "timeout_s": 2, "lease_s": 3, "threads": 2},
            limits={"report_burst": 1_000_000, "reports_per_hour": 1e9},
        )
        self.policy = Policy.from_dict(
            {
                "transport": {"kind": "relay"},
                "relay": {"url": self.lab.url, "timeout_s": 2},
            }
        )
        self.outbox = Outbox(folder / "outbox")
        with self.lab:
            token = enrol(self.lab, self.lab.token())
        self.enrolment = Enrolment(token, self.lab.url, "")
        self.stored: list[str] = []
        self.receipts: dict[str, str] = {}
        self.kills_while_busy = 0

    def send_all(self, transport: LaneTransport, stop: threading.Event | None) -> None:
        for entry in self.outbox.entries():
            if stop is not None and stop.is_set():
                return
            outcome = self.outbox.deliver(entry, transport)
            if outcome.receipt is not None:
                known = self.receipts.setdefault(entry.report_id, outcome.receipt.reference)
                assert known == outcome.receipt.reference

    def feed(self, stop: threading.Event) -> None:
        transport = LaneTransport(self.policy, self.enrolment)
        while not stop.is_set():
            doc = self.new_report()
            self.outbox.add(doc)
            self.stored.append(doc["id"])  # on the desktop's disk: from here it must arrive
            self.send_all(transport, stop)

    def trials(self, n: int) -> None:
        for _ in range(n):
            self.lab.start()
            stop = threading.Event()
            feeder = threading.Thread(target=self.feed, args=(stop,))
            feeder.start()
            time.sleep(self.rng.uniform(0.0, 0.3))
            busy = self.lab.health()["queue"]["queued"] > 0  # forwarding was under way
            self.lab.kill()
            self.kills_while_busy += busy
            stop.set()
            feeder.join(30)
            assert not feeder.is_alive()

    def recover(self) -> None:
        """The relay comes back; the desktop sends what waits (as its tray would)."""
        self.lab.start()
        try:
            transport = LaneTransport(self.policy, self.enrolment)
            for _ in range(5):
                for entry in self.outbox.entries():
                    self.outbox.retry(entry.report_id)
                self.send_all(transport, None)
            assert self.outbox.entries() == []
            self.lab.wait_queue_empty(timeout=120)
        finally:
            self.lab.stop()
        assert self.outbox.quarantined == []
        assert set(self.stored) == set(self.receipts)  # every stored report has a receipt
        with sqlite3.connect(self.lab.folder / "relay.db") as db:
            rows = db.execute("SELECT report_id, state FROM reports").fetchall()
        assert len(rows) == len(self.stored) == len({r[0] for r in rows})  # taken once each
        assert {r[1] for r in rows} == {"delivered"}
        numbers = list(self.receipts.values())
        assert len(numbers) == len(set(numbers))  # each report its own number


def test_200_sigkills_while_receiving_and_forwarding(tmp_path, new_report):
    with Receiver(secret=HELPDESK_SECRET) as rx:
        lanes = [Lane(tmp_path / f"lane{i}", rx, new_report, 20261129 + i) for i in range(LANES)]
        threads = [threading.Thread(target=lane.trials, args=(TRIALS // LANES,)) for lane in lanes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for lane in lanes:
            lane.recover()
        stored = [i for lane in lanes for i in lane.stored]
        assert set(rx.tickets) == set(stored)  # every stored report reached the helpdesk
        # One ticket per report: the receiver keeps tickets by idempotency key, and each
        # key is the report's own id, so a second ticket would show as a second key.
        assert all(t["report"]["id"] == key for key, t in rx.tickets.items())
        busy = sum(lane.kills_while_busy for lane in lanes)
        resent = rx.requests - len(rx.tickets)
        print(
            f"\n{TRIALS} kills, {len(stored)} reports stored by the desktops, "
            f"{busy} kills with reports still queued at the relay, "
            f"{resent} forwards repeated after a kill (deduplicated by the receiver), "
            f"0 lost, 0 duplicate tickets"
        )
        assert len(stored) >= TRIALS // 2  # the trials really did send
        assert busy > TRIALS // 10  # and really did kill while forwarding
