"""The relay's small parts, and the promises that tie it to the desktop: the same retry
rules as the outbox, the schema version the code expects, plain words for the person."""

from __future__ import annotations

import os
import re
import signal
import threading

import pytest
import textstat
import tomllib
from alembic.script import ScriptDirectory

from ally_helpdesk.report_format import json_schema
from ally_helpdesk.transports.base import STATUS_WORDS
from ally_words import catalog_file
from desktop.reporting import outbox as desktop_outbox
from desktop.reporting.report import SCHEMA
from relay import forwarder, passwords, tokens
from relay.api import REPORT_SCHEMA
from relay.db import HEAD, alembic_config
from relay.ratelimit import Buckets, BucketTable
from tests.unit.test_catalog_words import BLAME, JARGON, MAX_GRADE


def test_head_is_alembics_newest_migration():
    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() == HEAD


def test_the_relay_takes_the_desktops_report_schema():
    assert REPORT_SCHEMA == SCHEMA


def test_the_relay_retries_as_the_desktop_outbox_does():
    box = desktop_outbox.Outbox("/nonexistent", jitter=lambda: 0.5)
    for attempts in range(1, 12):
        assert forwarder.backoff(attempts, 0.5) == box._backoff(attempts)


def test_tokens_are_parsed_strictly():
    t = tokens.new(tokens.DEVICE)
    assert tokens.parse(str(t), tokens.DEVICE) == t
    assert tokens.parse(str(t), tokens.ENROL) is None  # a device token cannot enrol
    for bad in ("", None, str(t) + "x", str(t).replace(".", "/"), "allydev..", "x" * 500):
        assert tokens.parse(bad, tokens.DEVICE) is None
    assert tokens.matches(t, tokens.digest(t.secret))
    assert not tokens.matches(t, tokens.digest(t.secret + "x"))


def test_passwords_are_argon2id_and_short_ones_refused():
    stored = passwords.hash_password("a long enough password")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "a long enough password")
    assert not passwords.verify(stored, "a wrong password")
    assert not passwords.verify(None, "anything")  # no such user
    with pytest.raises(ValueError):
        passwords.hash_password("short")


def test_buckets_allow_a_burst_then_the_rate():
    now = [0.0]
    b = Buckets(per_second=1.0, burst=3, clock=lambda: now[0])
    assert [b.take("d") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert b.take("d") == pytest.approx(1.0)
    assert b.take("other") == 0.0
    now[0] += 1.0
    assert b.take("d") == 0.0


def test_buckets_forget_the_longest_idle_key_when_full_and_never_grow():
    now = [0.0]
    b = Buckets(per_second=0.001, burst=1, clock=lambda: now[0], table=BucketTable(slots=8))
    for i in range(8):  # eight keys fill the table, each bucket now empty
        now[0] += 1.0
        assert b.take(f"k{i}") == 0.0
    now[0] += 1.0
    assert b.take("k7") > 0  # still remembered
    assert b.take("a ninth key") == 0.0  # takes the slot of k0, idle the longest
    assert b.take("k0") == 0.0  # forgotten: starts full again, as a new key
    assert len(b.table.memory) == 8 * 24  # the table never grows


def test_a_worker_killed_inside_the_lock_does_not_stop_the_others():
    table = BucketTable()
    b = Buckets(per_second=1.0, burst=3, table=table)
    pid = os.fork()
    if pid == 0:  # a worker killed while it holds the lock
        table.__enter__()
        os.kill(os.getpid(), signal.SIGKILL)
    os.waitpid(pid, 0)
    done = []
    t = threading.Thread(target=lambda: done.append(b.take("pc")), daemon=True)
    t.start()
    t.join(5)
    assert done == [0.0]  # the kernel let go of the dead worker's lock


def relay_texts() -> list[str]:
    words = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))["relay"]
    out = []
    for status in STATUS_WORDS.values():
        out.append(words["ticket_status"].format(ticket="1234", status=status))
    out.append(words["passed_on"].format(ticket="1234"))
    out += [words["queued"], words["stopped"]]
    return out


@pytest.mark.parametrize("text", relay_texts())
def test_the_status_words_are_plain(text):
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, text
    assert not JARGON.search(text) and not BLAME.search(text)
    assert "relay" not in text.lower()  # to the person it is IT's server
    assert not re.search(r"\{[a-z_]+\}", text)


def test_the_fast_check_agrees_with_jsonschema_on_history_arrays(sample_report):
    """The relay's fast check (jsonschema-rs, then jsonschema for what it refuses) accepts
    and refuses what jsonschema does, item by item in the history's arrays."""
    import copy
    import json

    import jsonschema
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from relay.api import check_report

    plain = jsonschema.Draft202012Validator(json_schema())
    base = sample_report
    series = next(
        k for k, v in base["history"].items() if isinstance(v, list) and k != "t_offset_s"
    )
    values = st.one_of(
        st.integers(-(2**40), 2**40),
        st.floats(allow_nan=False, allow_infinity=False),
        st.none(),
        st.booleans(),
        st.text(max_size=3),
    )

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(values, max_size=6), st.lists(st.one_of(st.integers(0, 900), values), max_size=6)
    )
    def agree(numbers, offsets):
        doc = copy.deepcopy(base)
        doc["history"][series] = numbers
        doc["history"]["t_offset_s"] = offsets
        expected = next(plain.iter_errors(doc), None)
        body = json.dumps(doc).encode()
        try:
            check_report(body, None)
            got = None
        except ValueError as exc:
            got = str(exc)
        assert (got is None) == (expected is None), (numbers, offsets, got, expected)
        if expected is not None:
            assert got == f"{expected.json_path}: {expected.message}"

    agree()


def _paths(doc, path=()):
    yield path
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*path, k))
    elif isinstance(doc, list) and doc:
        yield from _paths(doc[0], (*path, 0))


def test_the_fast_check_agrees_with_jsonschema_everywhere_in_a_report(sample_report):
    """Every place of a real report set to values of every JSON kind (and the edge cases:
    1.0 for an integer, a bool for a number, NaN, an integer beyond 64 bits), and every
    key removed: the relay's verdict and words are
    jsonschema's own."""
    import copy
    import json

    import jsonschema

    from relay.api import check_report

    plain = jsonschema.Draft202012Validator(json_schema())
    odd = [None, True, 1, -1, 1.0, 2.5, float("nan"), 2**70, "x", [], [1], {}]
    refused = accepted = 0
    for path in list(_paths(sample_report))[1:]:
        if path[-1] in ("schema", "id"):
            continue  # checked by the relay itself before the schema (other tests)
        variants = [copy.deepcopy(sample_report) for _ in range(len(odd) + 1)]
        for value, doc in zip([*odd, "remove"], variants, strict=True):
            parent = doc
            for step in path[:-1]:
                parent = parent[step]
            if value == "remove":
                if isinstance(parent, dict):
                    del parent[path[-1]]
            else:
                parent[path[-1]] = value
            expected = next(plain.iter_errors(doc), None)
            try:
                check_report(json.dumps(doc).encode(), None)
                got = None
            except ValueError as exc:
                got = str(exc)
            if expected is None:
                accepted += 1
                assert got is None, (path, value, got)
            else:
                refused += 1
                assert got == f"{expected.json_path}: {expected.message}", (path, value)
    assert refused > 100 and accepted > 100, (refused, accepted)  # both sides were tried


def test_the_relay_reads_a_report_as_the_json_module_does(sample_report):
    """msgspec reads reports for speed; every value is the one Python's json gives, and
    what msgspec refuses (NaN, Infinity, a lone surrogate) is read by the json module."""
    import json
    import math

    from relay.report_json import parse_report

    body = json.dumps(sample_report).encode()
    assert parse_report(body) == json.loads(body)
    odd = [
        b"18446744073709551616",
        b"-123456789012345678901234567890",
        b"1.0",
        b"0.1",
        b"2.2250738585072014e-308",
        b'{"a": 1, "a": 2}',
        '"caf\u00e9 \\u00e9 \\ud83d\\ude00"'.encode(),
        b'"\\ud800"',
        b"[1e400, -Infinity]",
        b'{"x": 1.5e300}',
    ]
    for text in odd:
        got, want = parse_report(text), json.loads(text)
        assert repr(got) == repr(want) and type(got) is type(want), text
    assert math.isnan(parse_report(b"NaN"))
    for bad in (b"", b"{", b"\xff\xfe", b"[1,]"):
        with pytest.raises(ValueError):
            parse_report(bad)
    with pytest.raises(RecursionError):
        parse_report(b"[" * 100_000 + b"]" * 100_000)
