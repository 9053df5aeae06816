"""Leaving names and addresses out: the fields that hold them, never every value that
reads like them; keyed hashes with the organisation's secret, or no hash at all."""

from __future__ import annotations

import json

import jsonschema

from ally_helpdesk.it_view import html_view
from ally_helpdesk.report_format import json_schema
from desktop.reporting import redact
from tests.builders import report_doc
from tests.run_ally import run_ally

SCHEMA = json_schema()
KEY = "k" * 32


def ok_strings(node) -> int:
    return json.dumps(node).count('"ok"')


def test_a_person_called_ok_does_not_null_every_status():
    doc = report_doc()
    doc["machine"]["user"] = "ok"
    doc["diagnosis"]["sections"]["system"]["data"]["user"] = "ok"
    doc["note"] = "My files in /home/ok/Documents are slow, ok?"
    before = ok_strings(doc)
    for rule in ("drop", "hash"):
        out = redact.apply(doc, policy=redact.PrivacyPolicy(user_name=rule, hash_key=KEY))
        jsonschema.validate(out, SCHEMA)
        assert ok_strings(out) == before - 2  # only the two user fields changed
        assert all(
            s["status"] in ("ok", "unavailable", "error")
            for s in out["diagnosis"]["sections"].values()
        )
        assert out["note"].startswith("My files in /home/") and "/home/ok/" not in out["note"]
        assert out["note"].endswith("are slow, ok?")


def test_ip_addresses_can_be_left_out():
    doc = report_doc()
    doc["note"] = "The printer at 10.1.2.3 and fe80::1%eth0 will not answer since 10:15:30."
    network = doc["diagnosis"]["sections"]["network"]["data"]
    network["interfaces"] = [
        {
            "name": "eth0",
            "kind": "wired",
            "is_up": True,
            "ipv4": ["192.168.1.20"],
            "ipv6": ["fe80::1"],
        }
    ]
    out = redact.apply(doc, policy=redact.PrivacyPolicy(ip_addresses="drop"))
    text = json.dumps(out)
    assert "192.168.1.20" not in text and "10.1.2.3" not in text and "fe80::1" not in text
    assert out["note"] == (
        "The printer at [address left out] and [address left out] will not answer since 10:15:30."
    )
    assert out["machine"]["os"] == doc["machine"]["os"]  # versions are not addresses
    assert "ip_addresses" in out["left_out"] and out["privacy"]["ip_addresses"] == "dropped"
    jsonschema.validate(out, SCHEMA)


def test_hash_needs_the_organisation_key_and_doctor_says_why(tmp_path):
    home = tmp_path / "h"
    policy = tmp_path / "policy.toml"
    policy.write_text('[network]\nactive_checks = false\n[privacy]\nuser_name = "hash"\n')
    doctor = run_ally("doctor", home=home, policy=policy)
    assert "PROBLEM  privacy: user names are set to hash, but there is no organisation key" in (
        doctor.stdout
    )
    shown = run_ally(
        "report", "--note", "x", "--show-json", "--yes", "--warm-up", "0", home=home, policy=policy
    )
    sent = json.loads(next((home / "data/reports").glob("*.json")).read_text())
    assert sent["machine"]["user"] is None and sent["privacy"]["user_name"] == "dropped", (
        shown.stdout
    )
    stored = run_ally("credentials", "set", "hash-key", home=home, policy=policy, stdin=KEY + "\n")
    assert stored.returncode == 0, stored.stderr
    doctor = run_ally("doctor", home=home, policy=policy)
    assert "OK       privacy: user names are hashed with the organisation's key" in doctor.stdout
    run_ally("report", "--note", "y", "--yes", "--warm-up", "0", home=home, policy=policy)
    users = {
        json.loads(p.read_text())["machine"]["user"] for p in (home / "data/reports").glob("*.json")
    }
    assert None in users and any(u and u.startswith("h:") for u in users)


def test_a_short_hash_key_in_the_policy_is_refused_without_repeating_it(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[privacy]\nuser_name = "hash"\nhash_key = "tooshort"\n')
    doctor = run_ally("doctor", home=tmp_path / "h", policy=policy)
    assert "hash_key should be a secret of at least 16 characters (it is 8 characters)" in (
        doctor.stdout
    )
    assert "tooshort" not in doctor.stdout


def test_its_html_has_no_control_characters():
    doc = report_doc(note="Froze\x1b[2J\x07 then <script>alert(1)</script>\u202e")
    doc["diagnosis"]["findings"].append(
        {
            "id": "x",
            "severity": "warning",
            "headline": "\x1b]0;pwned\x07 is busy",
            "explanation": "e",
            "it_detail": "d\x9b",
            "advice": [],
        }
    )
    page = html_view.render(doc)
    assert not any(c in page for c in "\x1b\x07\x9b\u202e")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert "]0;pwned is busy" in page
