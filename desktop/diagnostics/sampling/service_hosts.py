"""Windows service hosts named by the services they run.

Task Manager's Processes list shows dozens of "svchost.exe": each runs one or more Windows
services (the Windows Update service, the DHCP client, the print spooler's helpers…).
"The program svchost is keeping your computer busy" is nothing IT can act on, and
"the operating system" hides which service it is. So a service host is named by its
services: since Windows 10 1703 most hosts run a single service, named on their command
line (``svchost.exe -k netsvcs -p -s Schedule``); a host shared by several is asked of the
Service Control Manager (through psutil), at most every few minutes and only when such a
host is seen. Only the service's key name is kept from the command line: command lines
are never kept, shown or sent.

A program that merely calls itself svchost.exe (from another folder than Windows's own)
is not a service host: it is named by where it runs from, so it is never passed off as
part of Windows.

No Windows call happens on other systems; tests feed the table real captured output.
"""

from __future__ import annotations

import itertools
import logging
import sys
import time
from collections.abc import Callable, Iterable, Sequence

from ally_helpdesk.text_safety import visible

log = logging.getLogger(__name__)

SERVICE_PREFIX = "service:"  # a process name that stands for the services it hosts
HOST_NAMES = frozenset({"svchost", "svchost.exe"})
# Windows's own service host lives in System32 (SysWOW64 for 32-bit services).
SYSTEM_FOLDERS = ("\\system32\\", "\\syswow64\\")
REFRESH_S = 300.0  # the Service Control Manager is asked again at most this often
MAX_KEY_CHARS = 80  # a service key name is at most 256 characters; real ones are short

# (key name, display name, process id) of each running service.
ServiceRow = tuple[str, str, int]


def is_service_host(executable: str) -> bool:
    return executable.strip().lower() in HOST_NAMES


def hosted_by_command_line(argv: Sequence[str]) -> list[str] | None:
    """The services a host names on its command line (``-s KEY``), [] for a shared host
    that names none, None when ``argv`` is not Windows's own service host."""
    if not argv:
        return None
    program = argv[0].strip().strip('"').replace("/", "\\").lower()
    if not program.endswith("svchost.exe") or not any(f in program for f in SYSTEM_FOLDERS):
        return None
    keys = []
    for flag, value in itertools.pairwise(argv[1:]):
        if flag.lower() == "-s" and value and not value.startswith("-"):
            key = _key(value)
            if key:
                keys.append(key)
    return keys


def impostor_name(argv: Sequence[str]) -> str | None:
    """Where a program that calls itself svchost.exe really runs from (its own path,
    never its arguments), so a look-alike is not passed off as part of Windows."""
    if not argv or not argv[0].strip():
        return None
    return visible(argv[0].strip().strip('"'), one_line=True)[:MAX_KEY_CHARS] or None


def _key(value: str) -> str | None:
    key = visible(value.strip(), one_line=True)[:MAX_KEY_CHARS]
    return key if key and "," not in key else None


def process_name(keys: Iterable[str]) -> str:
    """The name a service host goes by in the sampler: its services' key names."""
    return SERVICE_PREFIX + ",".join(sorted(set(keys), key=str.lower))


def keys_of(name: str) -> list[str]:
    return [k for k in name[len(SERVICE_PREFIX) :].split(",") if k]


def _from_psutil() -> list[ServiceRow]:  # pragma: no cover - Windows only
    import psutil

    rows = []
    for service in psutil.win_service_iter():  # type: ignore[attr-defined]
        try:
            pid = service.pid()
            if pid:
                rows.append((service.name(), service.display_name(), int(pid)))
        except (psutil.Error, OSError):
            continue  # a service that stopped or that this account may not ask about
    return rows


def default_source() -> Callable[[], list[ServiceRow]] | None:
    return _from_psutil if sys.platform == "win32" else None


class ServiceTable:
    """Which services run in which process, and their display names, from the Service
    Control Manager: read when first needed, and again only when a host or a service
    not in it turns up, at most every REFRESH_S (a new table costs one call per
    service; the sampler walks processes every few seconds)."""

    def __init__(
        self,
        source: Callable[[], Iterable[ServiceRow]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._clock = clock
        self._by_pid: dict[int, list[str]] = {}
        self._display: dict[str, str] = {}
        self._read_at: float | None = None

    @classmethod
    def of_this_system(cls) -> ServiceTable:
        return cls(default_source())

    def _refresh_if_due(self) -> None:
        if self._source is None:
            return
        now = self._clock()
        if self._read_at is not None and now - self._read_at < REFRESH_S:
            return
        self._read_at = now
        by_pid: dict[int, list[str]] = {}
        display: dict[str, str] = {}
        try:
            for key, shown, pid in self._source():
                key = _key(str(key)) or ""
                if not key:
                    continue
                by_pid.setdefault(int(pid), []).append(key)
                shown = visible(str(shown or "").strip(), one_line=True)[:MAX_KEY_CHARS]
                display[key.lower()] = shown or key
        except Exception as exc:  # the names are a help; the walk goes on without them
            log.info("services could not be listed: %s", exc)
            return
        self._by_pid, self._display = by_pid, display

    def services_of(self, pid: int) -> list[str]:
        if pid not in self._by_pid:
            self._refresh_if_due()
        return list(self._by_pid.get(pid, ()))

    def display_name(self, key: str) -> str:
        """ "Windows Update" for ``wuauserv``; the key itself when it cannot be asked."""
        if key.lower() not in self._display:
            self._refresh_if_due()
        return self._display.get(key.lower(), key)
