"""The email transport against a real SMTP server (aiosmtpd) on loopback, with STARTTLS
and login, using a certificate made by the test."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import time

import jsonschema
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from ally_helpdesk.report_format import json_schema
from ally_helpdesk.transports.base import PermanentFailure
from ally_helpdesk.transports.email import EmailTransport, message_id
from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose
from desktop.reporting import report
from desktop.reporting.outbox import Outbox
from tests.certs import ca_and_server

USER, PASSWORD = "ally@example.com", "correct horse battery staple"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    # handled=False lets the server answer 535 itself for a wrong password.
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("smtp-certs")
    ca_and_server(d, ["127.0.0.1", "localhost"])
    return d


@pytest.fixture
def smtp_server(certs):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs / "srv.pem", certs / "srv.key")
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture(scope="module")
def sample_report():
    d = diagnose("slow", sampler=Sampler(SamplerSettings(interval_s=0.2)), warm_up_s=0.4)
    return report.build(d, note="Nothing opens since the update this morning.")


def transport(port, certs, password=PASSWORD, ca=True):
    return EmailTransport(
        "127.0.0.1",
        port,
        "starttls",
        USER,
        password,
        "ally@example.com",
        "helpdesk@example.com",
        str(certs / "ca.pem") if ca else None,
        timeout=10,
    )


def test_a_report_arrives_as_a_readable_mail_with_both_attachments(
    smtp_server, certs, sample_report, tmp_path
):
    inbox, port = smtp_server
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(sample_report)
    (outcome,) = outbox.deliver_due(transport(port, certs))
    assert outcome.receipt is not None and outcome.receipt.reference == message_id(
        sample_report["id"]
    )
    (raw,) = inbox.messages
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Message-ID"] == message_id(sample_report["id"])
    assert msg["Subject"].strip().startswith("[Ally] slow: ")
    body = msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("In their own words:\nNothing opens since the update this morning.")
    attachments = {part.get_filename(): part for part in msg.iter_attachments()}
    assert set(attachments) == {"report.html", "report.json"}
    sent = json.loads(attachments["report.json"].get_content())
    assert sent == sample_report
    jsonschema.validate(sent, json_schema())
    assert sample_report["id"] in attachments["report.html"].get_content()


def test_a_wrong_password_stops_with_a_clear_reason(smtp_server, certs, sample_report, tmp_path):
    inbox, port = smtp_server
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(sample_report)
    (outcome,) = outbox.deliver_due(transport(port, certs, password="wrong"))
    assert isinstance(outcome.error, PermanentFailure) and outcome.error.plain_key == "credentials"
    assert inbox.messages == [] and outbox.entries()[0].state.status == "stopped"


def test_an_untrusted_certificate_sends_nothing(smtp_server, certs, sample_report):
    inbox, port = smtp_server
    with pytest.raises(PermanentFailure) as err:
        transport(port, certs, ca=False).send(sample_report, report.dumps(sample_report))
    assert err.value.plain_key == "certificate" and inbox.messages == []


def test_no_server_is_temporary(certs, sample_report, tmp_path):
    outbox = Outbox(tmp_path / "outbox", clock=lambda: time.time())
    outbox.add(sample_report)
    (outcome,) = outbox.deliver_due(transport(free_port(), certs))
    assert outcome.will_retry and outcome.receipt is None
