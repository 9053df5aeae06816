"""The desktop's side of rule 7 with the relay: only the relay's own receipt for this very
report takes a report out of the outbox. And TLS, with the relay terminating it itself
(a certificate from a test CA): trusted with the company CA, refused without."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from desktop.policy.config import Policy
from desktop.reporting.outbox import Outbox
from desktop.reporting.transports.relay import Enrolment, RelayTransport
from tests.certs import ca_and_server
from tests.relay.lab import RelayLab

PRETEND_TOKEN = "allydev.0123456789abcdef." + "B" * 43


class Impostor:
    """Something at the relay's address that is not the relay: a proxy's sign-in page, a
    redirect, a 2xx for another report, a receipt without a number."""

    def __init__(self, answer):
        impostor = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, headers, body = impostor.answer(json.loads("{}"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.answer = answer
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def policy_for(url: str, ca: str | None = None) -> Policy:
    relay = {"url": url}
    if ca:
        relay["ca_bundle"] = ca
    return Policy.from_dict({"transport": {"kind": "relay"}, "relay": relay})


@pytest.fixture
def enrolled(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.file_keyring.FileKeyring")
    import keyring

    from tests.file_keyring import FileKeyring

    keyring.set_keyring(FileKeyring())

    def store(url: str) -> None:
        Enrolment(PRETEND_TOKEN, url, "").store()

    return store


NOT_RECEIPTS = {
    "redirect to a sign-in page": lambda _: (302, {"Location": "https://login.example/"}, b""),
    "a sign-in page with 200": lambda _: (
        200,
        {"Content-Type": "text/html"},
        b"<html><form>Sign in</form></html>",
    ),
    "a 201 for another report": lambda _: (
        201,
        {"Content-Type": "application/json"},
        json.dumps(
            {
                "schema": "ally.relay-receipt/1",
                "report_id": "00000000-0000-0000-0000-000000000000",
                "number": 7,
            }
        ).encode(),
    ),
    "a 200 of some other JSON": lambda _: (200, {"Content-Type": "application/json"}, b"{}"),
}


@pytest.mark.parametrize("kind", NOT_RECEIPTS)
def test_an_answer_that_is_not_the_relays_receipt_keeps_the_report(
    kind, enrolled, new_report, tmp_path
):
    impostor = Impostor(NOT_RECEIPTS[kind])
    try:
        enrolled(impostor.url)
        outbox = Outbox(tmp_path / "outbox")
        outbox.add(new_report())
        (outcome,) = outbox.deliver_due(RelayTransport(policy_for(impostor.url)))
        assert outcome.receipt is None and outcome.will_retry, kind
        assert len(outbox.entries()) == 1
    finally:
        impostor.close()


def test_plain_http_to_another_computer_is_refused():
    from ally_helpdesk.transports.base import PermanentFailure

    with pytest.raises(PermanentFailure):
        RelayTransport(policy_for("http://relay.example.org"))


@pytest.fixture(scope="module")
def tls_relay(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    ca, cert, key = ca_and_server(folder / "certs", ["127.0.0.1", "localhost"])
    lab = RelayLab(
        folder,
        forward={"kind": "folder", "folder": str(folder / "helpdesk")},
        server={"tls_cert": str(cert), "tls_key": str(key)},
        secret=None,
    )
    lab.ca = str(ca)
    with lab:
        yield lab


def test_tls_by_the_relay_itself_with_the_company_ca(tls_relay, enrolled, new_report, tmp_path):
    token = tls_relay.token()
    policy = Policy.from_dict(
        {
            "transport": {"kind": "relay"},
            "relay": {"url": tls_relay.url, "ca_bundle": tls_relay.ca, "enrolment_token": token},
        }
    )
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(new_report())
    (outcome,) = outbox.deliver_due(RelayTransport(policy))
    assert outcome.receipt is not None, outcome.error and outcome.error.detail
    assert outcome.receipt.url.startswith("https://127.0.0.1:")


def test_tls_without_the_company_ca_sends_nothing(tls_relay, enrolled, new_report, tmp_path):
    policy = Policy.from_dict(
        {
            "transport": {"kind": "relay"},
            "relay": {"url": tls_relay.url, "enrolment_token": tls_relay.token()},
        }
    )
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(new_report())
    (outcome,) = outbox.deliver_due(RelayTransport(policy))
    assert outcome.receipt is None and outcome.error.plain_key == "certificate"


def test_the_health_command_asks_the_running_relay_itself(tls_relay, tmp_path, capsys):
    """`ally-relay health` (a container's HEALTHCHECK) finds the relay from its own
    settings, over TLS when it speaks TLS, and trusts only the relay's own certificate."""
    from relay.config import ServerSettings
    from relay.health_probe import probe

    done = tls_relay.cli("health")
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout)
    assert said["url"] == f"https://127.0.0.1:{tls_relay.port}/healthz"
    assert said["http_status"] == 200 and said["answer"]["status"] == "ok"
    # Another certificate than the relay's: not the relay answering, as far as it knows.
    _, other, other_key = ca_and_server(tmp_path / "other", ["127.0.0.1"])
    server = ServerSettings(port=tls_relay.port, tls_cert=str(other), tls_key=str(other_key))
    assert probe(server) == 1
    assert "did not answer" in capsys.readouterr().err


def test_the_health_command_says_when_no_relay_answers(tmp_path):
    lab = RelayLab(tmp_path, forward={"kind": "folder", "folder": str(tmp_path / "hd")})
    with lab:
        up = lab.cli("health")
    assert up.returncode == 0 and json.loads(up.stdout)["http_status"] == 200
    down = lab.cli("health")  # the relay has stopped
    assert down.returncode == 1 and "did not answer" in down.stderr
    assert "Traceback" not in down.stderr
