"""The outbox: reports written durably per second, delivered per second to a signed
webhook on loopback, and the time to clear a backlog of 1,000 reports once the receiver
is back. Every write is a real fsync'd atomic write of a real report (about 35 KB)."""

from __future__ import annotations

import copy
import tempfile
import time
import uuid
from pathlib import Path

from ally_helpdesk.transports.webhook import WebhookTransport
from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose
from desktop.reporting import report
from desktop.reporting.outbox import Outbox
from tests.webhook_server import Receiver

BATCH = 200
BACKLOG = 1000


def _reports(n: int) -> list[dict]:
    d = diagnose("slow", sampler=Sampler(SamplerSettings(interval_s=0.2)), warm_up_s=0.5)
    base = report.build(d, note="Everything is slow since lunch.")
    out = []
    for _ in range(n):
        doc = copy.deepcopy(base)
        doc["id"] = str(uuid.uuid4())
        out.append(doc)
    return out


def run() -> dict:
    docs = _reports(BACKLOG)
    with tempfile.TemporaryDirectory(prefix="ally-bench-outbox-") as tmp:
        outbox = Outbox(Path(tmp) / "a")
        t0 = time.perf_counter()
        for doc in docs[:BATCH]:
            outbox.add(doc)
        write_s = time.perf_counter() - t0
        with Receiver() as rx:
            transport = WebhookTransport(rx.url, rx.secret)
            t0 = time.perf_counter()
            outcomes = outbox.deliver_due(transport)
            send_s = time.perf_counter() - t0
            assert all(o.receipt for o in outcomes) and len(rx.tickets) == BATCH

        backlog = Outbox(Path(tmp) / "b")
        for doc in docs:
            backlog.add(doc)
        with Receiver() as rx:
            transport = WebhookTransport(rx.url, rx.secret)
            t0 = time.perf_counter()
            outcomes = backlog.deliver_due(transport)
            backlog_s = time.perf_counter() - t0
            assert len(rx.tickets) == BACKLOG and not backlog.entries()
    return {
        "report_kb": round(len(report.dumps(docs[0])) / 1024, 1),
        "writes_per_s": round(BATCH / write_s, 1),
        "deliveries_per_s": round(BATCH / send_s, 1),
        "backlog_s": round(backlog_s, 1),
        "backlog": BACKLOG,
    }


if __name__ == "__main__":
    print(run())
