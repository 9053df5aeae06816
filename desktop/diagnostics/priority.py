"""Which findings matter most, and which checks an answer cannot do without.

A finding the person can feel (warning or critical) always leads a milder one, whatever
symptom was chosen: name lookup failing during "it's slow" is news, not a footnote behind
"nothing found". Among the felt ones, and then among the milder ones, the findings that
explain the chosen symptom come first (most severe first, then in the order below);
nothing found is hidden.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.diagnostics.findings import Finding, Severity
from desktop.diagnostics.model import Symptom


def relevant() -> dict[Symptom, tuple[str, ...]]:
    """For each symptom, the findings that explain it, in the order the answer says them.

    Built from what each rule declares beside itself (``FINDINGS`` in its module), so a
    new cause is placed by its own module, not by a table here."""
    if not _RELEVANT:
        from desktop.diagnostics.rules import FINDING_KINDS

        for symptom in Symptom:
            placed = [
                (k.relevance[symptom], i, k.id)
                for i, k in enumerate(FINDING_KINDS)
                if symptom in k.relevance
            ]
            _RELEVANT[symptom] = tuple(fid for _, _, fid in sorted(placed))
    return _RELEVANT


_RELEVANT: dict[Symptom, tuple[str, ...]] = {}


def words_key(finding_id: str) -> str:
    """The catalog table that holds a finding's words, as its ``FindingKind`` declares."""
    if not _WORDS:
        from desktop.diagnostics.rules import FINDING_KINDS

        _WORDS.update({k.id: k.words for k in FINDING_KINDS if k.words})
    return _WORDS.get(finding_id, f"findings.{finding_id}")


_WORDS: dict[str, str] = {}


def key_checks(symptom: Symptom) -> tuple[str, ...]:
    """Without these checks there is no honest answer to the symptom: when one of them
    could not be made, the answer says so instead of "nothing found". Each probe declares
    the symptoms it is key to (``Probe.key_for``)."""
    return _checks_for(symptom, "key_for")


def also_mentioned(symptom: Symptom) -> tuple[str, ...]:
    """Checks whose absence is worth a sentence in the answer for this symptom
    (``Probe.mentioned_for``)."""
    return _checks_for(symptom, "mentioned_for")


def _checks_for(symptom: Symptom, field: str) -> tuple[str, ...]:
    from desktop.diagnostics.probes import PROBES

    placed = [
        (getattr(p, field)[symptom], i, p.name)
        for i, p in enumerate(PROBES)
        if symptom in getattr(p, field)
    ]
    return tuple(name for _, _, name in sorted(placed))


def __getattr__(name: str) -> object:
    """``RELEVANT`` as a module constant, built on first use (importing every rule costs
    time that the terminal's short commands need not pay)."""
    if name == "RELEVANT":
        return relevant()
    raise AttributeError(name)


def is_relevant(finding: Finding, symptom: Symptom) -> bool:
    return finding.id in relevant()[symptom]


def is_felt(finding: Finding) -> bool:
    """Serious enough to lead any answer."""
    return finding.severity.rank >= Severity.WARNING.rank


def order(findings: Sequence[Finding], symptom: Symptom) -> list[Finding]:
    relevant_ids = relevant()[symptom]

    def key(f: Finding) -> tuple[int, int, int, int]:
        place = relevant_ids.index(f.id) if f.id in relevant_ids else len(relevant_ids)
        fits = 0 if f.id in relevant_ids else 1
        # What the person can feel first, what explains their symptom first among those.
        return (0 if is_felt(f) else 1, fits, -f.severity.rank, place)

    return sorted(findings, key=key)
