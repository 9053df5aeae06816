"""Ally killed (SIGKILL) at random moments while writing and while sending: no report is
lost, none is half-stored, and none opens a second ticket at a receiver that honours the
idempotency key."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from ally_helpdesk.transports.webhook import WebhookTransport
from desktop.reporting.outbox import Outbox
from tests.builders import report_doc
from tests.webhook_server import Receiver

ROOT = Path(__file__).resolve().parent.parent.parent
TRIALS = 200  # the reliability bar (docs/reliability.md): at least 200 kills
REPORTS_PER_TRIAL = 3

WORKER = r"""
import json, sys, uuid
from desktop.reporting.outbox import Outbox
from ally_helpdesk.transports.webhook import WebhookTransport
outbox_dir, url, secret, n, ids_file, template = sys.argv[1:7]
outbox = Outbox(outbox_dir)
base = json.loads(open(template).read())    # a real report, as Ally writes one
print("ready", flush=True)                   # imports done: the kill lands in the work itself
for _ in range(int(n)):
    rid = str(uuid.uuid4())
    report = dict(base, id=rid, note="x" * 20000,
                  history={**base["history"], "padding": ["x" * 1000] * 180})
    with open(ids_file, "a") as fh:          # the id is recorded as "asked to store"
        fh.write(rid + "\n")
    outbox.add(report)
    with open(ids_file, "a") as fh:          # ... and as "stored": from here it must arrive
        fh.write("stored " + rid + "\n")
outbox.deliver_due(WebhookTransport(url, secret, timeout=(2, 5)))
"""


def test_kill_minus_nine_while_writing_and_sending(tmp_path):
    rng = random.Random(20261122)
    outbox_dir = tmp_path / "outbox"
    ids_file = tmp_path / "ids.txt"
    template = tmp_path / "report.json"
    template.write_text(json.dumps(report_doc()))
    with Receiver() as rx:
        for _ in range(TRIALS):
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    WORKER,
                    str(outbox_dir),
                    rx.url,
                    rx.secret,
                    str(REPORTS_PER_TRIAL),
                    str(ids_file),
                    str(template),
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
            )
            # Wait until the worker has imported what it needs: on a busy machine start-up
            # alone can take longer than the whole random delay, and then no kill would
            # ever land while writing or sending.
            proc.stdout.readline()
            time.sleep(rng.uniform(0.0, 0.25))  # somewhere in writing or sending
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
        # Ally starts again and delivers whatever is waiting, as the tray app does.
        outbox = Outbox(outbox_dir)
        for _ in range(3):
            outbox.deliver_due(WebhookTransport(rx.url, rx.secret))
            for entry in outbox.entries():
                outbox.retry(entry.report_id)
        assert outbox.entries() == []
        assert outbox.quarantined == []  # nothing was ever half-written
        lines = ids_file.read_text().splitlines() if ids_file.exists() else []
        stored = {line.split()[1] for line in lines if line.startswith("stored ")}
        arrived = set(rx.tickets)
        assert stored <= arrived  # every report that was stored reached IT
        asked = {line for line in lines if not line.startswith("stored ")}
        assert arrived <= asked  # and nothing else
        assert len(rx.tickets) == len(arrived)  # one ticket per report, however often it was sent
        receipts = {
            json.loads(p.read_text())["report"]["id"] for p in (outbox_dir / "sent").glob("*.json")
        }
        assert receipts == arrived
        assert len(stored) > TRIALS // 2  # the trials really did store and kill at various points
