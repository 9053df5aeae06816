"""Sent reports and their screenshots are not kept for ever (issue 17): ``[privacy]
keep_sent_days`` prunes the outbox's record of sent reports on each delivery round and at
start; waiting and set-aside reports are never pruned. Real files, real folder transport."""

from __future__ import annotations

import base64
import os
import time

from ally_helpdesk.transports.folder import FolderTransport
from desktop.base.paths import AllyPaths
from desktop.policy.config import Policy
from desktop.reporting import delivery
from desktop.reporting.outbox import Outbox
from tests.builders import report_doc

DAY = 86400.0


def _with_screenshot() -> dict:
    doc = report_doc()
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    doc["screenshot"] = {"png_base64": base64.b64encode(png).decode(), "width": 1, "height": 1}
    return doc


def _age(outbox: Outbox, report_id: str, days: float) -> None:
    path = outbox.root / "sent" / f"{report_id}.json"
    then = time.time() - days * DAY
    os.utime(path, (then, then))


def test_a_round_deletes_sent_reports_older_than_the_policy_and_keeps_the_rest(tmp_path):
    outbox = Outbox(tmp_path / "outbox", keep_sent_s=30 * DAY)
    share = tmp_path / "share"
    share.mkdir()
    old, recent = _with_screenshot(), _with_screenshot()
    for doc in (old, recent):
        outbox.add(doc)
    outbox.deliver_due(FolderTransport(share))
    assert {r.report["id"] for r in outbox.sent()} == {old["id"], recent["id"]}
    _age(outbox, old["id"], 31)
    _age(outbox, recent["id"], 29)
    waiting = report_doc()
    outbox.add(waiting)  # waits: the next round sends to a folder that is gone
    outbox.deliver_due(FolderTransport(tmp_path / "missing", create=False))
    kept = {r.report["id"] for r in outbox.sent()}
    assert kept == {recent["id"]}  # the old report and its screenshot are gone
    assert not (outbox.root / "sent" / f"{old['id']}.json").exists()
    assert outbox.entry(waiting["id"]) is not None  # a waiting report is never pruned


def test_zero_days_keeps_nothing_once_delivered_but_never_a_waiting_report(tmp_path):
    outbox = Outbox(tmp_path / "outbox", keep_sent_s=0.0)
    share = tmp_path / "share"
    share.mkdir()
    doc = _with_screenshot()
    outbox.add(doc)
    (entry,) = outbox.entries()
    outcome = outbox.deliver(entry, FolderTransport(share))
    assert outcome.receipt is not None
    assert outbox.sent() == [] and not any((outbox.root / "sent").glob("*.json"))
    assert len(list(share.glob("*.json"))) == 1  # IT's copy is IT's, never touched
    # A record whose report still waits (Ally stopped between receipt and tidy-up) stays:
    # it is what prevents sending the report twice.
    again = report_doc()
    outbox.add(again)
    (outbox.root / "sent").mkdir(exist_ok=True)
    (outbox.root / "sent" / f"{again['id']}.json").write_text("{}")
    assert outbox.prune_sent() == 0
    assert (outbox.root / "pending" / f"{again['id']}.json").exists()


def test_set_aside_reports_are_never_pruned(tmp_path):
    outbox = Outbox(tmp_path / "outbox", keep_sent_s=0.0)
    (outbox.root / "pending").mkdir(parents=True)
    (outbox.root / "pending" / "not-an-id.json").write_text("{}")
    outbox.entries()  # sets it aside
    assert outbox.quarantine_count() == 1
    outbox.prune_sent()
    assert outbox.quarantine_count() == 1


def test_the_policy_sets_the_days_and_a_wrong_value_is_named(tmp_path):
    paths = AllyPaths.from_environment()
    assert delivery.outbox(paths, Policy.from_dict({})).keep_sent_s == 30 * DAY
    seven = Policy.from_dict({"privacy": {"keep_sent_days": 7}})
    assert delivery.outbox(paths, seven).keep_sent_s == 7 * DAY
    assert delivery.outbox(paths).keep_sent_s is None  # without a policy: nothing pruned
    for bad in ("7", -1, 1.5, True):
        policy = Policy.from_dict({"privacy": {"keep_sent_days": bad}}, source="/etc/ally/p.toml")
        assert policy.privacy.keep_sent_days == 30
        (problem,) = policy.problems
        assert "/etc/ally/p.toml" in problem and "[privacy] keep_sent_days" in problem


def test_ally_outbox_send_prunes_with_the_machine_policy(tmp_path):
    from tests.run_ally import run_ally

    home = tmp_path / "h"
    share = tmp_path / "share"
    share.mkdir()
    policy = tmp_path / "policy.toml"
    policy.write_text(
        f'[transport]\nkind = "folder"\nfolder = "{share}"\n[privacy]\nkeep_sent_days = 1\n'
    )
    outbox = Outbox(home / "data" / "outbox")
    doc = _with_screenshot()
    outbox.add(doc)
    assert run_ally("outbox", "send", home=home, policy=policy).returncode == 0
    assert [r.report["id"] for r in outbox.sent()] == [doc["id"]]
    _age(outbox, doc["id"], 2)
    out = run_ally("outbox", "send", home=home, policy=policy)
    assert out.returncode == 0, out.stdout + out.stderr
    assert outbox.sent() == []


def test_the_screenshot_leaves_this_computer_once_it_is_delivered_unless_it_wants_it(tmp_path):
    """IT's default: Ally's own copy of a delivered report keeps the report for
    keep_sent_days, not the picture of the screen; IT's copy keeps everything."""
    share = tmp_path / "share"
    share.mkdir()
    for keep, folder in ((False, "default"), (True, "kept")):
        policy = Policy.from_dict({"privacy": {"keep_sent_screenshots": keep}}, "p")
        assert policy.problems == ()
        outbox = delivery.outbox(AllyPaths(tmp_path / folder, tmp_path / folder, tmp_path), policy)
        doc = _with_screenshot()
        outbox.add(doc)
        outbox.deliver_due(FolderTransport(share))
        (record,) = outbox.sent()
        assert (record.report["screenshot"] is not None) is keep
        sent_text = (outbox.root / "sent" / f"{doc['id']}.json").read_text()
        assert (doc["screenshot"]["png_base64"] in sent_text) is keep
        assert record.report["note"] == doc["note"]  # the rest of the report stays
    it_copies = [p.read_text() for p in share.glob("*.json")]
    assert len(it_copies) == 2 and all(doc["screenshot"]["png_base64"] in t for t in it_copies)
    assert Policy.from_dict({}, "p").privacy.keep_sent_screenshots is False
