"""Every rule, registered in one place: one cause each, over the snapshot and its history.

Adding a cause means one module here (its check function and its ``FINDINGS``, which say
the symptoms it explains) and its words in the catalog; tests/unit/test_registries.py
names whatever is missing.

A rule returns None, a Finding, or a list of Findings. :func:`evaluate` runs them all;
a rule that breaks is logged for IT and skipped, never stopping the diagnosis.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from desktop.diagnostics.findings import Finding, FindingKind, RuleInput
from desktop.diagnostics.rules import (
    app_crashes,
    app_memory_growth,
    app_runaway,
    battery_and_heat,
    disk_busy,
    disk_space,
    many_instances,
    memory_exhausted,
    network_basics,
    network_chain,
    network_local,
    print_trouble,
    processor_busy,
    restart,
    swapping,
)

log = logging.getLogger(__name__)

Rule = Callable[[RuleInput], "Finding | list[Finding] | None"]

RULES: tuple[Rule, ...] = (
    swapping.check,
    memory_exhausted.check,
    processor_busy.check,
    disk_busy.check,
    disk_space.check,
    app_runaway.check,
    app_memory_growth.check,
    many_instances.check,
    battery_and_heat.battery_low,
    battery_and_heat.power_saver,
    battery_and_heat.running_hot,
    restart.pending,
    restart.overdue,
    network_basics.disconnected,
    network_chain.first_broken_link,
    network_chain.weak_wifi,
    network_chain.slow_path,
    network_local.check,
    app_crashes.check,
    app_crashes.focus,
    print_trouble.check,
)

# Every module above that concludes something; each declares FINDINGS beside its rules.
RULE_MODULES = (
    swapping,
    memory_exhausted,
    processor_busy,
    disk_busy,
    disk_space,
    app_runaway,
    app_memory_growth,
    many_instances,
    battery_and_heat,
    restart,
    network_basics,
    network_chain,
    network_local,
    app_crashes,
    print_trouble,
)

FINDING_KINDS: tuple[FindingKind, ...] = tuple(k for m in RULE_MODULES for k in m.FINDINGS)


def evaluate(inp: RuleInput, rules: Sequence[Rule] = RULES) -> tuple[list[Finding], list[str]]:
    """All findings, and the rules that failed (name and error) for IT's detail."""
    findings: list[Finding] = []
    failed: list[str] = []
    for rule in rules:
        try:
            result = rule(inp)
        except Exception as exc:
            name = f"{rule.__module__}.{rule.__name__}"
            log.exception("rule %s failed", name)
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        if result is None:
            continue
        findings.extend(result if isinstance(result, list) else [result])
    return findings, failed
