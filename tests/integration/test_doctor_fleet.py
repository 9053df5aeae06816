"""``ally doctor`` for fleets and corporate networks, run as IT would: one JSON document
with stable exit codes, another person's Ally checked as that person, and the server
asked the way a report goes — through the company's proxy, with TLS checked end to end."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest

from tests.certs import ca_and_server
from tests.connect_proxy import ConnectProxy
from tests.hostile_server import Answer, HostileServer
from tests.run_ally import run_ally

NO_NETWORK = Path("tests/data/policy-no-active-network.toml")


def policy(tmp_path: Path, transport: str) -> Path:
    p = tmp_path / "policy.toml"
    p.write_text(f"[network]\nactive_checks = false\n[transport]\n{transport}")
    return p


def doctor_json(*args: str, home: Path, policy: Path, env: dict | None = None) -> tuple:
    done = run_ally("doctor", "--json", *args, home=home, policy=policy, extra_env=env)
    return done.returncode, json.loads(done.stdout), done


def test_all_good_is_exit_0_and_one_document(tmp_path):
    share = tmp_path / "share"
    share.mkdir()  # IT's folder, made by IT
    p = policy(tmp_path, f'kind = "folder"\nfolder = "{share}"\n')
    code, doc, _ = doctor_json(home=tmp_path / "h", policy=p)
    assert code == 0 and doc["ok"] is True and doc["problems"] == 0
    assert doc["schema"] == 1 and doc["ally_version"] and doc["host"] and doc["checked_at"]
    names = [c["check"] for c in doc["checks"]]
    assert names[:2] == ["policy", "transport"] and "outbox" in names and "log" in names
    assert all(c["ok"] is True and c["text"] for c in doc["checks"])


def test_a_problem_is_exit_1_and_named(tmp_path):
    p = policy(tmp_path, 'kind = "webhook"\nurl = "https://127.0.0.1:9/hook"\n')
    code, doc, _ = doctor_json(home=tmp_path / "h", policy=p)
    assert code == 1 and doc["ok"] is False and doc["problems"] >= 2
    failed = {c["check"]: c["text"] for c in doc["checks"] if not c["ok"]}
    assert "127.0.0.1:9 does not answer (Connection refused)" in failed["reachable"]
    assert "credentials" in failed  # no webhook secret stored in the test keyring


def test_another_person_unknown_is_exit_2_in_both_forms(tmp_path):
    code, doc, _ = doctor_json("--user", "no-such-person-here", home=tmp_path, policy=NO_NETWORK)
    assert code == 2 and doc["ok"] is False and "no account named" in doc["error"]
    text = run_ally("doctor", "--user", "no-such-person-here", home=tmp_path, policy=NO_NETWORK)
    assert text.returncode == 2 and "no account named" in text.stderr and not text.stdout


def test_a_named_person_is_checked_in_their_own_profile(tmp_path):
    """The checks run again as that account (here the one running the tests; the .deb
    test does it as root for a new account): their home, not ALLY_HOME's."""
    me = getpass.getuser()
    code, doc, _ = doctor_json("--user", me, home=tmp_path / "ignored", policy=NO_NETWORK)
    assert code in (0, 1) and doc["user"] == me
    log = next(c["text"] for c in doc["checks"] if c["check"] == "log")
    assert str(Path.home()) in log and "ignored" not in log


@pytest.fixture
def tls_hook(tmp_path):
    """An HTTPS receiver known only by a name this computer cannot look up, signed by a
    company CA; a proxy that knows the name."""
    ca, cert, key = ca_and_server(tmp_path / "pki", ["hook.corp.example"])
    with HostileServer(lambda seen: Answer(405), tls=(cert, key)) as server:
        port = int(server.base.rsplit(":", 1)[1])
        with ConnectProxy({"hook.corp.example:443": ("127.0.0.1", port)}) as proxy:
            yield ca, server, proxy


def test_the_server_is_asked_through_the_proxy_with_tls_checked(tmp_path, tls_hook):
    ca, server, proxy = tls_hook
    p = policy(
        tmp_path,
        f'kind = "webhook"\nurl = "https://hook.corp.example/ally"\nca_bundle = "{ca}"\n',
    )
    env = {"https_proxy": proxy.url.replace("http://", "http://it:pw@"), "no_proxy": ""}
    _, doc, _ = doctor_json(home=tmp_path / "h", policy=p, env=env)
    checks = {c["check"]: c for c in doc["checks"]}
    assert proxy.asked == ["hook.corp.example:443"]  # the proxy, not a direct socket
    assert [s.method for s in server.seen] == ["HEAD"]  # nothing but a HEAD reached it
    assert checks["reachable"]["ok"] and "answers through the proxy" in checks["reachable"]["text"]
    assert "(HTTP 405)" in checks["reachable"]["text"]
    assert "name" not in checks  # the proxy looks names up; a local miss is no alarm
    assert "pw" not in checks["proxy"]["text"]  # the proxy's password is never printed


def test_a_certificate_the_computer_does_not_trust_is_named(tmp_path, tls_hook):
    _, server, proxy = tls_hook
    p = policy(tmp_path, 'kind = "webhook"\nurl = "https://hook.corp.example/ally"\n')
    env = {"https_proxy": proxy.url, "no_proxy": ""}
    code, doc, _ = doctor_json(home=tmp_path / "h", policy=p, env=env)
    failed = {c["check"]: c["text"] for c in doc["checks"] if not c["ok"]}
    assert code == 1 and "does not trust" in failed["certificate"]
    assert server.seen == []  # the TLS check failed before any request was made
