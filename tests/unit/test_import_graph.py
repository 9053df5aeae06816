"""The import graph of desktop/, relay/, ally_helpdesk/ and ally_words/, counting imports
inside functions too (issue 28): the words are the ground floor (ally_words imports nothing
of Ally's); the shared helpdesk package stands on the words only; the relay on those two,
never on the desktop; and no modules import each other in a circle, except the few listed
below, each for a reason that is written down and a list that may only shrink.

Before the words became their own layer, 62 modules (the policy, the diagnostics, every
rule and the words) imported each other in one circle.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ally_words", "ally_helpdesk", "desktop", "relay")

# Which package may import which (besides itself): the layers of docs/architecture.md.
MAY_IMPORT = {
    "ally_words": set(),
    "ally_helpdesk": {"ally_words"},
    "relay": {"ally_words", "ally_helpdesk"},
    "desktop": {"ally_words", "ally_helpdesk"},
}

# Circles that remain, and why. Each is imports inside functions that pick, at run time,
# the code one platform or one command needs, so the rest is never loaded.
ALLOWED = {
    # Start-up's lazy dispatch: `ally` starts the tray, a window or a command, and each of
    # those can start the others (a second start asks the running tray; the tray restarts
    # itself through the watchdog; `ally open` starts Ally when it is not running). Each
    # is imported only when chosen: the idle tray holds none of the CLI, the CLI none of Qt.
    frozenset(
        {
            "desktop.app",
            "desktop.cli",
            "desktop.cli_fixes",
            "desktop.cli_open",
            "desktop.cli_reports",
            "desktop.doctor",
            "desktop.launch",
            "desktop.reporting.session",
            "desktop.services",
            "desktop.startup",
            "desktop.tray_link",
            "desktop.ui.ally_app",
            "desktop.ui.instance_channel",
            "desktop.ui.other_windows",
            "desktop.ui.report_steps",
            "desktop.ui.report_window",
            "desktop.watchdog",
        }
    ),
    # Platform dispatch: the Linux crash readers are loaded only on Linux.
    frozenset(
        {
            "desktop.diagnostics.readers.fault_records",
            "desktop.diagnostics.readers.linux_fault_files",
        }
    ),
    # Platform dispatch: the Windows .exe version reader is loaded only on Windows.
    frozenset({"desktop.exe_version", "desktop.program_names"}),
}


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ours ``name`` imports anywhere in the file. ``from pkg import mod``
    is an import of the submodule, not of the package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets = [
                f"{module}.{a.name}" if f"{module}.{a.name}" in known else module
                for a in node.names
            ]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def circles(g: dict[str, set[str]]) -> list[frozenset[str]]:
    """The graph's strongly connected components of more than one module (Tarjan)."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return found


def test_the_words_are_the_ground_floor():
    g = graph()
    words = {m: sorted(deps) for m, deps in g.items() if m.startswith("ally_words")}
    assert words and all(not deps for deps in words.values()), words
    # desktop/words.py only names ally_words' functions: saying something never loads the
    # findings, the diagnostics or the policy.
    assert g["desktop.words"] == {"ally_words"}


def test_each_package_imports_only_the_layers_below_it():
    g = graph()
    crossings = sorted(
        f"{m} imports {d}"
        for m, deps in g.items()
        for d in deps
        if d.split(".")[0] != m.split(".")[0] and d.split(".")[0] not in MAY_IMPORT[m.split(".")[0]]
    )
    assert not crossings, "\n".join(crossings)


def test_importing_the_relay_loads_nothing_of_the_desktop():
    """What Python really loads, not only what the files say: the relay's application,
    its command and its forwarding load no desktop module, no Qt and no psutil."""
    import subprocess

    probe = (
        "import sys, relay.app, relay.cli, relay.forwarder, relay.helpdesk, relay.admin\n"
        "import ally_helpdesk.it_view.html_view\n"
        "from ally_helpdesk.transports import HELPDESKS, module\n"
        "[module(k) for k in HELPDESKS]\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('desktop', 'PySide6', 'psutil', 'keyring')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout


def test_no_modules_import_each_other_in_a_circle_beyond_those_listed():
    found = circles(graph())
    new = [sorted(c) for c in found if c not in ALLOWED]
    assert not new, f"modules that import each other in a circle: {new}"
    gone = [sorted(c)[:3] for c in ALLOWED if c not in found]
    assert not gone, f"these circles are gone (or changed): take them off ALLOWED: {gone}"


def test_the_graph_sees_imports_inside_functions_and_submodules():
    """The checks above would pass on a graph that missed what they are about."""
    g = graph()
    # An import inside a function: the watchdog is imported in the command's body.
    assert "desktop.watchdog" in g["desktop.cli"]
    # "from desktop.diagnostics.rules import culprits" is the submodule, not the package.
    assert "desktop.diagnostics.rules.culprits" in g["desktop.diagnostics.rules.disk_busy"]
    assert "desktop.diagnostics.rules" not in g["desktop.diagnostics.rules.disk_busy"]
    # The relay's own imports of the shared package are seen (the layer check reads them).
    assert {"ally_helpdesk.transports", "ally_helpdesk.transports.base"} <= g["relay.helpdesk"]
    # A made-up circle is found.
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]
