"""A drive nearly full → empty the Trash (Recycle Bin), its size said first.

Only the Trash on the full drive, only what was in it when Ally showed the size, and only
a Trash that really is the person's: a Trash folder that is a link to somewhere else, or
that belongs to another account, is not touched (and said why, for IT). Linux follows
the freedesktop.org Trash specification (the home Trash and the drive's own
``.Trash-UID`` / ``.Trash/UID``), macOS uses ~/.Trash and the drive's ``.Trashes/UID``
(where macOS lets Ally read it), Windows asks the shell (SHQueryRecycleBinW,
SHEmptyRecycleBinW). Re-check: the drives probe and rule run again.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import asdict, dataclass
from typing import Any

from ally_helpdesk.evidence import plain_numbers
from desktop.base.words import say
from desktop.diagnostics.model import Symptom
from desktop.fixes import folder_walk, recheck
from desktop.fixes.base import Fix, FixContext, NotOffered, Offer, Outcome, Result, for_it

MEASURE_S = 1.5  # the size is said before the click; a huge Trash is "at least" that much


@dataclass(frozen=True)
class Trash:
    files: str  # the folder that holds the trashed items
    info: str | None  # freedesktop.org: the .trashinfo files that go with them


def _it(key: str, /, **values: Any) -> str:
    return for_it("empty_trash", key, **values)


def _owned_folder(path: str, uid: int | None, sticky_parent: bool = False) -> str | None:
    """None if ``path`` is a real folder of this account, else why it may not be used."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "absent"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if stat.S_ISLNK(st.st_mode):
        return _it("a_link")
    if not stat.S_ISDIR(st.st_mode):
        return _it("not_a_folder")
    if sticky_parent:
        return None if st.st_mode & stat.S_ISVTX else _it("not_sticky")
    if uid is not None and st.st_uid != uid:
        return _it("not_owned")
    return None


def _xdg_trash(home: str) -> str:
    data = os.environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    return os.path.join(data, "Trash")


def candidates(mountpoint: str, home: str, platform: str, uid: int | None) -> list[Trash]:
    if platform == "darwin":
        return [
            Trash(os.path.join(home, ".Trash"), None),
            Trash(os.path.join(mountpoint, ".Trashes", str(uid)), None),
        ]
    home_trash = _xdg_trash(home)
    return [
        Trash(os.path.join(home_trash, "files"), os.path.join(home_trash, "info")),
        Trash(
            os.path.join(mountpoint, f".Trash-{uid}", "files"),
            os.path.join(mountpoint, f".Trash-{uid}", "info"),
        ),
        Trash(
            os.path.join(mountpoint, ".Trash", str(uid), "files"),
            os.path.join(mountpoint, ".Trash", str(uid), "info"),
        ),
    ]


def usable(trash: Trash, dev: int, uid: int | None) -> str | None:
    """None if this Trash is the account's own, on the full drive; else why not."""
    top = os.path.dirname(trash.files) if trash.info else trash.files
    shared = os.path.basename(os.path.dirname(top)) == ".Trash"
    if shared:
        why = _owned_folder(os.path.dirname(top), uid, sticky_parent=True)
        if why:
            return _it("folder_is", folder=os.path.dirname(top), why=why)
    for folder in {top, trash.files}:
        why = _owned_folder(folder, uid)
        if why:
            return _it("folder_is", folder=folder, why=why)
    if os.lstat(trash.files).st_dev != dev:
        return _it("other_drive", folder=trash.files)
    return None


def find(mountpoint: str, ctx: FixContext) -> tuple[list[tuple[Trash, list[str]]], list[str]]:
    """The usable Trash folders on the drive with their items, and why others were not used."""
    uid = ctx.account.uid
    dev = os.stat(mountpoint).st_dev
    found, notes = [], []
    for trash in candidates(mountpoint, ctx.home_folder(), ctx.platform, uid):
        why = usable(trash, dev, uid)
        if why is not None:
            if "absent" not in why:
                notes.append(why)
            continue
        try:
            names = sorted(os.listdir(trash.files))
        except OSError as exc:
            notes.append(_it("unreadable", folder=trash.files, error=exc.strerror or exc))
            continue
        if trash in (t for t, _ in found):
            continue
        found.append((trash, names))
    return found, notes


def offer(finding: Any, ctx: FixContext) -> Offer | NotOffered | None:
    mountpoint = finding.evidence.get("mountpoint")
    if not mountpoint:
        return None
    if ctx.platform.startswith("win"):
        return _offer_windows(finding, mountpoint)
    found, notes = find(mountpoint, ctx)
    deadline = time.monotonic() + MEASURE_S
    size = folder_walk.Size()
    items = 0
    for trash, names in found:
        items += len(names)
        for name in names:
            folder_walk.measure(os.path.join(trash.files, name), deadline, size)
    if items == 0:
        return NotOffered(
            FIX.id,
            finding.id,
            _it("empty", mountpoint=mountpoint) + (f" ({'; '.join(notes)})" if notes else ""),
        )
    amount = plain_numbers.size(size.bytes)
    return Offer(
        FIX.id,
        finding.id,
        {"size": amount, "items": items},
        {
            "mountpoint": mountpoint,
            "dev": os.stat(mountpoint).st_dev,
            "trashes": [{"trash": asdict(t), "names": n} for t, n in found],
        },
        {"items": items, "bytes": size.bytes, "measured_completely": size.complete},
        _it(
            "offered" if size.complete else "offered_at_least",
            folders=", ".join(t.files for t, _ in found),
            items=items,
            size=plain_numbers.size(size.bytes),
        )
        + (_it("not_used", notes="; ".join(notes)) if notes else ""),
        key=f"{FIX.id}:{mountpoint}",
        variant=None if size.complete else "partly",
    )


def apply(offer: Offer, ctx: FixContext) -> Result:
    if ctx.platform.startswith("win"):
        return _apply_windows(offer, ctx)
    uid = ctx.account.uid
    dev = offer.target["dev"]
    out = folder_walk.Removal()
    for entry in offer.target["trashes"]:
        trash = Trash(**entry["trash"])
        why = usable(trash, dev, uid)  # checked again: it may have changed since the offer
        if why is not None:
            out.problems.append(why)
            continue
        fd = os.open(trash.files, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        info_fd = None
        if trash.info and _owned_folder(trash.info, uid) is None:
            info_fd = os.open(trash.info, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            for name in entry["names"]:  # only what was there when the size was said
                folder_walk.remove(fd, name, dev, out)
                if info_fd is not None:
                    folder_walk.remove(info_fd, name + ".trashinfo", dev, folder_walk.Removal())
            if info_fd is not None:
                # The spec's cache of folder sizes describes items that are gone now.
                top_fd = os.open(
                    os.path.dirname(trash.info), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                )
                try:
                    folder_walk.remove(top_fd, "directorysizes", dev, folder_walk.Removal())
                finally:
                    os.close(top_fd)
        finally:
            os.close(fd)
            if info_fd is not None:
                os.close(info_fd)
    did = _it("removed", count=out.removed) + (
        _it("left", problems="; ".join(out.problems[:5])) if out.problems else ""
    )
    if out.removed == 0 and out.problems:
        return Result(Outcome.FAILED, did, words=offer.words)
    # Some entries could not be removed: "emptied as far as it could", never "empty".
    return _recheck(offer, ctx, did, variant="some_left" if out.problems else None)


def _recheck(offer: Offer, ctx: FixContext, did: str, variant: str | None = None) -> Result:
    d = recheck.run(ctx, Symptom.SLOW.value, ["disks"])
    mountpoint = offer.target["mountpoint"]
    disks = d.snapshot.section_data("disks")
    volume = next((v for v in disks.volumes if v.mountpoint == mountpoint), None) if disks else None
    free = (
        plain_numbers.size(volume.free_bytes) if volume and volume.free_bytes is not None else None
    )
    still = recheck.still_found(d, "disk_nearly_full", mountpoint=mountpoint)
    seen = _it(
        "recheck_still" if still else "recheck_gone",
        mountpoint=mountpoint,
        free=free or _it("free_unknown"),
    )
    words = {**offer.words, "free": free or say("some_space", "fixes")}
    if volume is None:
        return Result(Outcome.DONE, did, seen + f" ({recheck.section_reason(d, 'disks')})", words)
    outcome = Outcome.NOT_FIXED if still else Outcome.FIXED
    return Result(outcome, did, seen, words, variant=variant)


# --- Windows: the shell's Recycle Bin ---------------------------------------------------

SHERB_NOCONFIRMATION, SHERB_NOPROGRESSUI, SHERB_NOSOUND = 0x1, 0x2, 0x4


def query_info_type() -> type:
    """SHQUERYRBINFO as shellapi.h declares it: packed to 1 byte on 32-bit Windows only,
    so on 64-bit the two sizes start at offset 8 and the structure is 24 bytes."""
    import ctypes

    class SHQUERYRBINFO(ctypes.Structure):
        _pack_ = 1 if ctypes.sizeof(ctypes.c_void_p) == 4 else 8
        _fields_ = [
            ("cbSize", ctypes.c_uint32),
            ("i64Size", ctypes.c_int64),
            ("i64NumItems", ctypes.c_int64),
        ]

    return SHQUERYRBINFO


def _recycle_bin(drive: str) -> tuple[int, int]:
    """(bytes, items) in the drive's Recycle Bin, from SHQueryRecycleBinW."""
    import ctypes

    info = query_info_type()()
    info.cbSize = ctypes.sizeof(info)
    hr = ctypes.windll.shell32.SHQueryRecycleBinW(drive, ctypes.byref(info))  # type: ignore[attr-defined]
    if hr != 0:
        raise OSError(f"SHQueryRecycleBinW({drive!r}) returned {hr:#x}")
    return int(info.i64Size), int(info.i64NumItems)


def _offer_windows(finding: Any, mountpoint: str) -> Offer | NotOffered:
    drive = mountpoint[:2] + "\\"
    try:
        size, items = _recycle_bin(drive)
    except OSError as exc:
        return NotOffered(FIX.id, finding.id, str(exc))
    if items == 0:
        return NotOffered(FIX.id, finding.id, _it("bin_empty", drive=drive))
    return Offer(
        FIX.id,
        finding.id,
        {"size": plain_numbers.size(size), "items": items},
        {"mountpoint": mountpoint, "drive": drive},
        {"items": items, "bytes": size, "measured_completely": True},
        _it("bin_offered", drive=drive, items=items, size=plain_numbers.size(size)),
        key=f"{FIX.id}:{mountpoint}",
        variant="windows",
    )


def _apply_windows(offer: Offer, ctx: FixContext) -> Result:
    import ctypes

    flags = SHERB_NOCONFIRMATION | SHERB_NOPROGRESSUI | SHERB_NOSOUND
    hr = ctypes.windll.shell32.SHEmptyRecycleBinW(None, offer.target["drive"], flags)  # type: ignore[attr-defined]
    did = f"SHEmptyRecycleBinW({offer.target['drive']!r}) returned {hr:#x}"
    if hr != 0:
        return Result(Outcome.FAILED, did, words=offer.words)
    return _recheck(offer, ctx, did)


FIX = Fix(
    id="empty_trash",
    answers=("disk_nearly_full",),
    platforms=("linux", "darwin", "win32"),
    rights="own_trash",  # [fix_it.rights] in the catalog
    symptom=Symptom.SLOW,
    offer=offer,
    apply=apply,
    words="fixes.empty_trash",
)
