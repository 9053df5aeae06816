"""Proxy auto-configuration, for real: IT's PAC file served over HTTP on loopback names a
company proxy (a real CONNECT proxy) for the helpdesk's host; a report goes through it to
a TLS receiver signed by a company CA, and ``ally doctor`` asks the same way. A PAC file
that cannot be used is said plainly and nothing breaks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.certs import ca_and_server
from tests.connect_proxy import ConnectProxy
from tests.hostile_server import Answer, HostileServer, Seen
from tests.run_ally import run_ally

pytest.importorskip("pypac", reason="pypac is one of Ally's dependencies (pip install -e .)")

HOOK = "hook.corp.example"


def pac_script(proxy_url: str) -> bytes:
    hostport = proxy_url.removeprefix("http://")
    return (
        "function FindProxyForURL(url, host) {\n"
        f'  if (dnsDomainIs(host, "{HOOK}")) return "PROXY {hostport}";\n'
        '  return "DIRECT";\n}\n'
    ).encode()


def pac_server(body: bytes) -> HostileServer:
    return HostileServer(
        lambda seen: Answer(200, {"Content-Type": "application/x-ns-proxy-autoconfig"}, body)
    )


def receipt(seen: Seen) -> Answer:
    if seen.method != "POST":
        return Answer(405)
    return Answer(200, {"Content-Type": "application/json"}, b'{"ticket": "HD-7"}')


def write_policy(tmp_path: Path, url: str, pac_url: str, ca: Path | None = None) -> Path:
    p = tmp_path / "policy.toml"
    p.write_text(
        f'[network]\nactive_checks = false\nproxy_pac = "{pac_url}"\n'
        f'[transport]\nkind = "webhook"\nurl = "{url}"\n' + (f'ca_bundle = "{ca}"\n' if ca else "")
    )
    return p


def test_a_report_goes_through_the_proxy_the_pac_file_names(tmp_path):
    ca, cert, key = ca_and_server(tmp_path / "pki", [HOOK])
    with HostileServer(receipt, tls=(cert, key)) as hook:
        port = int(hook.base.rsplit(":", 1)[1])
        with (
            ConnectProxy({f"{HOOK}:443": ("127.0.0.1", port)}) as proxy,
            pac_server(pac_script(proxy.url)) as pac,
        ):
            policy = write_policy(tmp_path, f"https://{HOOK}/ally", f"{pac.base}/proxy.pac", ca)
            home = tmp_path / "h"
            stored = run_ally("credentials", "set", "webhook", home=home, stdin="s3cret\n")
            assert stored.returncode == 0, stored.stderr
            sent = run_ally(
                "report", "--note", "via the PAC", "--yes", "--warm-up", "0.2",
                home=home, policy=policy,
            )  # fmt: skip
            assert sent.returncode == 0, sent.stdout + sent.stderr
            posts = [s for s in hook.seen if s.method == "POST"]
            assert len(posts) == 1 and json.loads(posts[0].body)["note"] == "via the PAC"
            assert proxy.asked == [f"{HOOK}:443"]  # it went the way the PAC file said

            doctor = run_ally("doctor", "--json", home=home, policy=policy)
            checks = {c["check"]: c for c in json.loads(doctor.stdout)["checks"]}
            assert checks["pac"]["ok"] and "PAC file" in checks["pac"]["text"]
            assert checks["proxy"]["ok"] and proxy.url in checks["proxy"]["text"]
            assert f"through the proxy {proxy.url}" in checks["reachable"]["text"]
            assert checks["reachable"]["ok"] and "name" not in checks
            assert [s.path for s in pac.seen] == ["/proxy.pac"] * len(pac.seen)


def test_a_pac_file_that_cannot_be_used_is_said_and_requests_go_direct(tmp_path):
    with pac_server(b"function FindProxyForURL(url, host) { return ") as pac:
        policy = write_policy(tmp_path, "https://127.0.0.1:9/hook", f"{pac.base}/proxy.pac")
        doctor = run_ally("doctor", "--json", home=tmp_path / "h", policy=policy)
    assert doctor.returncode == 1 and "Traceback" not in doctor.stderr
    failed = {c["check"]: c["text"] for c in json.loads(doctor.stdout)["checks"] if not c["ok"]}
    assert "could not be used" in failed["pac"] and "environment" in failed["pac"]
    assert "127.0.0.1:9 does not answer" in failed["reachable"]  # asked directly instead


def test_pac_settings_are_checked_like_every_other_key(tmp_path):
    from desktop.policy.config import Policy

    p = Policy.from_dict({"network": {"proxy_pac": "wpad.corp", "proxy_wpad": "yes"}}, "f")
    assert p.network.proxy_pac is None and p.network.proxy_wpad is False
    assert any("[network] proxy_pac" in x for x in p.problems)
    assert any("[network] proxy_wpad" in x for x in p.problems)
