"""A drive nearly full → show where the space went: the largest folders in the person's
home folder, and the largest one opened in the file manager.

Nothing is deleted: the person decides what to keep. Sizes are measured on the full drive
only (another drive mounted inside the home folder is not counted), without following
links, within a time limit ("at least" when it ran out). The folder names are shown to
the person only; IT's record keeps the sizes, never the names.
"""

from __future__ import annotations

import os
import stat
import time
from typing import Any

from ally_helpdesk.evidence import plain_numbers
from desktop.diagnostics.model import Symptom
from desktop.fixes import folder_walk
from desktop.fixes.base import Fix, FixContext, NotOffered, Offer, Outcome, Result, for_it

MEASURE_S = 2.0
SHOWN = 5


def _it(key: str, /, **values: Any) -> str:
    return for_it("show_large_folders", key, **values)


def offer(finding: Any, ctx: FixContext) -> Offer | NotOffered | None:
    mountpoint = finding.evidence.get("mountpoint")
    home = ctx.home_folder()
    if not mountpoint:
        return None
    try:
        same_drive = os.stat(home).st_dev == os.stat(mountpoint).st_dev
    except OSError as exc:
        return NotOffered(FIX.id, finding.id, f"{home} or {mountpoint}: {exc.strerror or exc}")
    if not same_drive:
        return NotOffered(FIX.id, finding.id, _it("other_drive", home=home, mountpoint=mountpoint))
    return Offer(
        FIX.id,
        finding.id,
        {},
        {"home": home, "dev": os.stat(mountpoint).st_dev},
        {"home_folder": True},
        _it("offered", home=home, seconds=f"{MEASURE_S:.0f}"),
        key=f"{FIX.id}:{mountpoint}",
    )


def largest(home: str, dev: int, seconds: float = MEASURE_S) -> tuple[list[tuple[str, int]], bool]:
    """The folders directly in ``home`` on drive ``dev``, largest first, and whether every
    one was measured completely."""
    deadline = time.monotonic() + seconds
    sizes, complete = [], True
    with os.scandir(home) as entries:
        folders = []
        for e in entries:
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode) and st.st_dev == dev:
                folders.append(e)
    for e in folders:
        size = folder_walk.measure(e.path, deadline)
        complete = complete and size.complete
        sizes.append((e.name, size.bytes))
    sizes.sort(key=lambda s: s[1], reverse=True)
    return sizes, complete


# Where programs keep their own files in a home folder: deleting there can break them.
PROGRAMS_FOLDERS = frozenset({"appdata", "library", "snap"})


def is_programs_folder(name: str) -> bool:
    """AppData, Library, snap or a hidden folder (".cache", ".local", ".mozilla")."""
    return name.startswith(".") or name.strip().lower() in PROGRAMS_FOLDERS


def apply(offer: Offer, ctx: FixContext) -> Result:
    home = offer.target["home"]
    try:
        sizes, complete = largest(home, offer.target["dev"])
    except OSError as exc:
        return Result(Outcome.FAILED, _it("unreadable", home=home, error=exc.strerror or exc))
    if not sizes:
        no_folders = _it("no_folders", home=home)
        return Result(
            Outcome.DONE, no_folders, words={"largest": "", "size": ""}, variant="nothing"
        )
    lines = tuple(f"{name}: {plain_numbers.size(n)}" for name, n in sizes[:SHOWN])
    name, biggest = sizes[0]
    opened = ctx.open(os.path.join(home, name))
    # IT's record has no folder names: the opener's own words name the folder.
    did = _it(
        "measured",
        count=len(sizes),
        how=_it("completely" if complete else "time_ran_out"),
        sizes=", ".join(plain_numbers.size(n) for _, n in sizes[:SHOWN]),
        opened=_it("opened" if opened.ok else "not_opened"),
    )
    words = {"largest": name, "size": plain_numbers.size(biggest)}
    variant = "programs" if is_programs_folder(name) else None
    if not complete:
        variant = f"{variant}_partly" if variant else "partly"
    # Showing where the space went does not free any: the drive is as full as before.
    return Result(
        Outcome.DONE,
        did,
        _it("recheck"),
        words,
        lines,
        variant=variant,
    )


FIX = Fix(
    id="show_large_folders",
    answers=("disk_nearly_full",),
    platforms=("linux", "darwin", "win32"),
    rights="reads_home",  # [fix_it.rights] in the catalog
    symptom=Symptom.SLOW,
    offer=offer,
    apply=apply,
    words="fixes.show_large_folders",
)
