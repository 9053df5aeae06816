"""IT's news, read from a real status page on loopback (tests/news_server.py): an outage
that opens, is updated and is resolved; conditional requests; and every kind of feed
that fails or lies, none of which may change anything but a line for IT."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.diagnostics.explain import load_catalog
from desktop.news import words
from desktop.news.fetch import fetch
from desktop.news.watcher import NewsWatcher
from desktop.policy.config import Policy
from desktop.showing.tips import TipScheduler
from tests.certs import ca_and_server
from tests.connect_proxy import ConnectProxy
from tests.hostile_server import Answer, HostileServer
from tests.news_server import StatusServer, company_summary

ROOT = Path(__file__).resolve().parent.parent.parent
COMPONENTS = [
    {"name": "Exchange Online", "say": "email", "symptoms": ["app", "internet"]},
    {"name": "Printers", "say": "printing", "symptoms": ["printing"]},
]


def policy_for(url: str, **news) -> Policy:
    return Policy.from_dict(
        {
            "network": {"active_checks": False},
            "news": {"url": url, "components": COMPONENTS, **news},
        }
    )


@pytest.fixture
def server():
    s = StatusServer()
    yield s
    s.stop()


def test_an_outage_opens_is_updated_and_is_resolved_with_one_notification_each(server, tmp_path):
    catalog = load_catalog("en")
    watcher = NewsWatcher(policy_for(server.url()), tmp_path)
    tips = TipScheduler(news_gap_s=0)
    shown = []

    def poll():
        for event in watcher.poll():
            title, text = words.notification(event, watcher, catalog)
            tip = tips.news_tip(f"news:{event.kind}:{event.incident.id}", title, text, time.time())
            if tip is not None:
                shown.append((event.kind, tip.title, tip.text))
            watcher.noted(event, shown=tip is not None)

    poll()
    assert watcher.open_incidents() == [] and words.tooltip(watcher, catalog) is None
    server.set_summary(company_summary("opened"))
    poll()
    assert [s[0] for s in shown] == ["opened"]
    assert shown[0][1] == "IT is working on a problem with email"
    assert "Other people have this problem too" in shown[0][2]
    assert words.tooltip(watcher, catalog) == "IT is working on a problem with email."
    line = words.explains(watcher, "app", catalog)
    assert line.startswith("IT already knows about a problem with email (since ")
    assert line.endswith("Your report still helps them.")
    assert words.explains(watcher, "printing", catalog) is None  # not what it explains
    assert words.explains(watcher, "other", catalog) == line  # "something else": say it
    server.set_summary(company_summary("updated"))
    poll()
    assert [s[0] for s in shown] == ["opened"]  # an update is not a new outage
    assert watcher.open_incidents()[0].latest_update == "A fix is being put in place."
    server.set_summary(company_summary("resolved"))
    poll()
    assert [s[0] for s in shown] == ["opened", "resolved"]
    assert shown[1][1] == "The problem with email is solved"
    poll()
    assert len(shown) == 2 and watcher.open_incidents() == []
    # A restarted tray knows what it already said.
    server.set_summary(company_summary("opened"))
    again = NewsWatcher(policy_for(server.url()), tmp_path)
    assert again.poll() == []


def test_an_unchanged_feed_costs_one_small_conditional_answer(server, tmp_path):
    watcher = NewsWatcher(policy_for(server.url()), tmp_path)
    server.set_summary(company_summary("opened"))
    watcher.poll()
    kept = watcher.body_path.stat().st_mtime_ns
    for _ in range(3):
        watcher.poll()
    assert server.answers == [200, 304, 304, 304]
    assert watcher.body_path.stat().st_mtime_ns == kept  # the feed is written only when it changed
    server.set_summary(company_summary("updated"))
    watcher.poll()
    assert server.answers[-1] == 200
    # What was read survives a restart, and is used with the next 304.
    restarted = NewsWatcher(policy_for(server.url()), tmp_path)
    restarted.poll()
    assert server.answers[-1] == 304 and len(restarted.open_incidents()) == 1


HOSTILE = [
    "garbage",
    "list",
    "html",
    "error",
    "redirect_other",
    "claims_gigabyte",
    "streams_gigabyte",
    "drip",
    "drip_status",  # issue 31, attack 2: the head, one byte at a time
    "drip_headers",
]


@pytest.mark.parametrize("mode", HOSTILE)
def test_a_feed_that_fails_or_lies_changes_nothing_but_a_line_for_it(server, tmp_path, mode):
    watcher = NewsWatcher(policy_for(server.url()), tmp_path)
    watcher.fetcher = lambda url, **kw: fetch(url, **kw, total_s=2.0)
    server.set_summary(company_summary("opened"))
    watcher.poll()
    known = watcher.open_incidents()
    assert len(known) == 1
    server.mode = mode
    watcher.state["etag"] = watcher.state["last_modified"] = None  # ask in full
    t0 = time.monotonic()
    events = watcher.poll()
    elapsed = time.monotonic() - t0
    assert events == []
    assert elapsed < 3.0, f"{mode} held the poll for {elapsed:.1f} s"
    ok, line = watcher.doctor()
    assert not ok and "could not be read" in line and "Nothing else is affected" in line
    assert watcher.open_incidents() == known  # the last good reading still stands
    assert watcher.state["failures"] == 1
    assert watcher.next_delay() > watcher.news.interval_s * 1.5  # it backs off


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("garbage", "not JSON"),
        ("list", "not an object"),
        ("html", "text/html, not JSON"),
        ("error", "HTTP 500"),
        ("redirect_other", "redirect to another host is not followed"),
        ("claims_gigabyte", "1073741824 bytes, more than"),
        ("streams_gigabyte", "more than the 1048576 bytes allowed"),
        ("drip", "no whole answer within 2 s"),
        ("drip_status", "no whole answer within 2 s"),
        ("drip_headers", "no whole answer within 2 s"),
    ],
)
def test_each_failure_is_named_for_it(server, tmp_path, mode, reason):
    watcher = NewsWatcher(policy_for(server.url()), tmp_path)
    watcher.fetcher = lambda url, **kw: fetch(url, **kw, total_s=2.0)
    server.mode = mode
    watcher.poll()
    assert reason in watcher.state["problem"], watcher.state["problem"]


def test_a_redirect_on_the_same_host_is_followed(server, tmp_path):
    server.set_summary(company_summary("opened"))
    server.mode = "redirect_same"
    watcher = NewsWatcher(policy_for(server.url()), tmp_path)
    watcher.poll()
    assert watcher.state["problem"] is None and len(watcher.open_incidents()) == 1
    assert server.answers == [302, 200]


def test_tls_is_verified_with_the_company_ca_from_the_policy(tmp_path):
    ca, cert, key = ca_and_server(tmp_path / "pki", ["127.0.0.1", "localhost"])
    server = StatusServer(cert, key)
    try:
        server.set_summary(company_summary("opened"))
        trusted = NewsWatcher(
            policy_for(server.url("localhost"), ca_bundle=str(ca)), tmp_path / "a"
        )
        trusted.poll()
        assert trusted.state["problem"] is None and len(trusted.open_incidents()) == 1
        # Without the company CA the same server is not trusted, and nothing is read.
        untrusted = NewsWatcher(policy_for(server.url("localhost")), tmp_path / "b")
        untrusted.poll()
        assert "certificate is not trusted" in untrusted.state["problem"]
        assert untrusted.open_incidents() == []
        # The network section's company CA is used when [news] names none.
        via_network = Policy.from_dict(
            {"network": {"ca_bundle": str(ca)}, "news": {"url": server.url("localhost")}}
        )
        assert via_network.news.ca_bundle == str(ca)
    finally:
        server.stop()


def test_a_feed_on_a_file_share_is_read_only_when_it_changed(tmp_path):
    feed = tmp_path / "share" / "status.json"
    feed.parent.mkdir()
    feed.write_text(json.dumps(company_summary("quiet")))
    watcher = NewsWatcher(policy_for(feed.as_uri()), tmp_path / "data")
    watcher.poll()
    stamp = watcher.state["stamp"]
    assert watcher.state["problem"] is None and stamp
    watcher.poll()
    assert watcher.state["stamp"] == stamp
    time.sleep(0.01)
    feed.write_text(json.dumps(company_summary("opened")))
    events = watcher.poll()
    assert [e.kind for e in events] == ["opened"]
    # A plain path works as well as a file:// address.
    assert NewsWatcher(policy_for(str(feed)), tmp_path / "d2").poll()


def test_a_file_feed_that_is_a_pipe_or_huge_is_refused_without_waiting(tmp_path):
    pipe = tmp_path / "status.json"
    os.mkfifo(pipe)
    watcher = NewsWatcher(policy_for(str(pipe)), tmp_path / "a")
    t0 = time.monotonic()
    watcher.poll()
    assert time.monotonic() - t0 < 1.0
    assert "not a regular file" in watcher.state["problem"]
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as fh:
        fh.truncate(1024**3)  # a sparse gigabyte: refused by its size, never read
    watcher = NewsWatcher(policy_for(str(huge)), tmp_path / "b")
    t0 = time.monotonic()
    watcher.poll()
    assert time.monotonic() - t0 < 1.0
    assert "more than the 1048576 allowed" in watcher.state["problem"]


def test_old_news_is_not_shown_as_true(server, tmp_path):
    now = [time.time()]
    server.set_summary(company_summary("opened"))
    watcher = NewsWatcher(policy_for(server.url()), tmp_path, clock=lambda: now[0])
    watcher.poll()
    assert len(watcher.open_incidents()) == 1
    now[0] += 300 * 3 + 601  # the feed has not answered for three intervals and more
    assert watcher.open_incidents() == [] and not watcher.fresh()
    assert watcher.report_section()["open_incidents"] == []


def _ally(*args: str, policy: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ALLY_POLICY": str(policy), "ALLY_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_ally_news_and_ally_doctor_say_what_the_feed_says(server, tmp_path):
    policy = tmp_path / "policy.toml"
    reports = tmp_path / "reports"  # IT chose where reports go: doctor's only problem is news
    reports.mkdir()
    policy.write_text(
        f'[network]\nactive_checks = false\n[news]\nurl = "{server.url()}"\n'
        '[[news.components]]\nname = "Exchange Online"\nsay = "email"\nsymptoms = ["app"]\n'
        f'[transport]\nkind = "folder"\nfolder = "{reports}"\n'
    )
    server.set_summary(company_summary("opened"))
    out = _ally("news", policy=policy, home=tmp_path / "home")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("IT is working on a problem with email.")
    assert "[major] Email delays — investigating" in out.stdout
    doc = json.loads(_ally("news", "--json", policy=policy, home=tmp_path / "home").stdout)
    assert doc["open_incidents"][0]["name"] == "Email delays" and doc["fresh"] is True
    doctor = _ally("doctor", policy=policy, home=tmp_path / "home")
    assert "OK       news: " in doctor.stdout and doctor.returncode == 0, doctor.stdout
    server.mode = "garbage"
    doctor = _ally("doctor", policy=policy, home=tmp_path / "home")
    assert "PROBLEM  news: " in doctor.stdout and "not JSON" in doctor.stdout
    # Only the news line changed: every other line is as it was.
    assert doctor.stdout.count("PROBLEM") == 1 and doctor.returncode == 1
    out = _ally("news", policy=policy, home=tmp_path / "home")
    assert out.returncode == 0
    assert "Ally could not read IT's news just now. Nothing else is affected." in out.stdout


def test_a_slow_feed_does_not_hold_up_the_answer_in_the_terminal(server, tmp_path):
    plain = tmp_path / "plain.toml"
    plain.write_text("[network]\nactive_checks = false\n")
    slow = tmp_path / "slow.toml"
    slow.write_text(f'[network]\nactive_checks = false\n[news]\nurl = "{server.url()}"\n')
    server.mode = "drip"
    times = {}
    for name, policy in (("plain", plain), ("slow", slow)):
        t0 = time.monotonic()
        out = _ally("diagnose", "--warm-up", "0.2", policy=policy, home=tmp_path / name)
        times[name] = time.monotonic() - t0
        assert out.returncode == 0, out.stderr
        assert "IT already knows" not in out.stdout
    # The feed is read while the computer is checked, and given 2 s from the start at most.
    assert times["slow"] < times["plain"] + 2.5, times


def _pac(body: str) -> HostileServer:
    script = "function FindProxyForURL(url, host) {\n" + body + "\n}\n"
    return HostileServer(
        lambda seen: Answer(
            200, {"Content-Type": "application/x-ns-proxy-autoconfig"}, script.encode()
        )
    )


def test_the_feed_goes_through_the_proxy_the_pac_file_names(tmp_path):
    """IT's PAC file sends the status page's host through the company proxy, as it does
    the helpdesk's: the feed is read through that proxy (which alone knows the name)."""
    pytest.importorskip("pypac", reason="pypac is one of Ally's dependencies (pip install -e .)")
    host = "status.corp.example"
    ca, cert, key = ca_and_server(tmp_path / "pki", [host])
    server = StatusServer(cert, key)
    try:
        server.set_summary(company_summary("opened"))
        where = {f"{host}:{server.port}": ("127.0.0.1", server.port)}
        with ConnectProxy(where) as proxy:
            hostport = proxy.url.removeprefix("http://")
            rule = f'if (dnsDomainIs(host, "{host}")) return "PROXY {hostport}"; return "DIRECT";'
            with _pac(rule) as pac:
                policy = Policy.from_dict(
                    {
                        "network": {"active_checks": False, "proxy_pac": pac.base + "/proxy.pac"},
                        "news": {
                            "url": server.url(host),
                            "components": COMPONENTS,
                            "ca_bundle": str(ca),
                        },
                    }
                )
                watcher = NewsWatcher(policy, tmp_path / "a")
                watcher.poll()
        assert watcher.state["problem"] is None, watcher.state["problem"]
        assert len(watcher.open_incidents()) == 1
        assert proxy.asked == [f"{host}:{server.port}"]
    finally:
        server.stop()


def test_a_pac_file_naming_a_proxy_the_reader_cannot_use_is_said_for_it(tmp_path):
    pytest.importorskip("pypac", reason="pypac is one of Ally's dependencies (pip install -e .)")
    with _pac('return "SOCKS 127.0.0.1:1080";') as pac:
        policy = Policy.from_dict(
            {
                "network": {"active_checks": False, "proxy_pac": pac.base + "/other.pac"},
                "news": {"url": "https://status.corp.example/api/v2/summary.json"},
            }
        )
        watcher = NewsWatcher(policy, tmp_path / "b")
        assert watcher.poll() == []
    assert "a kind of proxy the feed reader cannot use" in watcher.state["problem"]
    assert "socks" in watcher.state["problem"].lower()
