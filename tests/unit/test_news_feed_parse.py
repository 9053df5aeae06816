"""The status feed parser on a real incident and on feeds that lie in their details."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.news import feed
from tests.news_server import company_summary

DATA = Path(__file__).resolve().parent.parent / "data" / "news"


def test_a_real_incident_in_a_summary_is_read_with_its_components_and_latest_words():
    real = json.loads((DATA / "githubstatus_incident_1nyvf21q5dn7.json").read_text())
    summary = {
        "page": real["page"],
        "components": real["incident"]["components"],
        "incidents": [real["incident"]],
    }
    parsed = feed.parse(json.dumps(summary).encode())
    (incident,) = parsed.incidents
    assert incident.name == "Incident with Issues" and incident.components == ("Issues",)
    assert incident.status == "resolved" and not incident.is_open
    assert incident.latest_update == "This incident has been resolved."
    assert incident.started_at.isoformat() == "2022-09-07T11:55:21.462000+00:00"
    assert incident.link == "https://stspg.io/04ry3yhr4w7t"
    assert parsed.page == "GitHub" and parsed.skipped == 0


def test_an_open_major_outage_is_major_and_open():
    parsed = feed.parse(json.dumps(company_summary("opened")).encode())
    (incident,) = parsed.open_incidents
    assert incident.is_major and incident.components == ("Exchange Online",)


def test_items_of_the_wrong_shape_are_skipped_and_counted():
    doc = company_summary("opened")
    doc["incidents"] += [42, {"id": 1, "name": "x", "status": "investigating"}, {"name": "no id"}]
    doc["components"] += ["Email", {"name": None, "status": "operational"}]
    parsed = feed.parse(json.dumps(doc).encode())
    assert len(parsed.incidents) == 1 and parsed.skipped == 5


def test_control_characters_are_removed_and_long_text_cut():
    doc = company_summary("opened")
    doc["incidents"][0]["name"] = "Email\x1b[31m delays\u202e<b>" + "x" * 5000
    parsed = feed.parse(json.dumps(doc).encode())
    name = parsed.incidents[0].name
    assert name.startswith("Email[31m delays<b>") and len(name) == feed.MAX_NAME
    assert "\x1b" not in name and "\u202e" not in name


def test_thousands_of_incidents_are_capped():
    doc = company_summary("opened")
    doc["incidents"] = doc["incidents"] * 10_000
    assert len(feed.parse(json.dumps(doc).encode()).incidents) == feed.MAX_INCIDENTS


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"\xff\xfe not text", "not UTF-8"),
        (b"<html>sign in</html>", "not JSON"),
        (b"[]", "a JSON list"),
        (b'"incidents"', "a JSON str"),
        (b'{"incidents": {"id": "x"}}', "no list of incidents"),
        (b"{}", "no list of incidents"),
    ],
)
def test_what_is_not_a_summary_is_said_for_it(body, why):
    with pytest.raises(feed.FeedError, match=why):
        feed.parse(body)


def test_wrong_dates_are_unknown_not_an_error():
    doc = company_summary("opened")
    doc["incidents"][0]["started_at"] = "yesterday"
    doc["incidents"][0]["created_at"] = 12
    assert feed.parse(json.dumps(doc).encode()).incidents[0].started_at is None


def test_a_feed_address_that_is_not_a_web_or_file_address_is_refused():
    from desktop.policy.config import Policy

    for bad in ("javascript:alert(1)", "ftp://x/y.json", "relative/status.json"):
        policy = Policy.from_dict({"news": {"url": bad}})
        assert policy.news.url is None and any("[news] url" in p for p in policy.problems), bad
    assert Policy.from_dict({"news": {"url": "file:///srv/it/status.json"}}).news.url
    interval = Policy.from_dict({"news": {"url": "https://x/y", "interval_s": 5}})
    assert interval.news.interval_s == 300 and interval.problems
