"""IT's pages in a real headless Chromium with JavaScript switched off: sign in, see the
devices and the recent reports with their delivery state, open a report (the same HTML
view IT gets by the other transports), revoke a device, make an enrolment token, sign
out. And the sign-in rules: wrong passwords, forged forms, the proxy's header trusted
only from a trusted proxy."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from desktop.reporting.report import dumps
from tests.relay.lab import RelayLab, enrol, signed_in
from tests.relay.webdriver import Browser, available

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "relay"
IT_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def relay(tmp_path_factory):
    folder = tmp_path_factory.mktemp("admin")
    lab = RelayLab(
        folder, forward={"kind": "folder", "folder": str(folder / "helpdesk")}, secret=None
    )
    assert lab.cli("user", "set", "it-admin", stdin=IT_PASSWORD + "\n").returncode == 0
    with lab:
        yield lab


@pytest.fixture(scope="module")
def fleet(relay, sample_report):
    token = relay.token("--uses", "2")
    a, b = enrol(relay, token, "FRONTDESK-01"), enrol(relay, token, "<b>ACCOUNTS-02</b>")
    doc = dict(sample_report, id="6b1f4a52-9f0e-4c57-a0f3-5c3f0b3b8d11")
    doc["machine"] = dict(doc["machine"], hostname="FRONTDESK-01")
    r = requests.post(
        relay.url + "/api/v1/reports",
        data=dumps(doc),
        headers={"Authorization": f"Bearer {a}"},
        timeout=10,
    )
    assert r.status_code == 201
    relay.wait_queue_empty()
    return {"a": a, "b": b, "doc": doc, "number": r.json()["number"]}


@pytest.fixture
def browser(tmp_path):
    why = available()
    if why:
        pytest.skip(why)
    b = Browser(tmp_path / "profile")
    try:
        yield b
    finally:
        b.close()


def sign_in(browser, relay, password=IT_PASSWORD):
    browser.go(relay.url + "/admin")
    assert browser.url().endswith("/admin/login")
    browser.type("input[name=user]", "it-admin")
    browser.type("input[name=password]", password)
    browser.click("form.login button")


def test_it_signs_in_and_sees_devices_and_reports_without_javascript(browser, relay, fleet):
    sign_in(browser, relay)
    assert browser.url().endswith("/admin")
    devices = browser.text("#devices")
    assert "FRONTDESK-01" in devices and "<b>ACCOUNTS-02</b>" in devices  # shown, not run
    assert "0.1.0" in devices and "active" in devices
    reports = browser.text("#reports")
    assert f"{fleet['number']}" in reports and "delivered" in reports
    assert fleet["doc"]["diagnosis"]["summary"]["headline"] in reports
    assert "<script" not in browser.source().lower()
    assert browser.screenshot(ARTIFACTS / "overview.png") > 20_000

    browser.click(f"#reports a[href='/admin/reports/{fleet['number']}']")
    view = browser.text()
    assert "In their own words" in view and fleet["doc"]["note"] in view
    assert fleet["doc"]["id"] in browser.source()


def test_it_revokes_a_device_and_makes_an_enrolment_token(browser, relay, fleet):
    sign_in(browser, relay)
    device_b = fleet["b"].split(".")[1]
    browser.click(f"form[action='/admin/device-revoke/{device_b}'] button")
    row = next(t for t in browser.text("#devices").splitlines() if device_b in t)
    assert "revoked" in row
    refused = requests.get(
        relay.url + "/api/v1/device", headers={"Authorization": f"Bearer {fleet['b']}"}, timeout=10
    )
    assert refused.status_code == 401 and refused.json()["error"] == "revoked"

    browser.type("input[name=note]", "floor 3")
    browser.type("input[name=uses]", "1")
    browser.click("form.token-form button")
    token = browser.text("#new-token").strip()
    assert token.startswith("allyenrol.")
    assert enrol(relay, token, "FLOOR3-PC").startswith("allydev.")
    browser.click("form[action='/admin/logout'] button")
    browser.go(relay.url + "/admin")
    assert browser.url().endswith("/admin/login")


def test_a_wrong_password_is_refused_in_plain_words(browser, relay):
    sign_in(browser, relay, "not the password at all")
    assert browser.url().endswith("/admin/login")
    assert "do not match" in browser.text(".error")


def test_forms_without_the_sessions_csrf_token_are_refused(relay, fleet):
    s = requests.Session()
    r = s.post(
        relay.url + "/admin/login",
        data={"user": "it-admin", "password": IT_PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 303 and "HttpOnly" in r.headers["set-cookie"]
    assert "SameSite=strict" in r.headers["set-cookie"]
    for key in ("9" * 40, "-1", "..%2F..%2Fetc%2Fpasswd", "1%20OR%201=1"):
        assert s.get(relay.url + "/admin/reports/" + key, timeout=10).status_code == 404
    device_a = fleet["a"].split(".")[1]
    forged = s.post(
        relay.url + f"/admin/device-revoke/{device_a}",
        data={"csrf": "guessed"},
        allow_redirects=False,
        timeout=10,
    )
    assert forged.status_code == 403
    assert requests.get(
        relay.url + "/api/v1/device", headers={"Authorization": f"Bearer {fleet['a']}"}, timeout=10
    ).ok
    # Without any session every page and action sends to the sign-in page.
    for method, path in (
        ("GET", "/admin"),
        ("GET", "/admin/reports/1"),
        ("POST", "/admin/device-revoke/x"),
    ):
        r = requests.request(method, relay.url + path, allow_redirects=False, timeout=10)
        assert r.status_code == 303 and r.headers["location"] == "/admin/login"


def test_the_proxy_header_counts_only_from_a_trusted_proxy(tmp_path):
    trusted = {"behind_proxy": True, "trusted_proxies": ["127.0.0.1/32"]}
    untrusted = {"behind_proxy": True, "trusted_proxies": ["192.0.2.1/32"]}
    secret = tmp_path / "proxy-secret"
    secret.write_text("the-proxy-and-the-relay-share-this-secret\n")
    secret.chmod(0o600)
    for server, expect in ((trusted, 200), (untrusted, 303)):
        folder = tmp_path / str(expect)
        with RelayLab(
            folder,
            forward={"kind": "folder", "folder": str(folder / "hd")},
            server=server,
            admin={"auth": "proxy", "proxy_secret_file": str(secret)},
            secret=None,
        ) as lab:
            r = requests.get(
                lab.url + "/admin",
                headers={
                    "X-Remote-User": "it-admin@example.org",
                    "X-Ally-Proxy-Secret": "the-proxy-and-the-relay-share-this-secret",
                },
                allow_redirects=False,
                timeout=10,
            )
            assert r.status_code == expect, server
            if expect == 200:
                assert "signed in as it-admin@example.org" in r.text
                assert "Sign out" not in r.text  # the proxy owns the session
            # The access line is written just after the answer goes out: wait for it.
            deadline = time.monotonic() + 10
            while not (log := [e for e in lab.log_lines() if e.get("path") == "/admin"]):
                assert time.monotonic() < deadline, "no access log line"
                time.sleep(0.05)
            assert log[-1]["status"] == expect and log[-1]["client"] == "127.0.0.1"
            assert json.dumps(log)  # logs are JSON lines


def test_a_ticket_link_stored_before_links_were_checked_is_shown_as_text_not_a_link(relay, fleet):
    """Issue 31, attack 10: a relay now keeps only http(s) ticket links, but a database
    from before still holds what a helpdesk answered then; IT's page must not make a
    "javascript:" link of it."""
    from sqlalchemy import text

    from relay.db import engine_for

    with engine_for(relay.database).begin() as db:
        db.execute(
            text("UPDATE reports SET ticket_url = :u, reference = 'RT-7' WHERE number = :n"),
            {"u": "javascript:alert(document.cookie)", "n": fleet["number"]},
        )
    page = signed_in(relay, "it-admin", IT_PASSWORD).get(relay.url + "/admin", timeout=10).text
    assert "RT-7" in page
    assert "javascript:" not in page.lower()
