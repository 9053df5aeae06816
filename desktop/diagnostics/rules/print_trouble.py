"""Why printing does not work: no print service, no printer, the default printer paused,
offline or in error, documents stuck in the line."""

from __future__ import annotations

from ally_helpdesk.evidence import plain_numbers
from desktop.base.words import listed, say
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.model import Symptom

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "print_service_down",
        {Symptom.PRINTING: 0, Symptom.OTHER: 27},
        words="findings.print_service_down",
    ),
    FindingKind("no_printer", {Symptom.PRINTING: 1}, words="findings.no_printer"),
    FindingKind("no_default_printer", {Symptom.PRINTING: 4}, words="findings.no_default_printer"),
    FindingKind(
        "default_printer_unavailable",
        {Symptom.PRINTING: 2, Symptom.OTHER: 28},
        words="findings.default_printer_unavailable",
    ),
    FindingKind(
        "print_jobs_stuck",
        {Symptom.PRINTING: 3, Symptom.OTHER: 29},
        words="findings.print_jobs_stuck",
    ),
)

VARIANTS = {
    "print_service_down": (None,),
    "no_printer": (None,),
    "no_default_printer": (None,),
    "default_printer_unavailable": (None, "paused", "offline", "unsaid"),
    "print_jobs_stuck": (None, "one"),
}


def check(inp: RuleInput) -> list[Finding]:
    ps = inp.snapshot.section_data("printing")
    if ps is None:
        return []
    base = {"source": ps.source, "printers": {p.name: p.state for p in ps.printers} or "none"}
    wants_to_print = inp.snapshot.symptom is Symptom.PRINTING
    if ps.service_running is False:
        # Severity follows what the person can feel: with no printer set up, a stopped
        # print service stops nothing they do, unless they came to print.
        if wants_to_print:
            severity = Severity.CRITICAL
        else:
            severity = Severity.WARNING if ps.printers else Severity.INFO
        return [Finding("print_service_down", severity, base)]
    if not ps.printers:
        return [Finding("no_printer", Severity.WARNING if wants_to_print else Severity.INFO, base)]
    found = []
    default = next((p for p in ps.printers if p.is_default), None)
    if default is None:
        found.append(Finding("no_default_printer", Severity.NOTICE, base))
    elif default.state in ("paused", "offline", "error"):
        evidence = {
            **base,
            "printer": default.name,
            "state": default.state,
            "message": default.message,
            "accepting": default.accepting,
            "jobs_waiting": default.jobs,
        }
        # The person reads a known problem in plain words; a print system's own message
        # ("Filter failed") stays in IT's detail, and the headline says it names none.
        plain = _problem_words(default.problem)
        words = {
            "printer": default.name,
            "problem": plain or "",
            "what_to_do": _problem_words(default.problem or "unknown", "printer_advice")
            or _problem_words("unknown", "printer_advice"),
        }
        found.append(
            Finding(
                "default_printer_unavailable",
                Severity.CRITICAL,
                evidence,
                (),
                words,
                variant=default.state
                if default.state in ("paused", "offline")
                else (None if plain else "unsaid"),
            )
        )
    limit = inp.thresholds["print_job_stuck_s"]
    stuck = [j for j in ps.jobs if j.age_s >= limit]
    if stuck:
        oldest = max(j.age_s for j in stuck)
        printers = sorted({j.printer for j in stuck})
        evidence = {
            **base,
            "stuck_jobs": len(stuck),
            "oldest_age_s": round(oldest),
            "stuck_on": printers,
            "job_ids": [j.job_id for j in stuck][:10],
            "threshold_s": limit,
        }
        what = (
            say("one_document_waiting", "finding_words")
            if len(stuck) == 1
            else say("documents_waiting", "finding_words", count=len(stuck))
        )
        words = {
            "what": what,
            "age": plain_numbers.duration(oldest),
            "printers": listed(printers),
        }
        one = "one" if len(stuck) == 1 else None  # "It is stuck", not "They are stuck"
        found.append(
            Finding("print_jobs_stuck", Severity.WARNING, evidence, (), words, variant=one)
        )
    return found


def _problem_words(key: str | None, words_for: str = "printer_problems") -> str | None:
    """ "it is out of paper" for a known problem ([finding_words.printer_problems]), or
    what to do about it ([finding_words.printer_advice])."""
    if not key:
        return None
    from desktop.base.words import table

    words = table(f"finding_words.{words_for}").get(key)
    return str(words) if words else None
