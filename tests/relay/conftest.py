"""What the relay's tests share: one real report document (from a real diagnosis) that
each test copies under a fresh id, and a real PostgreSQL server for each test module that
asks for one."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator

import pytest

from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose
from desktop.reporting import report
from tests.relay.pg_lab import PostgresLab, available


@pytest.fixture(scope="session")
def sample_report() -> dict:
    d = diagnose("slow", sampler=Sampler(SamplerSettings(interval_s=0.2)), warm_up_s=0.3)
    return report.build(d, note="Everything is slow since lunch.")


@pytest.fixture
def new_report(sample_report):
    def make(**changes) -> dict:
        doc = copy.deepcopy(sample_report)
        doc["id"] = str(uuid.uuid4())
        doc.update(changes)
        return doc

    return make


def _started_postgres() -> Iterator[PostgresLab]:
    """A real PostgreSQL server while the fixture lasts (skipped, with the reason, where
    the server's binaries are missing)."""
    why = available()
    if why:
        pytest.skip(why)
    lab = PostgresLab().start()
    try:
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def postgres():
    """One server for the module's tests."""
    yield from _started_postgres()


@pytest.fixture
def own_postgres():
    """A server of this test's own, which the test may halt and start again (the
    module's shared one must stay up for the others)."""
    yield from _started_postgres()
