"""A folder holding a ``desktop/`` package of someone else's (an archive unpacked in
Downloads): any of its code that runs leaves a mark, so a test can say none of it ran."""

from __future__ import annotations

from pathlib import Path

CODE = """import pathlib
pathlib.Path({mark!r}).write_text("the hostile desktop/ package ran")
"""


def hostile_folder(where: Path) -> tuple[Path, Path]:
    """The folder to start Ally in, and the mark its code would leave."""
    folder = where / "Downloads"
    package = folder / "desktop"
    package.mkdir(parents=True)
    mark = where / "hostile-code-ran"
    for name in ("__init__.py", "__main__.py", "app.py", "cli.py", "launch.py", "watchdog.py"):
        (package / name).write_text(CODE.format(mark=str(mark)))
    return folder, mark
