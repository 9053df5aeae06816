"""The embedded default: reports as JSON files in a folder (local, or a share IT watches).

Works with no server at all. Writing is atomic and the file name is the report's id, so
sending the same report twice leaves one file.

A folder IT named is never created: on a share that is not mounted, creating it would
put reports on the local drive under the empty mount point and call them delivered. Each
file gets the mode IT chose (default 0640: readable by the share's group). Every failure
is said in the folder's words, never as a server that did not answer.
"""

from __future__ import annotations

import errno
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ally_helpdesk.atomic import write_atomic
from ally_helpdesk.http_session import SYSTEM_PROXIES, ProxyChoice
from ally_helpdesk.it_view import html_view
from ally_helpdesk.transport_policy import DEFAULT_REPORT_FILE_MODE, TransportPolicy
from ally_helpdesk.transports.base import PermanentFailure, Receipt, TemporaryFailure, detail

REPORT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NOT_A_FOLDER = {errno.ENOTDIR, errno.EEXIST, errno.EISDIR}
DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}
FULL = {errno.ENOSPC, errno.EDQUOT}


class FolderTransport:
    name = "folder"

    def __init__(
        self, folder: Path, mode: int = DEFAULT_REPORT_FILE_MODE, create: bool = True
    ) -> None:
        self.folder = Path(folder)
        self.mode = mode
        self.create = create  # only Ally's own default folder is made when missing

    def send(self, report: dict[str, Any], body: bytes) -> Receipt:
        if not REPORT_ID.match(str(report.get("id"))):
            raise PermanentFailure(_it("not_an_id", id=report.get("id")), "rejected")
        target = self.folder / f"ally-{_stamp(report.get('created_at'))}-{report['id']}.json"
        try:
            if not self.create and not self.folder.is_dir():
                if self.folder.exists():
                    raise NotADirectoryError(errno.ENOTDIR, _it("not_a_folder"), str(self.folder))
                raise FileNotFoundError(errno.ENOENT, _it("not_there"), str(self.folder))
            # IT's readable view first, the JSON last: a watcher that picks up *.json finds both.
            html = html_view.render(report).encode("utf-8")
            write_atomic(target.with_suffix(".html"), html, self.mode, self.create)
            write_atomic(target, body, self.mode, self.create)
        except OSError as exc:
            raise _failure(self.folder, exc) from exc
        return Receipt(self.name, target.name, target.as_uri())


def _failure(folder: Path, exc: OSError) -> PermanentFailure | TemporaryFailure:
    why = f"{folder}: {exc.strerror or exc}"
    if exc.errno in NOT_A_FOLDER:
        return PermanentFailure(_it("file_in_the_way", why=why), "folder_unusable")
    if exc.errno in DENIED:
        return PermanentFailure(_it("cannot_write", why=why), "folder_denied")
    if exc.errno in FULL:
        return TemporaryFailure(_it("full", folder=folder), plain_key="disk_full")
    # A share that is away (not mounted, server down) may come back.
    return TemporaryFailure(_it("cannot_reach", why=why), plain_key="folder_away")


def _it(key: str, /, **values: Any) -> str:
    """IT's words about the reports folder ([transport_detail.folder])."""
    return detail("folder", key, **values)


def _stamp(created_at: Any) -> str:
    """``20240501T101530`` from the report's time; Ally's own time if that is not a time
    (a stored report's field never becomes part of a path as it is)."""
    digits = re.sub(r"[^0-9]", "", str(created_at)[:19]) if isinstance(created_at, str) else ""
    if len(digits) != 14:
        digits = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    return f"{digits[:8]}T{digits[8:]}"


# --- registered in transports/__init__.py: what the policy and the keyring give it ---
USES = ("folder", "file_mode")  # [transport] keys it reads
SECRET = None  # the secret it needs (a desktop's keyring entry), if any


def make(
    t: TransportPolicy,
    secret: Callable[[], str | None],
    proxy: ProxyChoice = SYSTEM_PROXIES,
    default_folder: Path | None = None,
) -> FolderTransport:
    """The folder IT named, or ``default_folder`` (Ally's own, made if missing) when IT
    chose none."""
    if t.folder:
        return FolderTransport(Path(t.folder), t.file_mode, create=False)
    if default_folder is None:
        raise PermanentFailure(detail("folder", "no_folder"), "settings")
    return FolderTransport(default_folder, t.file_mode, create=True)
