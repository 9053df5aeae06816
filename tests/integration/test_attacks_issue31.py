"""Issue 31's attacks on the desktop, each as it was made: a status-feed incident dated at
the very end of time, a feed nested 200,000 deep, and `ally outbox list | head`. The real
`ally` command as a process, a real feed file on a share, a real pipe."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.news import feed
from desktop.news.watcher import NewsWatcher
from desktop.policy.config import Policy
from tests.news_server import company_summary
from tests.run_ally import ROOT, run_ally

END_OF_TIME = "9999-12-31T23:59:59-23:59"  # in UTC that is the year 10000


def policy_file(tmp_path, feed_path) -> object:
    path = tmp_path / "policy.toml"
    path.write_text(f'[network]\nactive_checks = false\n[news]\nurl = "{feed_path.as_uri()}"\n')
    return path


def test_an_incident_dated_at_the_end_of_time_is_an_unknown_date_not_a_crash(tmp_path):
    doc = company_summary("opened")
    incident = doc["incidents"][0]
    incident["started_at"] = incident["created_at"] = incident["updated_at"] = END_OF_TIME
    for update in incident.get("incident_updates", []):
        update["display_at"] = update["created_at"] = END_OF_TIME
    parsed = feed.parse(json.dumps(doc).encode())
    assert parsed.incidents[0].started_at is None  # unknown, never the year 10000
    # The first and the last day a calendar holds are unknown too: in local time they
    # would run off either end.
    for edge in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T12:00:00+23:59"):
        assert feed.when(edge) is None, edge
    assert feed.when("2026-12-07T09:05:00+01:00").isoformat() == "2026-12-07T08:05:00+00:00"
    incident["created_at"] = "0001-01-01T00:00:00Z"  # the share's feed: year one
    json.dumps(parsed.incidents[0].to_dict())  # and it can be kept and sent
    share = tmp_path / "share" / "status.json"
    share.parent.mkdir()
    share.write_text(json.dumps(doc))
    policy = policy_file(tmp_path, share)
    for command, zone in (
        (("news",), "UTC"),
        (("diagnose", "--symptom", "slow"), "UTC"),
        (("news",), "America/New_York"),  # west of UTC: year 1 would become year 0
        (("news",), "Pacific/Kiritimati"),  # east of UTC: 9999 would become 10000
    ):
        done = run_ally(*command, home=tmp_path / "home", policy=policy, extra_env={"TZ": zone})
        assert done.returncode in (0, 1), (command, done.returncode, done.stderr[-2000:])
        assert "Traceback" not in done.stdout + done.stderr
        assert "Ally ran into a problem of its own" not in done.stdout + done.stderr


def test_a_feed_nested_200000_deep_is_a_bad_feed_counted_and_backed_off(tmp_path):
    deep = b'{"incidents": [], "page": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    try:
        feed.parse(deep)
    except feed.FeedError as exc:
        assert "JSON" in str(exc)
    else:
        raise AssertionError("a feed nested 200,000 deep was taken as a summary")
    share = tmp_path / "status.json"
    share.write_bytes(deep)
    policy = Policy.from_dict({"network": {"active_checks": False}, "news": {"url": str(share)}})
    watcher = NewsWatcher(policy, tmp_path / "data")
    watcher.poll()
    assert watcher.state["problem"] and watcher.state.get("failures", 0) >= 1
    done = run_ally("news", home=tmp_path / "home", policy=policy_file(tmp_path, share))
    assert "Traceback" not in done.stdout + done.stderr
    assert "RecursionError" not in done.stdout + done.stderr


def test_outbox_list_into_a_pipe_that_closes_early_ends_quietly(tmp_path):
    """More than a pipe holds (64 KB), so `head` is gone while Ally still writes."""
    from desktop.base.paths import AllyPaths
    from desktop.diagnostics import Sampler, SamplerSettings
    from desktop.diagnostics.diagnosis import diagnose
    from desktop.reporting import delivery, report

    policy = tmp_path / "policy.toml"
    policy.write_text("[network]\nactive_checks = false\n")
    home = tmp_path / "home"
    paths = AllyPaths.from_environment({"ALLY_HOME": str(home)})
    d = diagnose("slow", sampler=Sampler(SamplerSettings(interval_s=0.2)), warm_up_s=0.3)
    outbox = delivery.outbox(paths)
    for n in range(1500):
        outbox.add(report.build(d, note=f"report {n}"))
    shell = f"{sys.executable} -m desktop outbox list | head -n 1"
    env = {
        k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"
    }  # buffered, as people run it
    piped = subprocess.run(
        ["bash", "-c", shell],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env={**env, "ALLY_HOME": str(home), "ALLY_POLICY": str(policy)},
    )
    assert "BrokenPipeError" not in piped.stderr and "problem of its own" not in piped.stderr
    assert piped.stderr == "" and piped.stdout.count("\n") == 1


# --- the feed's deadline covers the whole way to the answer (second attack on attack 2) ---

FETCH_IN_NETNS = """
import socket, sys, threading, time
from desktop.news.fetch import FetchError, fetch

def silent_dns():  # takes every question, answers none
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 53))
    while True:
        s.recvfrom(4096)

threading.Thread(target=silent_dns, daemon=True).start()
time.sleep(0.2)
t0 = time.monotonic()
try:
    fetch(sys.argv[1], total_s=2.0)
    print("fetched?!")
except FetchError as exc:
    print(f"{time.monotonic() - t0:.2f}", exc)
"""


def _netns_with(name: str, hosts: str, tmp_path) -> None:
    """A network namespace of its own with a name server that never answers and its own
    /etc/hosts (``ip netns exec`` mounts /etc/netns/NAME/ over /etc), and a link where
    packets to 10.255.0.1 and .2 vanish: a veth whose other end (in a second namespace,
    up, with no address) drops frames for the made-up hardware address they are sent to,
    so a connection there waits for ever, as to a server that is off."""
    for ns in (name, name + "x"):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        subprocess.run(["ip", "netns", "add", ns], check=True)
    etc = Path("/etc/netns") / name
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "resolv.conf").write_text("nameserver 127.0.0.1\noptions timeout:5 attempts:2\n")
    (etc / "hosts").write_text("127.0.0.1 localhost\n" + hosts)
    inside = ["ip", "netns", "exec", name]
    for cmd in (
        ["ip", "link", "set", "lo", "up"],
        ["ip", "link", "add", "vA", "type", "veth", "peer", "name", "vB"],
        ["ip", "link", "set", "vB", "netns", name + "x"],
        ["ip", "addr", "add", "10.255.0.100/24", "dev", "vA"],
        ["ip", "link", "set", "vA", "up"],
        ["ip", "neigh", "add", "10.255.0.1", "lladdr", "02:00:00:00:00:01", "dev", "vA"],
        ["ip", "neigh", "add", "10.255.0.2", "lladdr", "02:00:00:00:00:01", "dev", "vA"],
    ):
        subprocess.run([*inside, *cmd], check=True)
    subprocess.run(["ip", "netns", "exec", name + "x", "ip", "link", "set", "vB", "up"], check=True)


def _fetch_in(name: str, url: str) -> tuple[float, str]:
    out = subprocess.run(
        ["ip", "netns", "exec", name, sys.executable, "-c", FETCH_IN_NETNS, url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    took, _, said = out.stdout.strip().partition(" ")
    return float(took), said


@pytest.mark.root
@pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root; CI runs as root")
@pytest.mark.parametrize(
    ("case", "hosts", "url"),
    [
        ("name server that never answers", "", "https://feed.example.test/summary.json"),
        (
            "two addresses that never answer",
            "10.255.0.1 feed.test\n10.255.0.2 feed.test\n",
            "https://feed.test/summary.json",
        ),
    ],
)
def test_the_feeds_deadline_covers_the_name_lookup_and_every_address(case, hosts, url, tmp_path):
    name = f"allyfeed{os.getpid() % 10000}"
    _netns_with(name, hosts, tmp_path)
    try:
        took, said = _fetch_in(name, url)
    finally:
        for ns in (name, name + "x"):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(Path("/etc/netns") / name, ignore_errors=True)
    assert took < 3.0, f"{case}: {took:.1f} s for a 2 s deadline ({said})"
    assert "within 2 s" in said, said


def test_a_proxy_that_drips_its_connect_answer_is_cut_at_the_deadline(monkeypatch):
    """The feed through a company proxy (https_proxy) that answers CONNECT one byte every
    half second: the tunnel's answer is read before the deadline's cut was armed."""
    import socket
    import threading
    import time

    from desktop.news.fetch import FetchError, fetch

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)

    def drip() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(4096)
            for byte in b"HTTP/1.1 200 Connection established\r\n\r\n":
                time.sleep(0.5)
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    threading.Thread(target=drip, daemon=True).start()
    monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{server.getsockname()[1]}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    t0 = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch("https://feed.example.test/summary.json", total_s=2.0)
    took = time.monotonic() - t0
    server.close()
    assert took < 3.0, f"{took:.1f} s for a 2 s deadline"
    assert "within 2 s" in str(caught.value)
