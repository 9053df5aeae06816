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
            "desktop.start.app",
            "desktop.start.launch",
            "desktop.start.services",
            "desktop.start.startup",
            "desktop.start.tray_link",
            "desktop.start.watchdog",
            "desktop.terminal.cli",
            "desktop.terminal.cli_fixes",
            "desktop.terminal.cli_open",
            "desktop.terminal.cli_reports",
            "desktop.terminal.doctor",
            "desktop.terminal.session",
            "desktop.ui.ally_app",
            "desktop.ui.instance_channel",
            "desktop.ui.other_windows",
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
    frozenset({"desktop.showing.exe_version", "desktop.showing.program_names"}),
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
    # desktop/base/words.py only names ally_words' functions: saying something never loads the
    # findings, the diagnostics or the policy.
    assert g["desktop.base.words"] == {"ally_words"}


def test_each_package_imports_only_the_layers_below_it():
    g = graph()
    crossings = sorted(
        f"{m} imports {d}"
        for m, deps in g.items()
        for d in deps
        if d.split(".")[0] != m.split(".")[0] and d.split(".")[0] not in MAY_IMPORT[m.split(".")[0]]
    )
    assert not crossings, "\n".join(crossings)


# The desktop's own layers, bottom up (docs/architecture.md): a folder may import its own
# modules and those of a lower layer, never one beside it or above. The top layer (what
# starts: the terminal, the tray and its windows, start-up) is one layer: each can start
# the others, through start-up's lazy dispatch (ALLOWED above).
DESKTOP_LAYERS = (
    ("desktop", "desktop.base"),
    ("desktop.policy",),
    ("desktop.diagnostics",),
    ("desktop.fixes", "desktop.news", "desktop.showing"),
    ("desktop.reporting",),
    ("desktop.start", "desktop.terminal", "desktop.ui"),
    ("desktop.__main__",),
)
RANK = {folder: n for n, layer in enumerate(DESKTOP_LAYERS) for folder in layer}


def folder_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "desktop" and len(parts) > 1 else parts[0]


def test_each_folder_of_the_desktop_imports_only_the_layers_below_it():
    g = graph()
    folders = {folder_of(m) for m in g if m.startswith("desktop")}
    assert folders == set(RANK), f"folders without a layer: {sorted(folders - set(RANK))}"
    wrong = sorted(
        f"{m} ({folder_of(m)}) imports {d} ({folder_of(d)})"
        for m, deps in g.items()
        if m.startswith("desktop")
        for d in deps
        if d.startswith("desktop")
        and folder_of(d) != folder_of(m)
        and not (
            RANK[folder_of(d)] < RANK[folder_of(m)]
            or RANK[folder_of(m)] == RANK["desktop.start"] == RANK[folder_of(d)]
        )
    )
    assert not wrong, "\n".join(wrong)


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
    assert "desktop.start.watchdog" in g["desktop.terminal.cli"]
    # "from desktop.diagnostics.rules import culprits" is the submodule, not the package.
    assert "desktop.diagnostics.rules.culprits" in g["desktop.diagnostics.rules.disk_busy"]
    assert "desktop.diagnostics.rules" not in g["desktop.diagnostics.rules.disk_busy"]
    # The relay's own imports of the shared package are seen (the layer check reads them).
    assert {"ally_helpdesk.transports", "ally_helpdesk.transports.base"} <= g["relay.helpdesk"]
    # A made-up circle is found.
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]
