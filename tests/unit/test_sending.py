"""The one send path (desktop/reporting/sending.py): what the person reads and what the
ending screen gets, against a real outbox and real folders."""

from __future__ import annotations

import json

import pytest

from desktop.base.paths import AllyPaths
from desktop.diagnostics.diagnosis import diagnose, local_probes
from desktop.diagnostics.explain import load_catalog
from desktop.diagnostics.sampling.sampler import Sampler, SamplerSettings
from desktop.policy.config import Policy
from desktop.reporting import delivery, sending

CATALOG = load_catalog("en")


@pytest.fixture(scope="module")
def diagnosis():
    return diagnose(
        "slow",
        sampler=Sampler(SamplerSettings(interval_s=0.2)),
        warm_up_s=0.3,
        probes=local_probes(),
    )


def test_without_a_transport_the_result_says_the_report_stays_here(tmp_path, diagnosis):
    policy = Policy.from_dict({"it_contact": {"email": "help@example.com"}})
    paths = AllyPaths.from_environment()
    doc = sending.prepare(diagnosis, policy, "words", None, None, [])
    result = sending.send(doc, policy, paths, CATALOG)
    assert result.delivered and not result.with_it
    assert result.kept_here == paths.data_dir / "reports"
    assert result.message == CATALOG.delivery_message("kept_here")
    assert "where IT collects reports" not in result.message
    assert result.it_contact == "help@example.com"
    # The code the person can quote is the one IT sees in the report itself.
    (stored,) = result.kept_here.glob("*.json")
    assert json.loads(stored.read_text())["reference_code"] == result.reference
    assert result.reference == doc["reference_code"] and len(result.reference) == 9


def test_to_its_folder_it_has_it_and_the_outbox_reader_shows_the_receipt(tmp_path, diagnosis):
    folder = tmp_path / "share"
    folder.mkdir()
    policy = Policy.from_dict({"transport": {"kind": "folder", "folder": str(folder)}})
    paths = AllyPaths.from_environment()
    doc = sending.prepare(diagnosis, policy, "words", None, None, ["note"])
    result = sending.send(doc, policy, paths, CATALOG)
    assert result.with_it and result.kept_here is None
    assert result.message == CATALOG.delivery_message("sent_folder")
    (record,) = delivery.outbox(paths).sent()
    assert record.report["id"] == doc["id"] and record.report["note"] is None
    assert record.receipt["transport"] == "folder"


def test_a_refused_setting_keeps_the_report_and_gives_it_the_detail(tmp_path, diagnosis):
    policy = Policy.from_dict({"transport": {"kind": "webhook"}})  # no url
    paths = AllyPaths.from_environment()
    doc = sending.prepare(diagnosis, policy, "", None, None, [])
    result = sending.send(doc, policy, paths, CATALOG)
    assert not result.delivered and result.saved
    assert result.message == CATALOG.delivery_message("settings")
    assert result.detail and "url" in result.detail
    assert delivery.outbox(paths).entry(doc["id"]) is not None  # waiting, not lost
