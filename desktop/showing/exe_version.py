"""The name a Windows program gives itself: FileDescription (else ProductName) from the
version resource of its .exe, as Task Manager shows it (no Qt, no Windows call).

Read with plain file seeks, so it is tested here on real .exe files and costs a few reads
of the headers, never the whole executable. The file is a stranger's: every offset, size
and count is checked against the file before it is followed, the resource tree is walked
at most three levels deep as the PE format defines it, and a name that is too long, not
valid UTF-16 or holds control characters is refused (see ``program_names.plain_name``);
the caller then keeps the catalog's or the process's name.

Layouts: Microsoft's "PE Format" (IMAGE_DOS_HEADER, IMAGE_NT_HEADERS, the resource
directory) and "VS_VERSIONINFO" / "StringFileInfo" / "String" in the Win32 documentation.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

RT_VERSION = 16
RESOURCE_DIRECTORY = 2  # index in the optional header's data directories
MAX_VERSION_BYTES = 64 * 1024  # real version resources are 1-4 KB
MAX_ENTRIES = 512  # a resource directory level with more is not a program's own
MAX_SECTIONS = 96  # the PE format's own limit
NAME_KEYS = ("FileDescription", "ProductName")


class NotAVersionResource(ValueError):
    """The file is not a PE image with a readable version resource."""


def version_strings(path: Path) -> dict[str, str]:
    """The StringFileInfo strings of an .exe or .dll (``FileDescription``, …).
    Raises NotAVersionResource or OSError."""
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        sections, resource_rva = _headers(f, size)
        raw = _version_block(f, size, sections, resource_rva)
    return _strings(raw)


def version_name(path: Path) -> str | None:
    """FileDescription, else ProductName, if it is a plain name; None otherwise."""
    from desktop.showing.program_names import plain_name

    try:
        strings = version_strings(path)
    except (OSError, NotAVersionResource):
        return None
    return next((n for n in (plain_name(strings.get(k)) for k in NAME_KEYS) if n), None)


def _read(f: BinaryIO, size: int, offset: int, length: int) -> bytes:
    if offset < 0 or length < 0 or offset + length > size:
        raise NotAVersionResource(f"{length} bytes at {offset} lie outside the file")
    f.seek(offset)
    data = f.read(length)
    if len(data) != length:
        raise NotAVersionResource("the file ended early")
    return data


def _headers(f: BinaryIO, size: int) -> tuple[list[tuple[int, int, int, int]], int]:
    """(sections as (rva, virtual size, raw size, raw offset), the resource table's rva)."""
    if _read(f, size, 0, 2) != b"MZ":
        raise NotAVersionResource("not an MZ executable")
    (pe,) = struct.unpack("<I", _read(f, size, 0x3C, 4))
    if _read(f, size, pe, 4) != b"PE\0\0":
        raise NotAVersionResource("no PE signature")
    count, optional_size = struct.unpack("<H12xH", _read(f, size, pe + 6, 16))
    optional = pe + 24
    (magic,) = struct.unpack("<H", _read(f, size, optional, 2))
    directories = {0x10B: 96, 0x20B: 112}.get(magic)
    if directories is None or count > MAX_SECTIONS:
        raise NotAVersionResource("unknown optional header")
    (n_dirs,) = struct.unpack("<I", _read(f, size, optional + directories - 4, 4))
    if n_dirs <= RESOURCE_DIRECTORY or directories + 8 * (RESOURCE_DIRECTORY + 1) > optional_size:
        raise NotAVersionResource("no resource directory")
    rva, _ = struct.unpack(
        "<II", _read(f, size, optional + directories + 8 * RESOURCE_DIRECTORY, 8)
    )
    table = _read(f, size, optional + optional_size, 40 * count)
    sections = [struct.unpack_from("<8xIIII", table, 40 * i) for i in range(count)]
    if not rva:
        raise NotAVersionResource("no resources")
    return [(va, vsize, rsize, roff) for vsize, va, rsize, roff in sections], rva


def _offset(sections: list[tuple[int, int, int, int]], rva: int, length: int) -> int:
    for va, _vsize, rsize, roff in sections:
        if va <= rva and rva + length <= va + rsize:  # only what the file holds
            return roff + rva - va
    raise NotAVersionResource(f"address {rva:#x} is in no section")


def _version_block(f: BinaryIO, size: int, sections: list, root_rva: int) -> bytes:
    """The bytes of the first RT_VERSION resource: type → name → language → data."""
    rva, wanted = root_rva, RT_VERSION
    for _level in range(2):  # the type, then the name; the language is the leaf's
        start = _offset(sections, rva, 16)
        named, ids = struct.unpack("<12xHH", _read(f, size, start, 16))
        if named + ids > MAX_ENTRIES:
            raise NotAVersionResource("a resource directory with too many entries")
        entries = _read(f, size, start + 16, 8 * (named + ids))
        pairs = [struct.unpack_from("<II", entries, 8 * i) for i in range(named + ids)]
        candidates = pairs[named:] + ([] if wanted is not None else pairs[:named])
        chosen = [p for p in candidates if wanted is None or p[0] == wanted]
        if not chosen:
            raise NotAVersionResource("no version resource")
        target = chosen[0][1]
        if not target & 0x80000000:
            raise NotAVersionResource("the resource tree is shallower than it must be")
        rva, wanted = root_rva + (target & 0x7FFFFFFF), None
    start = _offset(sections, rva, 16)
    named, ids = struct.unpack("<12xHH", _read(f, size, start, 16))
    if not named + ids:
        raise NotAVersionResource("a version resource in no language")
    (leaf,) = struct.unpack("<4xI", _read(f, size, start + 16, 8))
    if leaf & 0x80000000:
        raise NotAVersionResource("the resource tree is deeper than it may be")
    data_rva, length = struct.unpack(
        "<II", _read(f, size, _offset(sections, root_rva + leaf, 16), 8)
    )
    if not 0 < length <= MAX_VERSION_BYTES:
        raise NotAVersionResource(f"a version resource of {length} bytes")
    return _read(f, size, _offset(sections, data_rva, length), length)


def _block(raw: bytes, at: int, end: int) -> tuple[str, int, int, int, int]:
    """One VS_VERSIONINFO-shaped block: (key, value offset, value length in bytes, first
    child offset, block end). Keys end at a NUL; values and children are 32-bit aligned."""
    if at + 6 > end:
        raise NotAVersionResource("a block cut short")
    length, value_length, kind = struct.unpack_from("<HHH", raw, at)
    stop = at + length
    if length < 6 or stop > end:
        raise NotAVersionResource("a block longer than its parent")
    key_end = at + 6
    while key_end + 1 < stop and raw[key_end : key_end + 2] != b"\0\0":
        key_end += 2
    key = raw[at + 6 : key_end].decode("utf-16-le", errors="replace")
    value = (key_end + 2 + 3) & ~3
    value_bytes = value_length * 2 if kind == 1 else value_length
    children = min((value + value_bytes + 3) & ~3, stop)
    return key, value, min(value_bytes, max(stop - value, 0)), children, stop


def _children(raw: bytes, start: int, stop: int):
    at = start
    while at + 6 <= stop:
        block = _block(raw, at, stop)
        yield block
        at = (block[4] + 3) & ~3


def _strings(raw: bytes) -> dict[str, str]:
    key, _, _, first, stop = _block(raw, 0, len(raw))
    if key != "VS_VERSION_INFO":
        raise NotAVersionResource("not a VS_VERSIONINFO block")
    strings: dict[str, str] = {}
    for info_key, _, _, tables, info_stop in _children(raw, first, stop):
        if info_key != "StringFileInfo":
            continue
        for _lang, _, _, entries, table_stop in _children(raw, tables, info_stop):
            for name, value, size, _, _ in _children(raw, entries, table_stop):
                text = raw[value : value + size]
                try:
                    decoded = text.decode("utf-16-le")
                except UnicodeDecodeError:
                    decoded = ""  # invalid UTF-16: refused, not guessed at
                strings.setdefault(name, decoded.split("\0", 1)[0])
    return strings
