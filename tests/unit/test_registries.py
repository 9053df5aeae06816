"""The registries a newcomer extends: probes, rules (their findings) and symptoms.

Adding a probe or a rule means one module and its words. These tests walk what is
registered and say exactly what is missing, and where to add it, so nothing depends on a
name matched by hand in another file.
"""

from __future__ import annotations

import importlib
import pkgutil

import tomllib

from ally_helpdesk.report_format import json_schema
from ally_words import catalog_file
from desktop.diagnostics import probes as probes_package
from desktop.diagnostics import rules as rules_package
from desktop.diagnostics.findings import FindingKind
from desktop.diagnostics.model import Status, Symptom
from desktop.diagnostics.priority import also_mentioned, key_checks, relevant
from desktop.diagnostics.probes import PROBES
from desktop.diagnostics.rules import FINDING_KINDS, RULE_MODULES, RULES

CATALOG = "ally_words/catalog/en.toml"
WORDS = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))
FINDING_FIELDS = ("headline", "explanation", "advice", "it_detail")


def _declared_table(dotted: str) -> dict | None:
    """The catalog table a declaration names ("findings.cpu_saturated"), None if absent."""
    node = WORDS
    for part in dotted.split(".") if dotted else ["<none>"]:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _finding_words_problems(kind: FindingKind) -> list[str]:
    """What a finding's declared words key lacks in the catalog, said with where to fix it."""
    problems: list[str] = []
    entry = _declared_table(kind.words)
    if not kind.words:
        problems.append(
            f"finding {kind.id!r}: no words key; declare FindingKind({kind.id!r}, ..., "
            f'words="findings.{kind.id}")'
        )
    elif entry is None:
        problems.append(f"finding {kind.id!r}: no [{kind.words}] in {CATALOG}")
    else:
        problems += [
            f"finding {kind.id!r}: [{kind.words}] has no {f}"
            for f in FINDING_FIELDS
            if not entry.get(f) and not (f == "advice" and entry.get(f) == [])
        ]
    return problems


def _modules(package) -> list:
    return [
        importlib.import_module(f"{package.__name__}.{m.name}")
        for m in pkgutil.iter_modules(package.__path__)
    ]


def test_every_probe_module_is_registered():
    registered = {p.name for p in PROBES}
    missing = [
        f"{m.__name__} declares {p.name!r} but it is not in PROBES "
        "(desktop/diagnostics/probes/__init__.py)"
        for m in _modules(probes_package)
        for p in (getattr(m, "PROBE", None), getattr(m, "FOCUS_PROBE", None))
        if p is not None and p.name not in registered
    ]
    assert not missing, "\n".join(missing)


def test_every_probe_has_words_a_summary_for_it_and_sound_relevance():
    problems = []
    names = [p.name for p in PROBES]
    if len(names) != len(set(names)):
        problems.append(f"two probes share a name: {sorted(names)}")
    for p in PROBES:
        where = f"probe {p.name!r}"
        if not WORDS.get("checks", {}).get(p.name):
            problems.append(
                f'{where}: no name for the person; add `{p.name} = "..."` under [checks] '
                f"in {CATALOG}"
            )
        if not WORDS.get("could_not_check", {}).get("checks", {}).get(p.name):
            problems.append(
                f"{where}: no words for 'could not check'; add `{p.name} = \"the ...\"` under "
                f"[could_not_check.checks] in {CATALOG}"
            )
        if p.it_summary is None:
            problems.append(
                f"{where}: no it_summary; give Probe(..., it_summary=...) IT's one line"
            )
        for field in ("key_for", "mentioned_for"):
            bad = [s for s in getattr(p, field) if not isinstance(s, Symptom)]
            if bad:
                problems.append(f"{where}: {field} names {bad}, which are not symptoms")
    assert not problems, "\n".join(problems)


def test_every_probe_summary_reads_its_real_section(tmp_path, monkeypatch):
    """Each probe's IT summary, run on what the probe really read on this machine."""
    from desktop.diagnostics.probes import probe_named
    from desktop.diagnostics.run_probes import collect
    from desktop.diagnostics.sampling.sampler import Sampler, SamplerSettings

    monkeypatch.setenv("ALLY_HOME", str(tmp_path))
    sampler = Sampler(SamplerSettings(interval_s=0.5, process_interval_s=1.0))
    sampler.sample_now()
    # tests/conftest.py keeps the network walk off (the no-active-network policy).
    snapshot = collect(Symptom.OTHER, sampler=sampler, warm_up_s=0.5)
    failed = []
    for name, section in snapshot.sections.items():
        if section.status is not Status.OK:
            continue
        line = probe_named(name).it_summary(section.data)
        if not isinstance(line, str) or not line.strip():
            failed.append(f"probe {name!r}: it_summary gave {line!r}")
    assert not failed, "\n".join(failed)
    assert any(s.status is Status.OK for s in snapshot.sections.values())


def test_every_rule_module_declares_its_findings_and_is_registered():
    problems = []
    for m in _modules(rules_package):
        rules_here = [r for r in RULES if r.__module__ == m.__name__]
        if rules_here and m not in RULE_MODULES:
            problems.append(f"{m.__name__}: its rules run but it is not in RULE_MODULES")
        if rules_here and not getattr(m, "FINDINGS", None):
            problems.append(
                f'{m.__name__}: no FINDINGS; declare FINDINGS = (FindingKind("id", '
                "{Symptom.SLOW: place, ...}),) beside its rules"
            )
        for kind in getattr(m, "FINDINGS", ()):
            if not isinstance(kind, FindingKind):
                problems.append(f"{m.__name__}: FINDINGS holds {kind!r}, not a FindingKind")
            elif kind.id not in getattr(m, "VARIANTS", {}):
                problems.append(f"{m.__name__}: {kind.id!r} is in FINDINGS but not in VARIANTS")
    assert not problems, "\n".join(problems)


def test_every_finding_has_words_and_explains_some_symptom():
    problems = []
    ids = [k.id for k in FINDING_KINDS]
    if len(ids) != len(set(ids)):
        problems.append(
            f"a finding is declared twice: {sorted(i for i in ids if ids.count(i) > 1)}"
        )
    catalog = WORDS.get("findings", {})
    for kind in FINDING_KINDS:
        problems += _finding_words_problems(kind)
        if not kind.relevance:
            problems.append(
                f"finding {kind.id!r}: no relevance; say which symptoms it explains, e.g. "
                f"FindingKind({kind.id!r}, {{Symptom.SLOW: 20}})"
            )
        problems += [
            f"finding {kind.id!r}: relevance names {s!r}, which is not a symptom"
            for s in kind.relevance
            if not isinstance(s, Symptom)
        ]
    declared = {k.words for k in FINDING_KINDS}
    problems += [
        f"[findings.{fid}] in {CATALOG} belongs to no rule (no FindingKind({fid!r}, ..., "
        f'words="findings.{fid}"))'
        for fid in catalog
        if f"findings.{fid}" not in declared
    ]
    assert not problems, "\n".join(problems)


def test_every_symptom_has_words_an_answer_and_findings_that_explain_it():
    problems = []
    for s in Symptom:
        if not WORDS.get("symptoms", {}).get(s.value):
            problems.append(f'symptom {s.value!r}: add `{s.value} = "..."` under [symptoms]')
        if s.value not in WORDS.get("nothing_found", {}):
            problems.append(f"symptom {s.value!r}: no [nothing_found.{s.value}] in {CATALOG}")
        if not relevant()[s]:
            problems.append(f"symptom {s.value!r}: no finding declares that it explains it")
        known = {p.name for p in PROBES}
        problems += [
            f"symptom {s.value!r}: key or mentioned check {n!r} is no probe"
            for n in (*key_checks(s), *also_mentioned(s))
            if n not in known
        ]
    assert not problems, "\n".join(problems)


def test_every_transport_is_registered_and_declares_what_it_needs():
    from dataclasses import fields

    import ally_helpdesk.transports as helpdesks
    from ally_helpdesk.transport_policy import HELPDESK_KINDS
    from desktop.policy.config import TRANSPORT_KINDS, TransportPolicy
    from desktop.reporting import transports
    from desktop.terminal.cli_reports import SECRET_NAMES

    problems = []
    for package, registry, where_listed in (
        (helpdesks, helpdesks.HELPDESKS, "ally_helpdesk/transports/__init__.py HELPDESKS"),
        (transports, transports.TRANSPORTS, "desktop/reporting/transports/__init__.py"),
    ):
        modules = {m.name for m in pkgutil.iter_modules(package.__path__) if m.name != "base"}
        registered = {name.rsplit(".", 1)[1] for name in registry.values()}
        folder = package.__name__.replace(".", "/")
        problems += [
            f"{folder}/{m}.py is not registered ({where_listed})"
            for m in sorted(modules - registered)
        ]
    if set(helpdesks.HELPDESKS) != set(HELPDESK_KINDS):
        problems.append(
            f"HELPDESKS {sorted(helpdesks.HELPDESKS)} and HELPDESK_KINDS "
            f"{sorted(HELPDESK_KINDS)} (ally_helpdesk/transport_policy.py) differ"
        )
    if set(transports.TRANSPORTS) != set(TRANSPORT_KINDS):
        problems.append(
            f"TRANSPORTS {sorted(transports.TRANSPORTS)} and the policy's TRANSPORT_KINDS "
            f"{sorted(TRANSPORT_KINDS)} (desktop/policy/config.py) differ"
        )
    keys = {f.name for f in fields(TransportPolicy)}
    for kind in transports.TRANSPORTS:
        module = transports.module(kind)
        where = f"transport {kind!r} ({module.__name__})"
        if kind in helpdesks.HELPDESKS and not callable(getattr(module, "make", None)):
            problems.append(f"{where}: no make(t, secret, proxy, default_folder)")
        unknown = set(getattr(module, "USES", ("<missing>",))) - keys
        if unknown:
            problems.append(f"{where}: USES names {sorted(unknown)}, not [transport] keys")
        secret = getattr(module, "SECRET", "<missing>")
        if secret is not None and secret not in SECRET_NAMES:
            problems.append(
                f"{where}: SECRET {secret!r} cannot be stored: add it to SECRET_NAMES "
                "(desktop/terminal/cli_reports.py) so `ally credentials set` takes it"
            )
    assert not problems, "\n".join(problems)


def test_the_report_schema_knows_exactly_the_symptoms_ally_has():
    """The symptom list lives in the Symptom enum; the JSON schema IT validates against
    repeats it for IT's tools, and the shared package for the policy, so all three agree."""
    from ally_helpdesk.report_format import SYMPTOMS

    schema = json_schema()
    listed = schema["properties"]["symptom"]["enum"]
    assert sorted(listed) == sorted(s.value for s in Symptom), (
        "ally_helpdesk/report.schema.json lists other symptoms than desktop/diagnostics/model.py"
    )
    assert list(SYMPTOMS) == [s.value for s in Symptom], (
        "ally_helpdesk/report_format.py SYMPTOMS differ from desktop/diagnostics/model.py"
    )


def test_every_fix_declares_its_words_and_they_are_there():
    from desktop.fixes.registry import FIXES

    problems = []
    finding_ids = {k.id for k in FINDING_KINDS}
    for fix in FIXES:
        where = f"fix {fix.id!r} ({fix.apply.__module__})"
        entry = _declared_table(fix.words)
        if not fix.words:
            problems.append(f'{where}: no words key; declare Fix(..., words="fixes.{fix.id}")')
        elif entry is None:
            problems.append(f"{where}: no [{fix.words}] in {CATALOG}")
        else:
            problems += [
                f"{where}: [{fix.words}] has no {f}"
                for f in ("button", "before")
                if not entry.get(f)
            ]
        problems += [
            f"{where}: answers {a!r}, which no rule declares"
            for a in fix.answers
            if a not in finding_ids
        ]
    assert not problems, "\n".join(problems)


def test_a_declared_words_key_without_words_is_named():
    """The check above fails on a key with nothing behind it, or none, and says where."""
    assert _finding_words_problems(FINDING_KINDS[0]) == []
    missing = _finding_words_problems(FindingKind("new_cause", words="findings.new_cause"))
    assert missing == [f"finding 'new_cause': no [findings.new_cause] in {CATALOG}"]
    undeclared = _finding_words_problems(FindingKind("new_cause"))
    assert undeclared and "no words key" in undeclared[0]


def test_every_fix_names_its_rights_for_it_in_the_catalog():
    """``Fix.rights`` is a key of [fix_it.rights]: `ally fix` (the list) tells IT what each fix
    may touch, so a fix without that sentence is named here."""
    from desktop.fixes.registry import FIXES

    rights = _declared_table("fix_it.rights") or {}
    missing = [
        f"{fix.id}: no [fix_it.rights] {fix.rights}" for fix in FIXES if fix.rights not in rights
    ]
    assert not missing, "\n".join(missing)
