"""Turning findings into words: plain ones for the person, precise ones for IT.

The words live in ally_words/catalog/<language>.toml so IT can read and change them
without touching code; loading them, choosing the language and filling in a sentence is
ally_words' (the ground floor), this module only chooses which sentences a diagnosis
needs. A placeholder that a finding cannot fill is logged and left visible rather than
failing the whole answer.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ally_helpdesk.evidence import plain_numbers
from ally_words import DEFAULT_LANGUAGE, fill, language_in_use, number, parsed
from ally_words import Catalog as WordsCatalog
from desktop.diagnostics import priority
from desktop.diagnostics.findings import Finding, Severity
from desktop.diagnostics.model import Cause, Snapshot, Status, Symptom

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Explanation:
    id: str
    severity: Severity
    headline: str
    explanation: str
    advice: tuple[str, ...]
    it_detail: str
    evidence: Mapping[str, Any]
    apps: tuple[str, ...]
    relevant: bool  # explains the symptom the person chose

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity.value,
            "headline": self.headline,
            "explanation": self.explanation,
            "advice": list(self.advice),
            "it_detail": self.it_detail,
            "evidence": dict(self.evidence),
            "apps": list(self.apps),
            "relevant": self.relevant,
        }


@dataclass(frozen=True)
class Summary:
    headline: str
    explanation: str
    severity: str  # "ok" when nothing was found, else the leading finding's severity
    not_your_fault: bool
    it_detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "headline": self.headline,
            "explanation": self.explanation,
            "severity": self.severity,
            "not_your_fault": self.not_your_fault,
            "it_detail": self.it_detail,
        }


def _it_values(evidence: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in evidence.items():
        values[key] = "unknown" if value is None else _flat(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values[key] = value if isinstance(value, int) else _Plain(value)
        if key.endswith("_bytes") and isinstance(value, (int, float)):
            values[f"{key}_h"] = f"{plain_numbers.size(value)} ({int(value)} B)"
        elif key.endswith("_bytes"):
            values[f"{key}_h"] = "unknown"
    return values


def _it_detail(entry: Mapping[str, Any], evidence: Mapping[str, Any]) -> str:
    """IT's detail: the finding's ``it_detail``, then each sentence of its ``it_known``
    list whose figures are all known for this finding (a load average on Windows, or a
    pressure record on macOS, is simply not mentioned rather than shown as "unknown")."""
    values = _it_values(evidence)
    parts = [fill(entry.get("it_detail", ""), values)]
    for sentence in entry.get("it_known", []):
        names = {name for _, name, _, _ in string.Formatter().parse(sentence) if name}
        if all(evidence.get(n.removesuffix("_h")) is not None for n in names if n):
            parts.append(fill(sentence, values))
    return " ".join(p for p in parts if p)


class _Plain(float):
    """A float that prints itself with sensible rounding, and still counts for plurals."""

    def __str__(self) -> str:
        return number(float(self))

    def __format__(self, spec: str) -> str:
        return format(float(self), spec) if spec else str(self)


def _flat(value: Any) -> Any:
    """Lists and tables as one readable line for IT; yes and no as words."""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flat(v)}" for k, v in value.items()) or "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_flat(v)) for v in value) or "none"
    if isinstance(value, float):
        return number(value)
    return "unknown" if value is None else value


def _yes_no(value: bool) -> str:
    table = load_catalog().data.get("it_values", {})
    return str(table.get("yes" if value else "no", "yes" if value else "no"))


class Catalog(WordsCatalog):
    """The catalog as the findings read it: their headlines, explanations and summaries,
    what could not be checked, and the delivery sentences."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self.language = data.get("language", DEFAULT_LANGUAGE)
        self.summary = data.get("summary", {})
        self.findings = data.get("findings", {})
        self.nothing_found = data.get("nothing_found", {})
        self.delivery = data.get("delivery", {})
        self.could_not_check = data.get("could_not_check", {})

    def delivery_message(self, key: str, **values: Any) -> str:
        """The person's sentence about a report's delivery (see [delivery] in the catalog)."""
        template = self.delivery.get(key) or self.delivery.get("temporary", key)
        return fill(template, values)

    def entry(self, finding_id: str, variant: str | None = None) -> dict[str, Any]:
        base = dict(self.table(priority.words_key(finding_id)))
        variants = base.pop("variants", {})
        if variant and variant in variants:
            base.update(variants[variant])
        return base

    def explain(self, finding: Finding, symptom: Symptom) -> Explanation:
        entry = self.entry(finding.id, finding.variant)
        if not entry:
            log.error("catalog %s has no words for finding %s", self.language, finding.id)
        words = {**_it_values(finding.evidence), **finding.words}
        return Explanation(
            id=finding.id,
            severity=finding.severity,
            headline=fill(entry.get("headline", finding.id), words),
            explanation=fill(entry.get("explanation", ""), words),
            advice=tuple(fill(a, words) for a in entry.get("advice", [])),
            it_detail=_it_detail(entry, finding.evidence),
            evidence=finding.evidence,
            apps=finding.apps,
            relevant=priority.is_relevant(finding, symptom),
        )

    def explain_all(
        self,
        findings: Sequence[Finding],
        symptom: Symptom,
        snapshot: Snapshot | None = None,
    ) -> tuple[list[Explanation], Summary]:
        """Every finding in words, and the answer that leads: the finding the person can
        feel most (see priority.py), or — only when every key check was made — "nothing
        found"; a key check that could not be made is said, never passed over."""
        ordered = [self.explain(f, symptom) for f in priority.order(findings, symptom)]
        problems = [e for e in ordered if e.severity.rank >= Severity.NOTICE.rank]
        missing = _not_checked(snapshot, priority.key_checks(symptom))
        also_missing = _not_checked(snapshot, priority.also_mentioned(symptom))
        lead = next(
            (e for e in problems if e.severity.rank >= Severity.WARNING.rank or e.relevant), None
        )
        gaps = [
            self.could_not_check_sentence(name, cause) for name, cause in missing + also_missing
        ]
        if lead is not None:
            extra = self.summary.get("more_findings", "") if len(problems) > 1 else ""
            return ordered, self._summary(
                lead.headline,
                [lead.explanation, extra, *gaps],
                lead.severity.value,
                lead.it_detail,
            )
        extra = self.summary.get("also_noticed", "") if problems else ""
        if missing:
            name, cause = missing[0]
            words = self.could_not_check.get("summary", {})
            why = self._why(cause)
            return ordered, self._summary(
                fill(words.get("headline", ""), {"what": self._check_name(name)}),
                [why[:1].upper() + why[1:] + ".", words.get("explanation", ""), *gaps[1:], extra],
                "unknown",
                fill(
                    self.could_not_check.get("it_detail") or _english("it_detail"),
                    {
                        "names": ", ".join(n for n, _ in missing),
                        "reasons": "; ".join(_reason(snapshot, n) for n, _ in missing),
                    },
                ),
            )
        nothing = self.nothing_found.get(symptom.value) or self.nothing_found.get("other", {})
        return ordered, self._summary(
            nothing.get("headline", ""),
            [nothing.get("explanation", ""), *gaps, extra],
            "ok",
            nothing.get("it_detail", ""),
        )

    def _summary(self, headline: str, parts: list[str], severity: str, it_detail: str) -> Summary:
        """The answer's words. Its line of reassurance is the leading finding's own, which
        each finding chooses to be true (desktop/diagnostics/reassurance.py); nothing is
        added here, where Ally could not know whether it holds (a computer that has not
        restarted in weeks, nothing found, a check not made)."""
        text = " ".join(p for p in parts if p)
        said = [
            self.summary.get(key) or _english(key, "summary")
            for key in ("not_your_fault_said", "common_said")
        ]
        reassured = any(x.lower() in text.lower() for x in said if x)
        return Summary(headline, text, severity, reassured, it_detail)

    def _check_name(self, section: str) -> str:
        return self.could_not_check.get("checks", {}).get(section, section.replace("_", " "))

    def could_not_check_sentence(self, section: str, cause: str) -> str:
        """ "Ally could not check the connection to the internet: IT has turned these
        checks off." """
        return fill(
            self.could_not_check.get("sentence") or _english("sentence"),
            {"what": self._check_name(section), "why": self._why(cause)},
        )

    def _why(self, cause: str) -> str:
        why = self.could_not_check.get("why", {})
        return why.get(cause) or why.get("failed") or _english("failed", "could_not_check.why")


def _english(key: str, section: str = "could_not_check") -> str:
    """English's words for a key a translation lacks (the catalog says each sentence once)."""
    return str(load_catalog(DEFAULT_LANGUAGE).table(section).get(key, key))


def _not_checked(snapshot: Snapshot | None, names: Sequence[str]) -> list[tuple[str, str]]:
    """(section, cause) of the named checks that ran but could not be made. A check that
    did not run at all for this symptom is not missing."""
    if snapshot is None:
        return []
    out = []
    for name in names:
        section = snapshot.sections.get(name)
        if section is None or section.status is Status.OK:
            continue
        if name == "focus_app" and section.cause is Cause.UNSUPPORTED:
            continue  # no program was named
        out.append((name, (section.cause or Cause.FAILED).value))
    return out


def _reason(snapshot: Snapshot | None, name: str) -> str:
    section = snapshot.sections.get(name) if snapshot is not None else None
    return f"{name}: {section.reason if section is not None else 'not run'}"


def load_catalog(language: str | None = None) -> Catalog:
    """The catalog for ``language`` (the session's by default), falling back to English:
    the findings' view of the one parsed catalog (ally_words.parsed), so each file is
    parsed once per process whoever asks first."""
    return _explainer(language_in_use(language))


@lru_cache(maxsize=4)
def _explainer(language: str) -> Catalog:
    return Catalog(parsed(language))
