"""The embedded default: reports as JSON files in a folder (local, or a share IT watches).

Works with no server at all. Writing is atomic and the file name is the report's id, so
sending the same report twice leaves one file.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

from desktop.atomic import write_atomic
from desktop.reporting import html_view
from desktop.reporting.transports.base import PermanentFailure, Receipt, TemporaryFailure


class FolderTransport:
    name = "folder"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def send(self, report: dict[str, Any], body: bytes) -> Receipt:
        stamp = report["created_at"][:19].replace(":", "").replace("-", "")
        target = self.folder / f"ally-{stamp}-{report['id']}.json"
        try:
            # IT's readable view first, the JSON last: a watcher that picks up *.json finds both.
            write_atomic(target.with_suffix(".html"), html_view.render(report).encode("utf-8"))
            write_atomic(target, body)
        except PermissionError as exc:
            raise PermanentFailure(
                f"cannot write to {self.folder}: {exc.strerror}", "folder_denied"
            ) from exc
        except OSError as exc:
            # A share that is away or a full disk may come back; anything else, too.
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise TemporaryFailure(
                    f"no space left in {self.folder}", plain_key="disk_full"
                ) from exc
            raise TemporaryFailure(f"cannot write to {self.folder}: {exc.strerror or exc}") from exc
        return Receipt(self.name, target.name, target.as_uri())
