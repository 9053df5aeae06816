"""The network walk in real, isolated networks (Linux namespaces, veth, tc netem).

Each scenario breaks one link of the chain for real; the walk must name that link, and
stay under its 5 s bound even when everything in it times out.
"""

from __future__ import annotations

import json

import pytest

from desktop.diagnostics.model import Symptom
from desktop.diagnostics.priority import RELEVANT
from tests.integration.netlab import NetLab, available

why_not = available()
pytestmark = [pytest.mark.root, pytest.mark.skipif(why_not is not None, reason=why_not or "")]

WALK_BOUND_MS = 5000
# Every finding about the network, as the internet symptom ranks them.
NETWORK_FINDINGS = set(RELEVANT[Symptom.INTERNET])
SCENARIOS = {
    # name: (index, add_client kwargs, policy extras)
    "healthy": (1, {}, {}),
    "no_route": (2, {"route_via": None}, {}),
    "gateway_dead": (3, {"route_via": "198.18.3.99"}, {}),
    "resolver_silent": (4, {"nameserver": "198.18.4.99"}, {}),
    "captive_portal": (5, {}, {}),
    "slow_and_lossy": (6, {"impaired": (400, 10.0)}, {}),
    "it_server_down": (7, {}, {"it_port": 8444}),
    "vpn_required": (8, {}, {"vpn_required": True}),
    "behind_a_proxy": (9, {}, {}),
    # The name server answers every question, and says "no such name" (a filter, a broken
    # upstream): the world's DNS answers so for every name outside ally.test.
    "resolver_says_no_such_name": (10, {}, {"domain": "filtered.example"}),
    # IT turned the active checks off: nothing is sent, and the answer says it could not check.
    "checks_off": (11, {}, {"active": False}),
    # ... and this computer has no way out: it can tell that much without asking anyone.
    "checks_off_no_route": (12, {"route_via": None}, {"active": False}),
}
# With a password, as an authenticated proxy is set: it must never reach the report.
PROXIES = {"behind_a_proxy": "http://ally:s3cret-proxy-pw@198.18.9.1:3128"}


def policy_text(
    ca: str,
    it_port: int = 8443,
    vpn_required: bool = False,
    domain: str = "ally.test",
    active: bool = True,
) -> str:
    return f"""
[network]
active_checks = {"true" if active else "false"}
check_url = "http://check.{domain}/generate_204"
https_endpoints = ["https://www.{domain}/"]
lookup_name = "check.{domain}"
ca_bundle = "{ca}"
vpn_required = {"true" if vpn_required else "false"}
it_servers = [{{ host = "it.{domain}", port = {it_port}, name = "file server" }}]
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("netlab")
    lab = NetLab(workdir)
    try:
        ca = lab.start(captive=[SCENARIOS["captive_portal"][0]])
        for name, (index, kwargs, _) in SCENARIOS.items():
            if "impaired" in kwargs:
                lab.add_impaired_client(name, index, *kwargs["impaired"])
            else:
                lab.add_client(name, index, **kwargs)
        lab.run_world()
        out = {}
        for name, (_, _, extras) in SCENARIOS.items():
            policy = workdir / f"policy-{name}.toml"
            policy.write_text(policy_text(str(ca), **extras))
            out[name] = lab.diagnose(lab.clients[name], policy, proxy=PROXIES.get(name))
        out["proxy_log"] = lab.proxy_log.read_text() if lab.proxy_log.exists() else ""
        yield out
    finally:
        lab.stop()


def walk(doc: dict) -> dict:
    section = doc["sections"]["connectivity"]
    assert section["status"] == "ok", section
    return section["data"]


def ids(doc: dict) -> list[str]:
    return [f["id"] for f in doc["findings"]]


@pytest.mark.parametrize("name", [n for n in SCENARIOS if not n.startswith("checks_off")])
def test_every_walk_stays_under_its_bound(results, name):
    doc, elapsed = results[name]
    assert walk(doc)["total_ms"] < WALK_BOUND_MS
    assert elapsed < 0.2 + WALK_BOUND_MS / 1000 + 3.0  # warm-up, the walk, Python start-up


def test_healthy_network_has_nothing_to_report(results):
    doc, _ = results["healthy"]
    w = walk(doc)
    # Findings about this machine itself (its processes, its drive) may exist; none about the network.
    assert not set(ids(doc)) & NETWORK_FINDINGS
    assert w["gateway"]["answered"] is True
    assert w["name_lookup"]["system"]["addresses"] == ["198.18.1.1"]
    assert w["name_lookup"]["resolvers"][0]["answered"] is True
    assert w["captive_check"]["status"] == 204
    assert w["internet"][0]["ok"] is True and w["internet"][0]["status"] == 200
    assert w["it_servers"][0]["reachable"] is True
    assert {s["name"]: s["status"] for s in w["steps"]}["internet"] == "ok"
    assert doc["summary"]["headline"] == "This computer's connection looks fine from here."


def test_no_route_names_the_missing_way_out(results):
    doc, _ = results["no_route"]
    assert ids(doc)[0] == "gateway_missing"
    assert "no way to the internet" in doc["summary"]["headline"]


def test_a_silent_gateway_is_named(results):
    doc, _ = results["gateway_dead"]
    assert ids(doc)[0] == "gateway_unreachable"
    top = doc["findings"][0]
    assert top["evidence"]["gateway"] == "198.18.3.99"
    assert "198.18.3.99" in top["it_detail"]


def test_a_silent_resolver_is_named(results):
    doc, _ = results["resolver_silent"]
    assert ids(doc)[0] == "name_lookup_failed"
    top = doc["findings"][0]
    assert top["evidence"]["resolvers"] == {"198.18.4.99": "no answer within 1.5 s"}
    assert top["evidence"]["answer_kinds"] == ["no answer"]
    assert top["headline"] == "The internet address book does not answer."


def test_a_resolver_that_says_no_such_name_is_not_called_silent(results):
    doc, _ = results["resolver_says_no_such_name"]
    assert ids(doc)[0] == "name_lookup_failed"
    top = doc["findings"][0]
    assert top["evidence"]["answer_kinds"] == ["no such name"]
    (said,) = top["evidence"]["resolvers"].values()
    assert said.startswith("answered in ") and "no such name" in said
    assert top["headline"] == "The internet address book answers, but it can't find the names."
    assert "does not answer" not in top["headline"] + top["explanation"]
    assert doc["summary"]["headline"] == top["headline"]


def test_checks_turned_off_are_said_and_the_computers_own_view_still_helps(results):
    doc, _ = results["checks_off"]
    section = doc["sections"]["connectivity"]
    assert section["status"] == "unavailable" and section["cause"] == "policy"
    assert doc["sections"]["local_network"]["status"] == "ok"
    top = doc["findings"][0]
    assert top["id"] == "network_local_view"
    # A veth link is neither a cable nor Wi-Fi: said as "the network", nothing invented.
    assert doc["summary"]["headline"] == "Your computer is on the network."
    assert "IT has turned these checks off" in doc["summary"]["explanation"]
    assert "knows the internet box of its network" in doc["summary"]["explanation"]
    assert top["advice"] and "Open a website you use often" in top["advice"][0]
    assert "looks fine" not in json.dumps(doc["summary"])
    assert "nothing was sent to the network" in top["it_detail"]


def test_checks_turned_off_and_no_way_out_is_named_from_the_computer_alone(results):
    doc, _ = results["checks_off_no_route"]
    assert doc["sections"]["connectivity"]["cause"] == "policy"
    top = doc["findings"][0]
    assert top["id"] == "gateway_missing"
    assert doc["summary"]["headline"] == top["headline"]
    assert "read from this computer's routing table" in top["it_detail"]


def test_a_captive_portal_is_recognised(results):
    doc, _ = results["captive_portal"]
    assert ids(doc)[0] == "captive_portal"
    top = doc["findings"][0]
    assert top["evidence"]["status"] == 302
    assert top["evidence"]["redirect_host"] == "login.portal.ally.test"
    assert "sign in" in top["headline"]


def test_delay_and_loss_make_a_slow_connection(results):
    doc, _ = results["slow_and_lossy"]
    # The path itself is named, not the far end that merely ran out of time behind it.
    assert ids(doc)[0] == "connection_slow", ids(doc)
    slow = doc["findings"][0]
    assert slow["evidence"]["rtt_ms_median"] >= 350  # 400 ms round trip put on the link
    assert "it_servers_unreachable" not in ids(doc)
    assert "internet_unreachable" not in ids(doc)


def test_internet_fine_but_it_server_down_is_it_side(results):
    doc, _ = results["it_server_down"]
    assert ids(doc)[0] == "it_servers_unreachable"
    top = doc["findings"][0]
    assert "IT's side" in top["explanation"]
    assert "file server (it.ally.test:8444)" in top["evidence"]["servers"]
    assert walk(doc)["internet"][0]["ok"] is True


def test_the_proxy_from_the_environment_is_used(results):
    doc, _ = results["behind_a_proxy"]
    check = walk(doc)["captive_check"]
    assert check["proxy"] == "http://198.18.9.1:3128"  # the password left out
    assert "s3cret-proxy-pw" not in json.dumps(doc)
    assert check["status"] == 204 and check["ok"] is True
    assert "http://check.ally.test/generate_204" in results["proxy_log"].splitlines()
    assert not set(ids(doc)) & NETWORK_FINDINGS


def test_required_vpn_missing(results):
    doc, _ = results["vpn_required"]
    assert ids(doc)[0] == "vpn_down"
