"""The report document, what is left out of it, the outbox and its transports — against
a real HTTP receiver on loopback and real files."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest

from ally_helpdesk.report_format import json_schema
from ally_helpdesk.transports.base import PermanentFailure, TemporaryFailure
from ally_helpdesk.transports.folder import FolderTransport
from ally_helpdesk.transports.webhook import WebhookTransport, check_url, retry_after
from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose
from desktop.reporting import redact, report
from desktop.reporting.outbox import Outbox
from tests.certs import self_signed
from tests.webhook_server import Receiver

SCHEMA = json_schema()
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")  # a PNG header


@pytest.fixture(scope="module")
def diagnosis():
    return diagnose("slow", sampler=Sampler(SamplerSettings(interval_s=0.2)), warm_up_s=0.5)


@pytest.fixture
def full_report(diagnosis):
    return report.build(
        diagnosis,
        note="Everything froze when I opened the budget file, twice since lunch.",
        contact=report.Contact(
            "Alex Doe", "alex@example.com", "+44 20 7946 0001", "Teams, mornings"
        ),
        screenshot=report.Screenshot(PNG, 1, 1),
    )


def test_the_report_validates_against_its_schema(full_report):
    jsonschema.validate(full_report, SCHEMA)
    assert full_report["schema"] == "ally.report/1"
    assert full_report["diagnosis"]["sections"]["processor"]["status"] == "ok"
    assert len(full_report["history"]["t_offset_s"]) == len(full_report["history"]["cpu_pct"])
    assert full_report["machine"]["hostname"]


def test_leaving_parts_out(full_report):
    trimmed = redact.apply(full_report, ["note", "screenshot", "process_list", "contact"])
    jsonschema.validate(trimmed, SCHEMA)
    assert trimmed["note"] is None and trimmed["screenshot"] is None and trimmed["contact"] is None
    assert trimmed["diagnosis"]["sections"]["processes"]["status"] == "unavailable"
    assert trimmed["diagnosis"]["sections"]["memory"]["data"]["top_users"] == []
    assert set(trimmed["left_out"]) == {"note", "screenshot", "process_list", "contact"}
    assert full_report["note"] is not None  # the original is untouched
    with pytest.raises(ValueError, match="cannot leave out"):
        redact.apply(full_report, ["everything"])


KEY = "an-organisation-secret-of-32-chars"


def test_policy_hashes_or_drops_the_name_fields(full_report):
    user = full_report["machine"]["user"]
    hashed = redact.apply(
        full_report, policy=redact.PrivacyPolicy(user_name="hash", host_name="drop", hash_key=KEY)
    )
    jsonschema.validate(hashed, SCHEMA)
    assert hashed["machine"]["user"].startswith("h:") and hashed["machine"]["user"] != user
    assert hashed["machine"]["hostname"] is None
    system = hashed["diagnosis"]["sections"]["system"]["data"]
    assert system["hostname"] is None and system["user"] == hashed["machine"]["user"]
    assert hashed["privacy"] == {"user_name": "hashed", "host_name": "dropped"}
    again = redact.apply(full_report, policy=redact.PrivacyPolicy(user_name="hash", hash_key=KEY))
    assert again["machine"]["user"] == hashed["machine"]["user"]  # same key, same hash: comparable
    other = redact.apply(
        full_report, policy=redact.PrivacyPolicy(user_name="hash", hash_key=KEY + "x")
    )
    assert other["machine"]["user"] != hashed["machine"]["user"]  # keyed: no public dictionary
    no_shots = redact.apply(full_report, policy=redact.PrivacyPolicy(screenshots=False))
    assert no_shots["screenshot"] is None and "screenshot" in no_shots["left_out"]


def test_hash_without_an_organisation_key_drops_the_name(full_report):
    out = redact.apply(full_report, policy=redact.PrivacyPolicy(user_name="hash"))
    assert out["machine"]["user"] is None and out["privacy"]["user_name"] == "dropped"
    assert "user_name" in out["left_out"]


def test_a_short_user_name_does_not_eat_other_words():
    doc = {
        "machine": {"user": "al", "hostname": None},
        "privacy": {},
        "left_out": [],
        "note": "total failure, al's laptop, files in /home/al/Documents",
        "diagnosis": {"sections": {}},
    }
    out = redact.apply(doc, policy=redact.PrivacyPolicy(user_name="drop"))
    assert out["note"] == "total failure, al's laptop, files in /home/[user]/Documents"


# --- outbox and folder transport -------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_folder_delivery_and_receipt(tmp_path, full_report):
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(full_report)
    assert (tmp_path / "outbox/pending" / f"{full_report['id']}.json").exists()
    (outcome,) = outbox.deliver_due(FolderTransport(tmp_path / "share"))
    assert outcome.receipt is not None and outcome.receipt.reference.endswith(
        f"{full_report['id']}.json"
    )
    delivered = json.loads((tmp_path / "share" / outcome.receipt.reference).read_text())
    assert delivered == full_report
    assert outbox.entries() == []
    assert outbox.receipts()[0]["reference"] == outcome.receipt.reference


def test_corrupt_and_half_written_entries_are_set_aside(tmp_path, full_report):
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(full_report)
    pending = tmp_path / "outbox/pending"
    (pending / "11111111-1111-4111-8111-111111111111.json").write_bytes(
        report.dumps(full_report)[:500]
    )
    (pending / "22222222-2222-4222-8222-222222222222.json").write_text(
        '{"schema": "something else"}'
    )
    entries = outbox.entries()
    assert [e.report_id for e in entries] == [full_report["id"]]
    assert len(outbox.quarantined) == 2
    why = sorted((tmp_path / "outbox/quarantine").glob("*.why.txt"))
    assert len(why) == 2 and any("JSONDecodeError" in p.read_text() for p in why)


def test_unwritable_folder_stops_with_a_reason_and_keeps_the_report(tmp_path, full_report):
    share = tmp_path / "share"
    share.mkdir()
    share.chmod(0o500)
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(full_report)
    try:
        if os.geteuid() == 0:
            # root writes anywhere: make the folder a file instead, which nobody can write into.
            share.chmod(0o700)
            share.rmdir()
            share.write_text("not a folder")
        (outcome,) = outbox.deliver_due(FolderTransport(share))
    finally:
        if share.is_dir():
            share.chmod(0o700)
    assert outcome.receipt is None
    assert outbox.entries()[0].report_id == full_report["id"]  # still there


@pytest.mark.skipif(
    os.geteuid() != 0,
    reason="needs root to mount a tiny tmpfs for a real full disk; CI runs as root",
)
def test_a_full_disk_is_temporary_and_loses_nothing(tmp_path, full_report):
    small = tmp_path / "small"
    small.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(small)], check=True)
    try:
        (small / "filler").write_bytes(b"x" * 126000)
        clock = Clock()
        outbox = Outbox(tmp_path / "outbox", clock=clock, jitter=lambda: 0.5)
        outbox.add(full_report)
        (outcome,) = outbox.deliver_due(FolderTransport(small))
        assert (
            isinstance(outcome.error, TemporaryFailure) and outcome.error.plain_key == "disk_full"
        )
        assert outcome.will_retry
        (small / "filler").unlink()
        clock.now += 3600
        (again,) = outbox.deliver_due(FolderTransport(small))
        assert again.receipt is not None
    finally:
        subprocess.run(["umount", str(small)], check=False)


# --- webhook against a real receiver -------------------------------------------------------


def test_webhook_delivers_once_through_every_kind_of_failure(tmp_path, full_report):
    clock = Clock()
    outbox = Outbox(tmp_path / "outbox", clock=clock, jitter=lambda: 0.5)
    outbox.add(full_report)
    with Receiver() as rx:
        transport = WebhookTransport(rx.url, rx.secret, timeout=(1.0, 1.0))
        rx.plan.extend(["500", "429", "hang", "reset"])
        seen = []
        for _ in range(6):
            for o in outbox.deliver_due(transport):
                seen.append((type(o.error).__name__ if o.error else "receipt", o.will_retry))
            clock.now += 4000  # past any backoff
        assert seen[:4] == [("TemporaryFailure", True)] * 4
        assert seen[4] == ("receipt", False)
        assert len(rx.tickets) == 1
        (ticket,) = rx.tickets.values()
        assert ticket["report"] == full_report
    assert outbox.receipts()[0]["reference"] == "1000"
    assert outbox.receipts()[0]["url"].endswith("/tickets/1000")


def test_retry_after_is_honoured(tmp_path, full_report):
    clock = Clock()
    outbox = Outbox(tmp_path / "outbox", clock=clock, jitter=lambda: 0.0)
    outbox.add(full_report)
    with Receiver() as rx:
        rx.plan.append("429")
        outbox.deliver_due(WebhookTransport(rx.url, rx.secret))
    state = outbox.entries()[0].state
    assert state.next_attempt_at - clock.now == pytest.approx(max(30 * 0.8, 7.0))
    assert retry_after("120") == 120.0 and retry_after(None) is None and retry_after("soon") is None


def test_backoff_grows_and_has_jitter(tmp_path):
    outbox = Outbox(tmp_path, jitter=lambda: 1.0)
    assert [round(outbox._backoff(n)) for n in (1, 2, 3, 10)] == [36, 72, 144, 4320]


def test_wrong_credentials_stop_and_a_retry_resumes(tmp_path, full_report):
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(full_report)
    with Receiver() as rx:
        (o,) = outbox.deliver_due(WebhookTransport(rx.url, "the wrong secret"))
        assert isinstance(o.error, PermanentFailure) and o.error.plain_key == "credentials"
        assert outbox.deliver_due(WebhookTransport(rx.url, rx.secret)) == []  # stopped: not retried
        outbox.retry(full_report["id"])
        (o,) = outbox.deliver_due(WebhookTransport(rx.url, rx.secret))
        assert o.receipt is not None and rx.bad_signatures == 1 and len(rx.tickets) == 1


def test_plain_http_is_refused_except_to_this_computer():
    assert (
        check_url("http://127.0.0.1:8080/x")
        and check_url("http://localhost/x")
        and check_url("https://h/x")
    )
    with pytest.raises(PermanentFailure, match="only https"):
        check_url("http://helpdesk.example.com/hook")


def test_a_self_signed_certificate_is_refused(tmp_path, full_report):
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    cert, key = self_signed(tmp_path / "certs")
    server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.handle_request, daemon=True).start()
    url = f"https://127.0.0.1:{server.server_address[1]}/hook"
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(full_report)
    try:
        (o,) = outbox.deliver_due(WebhookTransport(url, "x", timeout=(2, 2)))
    finally:
        server.server_close()
    assert isinstance(o.error, PermanentFailure) and o.error.plain_key == "certificate"
    assert outbox.entries()[0].report_id == full_report["id"]


def test_the_outbox_survives_a_missing_folder(tmp_path):
    assert Outbox(tmp_path / "never-made").entries() == []
    assert Outbox(tmp_path / "never-made").receipts() == []


def test_reports_from_disk_are_sent_byte_for_byte(tmp_path, full_report):
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(full_report)
    stored = (tmp_path / "outbox/pending" / f"{full_report['id']}.json").read_bytes()
    assert stored == report.dumps(full_report)
    assert Path(outbox.entries()[0].report["id"]) == Path(full_report["id"])
