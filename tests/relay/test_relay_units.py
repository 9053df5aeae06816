"""The relay's small parts, and the promises that tie it to the desktop: the same retry
rules as the outbox, the schema version the code expects, plain words for the person."""

from __future__ import annotations

import re

import pytest
import textstat
import tomllib
from alembic.script import ScriptDirectory

from desktop.reporting import outbox as desktop_outbox
from desktop.reporting.report import SCHEMA
from desktop.reporting.transports.base import STATUS_WORDS
from desktop.resources_access import read_text
from relay import forwarder, passwords, tokens
from relay.api import REPORT_SCHEMA
from relay.db import HEAD, alembic_config
from relay.ratelimit import Buckets
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


def relay_texts() -> list[str]:
    words = tomllib.loads(read_text("catalog/en.toml"))["relay"]
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


def test_the_fast_array_check_agrees_with_jsonschema_item_by_item(sample_report):
    """The relay skips the per-number schema calls only for arrays that are plainly
    valid; everything else goes to jsonschema, so what is refused stays refused."""
    import copy
    import json

    import jsonschema
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from relay.api import check_report

    plain = jsonschema.Draft202012Validator(json.loads(read_text("report.schema.json")))
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
