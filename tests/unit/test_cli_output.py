"""IT's detail in the terminal reads like a careful technician wrote it: every section has
its own line (never a Python repr), units, sensible rounding, no "(s)"."""

from __future__ import annotations

import re

import pytest

from desktop.diagnostics.diagnosis import Diagnosis
from desktop.diagnostics.explain import load_catalog
from desktop.diagnostics.rules import evaluate
from desktop.terminal.cli_output import render_text
from tests import builders as b
from tests.scenarios import scenarios

SCENARIOS = scenarios()
REPR = re.compile(r"\b[A-Z][A-Za-z]+\([a-z_]+=")
LONG_FLOAT = re.compile(r"(?<![\d.])\d+\.\d{4,}(?![\d.])")  # not version numbers


def _diagnosis(inp) -> Diagnosis:
    findings, _ = evaluate(inp)
    explained, summary = load_catalog("en").explain_all(
        findings, inp.snapshot.symptom, inp.snapshot
    )
    return Diagnosis(inp.snapshot, tuple(explained), summary, inp.observed_s, ())


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_line_is_written_for_a_person_not_a_debugger(name):
    text = render_text(_diagnosis(SCENARIOS[name]["inp"]))
    assert not REPR.search(text), REPR.search(text)
    assert "(s)" not in text and "(es)" not in text
    assert "see the JSON" not in text  # every section had a line of its own
    assert not LONG_FLOAT.search(text), LONG_FLOAT.search(text)
    # A figure this computer does not keep is left out of the sentence, not printed as
    # "unknown%" (see it_known in the catalog).
    assert not re.search(r"unknown ?(%|s\b|ms\b|cores\b)", text), text


def test_sections_seen_only_in_some_scenarios_have_lines_too():
    snap = b.snapshot(
        printing=b.print_system(
            b.printer("HP LaserJet 4th Floor"), jobs=(("HP LaserJet 4th Floor", 900.0),)
        ),
        app_faults=b.app_faults(b.faults("outlook", "Microsoft Outlook", crashes=1, hangs=2)),
        os_history=b.os_record(b.T0, b.life("Microsoft Teams", 30.0, 1.23456, b.T0)),
    )
    text = " ".join(render_text(_diagnosis(b.rule_input(snap))).split())  # unwrapped
    assert (
        "print service running; HP LaserJet 4th Floor (default) ready; 1 document waiting" in text
    )
    assert "Microsoft Outlook: 1 crash, 2 hangs" in text
    assert "Microsoft Teams (PID 4300): 1.2 s of processor time in 30 s since it started" in text
    assert "load average (1, 5, 15 min) 0.40, 0.30, 0.20" in text


@pytest.mark.parametrize("name", sorted(n for n, c in SCENARIOS.items() if c["fires"]))
def test_the_person_reads_each_sentence_once(name):
    """The answer's headline and explanation are said once; the leading finding's advice
    follows it, and every other finding comes once after."""
    d = _diagnosis(SCENARIOS[name]["inp"])
    person = render_text(d).split("For IT")[0]
    flat = " ".join(person.split())
    assert flat.count(" ".join(d.summary.headline.split())) == 1, person
    for f in d.findings:
        if f.severity.value == "info":
            continue
        assert flat.count(" ".join(f.explanation.split())) == 1, (f.id, person)
        for tip in f.advice:
            assert " ".join(tip.split()) in flat, (f.id, tip)
