"""Issue 31's attacks on the relay, each as it was made on loopback, each refused at its
cause: a report id with a newline, an enrolment token valid for 1e300 days (or nan),
rate limits of 0, nan or below zero, and a helpdesk that answers with a javascript: link.
A real relay process, a real SQLite database."""

from __future__ import annotations

import math
import uuid

import pytest
import requests

from desktop.reporting.report import dumps
from relay import config
from relay.db import engine_for, upgrade
from relay.store import Store
from tests.relay.lab import RelayLab, enrol, signed_in


@pytest.fixture(scope="module")
def relay(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attacks")
    lab = RelayLab(folder, forward={"kind": "folder", "folder": str(folder / "helpdesk")})
    with lab:
        yield lab


def test_a_report_id_ending_in_a_newline_is_refused(relay, new_report):
    """`^…$` lets a newline through at the end: a file name with a newline in IT's folder,
    a webhook forward stuck for ever on an invalid header."""
    device = enrol(relay, relay.token(), "pc-newline")
    doc = new_report()
    doc["id"] = str(uuid.uuid4()) + "\n"
    r = requests.post(
        relay.url + "/api/v1/reports",
        data=dumps(doc),
        headers={"Authorization": f"Bearer {device}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 422 and r.json()["error"] == "not_a_report"
    key = requests.utils.quote(doc["id"])
    status = requests.get(
        relay.url + f"/api/v1/reports/{key}",
        headers={"Authorization": f"Bearer {device}"},
        timeout=10,
    )
    assert status.status_code in (400, 404)
    assert relay.health()["queue"]["queued"] == 0


@pytest.mark.parametrize("days", ["1e300", "nan", "inf", "-3", "4000"])
def test_an_enrolment_token_for_absurd_days_is_refused_and_the_pages_stay_up(relay, days):
    made = relay.cli("token", "create", "--days", days)
    assert made.returncode != 0 and "days" in (made.stderr + made.stdout)
    assert "Traceback" not in made.stderr
    assert relay.health()["status"] == "ok"


def test_the_store_refuses_absurd_days_and_uses(tmp_path):
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    upgrade(url)
    store = Store(engine_for(url))
    for days in (1e300, math.nan, math.inf, -1.0, 0.5e-9 * -1):
        with pytest.raises(ValueError):
            store.create_enrolment_token("x", days, None)
    for uses in (0, -1, 2**31, 10**20):  # the column is a 32-bit integer on PostgreSQL
        with pytest.raises(ValueError):
            store.create_enrolment_token("x", 7.0, uses)
    with pytest.raises(ValueError):
        store.create_enrolment_token("x", True, None)  # a bool is not a number of days
    assert store.create_enrolment_token("x", None, None)  # until revoked: allowed
    assert store.create_enrolment_token("x", 3650.0, 1)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("reports_per_hour", 0),
        ("reports_per_hour", math.nan),
        ("reports_per_hour", -5.0),
        ("report_burst", 0),
        ("enrolments_per_minute", math.inf),
        ("status_per_minute", 0.0),
        ("reports_per_hour", 5e-324),  # above zero, yet zero once divided by 3600
        ("reports_per_hour", 1e-310),  # a wait of inf seconds
        ("enrolments_per_minute", 0.5),  # a bucket that never holds one whole request
    ],
)
def test_a_rate_limit_of_zero_nan_or_below_zero_is_a_settings_problem(setting, value):
    with pytest.raises(config.ConfigError) as refused:
        config.from_dict({"limits": {setting: value}}, "relay.toml")
    assert any(f"[limits] {setting}" in p for p in refused.value.problems)


def test_a_helpdesk_link_that_is_not_a_web_address_is_never_kept(tmp_path, new_report):
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    upgrade(url)
    store = Store(engine_for(url))
    token = store.create_enrolment_token("x", 7.0, None)
    device = store.enrol(str(token), "pc", "1.0", "127.0.0.1")
    links = {}
    for link in (
        "javascript:alert(document.cookie)",
        "data:text/html,hi",
        "https://rt/Ticket/1",
        "https://rt/Ticket/1\nSet-Cookie: x",  # a line break inside is not a link
    ):
        doc = new_report()
        store.accept(device.id, doc, dumps(doc))
        row = store.claim(60.0)
        store.delivered(row.number, "request-tracker", "1", link)
        links[link] = store.report(row.number).ticket_url
    assert links == {
        "javascript:alert(document.cookie)": None,
        "data:text/html,hi": None,
        "https://rt/Ticket/1": "https://rt/Ticket/1",
        "https://rt/Ticket/1\nSet-Cookie: x": None,
    }


def test_a_date_no_calendar_holds_shows_as_a_dash_and_never_takes_the_page_down():
    """Tokens made before the fix (1e300 days) are still in databases: the page shows "—"
    for such a date. (A nan expiry is stored by SQLite as NULL, "until revoked"; the store
    refuses nan now, and on PostgreSQL a stored NaN counts as expired: not later than now.)"""
    from relay.admin import _when

    assert _when(1e300) == "—" and _when(math.nan) == "—" and _when(None) == "—"
    assert _when(0.0) == "1970-01-01 00:00 UTC"


def test_a_password_change_or_a_disabled_account_ends_its_sign_in_sessions(relay):
    """Attack 8: a session made with the old password kept working after IT changed it."""
    old, new = "correct horse battery staple", "a new and longer passphrase"
    assert relay.cli("user", "set", "it-lee", stdin=old + "\n").returncode == 0
    session = signed_in(relay, "it-lee", old)
    assert session.get(relay.url + "/admin", allow_redirects=False, timeout=10).status_code == 200
    assert relay.cli("user", "set", "it-lee", stdin=new + "\n").returncode == 0
    after = session.get(relay.url + "/admin", allow_redirects=False, timeout=10)
    assert after.status_code == 303 and after.headers["location"] == "/admin/login"
    # The same for an account IT disables.
    again = signed_in(relay, "it-lee", new)
    assert again.get(relay.url + "/admin", allow_redirects=False, timeout=10).status_code == 200
    assert relay.cli("user", "disable", "it-lee").returncode == 0
    assert again.get(relay.url + "/admin", allow_redirects=False, timeout=10).status_code == 303


def test_the_proxy_sign_in_needs_the_proxys_own_secret_not_only_its_address(tmp_path):
    """Attack 4: with `auth = "proxy"` as documented, any account on the relay's machine
    could connect to 127.0.0.1 itself, send `X-Remote-User: mallory` and be IT. The header
    now counts only with the secret only the proxy knows (a file of mode 600)."""
    secret = tmp_path / "proxy-secret"
    secret.write_text("s3cret-the-proxy-sends-" + "x" * 20 + "\n")
    secret.chmod(0o600)
    folder = tmp_path / "relay"
    with RelayLab(
        folder,
        forward={"kind": "folder", "folder": str(folder / "hd")},
        server={"behind_proxy": True, "trusted_proxies": ["127.0.0.1/32"]},
        admin={"auth": "proxy", "proxy_secret_file": str(secret)},
        secret=None,
    ) as lab:

        def admin(headers: dict) -> int:
            r = requests.get(lab.url + "/admin", headers=headers, allow_redirects=False, timeout=10)
            return r.status_code

        mallory = {"X-Remote-User": "mallory"}
        assert admin(mallory) == 303  # a local account, straight to 127.0.0.1
        assert admin({**mallory, "X-Ally-Proxy-Secret": "guessed"}) == 303
        proxy = {**mallory, "X-Ally-Proxy-Secret": secret.read_text().strip()}
        assert admin(proxy) == 200  # the proxy, which holds the secret
        # A proxy that appends the header rather than replacing it passes the client's own
        # value first: a sign-in header given twice counts for no one.
        import http.client
        from urllib.parse import urlsplit

        where = urlsplit(lab.url)
        conn = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
        conn.putrequest("GET", "/admin")
        conn.putheader("X-Remote-User", "mallory")
        conn.putheader("X-Remote-User", "it-lee")
        conn.putheader("X-Ally-Proxy-Secret", secret.read_text().strip())
        conn.endheaders()
        assert conn.getresponse().status == 303
        conn.close()
    # Without a secret file, `auth = "proxy"` is a settings problem, not an open door.
    with pytest.raises(config.ConfigError) as refused:
        config.from_dict(
            {
                "server": {"behind_proxy": True, "trusted_proxies": ["127.0.0.1/32"]},
                "admin": {"auth": "proxy"},
            },
            "relay.toml",
        )
    assert any("proxy_secret_file" in p for p in refused.value.problems)
    # A secret file that is empty or too short to be one is a settings problem too (it
    # would lock everyone out, or be guessed).
    for text in ("", "short\n"):
        weak = tmp_path / f"weak-{len(text)}"
        weak.write_text(text)
        weak.chmod(0o600)
        with pytest.raises(config.ConfigError) as refused:
            config.from_dict(
                {
                    "server": {"behind_proxy": True, "trusted_proxies": ["127.0.0.1/32"]},
                    "admin": {"auth": "proxy", "proxy_secret_file": str(weak)},
                },
                "relay.toml",
            )
        assert any("proxy_secret_file" in p for p in refused.value.problems)


def _half_heads(url: str, addresses: int, each: int, start: bytes = b"") -> list:
    """``each`` connections from each of ``addresses`` loopback addresses (127.0.0.2 …),
    every one with the start of a request sent (by default half a head), held open."""
    import socket
    from urllib.parse import urlsplit

    target = urlsplit(url)
    held = []
    for a in range(addresses):
        for _ in range(each):
            s = socket.socket()
            s.bind((f"127.0.0.{a + 2}", 0))
            s.settimeout(5)
            try:
                s.connect((target.hostname, target.port))
                s.sendall(start or b"GET /healthz HTTP/1.1\r\nHost: relay\r\nX-Half: ")
            except OSError:
                s.close()
                continue
            held.append(s)
    return held


def _everyone_else_is_answered(lab, hold) -> None:
    """Three times over (as a client that keeps reconnecting), ``hold()`` opens the
    attack's connections and keeps them; meanwhile every ordinary request is answered 200."""
    held = []
    try:
        for _round in range(3):
            held += hold()
            for _ in range(5):
                r = requests.get(lab.url + "/healthz", timeout=5)
                assert r.status_code == 200, r.status_code
    finally:
        for s in held:
            s.close()


def test_unfinished_heads_from_many_addresses_never_shut_everyone_else_out(tmp_path):
    """Attack 5: 11 addresses × 95 unfinished heads (each under the per-address cap) held
    every connection the relay takes, so everyone else got 503 until the head timeout, and
    a client that kept reconnecting kept the relay down. Unfinished heads may now hold at
    most half the connections; the oldest goes when another comes."""
    folder = tmp_path / "relay"
    with RelayLab(
        folder,
        forward={"kind": "folder", "folder": str(folder / "hd")},
        server={
            "max_connections": 40,
            "max_connections_per_address": 10,
            "head_timeout_s": 60.0,  # the attack outlasts nothing: the timeout does not help
        },
        secret=None,
    ) as lab:
        _everyone_else_is_answered(lab, lambda: _half_heads(lab.url, addresses=11, each=9))


def _half_bodies(url: str, device: str, addresses: int, each: int) -> list:
    """Like _half_heads, but each connection sent a whole head of a report (a valid device
    token, Content-Length 100000) and then only the start of its body."""
    head = (
        "POST /api/v1/reports HTTP/1.1\r\nHost: relay\r\n"
        f"Authorization: Bearer {device}\r\nContent-Type: application/json\r\n"
        "Content-Length: 100000\r\n\r\n{"
    ).encode()
    return _half_heads(url, addresses, each, head)


def test_bodies_that_never_finish_from_many_addresses_never_shut_everyone_else_out(tmp_path):
    """A second attack on attack 5's fix: a whole head, then a body that drips (anyone with
    the policy's enrolment token can enrol a device), from 11 addresses under the
    per-address cap, held every connection until body_timeout_s. Connections whose request
    is unfinished, head or body, share at most half of max_connections."""
    folder = tmp_path / "relay"
    with RelayLab(
        folder,
        forward={"kind": "folder", "folder": str(folder / "hd")},
        server={
            "max_connections": 40,
            "max_connections_per_address": 10,
            "body_timeout_s": 60.0,
            "head_timeout_s": 60.0,
        },
        secret=None,
    ) as lab:
        device = enrol(lab, lab.token(), "pc-dripping")
        _everyone_else_is_answered(lab, lambda: _half_bodies(lab.url, device, addresses=11, each=9))
