"""A report leaves the outbox only with a real receipt (DESIGN.md rule 7), against real
loopback servers that redirect, answer with a sign-in page, ask for absurd waits or hang.
Each proves what reached which server, and that the report is still there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from ally_helpdesk.transports.base import (
    MAX_RETRY_AFTER_S,
    PermanentFailure,
    TemporaryFailure,
)
from ally_helpdesk.transports.request_tracker import RequestTrackerTransport
from ally_helpdesk.transports.webhook import WebhookTransport
from desktop.diagnostics.explain import load_catalog
from desktop.reporting import report
from desktop.reporting.outbox import Outbox
from tests.builders import report_doc
from tests.certs import self_signed
from tests.hostile_server import Answer, HostileServer
from tests.run_ally import ROOT, run_ally
from tests.webhook_server import Receiver

SECRET = "s3cret-for-tests"
SIGN_IN = Answer(200, {"Content-Type": "text/html"}, b"<html><form>Sign in</form></html>")
CATALOG = load_catalog("en")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def pending_ids(outbox: Outbox) -> list[str]:
    return [e.report_id for e in outbox.entries()]


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_a_receipt_and_nothing_follows_it(tmp_path, code):
    doc = report_doc()
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(doc)
    with (
        HostileServer(lambda seen: SIGN_IN) as elsewhere,
        HostileServer(lambda seen: Answer(code, {"Location": elsewhere.base + "/login"})) as hop,
    ):
        (outcome,) = outbox.deliver_due(WebhookTransport(hop.base + "/ally", SECRET))
    assert isinstance(outcome.error, PermanentFailure)
    assert outcome.error.plain_key == "redirected"
    assert f"HTTP {code} pointing to {elsewhere.base}/login" in outcome.error.detail
    assert [s.method for s in hop.seen] == ["POST"]  # sent once, to the configured URL only
    assert elsewhere.seen == []  # no GET of a sign-in page, no body, signature or key re-sent
    assert pending_ids(outbox) == [doc["id"]] and outbox.receipts() == []
    assert outbox.entries()[0].state.status == "stopped"  # IT must fix the URL first
    words = CATALOG.delivery_message("redirected")
    assert "saved" in words and "sent nothing" in words


def test_https_to_http_is_not_followed(tmp_path):
    cert, key = self_signed(tmp_path / "certs")
    doc = report_doc()
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(doc)
    with Receiver(SECRET) as plain:
        answer = Answer(307, {"Location": plain.url})
        with HostileServer(lambda seen: answer, tls=(cert, key)) as secure:
            transport = WebhookTransport(secure.base + "/ally", SECRET, ca_bundle=str(cert))
            (outcome,) = outbox.deliver_due(transport)
        assert outcome.error is not None and outcome.error.plain_key == "redirected"
        assert plain.requests == 0 and plain.tickets == {}  # the body never went out in clear
    assert len(secure.seen) == 1 and secure.seen[0].body == report.dumps(doc)
    assert pending_ids(outbox) == [doc["id"]]


@pytest.mark.parametrize(
    "answer",
    [
        SIGN_IN,
        Answer(204),
        Answer(200, {"Content-Type": "application/json"}, b"[1, 2]"),
        Answer(200, {"Content-Type": "text/plain"}, b'{"ticket": 5}'),
    ],
    ids=["sign-in page", "no content", "json list", "json as text"],
)
def test_a_2xx_without_a_json_receipt_is_not_one(tmp_path, answer):
    doc = report_doc()
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(doc)
    with HostileServer(lambda seen: answer) as server:
        (outcome,) = outbox.deliver_due(WebhookTransport(server.base + "/ally", SECRET))
    assert outcome.receipt is None and outcome.error.plain_key == "no_receipt"
    assert pending_ids(outbox) == [doc["id"]]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("99999999999999999999", MAX_RETRY_AFTER_S),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER_S),
        ("-5", None),
        ("soon", None),
        ("1e9", None),
        ("NaN", None),
        ("\u00b2", None),  # a superscript two: a digit to str.isdigit, not to float()
        ("Thu, 01 Jan 1970 00:00:00 GMT", None),  # in the past: Ally's own backoff
    ],
)
def test_retry_after_is_bounded(tmp_path, header, expected):
    clock = Clock()
    outbox = Outbox(tmp_path / "outbox", clock=clock, jitter=lambda: 0.5)
    outbox.add(report_doc())
    answer = Answer(429, {"Retry-After": header, "Content-Type": "application/json"}, b"{}")
    with HostileServer(lambda seen: answer) as server:
        (outcome,) = outbox.deliver_due(WebhookTransport(server.base + "/ally", SECRET))
    assert isinstance(outcome.error, TemporaryFailure) and outcome.will_retry
    assert "answered HTTP 429" in outcome.error.detail  # understood, not a crash inside
    wait = outbox.entries()[0].state.next_attempt_at - clock.now
    assert wait == pytest.approx(expected if expected is not None else 30.0)


def test_a_server_that_hangs_is_left_in_time(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    doc = report_doc()
    outbox.add(doc)
    with HostileServer(lambda seen: Answer(200, delay_s=5.0)) as server:
        started = time.monotonic()
        (outcome,) = outbox.deliver_due(
            WebhookTransport(server.base + "/ally", SECRET, timeout=(1.0, 1.0))
        )
        took = time.monotonic() - started
    assert isinstance(outcome.error, TemporaryFailure) and took < 4.0
    assert pending_ids(outbox) == [doc["id"]]


def test_state_files_with_bad_times_are_repaired_and_block_nothing(tmp_path):
    home = tmp_path / "home"
    outbox = Outbox(home / "data/outbox")
    docs = [report_doc() for _ in range(4)]
    for d in docs:
        outbox.add(d)
    bad = [
        '{"attempts": 2, "next_attempt_at": 1e308}',
        '{"attempts": "x", "next_attempt_at": "tomorrow", "status": "lost"}',
        '{"next_attempt_at": NaN}',
        '{"next_attempt_at": -1e999, "last_error": 7, "plain_key": "../../etc"}',
    ]
    for d, text in zip(docs, bad, strict=True):
        (outbox.pending_dir / f"{d['id']}.state.json").write_text(text)
    listing = run_ally("outbox", "list", home=home)
    assert listing.returncode == 0, listing.stderr
    assert "Waiting to be sent: 4" in listing.stdout and "Traceback" not in listing.stderr
    with Receiver(SECRET) as rx:
        outcomes = Outbox(home / "data/outbox").deliver_due(WebhookTransport(rx.url, SECRET))
    assert sorted(o.report_id for o in outcomes if o.receipt) == sorted(d["id"] for d in docs)
    assert len(rx.tickets) == 4


def test_a_missing_webhook_secret_sends_nothing_and_says_which(tmp_path):
    home = tmp_path / "home"
    with Receiver(SECRET) as rx:
        policy = tmp_path / "policy.toml"
        policy.write_text(
            f'[network]\nactive_checks = false\n[transport]\nkind = "webhook"\nurl = "{rx.url}"\n'
        )
        out = run_ally(
            "report", "--note", "x", "--yes", "--warm-up", "0.1", home=home, policy=policy
        )
        assert out.returncode == 75, out.stdout + out.stderr
        assert CATALOG.delivery_message("secret_missing") in out.stdout
        assert "ally credentials set webhook" in out.stdout
        assert rx.requests == 0  # nothing unsigned left this computer
        doctor = run_ally("doctor", home=home, policy=policy)
    assert "PROBLEM  credentials: the webhook secret" in doctor.stdout
    assert "is not stored" in doctor.stdout


# --- Request Tracker's REST calls: the same rules, against a server that acts as RT ------


def rt_like(subject_of: dict[int, str]):
    """Answers as RT 5's REST2 does for a search, a create and a read of a ticket."""

    def answer(seen):
        ok = {"Content-Type": "application/json"}
        if seen.method == "GET" and seen.path.startswith("/REST/2.0/tickets"):
            return Answer(200, ok, b'{"items": [], "count": 0}')
        if seen.method == "POST" and seen.path == "/REST/2.0/ticket":
            subject_of[7] = "a ticket about something else"  # RT misfiled it, or a proxy lies
            return Answer(201, ok, b'{"id": "7", "type": "ticket"}')
        if seen.method == "GET" and seen.path == "/REST/2.0/ticket/7":
            return Answer(200, ok, json.dumps({"id": 7, "Subject": subject_of[7]}).encode())
        return Answer(404, ok, b"{}")

    return answer


def test_rt_that_redirects_gets_no_report(tmp_path):
    doc = report_doc()
    with (
        HostileServer(lambda seen: SIGN_IN) as login,
        HostileServer(lambda seen: Answer(302, {"Location": login.base + "/sso"})) as rt,
    ):
        transport = RequestTrackerTransport(rt.base, "General", "ally", "password")
        with pytest.raises(PermanentFailure) as err:
            transport.send(doc, report.dumps(doc))
    assert err.value.plain_key == "redirected" and login.seen == []
    assert [s.method for s in rt.seen] == ["GET"]  # the search for an earlier ticket, only


def test_rt_ticket_that_is_not_this_report_is_no_receipt(tmp_path):
    doc = report_doc()
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(doc)
    with HostileServer(rt_like({})) as rt:
        (outcome,) = outbox.deliver_due(
            RequestTrackerTransport(rt.base, "General", "ally", "password")
        )
    assert outcome.error is not None and outcome.error.plain_key == "no_receipt"
    assert pending_ids(outbox) == [doc["id"]]


def test_rt_answering_with_a_sign_in_page_is_no_receipt():
    doc = report_doc()
    with HostileServer(lambda seen: SIGN_IN) as rt, pytest.raises(PermanentFailure) as err:
        RequestTrackerTransport(rt.base, "General", "ally", "pw").send(doc, report.dumps(doc))
    assert err.value.plain_key == "no_receipt"


def test_no_send_without_the_secret_a_transport_needs():
    from ally_helpdesk.transports.email import EmailTransport
    from desktop.policy.config import TransportPolicy

    for make in (
        lambda: WebhookTransport("https://127.0.0.1:9/hook", None),
        lambda: RequestTrackerTransport("https://127.0.0.1:9", "General", "ally", None),
        lambda: RequestTrackerTransport("https://127.0.0.1:9", "General", None, ""),
        lambda: EmailTransport.from_policy(
            TransportPolicy(
                kind="email",
                smtp_host="127.0.0.1",
                smtp_user="ally",
                mail_from="a@b",
                mail_to="c@d",
            ),
            None,
        ),
    ):
        with pytest.raises(PermanentFailure) as err:
            make()
        assert err.value.plain_key == "secret_missing"


def test_doctor_refuses_a_plain_http_url_without_looking_it_up(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[transport]\nkind = "webhook"\nurl = "http://helpdesk.example.com/hook"\n')
    out = run_ally("doctor", home=tmp_path / "h", policy=policy)
    assert "PROBLEM  address: refusing 'http://helpdesk.example.com/hook'" in out.stdout
    assert "  name:" not in out.stdout  # refused before any lookup


@pytest.mark.skipif(
    os.geteuid() != 0,
    reason="needs root for a private network namespace (unshare -n); CI runs as root",
)
def test_doctor_says_when_the_host_has_no_address(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[transport]\nkind = "webhook"\nurl = "https://helpdesk.ally-test.invalid/hook"\n'
    )
    # A namespace with no network at all: the lookup fails here, nothing leaves the machine.
    env = {**os.environ, "ALLY_HOME": str(tmp_path / "h"), "ALLY_POLICY": str(policy)}
    out = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "desktop", "doctor"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert "PROBLEM  name: helpdesk.ally-test.invalid has no address" in out.stdout, out.stdout
    assert out.returncode == 1 and "Traceback" not in out.stderr
