"""The relay forwarding to real helpdesks with credentials only it holds: a real Request
Tracker 5 (tickets, attachments, status read back for the desktop), and a real SMTP
server (aiosmtpd) with STARTTLS and login. The desktop never has either secret."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import sqlite3
import ssl

import pytest
import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from ally_helpdesk.transports.email import message_id
from tests.certs import ca_and_server
from tests.integration.rt_lab import PASSWORD, RtLab, available
from tests.relay.lab import Desktop, RelayLab, free_port, number_in

why_no_rt = available()


@pytest.fixture(scope="module")
def rt():
    if why_no_rt:
        pytest.skip(why_no_rt)
    lab = RtLab()
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


def test_reports_become_rt_tickets_and_the_desktop_reads_their_status(rt, tmp_path):
    forward = {
        "kind": "request-tracker",
        "url": rt.url,
        "rt_queue": "General",
        "rt_user": "root",
        "status_cache_s": 0,  # IT's change of status is seen at once, not after a minute
    }
    with RelayLab(tmp_path / "relay", forward, secret=PASSWORD) as relay:
        pc = Desktop(tmp_path / "pc", relay, relay.token())
        sent = pc.report("The printer says nothing.")
        assert sent.returncode == 0, sent.stdout + sent.stderr
        number = number_in(sent.stdout)
        relay.wait_queue_empty()
        (report_id,) = pc.sent_ids()
        found = requests.get(
            f"{rt.url}/REST/2.0/tickets",
            auth=("root", PASSWORD),
            params={"query": f"Subject LIKE 'ally:{report_id}'"},
            timeout=10,
        ).json()
        assert found["count"] == 1
        ticket = int(found["items"][0]["id"])
        items = requests.get(
            f"{rt.url}/REST/2.0/ticket/{ticket}/attachments",
            auth=("root", PASSWORD),
            params={"fields": "Filename"},
            timeout=10,
        ).json()["items"]
        json_part = next(i for i in items if i.get("Filename") == "report.json")
        raw = requests.get(
            f"{rt.url}/REST/2.0/attachment/{json_part['id']}", auth=("root", PASSWORD), timeout=10
        ).json()["Content"]
        assert json.loads(base64.b64decode(raw))["note"] == "The printer says nothing."
        listing = pc.ally("outbox", "list").stdout
        assert (
            f"{number}  via relay" in listing
            and "IT has your report and will start on the problem soon." in listing
        )
        rt.set_status(ticket, "open")
        assert "IT is working on the problem." in pc.ally("outbox", "list").stdout
        # As if the relay had died after RT opened the ticket and before it wrote the
        # receipt down: the report is forwarded again, and RT's transport finds the ticket.
        relay.stop()
        with sqlite3.connect(relay.folder / "relay.db") as db:
            db.execute("UPDATE reports SET state = 'queued', reference = NULL")
        relay.start()
        relay.wait_queue_empty()
        again = requests.get(
            f"{rt.url}/REST/2.0/tickets",
            auth=("root", PASSWORD),
            params={"query": f"Subject LIKE 'ally:{report_id}'"},
            timeout=10,
        ).json()
        assert again["count"] == 1
        assert "IT is working on the problem." in pc.ally("outbox", "list").stdout


USER, SMTP_PASSWORD = "relay@example.com", "a mailbox password only the relay has"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content or envelope.content)
        return "250 accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def test_reports_become_mail_through_starttls_and_login(tmp_path):
    certs = tmp_path / "certs"
    ca, cert, key = ca_and_server(certs, ["127.0.0.1", "localhost"])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    smtp = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    smtp.start()
    try:
        forward = {
            "kind": "email",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_user": USER,
            "mail_from": USER,
            "mail_to": "helpdesk@example.com",
            "ca_bundle": str(ca),
            "timeout_s": 10,
        }
        with RelayLab(tmp_path / "relay", forward, secret=SMTP_PASSWORD) as relay:
            pc = Desktop(tmp_path / "pc", relay, relay.token())
            assert pc.report("Mail from the relay").returncode == 0
            relay.wait_queue_empty()
        (report_id,) = pc.sent_ids()
        (raw,) = inbox.messages
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert msg["Message-ID"] == message_id(report_id)
        assert {p.get_filename() for p in msg.iter_attachments()} == {"report.html", "report.json"}
        assert SMTP_PASSWORD not in pc.policy.read_text() + json.dumps(pc.keyring())
    finally:
        smtp.stop()
