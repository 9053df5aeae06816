"""The readable form of a diagnosis for a terminal: the answer first, IT's detail after."""

from __future__ import annotations

import textwrap
from typing import Any

from desktop.base.words import say
from desktop.diagnostics.diagnosis import Diagnosis
from desktop.diagnostics.model import Status

WIDTH = 88


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent) + "\n"


def for_it_heading() -> str:
    """The heading between the person's answer and IT's lines, underlined."""
    heading = say("for_it", "cli")
    return f"{heading}\n{'-' * len(heading)}\n"


def render_text(d: Diagnosis) -> str:
    out = [_wrap(d.summary.headline), _wrap(d.summary.explanation)]
    problems = [f for f in d.findings if f.severity.value != "info"]
    # The answer is the leading finding's: its headline and explanation are said once,
    # above, and only its advice follows; the other findings come after, each once.
    lead = next((f for f in problems if f.headline == d.summary.headline), None)
    for tip in lead.advice if lead is not None else ():
        out.append(_wrap(f"- {tip}", "  "))
    out.append("\n")
    for f in problems:
        if f is lead:
            continue
        out.append(_wrap(f"• {f.headline}"))
        out.append(_wrap(f.explanation, "  "))
        for tip in f.advice:
            out.append(_wrap(f"- {tip}", "    "))
        out.append("\n")
    out.append(for_it_heading())
    line = say(
        "diagnosis_line",
        "cli_it",
        symptom=d.snapshot.symptom.value,
        at=d.snapshot.collected_at.isoformat(timespec="seconds"),
        ms=d.snapshot.duration_ms,
        history_s=d.history_s,
    )
    out.append(_wrap(line))
    for f in d.findings:
        out.append(_wrap(f"[{f.severity.value}] {f.id}: {f.it_detail}", ""))
    if not d.findings:
        out.append(_wrap(d.summary.it_detail))
    for name, section in d.snapshot.sections.items():
        if section.status is Status.OK:
            out.append(_wrap(f"{name}: {_safe_line(name, section.data)}"))
        else:
            words = {"name": name, "status": section.status.value, "reason": section.reason}
            out.append(_wrap(say("section_not_checked", "cli_it", **words)))
    for note in d.notes:
        out.append(_wrap(say("note", "cli_it", note=note)))
    return "".join(out)


def _safe_line(name: str, data: Any) -> str:
    """A section's one-line summary, as its probe declares it; a summary that cannot be
    made falls back to the raw data rather than stopping the whole answer."""
    from desktop.diagnostics.probes import probe_named

    probe = probe_named(name)
    try:
        if probe is not None and probe.it_summary is not None:
            return probe.it_summary(data)
    except Exception:  # the summary is a convenience, the data is what matters
        pass
    return say("summary_unreadable", "cli_it")
