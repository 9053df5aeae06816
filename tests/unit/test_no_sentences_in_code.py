"""No sentence a person or IT reads is written in Python: it belongs in the catalog
(ally_words/catalog/en.toml), where the words tests read it and a translator finds it.

An AST walk over desktop/ and relay/ flags every string constant that looks like words (two words
with a space between them), outside the places where such a string is not said to
anyone: docstrings, logging calls (IT's log keeps its technical English), dict keys (the
report's JSON field names), format specs, patterns matched against other programs'
output, and the short list below, each with its reason.

The modules in ``NOT_YET_IN_CATALOG`` still hold words (mostly IT's evidence and policy
lines); their counts may only go down. A new sentence anywhere, or one more in those
modules, fails here with the file and line.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = (ROOT / "desktop", ROOT / "relay")
WORDS = re.compile(r"[A-Za-z]{2,}[,;:.!?')\"’]* +[\"'(“‘]*[A-Za-z]{2,}")
TAG = re.compile(r"<[^<>]*(?:>|$)|^[^<>]*>")  # markup, also a tag cut by an f-string
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
# Calls of ``re`` whose string arguments are patterns matched against text, never shown.
PATTERN_CALLS = {"compile", "search", "match", "fullmatch", "sub", "findall", "finditer", "split"}
# Methods whose string arguments are not words for anyone, and why.
NOT_SAID_CALLS = {
    "setStyleSheet": "a Qt stylesheet, read by Qt only",
    "startswith": "a prefix matched against another program's output, never shown",
}
# Keyword arguments and variables whose strings are read by a program only, and why.
NOT_SAID_NAMES = {"headers": "HTTP headers, read by the receiving server"}
# Errors whose message reaches no one: the caller catches them and falls back, and why.
UNSAID_ERRORS = {
    "NotAVersionResource": "the .exe parser's refusal reasons (desktop/showing/exe_version.py): "
    "version_name() catches every one and the caller keeps another name; not logged, not shown",
    "NotACrashRecord": "why one crash record cannot be read (readers/fault_records.py, "
    "linux_fault_files.py): the reader counts it as malformed and goes on; not logged, not shown",
}

# Strings that look like words but are said to no one, and why.
NOT_SENTENCES: dict[str, str] = {
    "ally_helpdesk/it_view/html_view.py:CSS": "the stylesheet of IT's page (font names)",
    "ally_helpdesk/it_view/chart_svg.py": "SVG markup; its words come from the chart specs and the catalog",
    "desktop/diagnostics/readers/windows_tools.py": "registry paths and WMI names asked of Windows",
    "desktop/diagnostics/net/wifi.py": "field names in the output of macOS' and Windows' tools",
    "desktop/diagnostics/readers/print_system.py:_PS_PRINTERS": "a PowerShell command for Windows",
    "desktop/diagnostics/readers/print_system.py:_PS_JOBS": "a PowerShell command for Windows",
    "desktop/fixes/print_jobs.py:_PS_LIST": "a PowerShell command for Windows",
    "desktop/fixes/own_processes.py:quit_command": "an AppleScript for osascript (macOS)",
    "desktop/policy/config.py:default_policy_path": "where each system keeps IT's policy file",
    "desktop/start/watchdog.py:why_it_stopped": "the crash's cause as the log records it (exit code)",
    "desktop/terminal/doctor.py:'reports folder'": "the name of a doctor check, stable for fleet tools",
    "ally_helpdesk/transports/request_tracker.py:query": "RT's ticket search (TicketSQL)",
    "desktop/start/startup.py:DESKTOP_GROUP": "the group of a freedesktop.org entry, read by the session",
    "desktop/showing/program_list.py:'Desktop Entry'": "the group read from freedesktop.org entries",
    "desktop/policy/managed_policy.py:MACOS_MANAGED": "where macOS keeps a configuration profile's settings",
    "desktop/diagnostics/readers/print_system.py:_OFFLINE_WORDS": "what CUPS backends say, "
    "matched against lpstat's output",
    "desktop/diagnostics/readers/fault_records.py:NO_JOURNAL": "journalctl's own messages, "
    "matched against its output",
    "desktop/diagnostics/readers/fault_records.py:query": "the event log query (XPath) for wevtutil",
    "desktop/diagnostics/probes/network.py:_VPN_WORDS": "VPN products' adapter names, matched",
    "ally_helpdesk/evidence/thresholds.py:LIMITS": "each limit's reason, documentation for whoever "
    "changes it in the policy or the code; no screen or command shows it",
    "desktop/diagnostics/sampling/metrics.py:HISTORY_METRICS": "each history column's meaning, "
    "documentation (see the module's docstring); no screen or command shows it",
    "desktop/diagnostics/apps.py:': background must be one of '": "a wrong entry in "
    "resources/apps.toml, which ships with Ally: read by its developers (tests/unit/test_apps.py), "
    "never by IT or a person",
    "desktop/diagnostics/sampling/process_sample.py:KERNEL_THREADS": "the name Linux kernel "
    "threads are grouped under, matched in resources/apps.toml (shown as that entry's name)",
    "desktop/diagnostics/probes/power.py:'Low Power Mode'": "macOS' own name for the setting "
    "(System Settings, Battery; pmset's lowpowermode), shown as macOS names it, as Windows' "
    "scheme name is shown as powercfg gives it",
    "desktop/diagnostics/net/http_checks.py:_CAUSES": "requests', urllib3's and the OS's own "
    "error texts, matched in the exception's text; the cause's words are in the catalog",
    "desktop/diagnostics/net/http_checks.py:USER_AGENT": "the User-Agent header, read by the "
    "server that answers the connectivity check",
    "desktop/reporting/redact.py:ADDRESS_LEFT_OUT": "the marker put in the report's data where "
    "an address was; it is data (IT's tools may match it), the same in every language",
    "relay/admin.py:PAGE_CSP": "the Content-Security-Policy header of IT's pages",
    "relay/admin.py:REPORT_CSP": "the Content-Security-Policy header of a report's page",
    "relay/api.py:'Bearer realm=\"ally-relay\"'": "the WWW-Authenticate header, read by clients",
    "relay/api.py:check_report": "why a body is not a report: caught, answered with the code "
    "not_a_report, never shown",
    "relay/api.py:'no token'": "caught and answered with the code bad_request, never shown",
    "relay/db.py": "SQL for SQLite and PostgreSQL",
    "relay/migrations/versions/0002_lz4_report_bodies.py": "SQL for PostgreSQL",
    "relay/migrations/versions/0003_device_changes.py": "SQL triggers for SQLite and PostgreSQL",
    "relay/passwords.py:_dummy_hash": "a string hashed to time a refusal alike, never shown",
}

# Modules whose words are not in the catalog yet: IT's evidence in probes and rules, and
# the policy's messages to IT. Each count may only fall; lower it when you move words.
NOT_YET_IN_CATALOG: dict[str, int] = {}


def _parents(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            child._ally_parent = node  # type: ignore[attr-defined]


def _up(node: ast.AST) -> Iterator[ast.AST]:
    while (node := getattr(node, "_ally_parent", None)) is not None:
        yield node


def _names_around(node: ast.AST) -> set[str]:
    """The names a constant sits under: the variable it is assigned to, the functions and
    classes around it (so NOT_SENTENCES can name ``module:NAME``)."""
    names: set[str] = set()
    for parent in _up(node):
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(parent.name)
    return names


def _said_to_no_one(node: ast.Constant) -> bool:
    parent = getattr(node, "_ally_parent", None)
    if isinstance(parent, ast.Expr):
        return True  # a docstring
    if isinstance(parent, ast.Dict) and node in parent.keys:
        return True  # a JSON field name
    for outer in _up(node):
        if isinstance(outer, ast.FormattedValue):
            return True  # a format spec
        if isinstance(outer, ast.Compare):
            return True  # matched against text from outside
        if isinstance(outer, ast.Raise) and _raises(outer, UNSAID_ERRORS):
            return True  # a refusal that is caught and dropped
        if isinstance(outer, ast.keyword) and outer.arg in NOT_SAID_NAMES:
            return True
        if isinstance(outer, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in NOT_SAID_NAMES for t in outer.targets
        ):
            return True
        if isinstance(outer, ast.Call) and isinstance(outer.func, ast.Attribute):
            if outer.func.attr in LOG_METHODS or outer.func.attr in NOT_SAID_CALLS:
                return True  # IT's log, or read by a program only
            if outer.func.attr == "write" and _is_log(outer.func.value):
                return True  # the watchdog's own log file (it does not load logging)
            if outer.func.attr in PATTERN_CALLS and _is_re(outer.func.value):
                return True
    return False


def _raises(node: ast.Raise, names: dict[str, str]) -> bool:
    call = node.exc
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in names


def _is_log(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "log"


def _is_re(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "re"


def sentences() -> Iterator[tuple[str, int, str]]:
    """(module, line, text) of every string in desktop/ and relay/ that reads as words."""
    for path in sorted(p for code in CODE for p in code.rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        if module in NOT_SENTENCES:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        _parents(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            if not WORDS.search(TAG.sub(" ", node.value)) or _said_to_no_one(node):
                continue
            if f"{module}:{node.value!r}" in NOT_SENTENCES:
                continue
            if any(f"{module}:{name}" in NOT_SENTENCES for name in _names_around(node)):
                continue
            yield module, node.lineno, node.value


def test_no_new_sentence_in_code():
    found = list(sentences())
    counts = Counter(module for module, _, _ in found)
    new = [
        f"{module}:{line}: {text[:70]!r}"
        for module, line, text in found
        if module not in NOT_YET_IN_CATALOG
    ]
    grown = [
        f"{module}: {counts[module]} strings of words, {NOT_YET_IN_CATALOG[module]} allowed"
        for module in NOT_YET_IN_CATALOG
        if counts[module] > NOT_YET_IN_CATALOG[module]
    ]
    assert not new and not grown, (
        "Words belong in ally_words/catalog/en.toml (ally_words.say):\n" + "\n".join(new + grown)
    )


def test_the_list_of_modules_not_yet_moved_only_shrinks():
    counts = Counter(module for module, _, _ in sentences())
    stale = [
        f"{module}: now {counts[module]}, lower NOT_YET_IN_CATALOG from {allowed}"
        for module, allowed in NOT_YET_IN_CATALOG.items()
        if counts[module] < allowed
    ]
    assert not stale, "\n".join(stale)


def test_the_checker_sees_a_sentence_and_passes_what_is_not_one():
    tree = ast.parse(
        '"""A docstring is not said."""\n'
        'log.info("a line for the log")\n'
        'x = {"a key with words": 1}\n'
        'y = f"{v:>10 items}"\n'
        'z = "Your report is saved."\n'
        'w = "<h2>In their own words</h2>"\n'
        'ok = "line" in "not shown here"\n'
        'raise NotAVersionResource("no PE signature")\n'
        'raise ValueError("Your report is lost")\n'
        'line.startswith("No coredumps found")\n'
        'headers = {"Content-Type": "application/json; charset=utf-8"}\n'
    )
    _parents(tree)
    flagged = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and WORDS.search(TAG.sub(" ", n.value))
        and not _said_to_no_one(n)
    ]
    assert flagged == [
        "Your report is saved.",
        "<h2>In their own words</h2>",
        "Your report is lost",
    ]
