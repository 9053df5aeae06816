"""Turning findings into words: plain ones for the person, precise ones for IT.

The words live in resources/catalog/<language>.toml so IT can read and change them
without touching code. A placeholder that a finding cannot fill is logged and left
visible rather than failing the whole answer.
"""

from __future__ import annotations

import locale
import logging
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import tomllib

from desktop.diagnostics import priority
from desktop.diagnostics.findings import Finding, Severity
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.rules import wording
from desktop.resources_access import read_text, resource

log = logging.getLogger(__name__)
DEFAULT_LANGUAGE = "en"


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


class _Keep(dict):
    """Leaves unknown placeholders visible ("{app}") instead of raising."""

    def __missing__(self, key: str) -> str:
        log.warning("catalog placeholder {%s} has no value", key)
        return "{" + key + "}"


def fill(template: str, values: Mapping[str, Any]) -> str:
    try:
        return string.Formatter().vformat(template, (), _Keep(values))
    except (ValueError, IndexError) as exc:  # a broken template edited by hand
        log.warning("catalog template %r cannot be filled: %s", template, exc)
        return template


def _it_values(evidence: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in evidence.items():
        values[key] = "unknown" if value is None else _flat(value)
        if key.endswith("_bytes") and isinstance(value, (int, float)):
            values[f"{key}_h"] = f"{wording.size(value)} ({int(value)} B)"
        elif key.endswith("_bytes"):
            values[f"{key}_h"] = "unknown"
    return values


def _flat(value: Any) -> Any:
    """Lists and tables as one readable line for IT."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flat(v)}" for k, v in value.items()) or "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_flat(v)) for v in value) or "none"
    return "unknown" if value is None else value


class Catalog:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.language = data.get("language", DEFAULT_LANGUAGE)
        self.summary = data.get("summary", {})
        self.findings = data.get("findings", {})
        self.nothing_found = data.get("nothing_found", {})
        self.delivery = data.get("delivery", {})

    def delivery_message(self, key: str, **values: Any) -> str:
        """The person's sentence about a report's delivery (see [delivery] in the catalog)."""
        template = self.delivery.get(key) or self.delivery.get("temporary", key)
        return fill(template, values)

    @classmethod
    def from_toml(cls, text: str) -> Catalog:
        return cls(tomllib.loads(text))

    def entry(self, finding_id: str, variant: str | None = None) -> dict[str, Any]:
        base = dict(self.findings.get(finding_id, {}))
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
            it_detail=fill(entry.get("it_detail", ""), _it_values(finding.evidence)),
            evidence=finding.evidence,
            apps=finding.apps,
            relevant=priority.is_relevant(finding, symptom),
        )

    def explain_all(
        self, findings: Sequence[Finding], symptom: Symptom
    ) -> tuple[list[Explanation], Summary]:
        ordered = [self.explain(f, symptom) for f in priority.order(findings, symptom)]
        problems = [e for e in ordered if e.severity.rank >= Severity.NOTICE.rank]
        leading = [e for e in problems if e.relevant]
        if leading:
            top = leading[0]
            extra = self.summary.get("more_findings", "") if len(problems) > 1 else ""
            summary = Summary(
                headline=top.headline,
                explanation=" ".join(x for x in (top.explanation, extra) if x),
                severity=top.severity.value,
                not_your_fault=True,
                it_detail=top.it_detail,
            )
        else:
            nothing = self.nothing_found.get(symptom.value) or self.nothing_found.get("other", {})
            extra = self.summary.get("also_noticed", "") if problems else ""
            summary = Summary(
                headline=nothing.get("headline", ""),
                explanation=" ".join(x for x in (nothing.get("explanation", ""), extra) if x),
                severity="ok",
                not_your_fault=True,
                it_detail=nothing.get("it_detail", ""),
            )
        return ordered, summary


def preferred_language() -> str:
    try:
        lang = (locale.getlocale()[0] or "").split("_")[0].lower()
    except ValueError:
        lang = ""
    return lang or DEFAULT_LANGUAGE


@lru_cache(maxsize=4)
def load_catalog(language: str | None = None) -> Catalog:
    """The catalog for ``language`` (the system's by default), falling back to English."""
    lang = language or preferred_language()
    name = f"catalog/{lang}.toml"
    if not resource(name).is_file():
        name = f"catalog/{DEFAULT_LANGUAGE}.toml"
    return Catalog.from_toml(read_text(name))
