"""Programs named as they name themselves: the .exe's version resource (read from real
executables) and the app bundle's Info.plist (real ones, in a bundle laid out here).
Hostile metadata is refused plainly and the caller keeps its own name."""

from __future__ import annotations

import contextlib
import random
import struct
from pathlib import Path

import pytest

from desktop.showing import program_names
from desktop.showing.exe_version import NotAVersionResource, version_name, version_strings
from desktop.showing.program_names import bundle_name, metadata_name, plain_name

DATA = Path(__file__).parent.parent / "data"
W64 = DATA / "windows" / "distlib_w64.exe"  # distlib 0.3.8's launcher, PE32+ (SOURCES.md)
W32 = DATA / "windows" / "distlib_w32.exe"  # the same launcher, PE32
NO_RESOURCES = DATA / "windows" / "setuptools_cli-64.exe"  # no resources at all
NO_VERSION = DATA / "windows" / "distutils_wininst-8.0.exe"  # resources, but no version


def test_the_version_resource_of_a_real_exe_is_read():
    strings = version_strings(W64)
    assert strings["FileDescription"] == "Simple Launcher Executable"
    assert strings["ProductName"] == "Simple Launcher"
    assert strings["OriginalFilename"] == "w64.exe"
    assert version_name(W64) == "Simple Launcher Executable"  # as Task Manager shows it
    assert metadata_name(W64, platform="win32") == "Simple Launcher Executable"
    assert metadata_name(W64, platform="linux") is None  # Linux has its menus instead


def test_32_bit_executables_and_ones_without_a_version_say_so():
    assert version_strings(W32)["ProductName"] == "Simple Launcher"  # PE32 header
    for path in (NO_RESOURCES, NO_VERSION):
        with pytest.raises(NotAVersionResource):
            version_strings(path)
        assert version_name(path) is None


def _patched(tmp_path: Path, old: str, new: bytes) -> Path:
    data = W64.read_bytes()
    needle = old.encode("utf-16-le")
    assert data.count(needle) == 1 and len(new) == len(needle)
    path = tmp_path / "patched.exe"
    path.write_bytes(data.replace(needle, new))
    return path


def test_a_hostile_description_is_refused_and_the_product_name_kept(tmp_path):
    escape = "\x1b]0;Bank\x07 Launcher Executable"[:26].ljust(26)
    path = _patched(tmp_path, "Simple Launcher Executable", escape.encode("utf-16-le"))
    assert version_strings(path)["FileDescription"].startswith("\x1b")
    assert version_name(path) == "Simple Launcher"
    lone_surrogate = b"\x00\xd8" + "imple Launcher Executable".encode("utf-16-le")
    path = _patched(tmp_path, "Simple Launcher Executable", lone_surrogate)
    assert version_name(path) == "Simple Launcher"  # invalid UTF-16: refused, not guessed


def test_absurd_offsets_and_sizes_are_refused_without_reading_past_the_file(tmp_path):
    data = bytearray(W64.read_bytes())
    (pe,) = struct.unpack_from("<I", data, 0x3C)
    cases = {
        "pe header beyond the end": (0x3C, struct.pack("<I", 0xFFFFFFF0)),
        "65535 sections": (pe + 6, struct.pack("<H", 0xFFFF)),
        "no data directories": (pe + 24 + 108, struct.pack("<I", 0)),
    }
    for what, (at, value) in cases.items():
        broken = bytearray(data)
        broken[at : at + len(value)] = value
        path = tmp_path / "broken.exe"
        path.write_bytes(bytes(broken))
        with pytest.raises(NotAVersionResource):
            version_strings(path)
        assert version_name(path) is None, what
    (tmp_path / "cut.exe").write_bytes(bytes(data[:1024]))
    assert version_name(tmp_path / "cut.exe") is None
    (tmp_path / "text.exe").write_text("MZ but not a program")
    assert version_name(tmp_path / "text.exe") is None


def test_random_damage_to_a_real_exe_never_raises_anything_but_a_refusal(tmp_path):
    data = W64.read_bytes()
    rng = random.Random(15)
    path = tmp_path / "damaged.exe"
    for _ in range(300):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            at = rng.choice([rng.randrange(0, 1024), rng.randrange(0, len(data))])
            damaged[at] = rng.randrange(256)
        path.write_bytes(bytes(damaged))
        with contextlib.suppress(NotAVersionResource):  # a refusal is the one way out
            version_strings(path)
        name = version_name(path)
        assert name is None or plain_name(name) == name


def test_plain_names_only():
    assert plain_name("  Microsoft   Teams ") == "Microsoft Teams"
    assert plain_name("Zoom\u202eexe.fdp") is None  # right-to-left override: a spoof
    assert plain_name("Outlook\r\nrm -rf") is None
    assert plain_name("x" * 81) is None and plain_name("x" * 80) == "x" * 80
    assert plain_name("") is None and plain_name(None) is None and plain_name(42) is None
    assert plain_name("Bloc-notes") == "Bloc-notes" and plain_name("微信") == "微信"


def _bundle(tmp_path: Path, plist: bytes, name: str = "NetNewsWire") -> Path:
    """A bundle laid out as macOS has them: X.app/Contents/{Info.plist,MacOS/X}."""
    contents = tmp_path / f"{name}.app" / "Contents"
    (contents / "MacOS").mkdir(parents=True)
    (contents / "Info.plist").write_bytes(plist)
    executable = contents / "MacOS" / name
    executable.write_bytes(b"")
    return executable


def test_the_bundle_name_comes_from_a_real_info_plist(tmp_path):
    real = (DATA / "macos" / "bundles" / "NetNewsWire.Info.plist").read_bytes()
    executable = _bundle(tmp_path, real)
    assert bundle_name(executable) == "NetNewsWire"  # CFBundleName: no display name
    assert metadata_name(str(executable), platform="darwin") == "NetNewsWire"
    with_display = real.replace(
        b"<key>CFBundleName</key>",
        b"<key>CFBundleDisplayName</key>\n\t<string>NetNewsWire Reader</string>\n"
        b"\t<key>CFBundleName</key>",
    )
    (executable.parent.parent / "Info.plist").write_bytes(with_display)
    assert bundle_name(executable) == "NetNewsWire Reader"  # the display name wins
    outside = tmp_path / "bin" / "tool"
    outside.parent.mkdir()
    assert bundle_name(outside) is None  # not in a bundle: the catalog's name stays


def test_a_binary_plist_and_a_helper_deeper_in_the_bundle(tmp_path):
    import plistlib

    real = plistlib.loads((DATA / "macos" / "bundles" / "NetNewsWire.Info.plist").read_bytes())
    executable = _bundle(tmp_path, plistlib.dumps(real, fmt=plistlib.FMT_BINARY))
    assert bundle_name(executable) == "NetNewsWire"
    helper = executable.parent.parent / "Frameworks" / "Sparkle.framework" / "Autoupdate"
    helper.parent.mkdir(parents=True)
    assert bundle_name(helper) == "NetNewsWire"  # the nearest .app above it


def test_hostile_info_plists_are_refused(tmp_path, caplog):
    real = (DATA / "macos" / "bundles" / "NetNewsWire.Info.plist").read_bytes()
    executable = _bundle(tmp_path, b"")
    plist = executable.parent.parent / "Info.plist"
    hostile = {
        "not a plist": b"\x00\xff garbage",
        "an entity bomb": b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><plist>&a;</plist>',
        "a list, not a dict": b'<?xml version="1.0"?><plist version="1.0"><array/></plist>',
        "a control character": real.replace(b"<string>NetNewsWire</string>", b"<string>Net&#27;[2J</string>"),
        "a number for a name": real.replace(b"<string>NetNewsWire</string>", b"<integer>7</integer>"),
        "huge": real + b" " * program_names.MAX_PLIST_BYTES,
    }  # fmt: skip
    for what, data in hostile.items():
        plist.write_bytes(data)
        assert bundle_name(executable) is None, what
    plist.unlink()
    assert bundle_name(executable) is None  # no Info.plist at all
