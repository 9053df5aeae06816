"""A program run by an interpreter is named by what it runs, as a person knows it.

Task Manager and ``top`` show "python", "java", "node" or "powershell" for every script
they run. "The program python is keeping your computer busy" is nothing a person can act
on; worse, Ally itself runs as "python" from a virtual environment, and must never be
named or closed. So for a process whose executable is an interpreter, Ally reads its
arguments once (per process, remembered while it runs), keeps only the base name of the
script, module, jar or file it runs, and forgets the rest: command lines are never kept,
shown or sent.

A process of Ally's own (``python -m desktop``, the ``ally`` command, the bundled
``ally`` and ``ally-tray``) is named "ally", which resources/apps.toml knows as Ally.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Callable, Sequence

from ally_helpdesk.text_safety import visible
from desktop.diagnostics.sampling.service_hosts import (
    ServiceTable,
    hosted_by_command_line,
    impostor_name,
    is_service_host,
    process_name,
)

ALLY = "ally"
ALLY_MODULES = frozenset({"desktop"})  # `python -m desktop` is the `ally` command
MAX_ARGV_BYTES = 16 * 1024  # a script's path is near the start; the rest is never read
MAX_NAME_CHARS = 60
REMEMBERED = 4096  # processes whose names are remembered at once (a bound, never reached)

# Interpreters by executable name (lower case, without .exe), and how each reads its
# arguments: options that take a value of their own, and the option naming what it runs.
_PYTHON_VALUE_OPTIONS = frozenset({"-W", "-X", "--check-hash-based-pycs"})
_JAVA_VALUE_OPTIONS = frozenset(
    {"-cp", "-classpath", "--class-path", "-p", "--module-path", "--add-modules",
     "--add-opens", "--add-exports", "--upgrade-module-path", "--limit-modules"}
)  # fmt: skip
_NODE_VALUE_OPTIONS = frozenset({"-r", "--require", "--import", "--loader", "--inspect-port"})
_POWERSHELL_VALUE_OPTIONS = frozenset(
    {"-executionpolicy", "-ep", "-windowstyle", "-w", "-configurationname", "-workingdirectory",
     "-wd", "-inputformat", "-outputformat", "-of", "-if", "-version", "-v", "-psconsolefile"}
)  # fmt: skip
# Names a script file has in many programs at once: the folder it sits in says more.
_GENERIC_STEMS = frozenset({"index", "main", "app", "cli", "server", "run", "start", "__main__"})
_PLAIN_FOLDERS = frozenset({"bin", "dist", "lib", "src", "build", "out", "scripts", "sbin"})


def _python(args: Sequence[str]) -> str | None:
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-m",) or (arg.startswith("-m") and len(arg) > 2 and not arg.startswith("--")):
            module = args[i + 1] if arg == "-m" and i + 1 < len(args) else arg[2:]
            top = module.split(".")[0]
            return ALLY if top in ALLY_MODULES else top or None
        if arg == "-c" or (arg.startswith("-c") and not arg.startswith("--")):
            return None  # code given inline: nothing to name it by
        if arg in _PYTHON_VALUE_OPTIONS:
            i += 2
            continue
        if arg == "-" or arg == "--":
            return _script(args[i + 1]) if arg == "--" and i + 1 < len(args) else None
        if arg.startswith("-"):
            i += 1
            continue
        return _script(arg)
    return None


def _java(args: Sequence[str]) -> str | None:
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-jar" and i + 1 < len(args):
            return _script(args[i + 1])
        if arg in ("-m", "--module") and i + 1 < len(args):
            return _last_part(args[i + 1].split("/")[0])
        if arg in _JAVA_VALUE_OPTIONS:
            i += 2
            continue
        if arg.startswith("-"):
            i += 1
            continue
        return _last_part(arg)  # the main class
    return None


def _node(args: Sequence[str]) -> str | None:
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-e", "--eval", "-p", "--print"):
            return None
        if arg in _NODE_VALUE_OPTIONS:
            i += 2
            continue
        if arg.startswith("-"):
            i += 1
            continue
        return _script(arg)
    return None


def _powershell(args: Sequence[str]) -> str | None:
    i = 0
    while i < len(args):
        arg = args[i]
        low = arg.lower()
        if low in ("-file", "-f") and i + 1 < len(args):
            return _script(args[i + 1])
        if low in ("-command", "-c", "-encodedcommand", "-e", "-ec"):
            return None
        if low in _POWERSHELL_VALUE_OPTIONS:
            i += 2
            continue
        if arg.startswith(("-", "/")):
            i += 1
            continue
        return _script(arg) if low.endswith(".ps1") else None
    return None


def _windows_script_host(args: Sequence[str]) -> str | None:
    return next((_script(a) for a in args if not a.startswith("//")), None)


def _first_file(args: Sequence[str]) -> str | None:
    """Ruby, Perl, PHP: the first argument that is not an option."""
    for arg in args:
        if arg in ("-e", "-E", "-r"):
            return None
        if not arg.startswith("-"):
            return _script(arg)
    return None


INTERPRETERS: tuple[tuple[str, Callable[[Sequence[str]], str | None]], ...] = (
    ("python", _python), ("python[0-9]*", _python), ("pythonw", _python),
    ("pythonw[0-9]*", _python), ("py", _python), ("pypy*", _python),
    ("java", _java), ("javaw", _java),
    ("node", _node), ("nodejs", _node),
    ("powershell", _powershell), ("pwsh", _powershell),
    ("wscript", _windows_script_host), ("cscript", _windows_script_host),
    ("ruby", _first_file), ("ruby[0-9]*", _first_file), ("perl", _first_file),
    ("perl[0-9]*", _first_file), ("php", _first_file), ("php[0-9]*", _first_file),
)  # fmt: skip


def reader_for(executable: str) -> Callable[[Sequence[str]], str | None] | None:
    """How to name what this interpreter runs; None when ``executable`` is none."""
    key = executable.strip().lower()
    key = key[:-4] if key.endswith(".exe") else key
    return next((read for pattern, read in INTERPRETERS if fnmatch.fnmatchcase(key, pattern)), None)


def script_name(executable: str, argv: Sequence[str]) -> str | None:
    """The base name of what interpreter ``executable`` runs with ``argv`` (argv[0] is
    the interpreter itself), or None when it runs nothing nameable (inline code, a prompt)
    or is not an interpreter."""
    read = reader_for(executable)
    if read is None or not argv:
        return None
    return read(list(argv[1:]))


def _script(path: str) -> str | None:
    """A script's base name without its extension; a generic one ("index.js",
    "__main__.py") by its folder, which names the program."""
    parts = [p for p in path.replace("\\", "/").split("/") if p]
    if not parts:
        return None
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1][1:] else parts[-1]
    folders = [p for p in parts[:-1] if p.lower() not in _PLAIN_FOLDERS]
    if stem.lower() in _GENERIC_STEMS and folders:
        stem = folders[-1]
    return _plain(stem)


def _last_part(name: str) -> str | None:
    return _plain(name.rsplit(".", 1)[-1])


def _plain(name: str) -> str | None:
    name = visible(name.strip(), one_line=True)[:MAX_NAME_CHARS]
    return name or None


def _argv_from_proc(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            raw = fh.read(MAX_ARGV_BYTES)
    except OSError:
        return None
    return [a.decode("utf-8", "surrogateescape") for a in raw.split(b"\0") if a] or None


def _argv_from_psutil(pid: int) -> list[str] | None:
    import psutil

    try:
        return psutil.Process(pid).cmdline() or None
    except (psutil.Error, OSError):
        return None


def default_argv_reader() -> Callable[[int], list[str] | None]:
    if sys.platform.startswith("linux") and os.path.isdir("/proc/self"):
        return _argv_from_proc
    return _argv_from_psutil


class ScriptNames:
    """The name each process goes by: its executable's, or for an interpreter what it
    runs, or for a Windows service host its services (service_hosts.py), read once per
    process (by id and start time) and remembered while it runs."""

    def __init__(
        self,
        argv_of: Callable[[int], list[str] | None] | None = None,
        services: ServiceTable | None = None,
    ) -> None:
        self._argv_of = argv_of or default_argv_reader()
        self.services = services if services is not None else ServiceTable.of_this_system()
        # by process and program: one seen between fork and exec is its parent until then
        self._known: dict[tuple[int, float, str], str] = {}

    def name(self, pid: int, created: float | None, executable: str) -> str:
        host = is_service_host(executable)
        if not host and reader_for(executable) is None:
            return executable
        key = (pid, created or 0.0, executable)
        known = self._known.get(key)
        if known is not None:
            return known
        argv = self._argv_of(pid)
        if host:
            result = self._host_name(pid, executable, argv)
        else:
            named = script_name(executable, argv) if argv else None
            result = named or executable
        if len(self._known) >= REMEMBERED:
            self._known.clear()
        self._known[key] = result
        return result

    def _host_name(self, pid: int, executable: str, argv: list[str] | None) -> str:
        # An ordinary account may not read a system service host's command line: then
        # the Service Control Manager says which services run in it.
        keys = hosted_by_command_line(argv) if argv else []
        if keys is None:  # a program that only calls itself svchost.exe
            return impostor_name(argv or []) or executable
        keys = keys or self.services.services_of(pid)
        return process_name(keys) if keys else executable

    def forget_all_but(self, alive: set[tuple[int, float]]) -> None:
        """After a walk: the processes that ended are forgotten."""
        self._known = {k: v for k, v in self._known.items() if k[:2] in alive}
