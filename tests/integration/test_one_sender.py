"""One sender at a time per outbox: real `ally outbox send` processes and an in-process
delivery round (as the tray runs it) started together against a slow receiver. Each
report must reach the receiver exactly once — not once per sender."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter

from ally_helpdesk.transports.webhook import WebhookTransport
from desktop.reporting.outbox import Outbox
from tests.builders import report_doc
from tests.hostile_server import Answer, HostileServer
from tests.run_ally import ROOT, TEST_KEYRING

SECRET = "s3cret-for-tests"


def slow_receiver(posts: Counter, lock: threading.Lock):
    def answer(seen):
        key = seen.headers.get("Idempotency-Key", "")
        with lock:
            posts[key] += 1
        # Slow enough that every sender is started while the first is still sending.
        return Answer(201, {"Content-Type": "application/json"}, b'{"ticket": 1}', delay_s=0.8)

    return answer


def start_ally(home, policy, *args):
    env = {
        "PATH": "/usr/bin:/bin",
        "ALLY_HOME": str(home),
        "ALLY_POLICY": str(policy),
        "PYTHON_KEYRING_BACKEND": TEST_KEYRING,
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_clis_and_a_tray_round_post_each_report_once(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "test-keyring.json").write_text(json.dumps({"Ally/webhook": SECRET}))
    outbox = Outbox(home / "data/outbox")
    ids = [outbox.add(report_doc()) for _ in range(3)]
    posts: Counter = Counter()
    with HostileServer(slow_receiver(posts, threading.Lock())) as server:
        policy = tmp_path / "policy.toml"
        policy.write_text(
            "[network]\nactive_checks = false\n"
            f'[transport]\nkind = "webhook"\nurl = "{server.base}/ally"\n'
        )
        tray_round: list = []
        tray = threading.Thread(
            target=lambda: tray_round.extend(
                Outbox(home / "data/outbox").deliver_due(
                    WebhookTransport(server.base + "/ally", SECRET)
                )
            )
        )
        clis = [start_ally(home, policy, "outbox", "send") for _ in range(2)]
        tray.start()
        results = [p.communicate(timeout=60) for p in clis]
        tray.join(30)
    assert sorted(posts) == sorted(ids), posts
    assert set(posts.values()) == {1}, f"a report was sent more than once: {posts}"
    assert Outbox(home / "data/outbox").entries() == []
    for (out, err), p in zip(results, clis, strict=True):
        assert p.returncode in (0, 75), out + err
        assert "Traceback" not in err
        assert "Sent" in out or "Another part of Ally is sending" in out, out


def test_the_same_report_sent_from_two_threads_goes_once(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    doc = report_doc()
    outbox.add(doc)
    (entry,) = outbox.entries()
    posts: Counter = Counter()
    outcomes: list = []
    with HostileServer(slow_receiver(posts, threading.Lock())) as server:
        transport = WebhookTransport(server.base + "/ally", SECRET)
        senders = [
            threading.Thread(target=lambda: outcomes.append(outbox.deliver(entry, transport)))
            for _ in range(2)
        ]
        for t in senders:
            t.start()
        for t in senders:
            t.join(30)
    assert posts == Counter({doc["id"]: 1})
    assert [o.receipt is not None for o in outcomes] == [True, True]  # both learn it is sent
