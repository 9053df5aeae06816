"""Every line of IT's evidence that the code asks for is in the catalog.

``it_says(probe, key)`` and the network walk's ``words(key)`` fall back to the key itself
when the catalog lacks it (a translation may lack a key; English must not), so a typo
would put "no_answer_within" into a report instead of the words. An AST walk finds every
call with a written key; the keys chosen at run time (cause codes, Windows printer
errors, kernel fault words) are checked from the tables they come from.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tomllib

from ally_words import catalog_file
from desktop.diagnostics.net import causes, http_checks
from desktop.diagnostics.readers import fault_records, print_system

ROOT = Path(__file__).resolve().parents[2]
EVIDENCE = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))["evidence"]


def _table(section: str) -> dict:
    node = EVIDENCE
    for part in section.split("."):
        node = node.get(part, {})
    return node


def _asked() -> list[tuple[str, int, str, str]]:
    """(module, line, section of [evidence], key) of every call with written arguments."""
    found = []
    for path in sorted((ROOT / "desktop").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        walk_words = "desktop.diagnostics.net.causes import" in path.read_text("utf-8")
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            written = [a.value for a in node.args[:2] if isinstance(a, ast.Constant)]
            first_written = bool(node.args) and isinstance(node.args[0], ast.Constant)
            if node.func.id == "it_says" and len(written) == 2:
                found.append((path.name, node.lineno, written[0], written[1]))
            elif node.func.id == "words" and walk_words and first_written:
                found.append((path.name, node.lineno, "network_walk", written[0]))
    return found


def test_the_walk_finds_the_calls():
    sections = {section for _, _, section, _ in _asked()}
    assert {"judged_from", "network_walk", "crash_records", "print_system"} <= sections


def test_every_key_written_in_the_code_is_in_the_catalog():
    missing = [
        f"{module}:{line}: [evidence.{section}] {key}"
        for module, line, section, key in _asked()
        if not isinstance(_table(section).get(key), str)
    ]
    assert not missing, "\n".join(missing)


def test_every_key_chosen_at_run_time_is_in_the_catalog():
    walk = _table("network_walk")
    codes = [causes.NO_SUCH_NAME, causes.ERROR_REPLY, causes.FAILED, causes.REFUSED]
    codes += [code for _, code in http_checks._CAUSES]
    assert [c for c in codes if c not in walk] == []
    kinds = _table("network_walk.answer_kinds")
    assert set(kinds) == {"resolved", "no_such_name", "error_reply", "no_answer"}
    errors = _table("print_system.errors")
    assert [e for e in print_system._WIN_ERRORS.values() if e not in errors] == []
    faults = _table("crash_records")
    assert [f for f in fault_records._FAULT_WORDS.values() if f not in faults] == []
    refused = _table("history_refused")
    history = (ROOT / "desktop/diagnostics/sampling/history.py").read_text("utf-8")
    asked = [
        node.args[0].value
        for node in ast.walk(ast.parse(history))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_refused"
    ]
    assert asked and [k for k in asked if k not in refused] == []
