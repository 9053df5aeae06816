"""A drive nearly full: 'Empty the Trash' and 'Show me where the space went' on real
folders. The Trash holds real files, folders, a pipe, a link to a folder outside it and
a hard link to a file outside it; nothing outside the Trash may change. As root, a real
small drive (an ext4 image, loop-mounted) is filled until Ally finds it nearly full, and
emptying its Trash as an ordinary account makes Ally say "Fixed"."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from desktop.base.paths import AllyPaths
from desktop.diagnostics.explain import load_catalog
from desktop.diagnostics.findings import Finding, Severity
from desktop.diagnostics.model import Symptom
from desktop.fixes import empty_trash, folder_walk, large_folders
from desktop.fixes.base import Account, FixContext, NotOffered, Offer, Outcome
from desktop.fixes.journal import Journal
from desktop.fixes.words import FixWords
from desktop.policy.config import Policy
from tests.integration import person

MB = 1_000_000


def mount_of(path: Path) -> str:
    path = path.resolve()
    while not os.path.ismount(path):
        path = path.parent
    return str(path)


def full_drive(home: Path):
    f = Finding(
        "disk_nearly_full",
        Severity.CRITICAL,
        {"mountpoint": mount_of(home), "device": "x", "is_main": True},
        (),
        {"drive": "your main drive", "free": "1.2 GB", "total": "256 GB"},
    )
    return load_catalog("en").explain(f, Symptom.SLOW)


def ctx(home: Path, **kw) -> FixContext:
    kw.setdefault("account", Account.current())
    return FixContext(
        Policy.from_dict({"network": {"active_checks": False}}),
        AllyPaths(home / ".ally" / "c", home / ".ally" / "d", home / ".ally" / "l"),
        home=str(home),
        **kw,
    )


def write(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(os.urandom(size))


def trash_in(home: Path, entries: dict[str, int]) -> Path:
    trash = home / ".local" / "share" / "Trash"
    for name, size in entries.items():
        write(trash / "files" / name, size)
        info = trash / "info" / f"{Path(name).parts[0]}.trashinfo"
        info.parent.mkdir(parents=True, exist_ok=True)
        info.write_text(f"[Trash Info]\nPath={home}/{name}\nDeletionDate=2026-11-29T10:00:00\n")
    return trash


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    h = tmp_path / "home"
    h.mkdir()
    return h


def test_the_trash_is_emptied_and_nothing_outside_it_changes(home, tmp_path):
    outside = tmp_path / "outside"
    write(outside / "keep" / "precious.txt", 1000)
    write(outside / "linked.bin", 5000)
    trash = trash_in(
        home, {"report.pdf": 300_000, "old photos/a.jpg": 200_000, "old photos/deep/b.jpg": 100_000}
    )
    os.mkfifo(trash / "files" / "a pipe")
    os.close(os.open(bytes(trash / "files") + b"/caf\xe9 menu.txt", os.O_CREAT | os.O_WRONLY))
    (trash / "files" / "link to a folder").symlink_to(outside / "keep")
    os.link(outside / "linked.bin", trash / "files" / "hard link")
    (trash / "directorysizes").write_text("cache\n")

    offer = empty_trash.offer(full_drive(home), ctx(home))
    assert isinstance(offer, Offer), offer
    words = FixWords(load_catalog("en"))
    before = words.before(offer)
    assert before.startswith("The Trash holds 6 items (")  # one not UTF-8
    assert offer.record["bytes"] >= 600_000 and "report.pdf" not in str(offer.record)

    write(trash / "files" / "thrown away after Ally looked", 1000)  # not in what was said
    result = empty_trash.apply(offer, ctx(home))
    assert result.outcome in (Outcome.FIXED, Outcome.NOT_FIXED), result
    assert sorted(os.listdir(trash / "files")) == ["thrown away after Ally looked"]
    assert os.listdir(trash / "info") == []
    assert not (trash / "directorysizes").exists()
    assert (outside / "keep" / "precious.txt").stat().st_size == 1000
    assert (outside / "linked.bin").stat().st_size == 5000
    assert "removed" in result.did and result.recheck and "free now" in result.recheck


def test_a_trash_that_is_a_link_to_elsewhere_is_not_touched(home, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "files" / "important.doc", 1000)
    (home / ".local" / "share").mkdir(parents=True)
    (home / ".local" / "share" / "Trash").symlink_to(elsewhere)
    result = empty_trash.offer(full_drive(home), ctx(home))
    assert isinstance(result, NotOffered)
    assert "is a link to somewhere else" in result.reason
    assert (elsewhere / "files" / "important.doc").exists()


def test_an_empty_trash_is_not_offered(home):
    trash_in(home, {})
    (home / ".local" / "share" / "Trash" / "files").mkdir(parents=True, exist_ok=True)
    result = empty_trash.offer(full_drive(home), ctx(home))
    assert isinstance(result, NotOffered) and "is empty" in result.reason


def test_an_entry_swapped_for_a_link_after_the_offer_removes_only_the_link(home, tmp_path):
    outside = tmp_path / "outside"
    write(outside / "keep.txt", 100)
    trash = trash_in(home, {"folder/inner.txt": 100})
    offer = empty_trash.offer(full_drive(home), ctx(home))
    assert isinstance(offer, Offer)
    shutil.rmtree(trash / "files" / "folder")
    (trash / "files" / "folder").symlink_to(outside)
    empty_trash.apply(offer, ctx(home))
    assert not (trash / "files" / "folder").exists() and (outside / "keep.txt").exists()


@pytest.mark.skipif(not person.is_root(), reason="needs root to give a folder to another account")
def test_a_trash_of_another_account_is_not_touched(home):
    trash = trash_in(home, {"theirs.txt": 100})
    for p in (trash, trash / "files"):
        os.chown(p, person.NOBODY, person.NOBODY)
    result = empty_trash.offer(full_drive(home), ctx(home, account=Account(0, "root")))
    assert isinstance(result, NotOffered) and "owned by another account" in result.reason
    assert (trash / "files" / "theirs.txt").exists()


@pytest.mark.skipif(not person.is_root(), reason="needs root to mount a drive inside the Trash")
def test_another_drive_mounted_inside_the_trash_is_left_alone(home):
    trash = trash_in(home, {"x.txt": 100})
    inner = trash / "files" / "mounted"
    inner.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "ally-test", str(inner)], check=True)
    try:
        (inner / "on another drive.txt").write_text("stays")
        offer = empty_trash.offer(full_drive(home), ctx(home))
        result = empty_trash.apply(offer, ctx(home))
        assert "another drive is mounted there; left alone" in result.did
        assert (inner / "on another drive.txt").read_text() == "stays"
        assert not (trash / "files" / "x.txt").exists()
    finally:
        subprocess.run(["umount", str(inner)], check=False)


def test_measuring_stops_at_its_time_limit_and_says_at_least(home):
    for i in range(300):
        write(home / "many" / f"{i}.txt", 10)
    size = folder_walk.measure(str(home / "many"), time.monotonic() - 1)
    assert not size.complete
    whole = folder_walk.measure(str(home / "many"), time.monotonic() + 30)
    assert whole.complete and whole.items == 301


def test_where_the_space_went_is_shown_and_the_largest_folder_opened(home, tmp_path):
    write(home / "Downloads" / "installer.iso", 3 * MB)
    write(home / "Documents" / "letter.odt", 1 * MB)
    write(home / "Pictures" / "deep" / "a.jpg", 2 * MB)
    (home / "Elsewhere").symlink_to(tmp_path)  # a link is not followed, nor counted
    write(tmp_path / "huge.bin", 5 * MB)
    opened: list[str] = []

    def opener(target: str):
        opened.append(target)
        from desktop.fixes.opener import Opened

        return Opened(True, f"xdg-open {target}")

    offer = large_folders.offer(full_drive(home), ctx(home, opener=opener))
    assert isinstance(offer, Offer)
    result = large_folders.apply(offer, ctx(home, opener=opener))
    assert result.outcome is Outcome.DONE
    assert opened == [str(home / "Downloads")]
    assert [line.split(":")[0] for line in result.lines][:3] == [
        "Downloads",
        "Pictures",
        "Documents",
    ]
    assert "Elsewhere" not in " ".join(result.lines)
    text = FixWords(load_catalog("en")).result(offer, result)
    assert (
        text
        == "Your largest folder is Downloads, with 3.0 MB. It is open now, so you can decide what to keep."
    )
    assert "Downloads" not in result.did  # IT's record has sizes, not names


def test_a_largest_folder_where_programs_keep_their_files_asks_for_it_first(home):
    """A hidden folder (.cache, .local) or AppData is where programs keep their own files:
    "decide what to keep" there could break them, so the person is sent to IT instead."""
    write(home / ".cache" / "thumbnails" / "big.bin", 3 * MB)
    write(home / "Documents" / "letter.odt", 1 * MB)

    def opener(target: str):
        from desktop.fixes.opener import Opened

        return Opened(True, f"xdg-open {target}")

    offer = large_folders.offer(full_drive(home), ctx(home, opener=opener))
    assert isinstance(offer, Offer)
    result = large_folders.apply(offer, ctx(home, opener=opener))
    text = FixWords(load_catalog("en")).result(offer, result)
    assert text.startswith("Your largest folder is .cache, with 3.0 MB.")
    assert "Please ask IT before you delete anything from this folder." in text
    assert "decide what to keep" not in text
    assert [large_folders.is_programs_folder(n) for n in ("AppData", "Library", "Music")] == [
        True,
        True,
        False,
    ]


# --- a real small drive, really nearly full (root) ----------------------------------------------


@pytest.fixture
def small_drive():
    if not person.is_root():
        pytest.skip("needs root to make and mount a small drive (CI runs as root)")
    where = person.folder("ally-drive-")
    image = where / "drive.img"
    mount = where / "drive"
    mount.mkdir()
    with open(image, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True, timeout=60)
    subprocess.run(["mount", "-o", "loop", str(image), str(mount)], check=True, timeout=60)
    try:
        home = mount / "home"
        home.mkdir()
        for p in (mount, home):
            os.chown(p, person.NOBODY, person.NOBODY)
        yield where, home
    finally:
        subprocess.run(["umount", str(mount)], check=False, timeout=60)
        person.remove(where)


def test_on_a_small_drive_really_nearly_full_emptying_the_trash_fixes_it(small_drive):
    where, home = small_drive
    policy = where / "policy.toml"
    policy.write_text(
        "[network]\nactive_checks = false\n[thresholds]\n"
        f"disk_free_critical_bytes = {15 * MB}\ndisk_free_warning_bytes = {25 * MB}\n"
        "disk_free_low_pct = 0\n"
    )
    env = {"ALLY_POLICY": str(policy), "ALLY_HOME": str(where / "ally"), "HOME": str(home)}
    (where / "ally").mkdir()
    os.chown(where / "ally", person.NOBODY, person.NOBODY)
    script = (
        "import os\n"
        f"t = {str(home)!r} + '/.local/share/Trash'\n"
        "os.makedirs(t + '/files/old project', exist_ok=True); os.makedirs(t + '/info', exist_ok=True)\n"
        "for i in range(4):\n"
        "    open(t + f'/files/old project/part{i}.bin', 'wb').write(os.urandom(10_000_000))\n"
        "open(t + '/info/old project.trashinfo', 'w').write('[Trash Info]\\nPath=/x\\n')\n"
    )
    subprocess.run([*person.prefix(), "/usr/bin/python3", "-c", script], check=True, timeout=60)
    found = person.ally("diagnose", env=env)
    said = " ".join(found.stdout.split())
    assert "left on your main drive" in said and "The Trash holds 1 item (40 MB in all)" in said
    out = person.ally("fix", "empty_trash", "--yes", env=env)
    said = " ".join(out.stdout.split())
    assert out.returncode == 0, out.stdout + out.stderr
    assert said.count("Fixed. The Trash is empty, and ") == 1 and "MB is free now." in said
    assert os.listdir(home / ".local" / "share" / "Trash" / "files") == []
    (tried,) = Journal(where / "ally" / "data").recent()
    assert tried["outcome"] == "fixed" and tried["what"]["items"] == 1
