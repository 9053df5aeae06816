"""The answer never contradicts its own evidence (DESIGN.md rule 6), checked over every
constructed scenario, every symptom, and every variant a rule declares it can produce."""

from __future__ import annotations

import importlib
import re

import pytest

from desktop.diagnostics.explain import load_catalog
from desktop.diagnostics.findings import Severity
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Cause, Section, Symptom
from desktop.diagnostics.rules import RULES, evaluate
from tests import builders as b
from tests.scenarios import scenarios

SCENARIOS = scenarios()
FROM_PROCESSES = it_says("judged_from", "processes")
CATALOG = load_catalog("en")
NOT_YOURS = "not something you did"


def _rule_modules():
    return sorted({importlib.import_module(r.__module__) for r in RULES}, key=lambda m: m.__name__)


def test_every_rule_declares_what_it_can_say():
    for module in _rule_modules():
        assert isinstance(getattr(module, "VARIANTS", None), dict), module.__name__


@pytest.mark.parametrize(
    "finding_id,variant",
    sorted(
        {(fid, v) for m in _rule_modules() for fid, vs in m.VARIANTS.items() for v in vs},
        key=str,
    ),
)
def test_every_finding_and_variant_has_words(finding_id, variant):
    entry = CATALOG.entry(finding_id, variant)
    assert entry.get("headline") and entry.get("explanation") and "it_detail" in entry
    if variant is not None:
        assert variant in CATALOG.findings[finding_id].get("variants", {}), (finding_id, variant)


def test_every_variant_a_scenario_produces_is_declared():
    declared = {(fid, v) for m in _rule_modules() for fid, vs in m.VARIANTS.items() for v in vs}
    for name, case in SCENARIOS.items():
        for f in evaluate(case["inp"])[0]:
            assert (f.id, f.variant) in declared, (name, f.id, f.variant)


# What a headline asserts, and what the evidence must then show. A headline that says
# "does not answer" while a reply came back (in 2 ms) is the lie this table forbids.
def _replied(f) -> bool | None:
    ev = f.evidence
    if f.id == "name_lookup_failed":
        return bool(set(ev["answer_kinds"]) - {"no answer"}) or "Name or service not known" in (
            ev["error"] or ""
        )
    if f.id == "internet_unreachable":
        return ev["endpoints_answered"] > 0
    return None


CLAIMS = [
    (re.compile(r"\b(does not|doesn't|do not) answer\b", re.I), lambda f: _replied(f) is False),
    (re.compile(r"\b(answers|replies)\b", re.I), lambda f: _replied(f) is not False),
    (
        re.compile(r"can't find the names", re.I),
        lambda f: (
            "no_such_name" in f.evidence.get("answer_kinds", [])
            or "Name or service not known" in (f.evidence.get("error") or "")
        ),
    ),
    (
        re.compile(r"for the last (\d+) seconds", re.I),
        lambda f: f.evidence.get("spell_s") is not None,
    ),
]


@pytest.mark.parametrize("name", sorted(n for n, c in SCENARIOS.items() if c["fires"]))
def test_no_headline_asserts_what_its_evidence_denies(name):
    for f in evaluate(SCENARIOS[name]["inp"])[0]:
        e = CATALOG.explain(f, Symptom.OTHER)
        for pattern, holds in CLAIMS:
            if pattern.search(e.headline):
                assert holds(f), (name, e.headline, dict(f.evidence))
        seconds = re.search(r"for the last (\d+) seconds", e.headline)
        if seconds:
            assert int(seconds.group(1)) == f.evidence["spell_s"], (e.headline, f.evidence)


@pytest.mark.parametrize(
    "name,variant",
    [
        ("name_lookup_failed", None),
        ("name_lookup_no_such_name", "no_such_name"),
        ("name_lookup_error_reply", "error_reply"),
        ("name_lookup_system_only", "system_only"),
        ("name_lookup_no_resolvers", "no_resolvers"),
        ("name_lookup_light_no_such_name", "no_such_name"),
    ],
)
def test_name_lookup_words_follow_how_it_failed(name, variant):
    (f,) = [f for f in evaluate(SCENARIOS[name]["inp"])[0] if f.id == "name_lookup_failed"]
    assert f.variant == variant


def test_an_internet_that_answers_with_errors_is_not_called_silent():
    (f,) = evaluate(SCENARIOS["internet_answers_with_errors"]["inp"])[0]
    assert f.variant == "errors"
    assert "does not answer" not in CATALOG.explain(f, Symptom.INTERNET).headline


def test_a_freeze_is_measured_back_from_the_click():
    (f,) = evaluate(SCENARIOS["cpu_freeze_40s_after_a_quiet_minute"]["inp"])[0]
    assert f.evidence["spell_s"] == 40
    assert f.apps == ("Google Chrome",)
    e = CATALOG.explain(f, Symptom.SLOW)
    assert e.headline == "Your computer has been very busy for the last 40 seconds."
    assert "for the last 40 s before the report" in e.it_detail
    (f,) = evaluate(SCENARIOS["cpu_freeze_with_a_short_letup"]["inp"])[0]
    assert f.evidence["spell_s"] == 40  # a 4-second let-up does not end the freeze


def test_a_cold_start_uses_the_processes_own_record_and_says_so():
    (f,) = evaluate(SCENARIOS["cpu_cold_start_under_load"]["inp"])[0]
    assert f.evidence["judged_from"] == FROM_PROCESSES
    assert f.evidence["spell_s"] == 22
    assert f.apps == ("Adobe Acrobat",)
    assert f.evidence["history_s"] == 4  # Ally's own: two samples, 2 s apart
    assert FROM_PROCESSES in CATALOG.explain(f, Symptom.SLOW).it_detail


def test_memory_nearly_gone_now_is_a_finding_now():
    """No history at all is needed: memory available now is a fact."""
    inp = b.rule_input(
        b.snapshot(memory=b.memory(used_pct=97.0)), window=b.history(0, mem_used_pct=97.0)
    )
    ids = {f.id for f in evaluate(inp)[0]}
    assert "memory_exhausted" in ids


def test_a_felt_finding_leads_whatever_the_symptom():
    """Name lookup failing while the person said "slow" is not hidden behind "nothing found"."""
    findings, _ = evaluate(SCENARIOS["name_lookup_failed"]["inp"])
    _, summary = CATALOG.explain_all(findings, Symptom.SLOW)
    assert summary.severity == "critical"
    assert summary.headline == CATALOG.explain(findings[0], Symptom.SLOW).headline
    assert "couldn't find a problem" not in summary.headline


def test_no_printer_at_all_makes_a_stopped_print_service_a_footnote():
    inp = b.rule_input(b.snapshot(Symptom.OTHER, printing=b.print_system(running=False)))
    (f,) = evaluate(inp)[0]
    assert f.id == "print_service_down" and f.severity is Severity.INFO
    _, summary = CATALOG.explain_all([f], Symptom.OTHER)
    assert summary.severity == "ok"
    # ... but someone who came to print is told, and it leads.
    inp = b.rule_input(b.snapshot(Symptom.PRINTING, printing=b.print_system(running=False)))
    (f,) = evaluate(inp)[0]
    assert f.severity is Severity.CRITICAL


def _with_section(symptom: Symptom, name: str, section: Section):
    snap = b.snapshot(symptom)
    snap.sections[name] = section
    return snap


def test_checks_turned_off_are_said_never_looks_fine():
    snap = _with_section(
        Symptom.INTERNET,
        "connectivity",
        Section.unavailable("connectivity", "turned off by policy", cause=Cause.POLICY),
    )
    _, summary = CATALOG.explain_all([], Symptom.INTERNET, snap)
    assert summary.headline == "Ally could not check the connection to the internet."
    assert "IT has turned these checks off" in summary.explanation
    assert "looks fine" not in summary.headline + summary.explanation
    assert summary.severity == "unknown"
    assert "connectivity" in summary.it_detail and "turned off by policy" in summary.it_detail


def test_a_check_that_timed_out_is_said_in_the_answer_for_other():
    snap = _with_section(
        Symptom.OTHER, "printing", Section.error("printing", "no answer", Cause.TIMEOUT)
    )
    _, summary = CATALOG.explain_all([], Symptom.OTHER, snap)
    assert "Ally could not check printing: the check took too long to answer." in (
        summary.explanation
    )


@pytest.mark.parametrize("symptom", list(Symptom))
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_answer_reassures_only_as_its_lead_finding_may_and_thanks_no_one(name, symptom):
    """The answer's line of reassurance is its leading finding's own, one of the two true
    ones (desktop/diagnostics/reassurance.py); where nothing was found, a check was not
    made or the lead describes the computer (not restarted in weeks), none is added."""
    from desktop.diagnostics import reassurance

    findings, _ = evaluate(SCENARIOS[name]["inp"])
    _, summary = CATALOG.explain_all(findings, symptom, SCENARIOS[name]["inp"].snapshot)
    text = summary.explanation.lower()
    lead = next(
        (f for f in findings if CATALOG.explain(f, symptom).headline == summary.headline), None
    )
    line = reassurance.line_for(lead.id, lead.variant) if lead is not None else reassurance.NONE
    said = NOT_YOURS.lower() in text or "it is not your fault." in text
    assert said == (line != reassurance.NONE), (summary.headline, summary.explanation)
    assert summary.not_your_fault == said
    assert "thank" not in text
    if summary.severity == "ok":
        assert not [f for f in findings if f.severity.rank >= Severity.WARNING.rank]
