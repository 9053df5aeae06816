"""Delivery into a real Request Tracker 5 (Debian packages, SQLite, 127.0.0.1)."""

from __future__ import annotations

import base64
import json

import jsonschema
import pytest
import requests

from ally_helpdesk.report_format import json_schema
from ally_helpdesk.transports.base import PermanentFailure
from ally_helpdesk.transports.request_tracker import RequestTrackerTransport
from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose
from desktop.reporting import report
from desktop.reporting.outbox import Outbox
from tests.integration.rt_lab import PASSWORD, RtLab, available

why_not = available()
pytestmark = pytest.mark.skipif(why_not is not None, reason=why_not or "")


@pytest.fixture(scope="module")
def rt():
    lab = RtLab()
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def sample():
    d = diagnose("printing", sampler=Sampler(SamplerSettings(interval_s=0.2)), warm_up_s=0.3)
    return report.build(
        d,
        note="The printer on floor 4 says nothing and prints nothing.",
        contact=report.Contact("Alex Doe", "alex@example.com"),
    )


def test_a_ticket_with_both_attachments_and_its_status_read_back(rt, sample, tmp_path):
    transport = RequestTrackerTransport(rt.url, "General", "root", PASSWORD)
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(sample)
    (outcome,) = outbox.deliver_due(transport)
    assert outcome.receipt is not None, outcome.error and outcome.error.detail
    ticket = int(outcome.receipt.reference)
    auth = ("root", PASSWORD)
    t = requests.get(f"{rt.url}/REST/2.0/ticket/{ticket}", auth=auth, timeout=10).json()
    assert t["Subject"].endswith(f"ally:{sample['id']}") and t["Status"] == "new"
    items = requests.get(
        f"{rt.url}/REST/2.0/ticket/{ticket}/attachments",
        auth=auth,
        params={"fields": "Filename,ContentType"},
        timeout=10,
    ).json()["items"]
    by_name = {i.get("Filename"): i for i in items if i.get("Filename")}
    assert set(by_name) >= {"report.html", "report.json"}
    raw = requests.get(
        f"{rt.url}/REST/2.0/attachment/{by_name['report.json']['id']}", auth=auth, timeout=10
    ).json()["Content"]
    sent = json.loads(base64.b64decode(raw))
    assert sent == sample
    jsonschema.validate(sent, json_schema())
    assert transport.status(ticket) == "new"
    rt.set_status(ticket, "open")
    assert transport.status(ticket) == "open"
    rt.set_status(ticket, "resolved")
    assert transport.status(ticket) == "resolved"


def test_a_retry_finds_the_ticket_instead_of_opening_another(rt, sample):
    transport = RequestTrackerTransport(rt.url, "General", "root", PASSWORD)
    again = transport.send(sample, report.dumps(sample))  # as if the first receipt had been lost
    first = transport.existing_ticket(sample["id"])
    assert again.reference == str(first)
    found = requests.get(
        f"{rt.url}/REST/2.0/tickets",
        auth=("root", PASSWORD),
        params={"query": f"Subject LIKE 'ally:{sample['id']}'"},
        timeout=10,
    ).json()
    assert found["count"] == 1


def test_a_wrong_password_stops_and_says_so(rt, sample):
    with pytest.raises(PermanentFailure) as err:
        RequestTrackerTransport(rt.url, "General", "root", "not the password").send(
            sample, report.dumps(sample)
        )
    assert err.value.plain_key == "credentials"


def test_my_reports_shows_what_it_is_doing_with_the_report(rt, sample, tmp_path):
    from tests.run_ally import run_ally

    home = tmp_path / "home"
    policy = tmp_path / "policy.toml"
    policy.write_text(
        f'[network]\nactive_checks = false\n[transport]\nkind = "request-tracker"\nurl = "{rt.url}"\n'
        'rt_queue = "General"\nrt_user = "root"\n'
    )

    def ally(*args, stdin=None):
        return run_ally(*args, home=home, policy=policy, stdin=stdin)

    assert ally("credentials", "set", "request-tracker", stdin=PASSWORD + "\n").returncode == 0
    sent = ally(
        "report", "--symptom", "printing", "--note", "Nothing prints", "--yes", "--warm-up", "0.1"
    )
    assert sent.returncode == 0, sent.stdout + sent.stderr
    number = sent.stdout.split("IT has your report (reference ")[1].split(")")[0]
    assert f"{number}  via request-tracker" in ally("outbox", "list").stdout
    assert (
        "— IT has your report and will start on the problem soon" in ally("outbox", "list").stdout
    )
    rt.set_status(int(number), "open")
    assert "— IT is working on the problem" in ally("outbox", "list").stdout
