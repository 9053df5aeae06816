"""The shape of the code a newcomer relies on: module names that say one thing each, and
layers that import downwards only (issue 16)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIAGNOSTICS = ROOT / "desktop" / "diagnostics"


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_no_two_diagnostics_modules_share_a_name():
    names = Counter(p.name for p in DIAGNOSTICS.rglob("*.py") if p.name != "__init__.py")
    twice = sorted(name for name, n in names.items() if n > 1)
    assert not twice, f"these module names exist more than once under desktop/diagnostics: {twice}"


def test_os_readers_and_sampling_do_not_reach_up_into_probes_or_rules():
    """Readers and the sampler sit below the probe framework: importing it from there is
    how the old crashes ↔ probe ↔ tools cycle came about."""
    above = ("desktop.diagnostics.probe", "desktop.diagnostics.probes", "desktop.diagnostics.rules")
    offenders = {}
    for package in ("readers", "sampling"):
        for path in (DIAGNOSTICS / package).glob("*.py"):
            bad = sorted(m for m in _imports(path) if m.startswith(above))
            if bad:
                offenders[str(path.relative_to(ROOT))] = bad
    assert not offenders, f"imports that run up a layer: {offenders}"


def test_reporting_and_the_cli_reach_number_wording_without_the_rules():
    users = [
        ROOT / "desktop" / "terminal" / "cli_output.py",
        *(ROOT / "desktop" / "reporting").rglob("*.py"),
    ]
    offenders = [
        str(p.relative_to(ROOT))
        for p in users
        if any(m.startswith("desktop.diagnostics.rules") for m in _imports(p))
    ]
    assert not offenders, f"these import the rules only for wording: {offenders}"
