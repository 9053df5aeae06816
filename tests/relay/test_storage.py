"""The relay's storage on both databases it supports: SQLite in a temp folder and a real
PostgreSQL server started here. The migrations build exactly the schema the code
declares; the queue hands each report to one forwarder only, also with two relays sharing
one PostgreSQL; the settings refuse what they cannot use."""

from __future__ import annotations

import concurrent.futures
import json
import threading
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, select, text, update

from relay import config
from relay.db import alembic_config, engine_for, upgrade
from relay.schema import devices, metadata, reports
from relay.store import Refused, Store
from tests.relay.lab import RelayLab, enrol
from tests.webhook_server import Receiver


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'relay.db'}"
    return request.getfixturevalue("postgres").create_database(f"t{uuid.uuid4().hex[:12]}")


def test_migrations_build_the_declared_schema_and_run_twice(database):
    upgrade(database)
    upgrade(database)  # a second start changes nothing
    engine = engine_for(database)
    with engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), metadata)
    engine.dispose()
    assert diff == []


def test_an_older_database_with_reports_in_it_is_brought_up_to_date(database):
    """A relay installed at the first schema, with devices and reports, upgraded to the
    newest: nothing is lost, tokens still work, and what the later steps added works on
    the old rows (a revocation counts)."""
    from alembic import command

    command.upgrade(alembic_config(database), "0001")
    store = Store(engine_for(database))
    device = store.enrol(str(store.create_enrolment_token()), "pc", "0.1.0", "127.0.0.1")
    doc = fake_report()
    body = json.dumps(doc).encode()
    number = store.accept(device.id, doc, body).number
    store.engine.dispose()

    upgrade(database)  # what the relay does at its next start
    store = Store(engine_for(database))
    assert store.device(str(device)).id == device.id  # its token still works
    kept = store.report(number)
    assert kept.report_id == doc["id"] and bytes(kept.body) == body
    before = store.device_generation()
    assert store.revoke_device(device.id)
    assert store.device_generation() == before + 1
    with pytest.raises(Refused):
        store.device(str(device))
    store.engine.dispose()


def test_report_bodies_are_stored_with_lz4_on_postgresql(postgres):
    """pglz, PostgreSQL's default, cost its server more per report than anything else."""
    url = postgres.create_database("lz4")
    upgrade(url)
    store = Store(engine_for(url))
    device = store.enrol(str(store.create_enrolment_token()), "pc", "0.1.0", "127.0.0.1")
    doc = dict(fake_report(), padding=[{"process": "x" * 30, "cpu": i} for i in range(400)])
    body = json.dumps(doc).encode()
    store.accept(device.id, doc, body)
    with store.engine.connect() as c:
        method, stored = c.execute(
            text("SELECT pg_column_compression(body), body FROM reports WHERE report_id = :id"),
            {"id": doc["id"]},
        ).one()
    store.engine.dispose()
    assert len(body) > 8000  # long enough to be compressed at all
    assert (method, stored) == ("lz4", body)


def fake_report(report_id: str | None = None) -> dict:
    return {
        "schema": "ally.report/1",
        "id": report_id or str(uuid.uuid4()),
        "symptom": "slow",
        "machine": {"hostname": "pc"},
        "diagnosis": {"summary": {"headline": "h"}},
    }


def test_each_report_is_claimed_by_one_forwarder_only(database):
    upgrade(database)
    store = Store(engine_for(database))
    token = store.create_enrolment_token(max_uses=1)
    device = store.enrol(str(token), "pc", "0.1.0", "127.0.0.1")
    with pytest.raises(Refused):
        store.enrol(str(token), "pc2", "0.1.0", "127.0.0.1")  # single use
    for _ in range(200):
        doc = fake_report()
        store.accept(device.id, doc, json.dumps(doc).encode())
    claimed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        while (row := store.claim(60.0)) is not None:
            with lock:
                claimed.append(row.number)
            store.delivered(row.number, "webhook", str(row.number), None)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for f in [pool.submit(worker) for _ in range(8)]:
            f.result()
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 200
    assert store.queue_stats()["delivered"] == 200
    store.engine.dispose()


def test_a_batch_keeps_each_report_once_and_never_replaces_one(database):
    """One batch with new reports, retries of a report in the same batch and of one
    stored before, and other bytes under both ids: each answer as if taken one by one."""
    upgrade(database)
    store = Store(engine_for(database))
    device = store.enrol(str(store.create_enrolment_token()), "pc", "0.1.0", "127.0.0.1")
    old = fake_report()
    old_body = json.dumps(old).encode()
    (first,) = store.accept_many([(device.id, old, old_body)])
    a, b = fake_report(), fake_report()
    a_body, b_body = json.dumps(a).encode(), json.dumps(b).encode()
    other = dict(a, symptom="network")  # the same id, other bytes
    results = store.accept_many(
        [
            (device.id, a, a_body),
            (device.id, old, old_body),  # stored before: its receipt again
            (device.id, a, a_body),  # a retry of a, within the batch
            (device.id, other, json.dumps(other).encode()),
            (device.id, dict(old, symptom="x"), json.dumps(dict(old, symptom="x")).encode()),
            (device.id, b, b_body),
        ]
    )
    new_a, again_old, again_a, conflict_a, conflict_old, new_b = results
    assert new_a.new and new_b.new and len({first.number, new_a.number, new_b.number}) == 3
    assert (new_a.report_id, new_b.report_id) == (a["id"], b["id"])
    assert again_old == type(first)(first.number, old["id"], False)
    assert again_a == type(new_a)(new_a.number, a["id"], False)
    assert isinstance(conflict_a, Refused) and conflict_a.reason == "conflict"
    assert isinstance(conflict_old, Refused) and conflict_old.reason == "conflict"
    with store.engine.connect() as c:
        stored = dict(c.execute(select(reports.c.report_id, reports.c.body)).all())
    assert stored == {old["id"]: old_body, a["id"]: a_body, b["id"]: b_body}
    store.engine.dispose()


def test_a_device_is_seen_again_at_most_once_a_minute(database):
    upgrade(database)
    clock = [1000.0]
    store = Store(engine_for(database), clock=lambda: clock[0])
    device = store.enrol(str(store.create_enrolment_token()), "pc", "0.1.0", "127.0.0.1")
    seen = []
    for t in (1030.0, 1061.0, 1090.0, 1122.0):
        clock[0] = t
        doc = fake_report()
        store.accept(device.id, doc, json.dumps(doc).encode())
        with store.engine.connect() as c:
            seen.append(c.execute(select(devices.c.last_seen_at)).scalar())
    store.engine.dispose()
    assert seen == [1000.0, 1061.0, 1061.0, 1122.0]


def test_two_relays_on_one_postgresql_forward_each_report_once(postgres, tmp_path, new_report):
    url = postgres.create_database("shared")
    with Receiver(secret="s") as rx:
        forward = {"kind": "webhook", "url": rx.url, "timeout_s": 5}
        a = RelayLab(tmp_path / "a", forward, database=url, secret="s")
        b = RelayLab(tmp_path / "b", forward, database=url, secret="s")
        with a, b:
            token = a.token("--uses", "2")
            dev_a, dev_b = enrol(a, token, "a"), enrol(b, token, "b")
            import requests

            sent = []
            for i in range(60):
                lab, dev = (a, dev_a) if i % 2 else (b, dev_b)
                doc = new_report()
                r = requests.post(
                    lab.url + "/api/v1/reports",
                    data=json.dumps(doc),
                    headers={"Authorization": f"Bearer {dev}"},
                    timeout=10,
                )
                assert r.status_code == 201, r.text
                sent.append(doc["id"])
            a.wait_queue_empty()
        assert set(rx.tickets) == set(sent)
        assert rx.requests == len(sent)  # not one report sent twice


def test_settings_that_cannot_work_are_refused_with_file_and_key(tmp_path):
    loose = tmp_path / "secret"
    loose.write_text("x")
    loose.chmod(0o644)
    with pytest.raises(config.ConfigError) as err:
        config.from_dict(
            {
                "database": {"url": "mysql://x"},
                "server": {"port": 0, "tls_cert": str(tmp_path / "none.pem")},
                "forward": {"kind": "carrier-pigeon", "secret_file": str(loose)},
                "admin": {"auth": "proxy"},
                "surprise": 1,
            },
            "relay.toml",
        )
    text = "\n".join(err.value.problems)
    for expected in (
        "[database] url",
        "[server] port",
        "[server] tls_cert",
        "[forward] kind",
        "secret_file",
        "make it 600",
        'auth = "proxy" needs',
        "surprise is not a relay setting",
    ):
        assert expected in text, (expected, text)


def test_the_relay_will_not_start_with_bad_settings(tmp_path):
    lab = RelayLab(tmp_path, forward={"kind": "webhook"}, secret=None)  # no url
    out = lab.cli("check")
    assert out.returncode == 1 and "[forward] kind" in out.stderr + out.stdout


def test_a_desktop_enrols_and_sends_through_a_relay_on_postgresql(postgres, tmp_path):
    from tests.relay.lab import Desktop, number_in

    url = postgres.create_database("desktops")
    with Receiver(secret="s") as rx:
        forward = {"kind": "webhook", "url": rx.url, "timeout_s": 5}
        with RelayLab(tmp_path / "relay", forward, database=url, secret="s") as lab:
            pc = Desktop(tmp_path / "pc", lab, lab.token())
            sent = pc.report("Sent through PostgreSQL")
            assert sent.returncode == 0, sent.stdout + sent.stderr
            number = number_in(sent.stdout)
            lab.wait_queue_empty()
            assert lab.health()["database"] == "postgresql"
            (report_id,) = pc.sent_ids()
            assert rx.tickets[report_id]["report"]["note"] == "Sent through PostgreSQL"
            assert f"{number}  via relay" in pc.ally("outbox", "list").stdout


def test_the_device_counter_moves_when_a_token_stops_working_and_only_then(database):
    """The count each relay process reads every 2 s to know whether to forget the devices
    it remembered. Kept by triggers, so it holds for IT's page, the command line and SQL
    typed by hand, whatever the clocks of the machines say."""
    upgrade(database)
    store = Store(engine_for(database))
    token = store.create_enrolment_token(max_uses=None)
    a, b, c = (store.enrol(str(token), n, "0.1.0", "127.0.0.1") for n in "abc")
    assert store.device_generation() == 0
    doc = fake_report()
    store.accept(a.id, doc, json.dumps(doc).encode())  # last seen: not a change of token
    store.touch(b.id, "0.2.0")
    assert store.revoke_enrolment_token(token.id)  # devices it enrolled keep working
    assert store.device(str(b)).id == b.id
    assert store.device_generation() == 0
    assert store.revoke_device(a.id)
    assert store.device_generation() == 1
    assert not store.revoke_device(a.id)  # already revoked: nothing changed, nothing counted
    assert store.device_generation() == 1
    backwards = Store(store.engine, clock=lambda: 0.0)  # a machine whose clock is far behind
    assert backwards.revoke_device(b.id)
    assert store.device_generation() == 2
    with store.engine.begin() as conn:
        conn.execute(update(devices).where(devices.c.id == c.id).values(token_hash="0" * 64))
    assert store.device_generation() == 3
    with store.engine.begin() as conn:
        conn.execute(delete(devices).where(devices.c.id == c.id))
    assert store.device_generation() == 4
    store.engine.dispose()
    from alembic import command  # the way back and forth works too

    command.downgrade(alembic_config(database), "0002")
    upgrade(database)
    again = engine_for(database)
    assert Store(again).device_generation() == 0
    again.dispose()
