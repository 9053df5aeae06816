"""What a careless or hostile person, program or policy hands to `ally`: bytes that are
not UTF-8, a policy nested 10,000 deep, FIFOs, /dev/zero, an absurd PNG, paths for ids,
crafted outbox entries, impossible thresholds and folders. Each ends with a plain line,
a non-zero exit, no traceback, and nothing else lost. Real processes, real files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ally_helpdesk.transports.folder import FolderTransport
from desktop.base.words import say
from desktop.reporting import report
from desktop.reporting.outbox import Outbox
from tests.builders import report_doc
from tests.run_ally import ROOT, run_ally

NO_NETWORK = ROOT / "tests/data/policy-no-active-network.toml"


def ally_bytes(*args: bytes | str, home: Path, policy: Path = NO_NETWORK, stdin: bytes = b""):
    """`ally` with raw bytes on its command line, as a shell passes them."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(ALLY_HOME=str(home), ALLY_POLICY=str(policy), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        input=stdin,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def nothing_pending(home: Path) -> bool:
    pending = home / "data/outbox/pending"
    return not pending.exists() or not any(pending.iterdir())


def plain_failure(out, code: int = 2) -> str:
    err = out.stderr if isinstance(out.stderr, str) else out.stderr.decode()
    assert out.returncode == code, (out.stdout, err)
    assert "Traceback" not in err
    return err


# --- the command line ------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--note", "--app", "--name", "--email", "--phone"])
def test_bytes_that_are_not_utf8_are_refused_plainly(tmp_path, option):
    home = tmp_path / "h"
    out = ally_bytes("report", option, b"caf\xe9 \xff\xfe", "--yes", "--warm-up", "0", home=home)
    err = plain_failure(out)
    assert "could not be read, so nothing was sent" in err
    assert nothing_pending(home)


def test_a_program_name_that_is_not_utf8_is_refused_by_diagnose(tmp_path):
    out = ally_bytes("diagnose", "--app", b"\xff", "--warm-up", "0", home=tmp_path / "h")
    assert "could not be read" in plain_failure(out)


def test_a_note_from_a_file_and_from_standard_input(tmp_path):
    home = tmp_path / "h"
    words = "Line one of what happened.\nLine two: Outlook froze at 10:02.\n" * 40
    note = tmp_path / "note.txt"
    note.write_text(words, encoding="utf-8")
    out = run_ally("report", "--note-file", str(note), "--yes", "--warm-up", "0", home=home)
    assert out.returncode == 0, out.stdout + out.stderr
    out = run_ally("report", "--note-file", "-", "--yes", "--warm-up", "0", home=home, stdin=words)
    assert out.returncode == 0, out.stdout + out.stderr
    sent = [json.loads(p.read_text()) for p in (home / "data/reports").glob("*.json")]
    assert [d["note"] for d in sent] == [words.strip()] * 2


def test_a_note_over_the_limit_is_refused_and_the_person_told(tmp_path):
    home = tmp_path / "h"
    long = "x" * (report.MAX_NOTE_CHARS + 1)
    (tmp_path / "long.txt").write_text(long)
    for args in (["--note", long], ["--note-file", str(tmp_path / "long.txt")]):
        out = run_ally("report", *args, "--yes", "--warm-up", "0", home=home)
        err = plain_failure(out)
        assert "too long to send (20,001 letters, and Ally can send 20,000)" in err
    out = run_ally("report", "--note", "a", "--note-file", "-", "--yes", home=home)
    assert "not both" in plain_failure(out)
    (tmp_path / "latin1.txt").write_bytes("café".encode("latin-1"))
    out = run_ally("report", "--note-file", str(tmp_path / "latin1.txt"), "--yes", home=home)
    assert "could not be read" in plain_failure(out)
    assert nothing_pending(home)


def test_fifos_and_devices_are_never_read(tmp_path):
    home = tmp_path / "h"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # nobody ever writes to it: a read would wait for ever
    cases = {
        "--screenshot": [str(fifo), "/dev/zero"],
        "--note-file": [str(fifo), "/dev/zero", str(tmp_path)],
    }
    for option, paths in cases.items():
        for path in paths:
            started = time.monotonic()
            out = run_ally("report", option, path, "--yes", "--warm-up", "0", home=home)
            err = plain_failure(out)
            assert "not an ordinary file" in err or "a folder" in err, err
            assert time.monotonic() - started < 30
    big = tmp_path / "big.png"
    with big.open("wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # sparse: 64 MB that were never written
    out = run_ally("report", "--screenshot", str(big), "--yes", home=home)
    assert "larger than 4 MB" in plain_failure(out)
    assert nothing_pending(home)


def test_a_png_header_with_absurd_dimensions_is_refused(tmp_path):
    header = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + (2**31 - 1).to_bytes(4, "big")
    png = tmp_path / "huge.png"
    png.write_bytes(header + (2**31 - 1).to_bytes(4, "big") + b"\x08\x06\x00\x00\x00")
    out = run_ally("report", "--screenshot", str(png), "--yes", home=tmp_path / "h")
    assert "2147483647×2147483647 pixels, which no screen has" in plain_failure(out)


def test_a_policy_that_is_a_fifo_or_nested_10000_deep_gives_defaults_and_a_line(tmp_path):
    fifo = tmp_path / "policy.toml"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 10_000 + "]" * 10_000 + "\n")
    for policy, words in ((fifo, "not an ordinary file"), (deep, "nested too deeply")):
        out = run_ally("doctor", home=tmp_path / "h", policy=policy, timeout=30)
        assert out.returncode == 1 and "Traceback" not in out.stderr
        assert f"PROBLEM  policy: {policy}: " in out.stdout and words in out.stdout


def test_policy_thresholds_must_be_finite_numbers(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text(
        "[network]\nactive_checks = false\n[thresholds]\n"
        'cpu_busy_pct = nan\nfreeze_min_s = inf\ndip_max_s = "6"\nsustained_share = -0.5\n'
    )
    out = run_ally("doctor", home=tmp_path / "h", policy=policy)
    assert out.returncode == 1
    for key, value in (
        ("cpu_busy_pct", "nan"),
        ("freeze_min_s", "inf"),
        ("dip_max_s", "'6'"),
        ("sustained_share", "-0.5"),
    ):
        assert f"{policy}: [thresholds] {key} should be a number" in out.stdout
        assert f"not {value}; the default is used" in out.stdout
    diagnosed = run_ally("diagnose", "--json", "--warm-up", "0", home=tmp_path / "h", policy=policy)
    assert diagnosed.returncode == 0 and json.loads(diagnosed.stdout)["schema"]


# --- outbox ids and entries ---------------------------------------------------------------


def test_outbox_ids_are_ids_never_paths(tmp_path):
    home = tmp_path / "h"
    secret = home / "data/secret.json"
    secret.parent.mkdir(parents=True)
    secret.write_text('{"receipt": {}, "report": {"schema": "ally.report/1"}}')
    for args in (
        ("outbox", "show", "../secret"),
        ("outbox", "show", "../../data/secret"),
        ("outbox", "retry", "../x"),
        ("outbox", "show", "\x1b]0;pwned\x07"),
    ):
        out = run_ally(*args, home=home)
        err = plain_failure(out)
        assert "is not the number of a report" in err and "\x1b" not in err
    missing = run_ally("outbox", "show", "00000000-0000-4000-8000-000000000000", home=home)
    assert "There is no report" in plain_failure(missing)


def test_hostile_entries_are_quarantined_and_counted_and_the_good_one_is_sent(tmp_path):
    home = tmp_path / "h"
    outbox = Outbox(home / "data/outbox")
    good = report_doc()
    outbox.add(good)
    pending = outbox.pending_dir

    def entry(**changes) -> Path:
        doc = report_doc(**changes)
        path = pending / f"{doc['id']}.json"
        path.write_text(json.dumps(doc))
        return path

    entry(created_at="/../../../tmp/x")
    entry(machine=["not", "a", "table"])
    entry(diagnosis={"summary": "no"})
    entry(note="x" * (report.MAX_NOTE_CHARS + 1))
    (pending / "not-an-id.json").write_text(json.dumps(report_doc()))
    deep = report_doc()
    (pending / f"{deep['id']}.json").write_text("[" * 100_000 + "]" * 100_000)
    os.symlink("/dev/zero", pending / f"{report_doc()['id']}.json")
    os.mkfifo(pending / f"{report_doc()['id']}.json")
    (pending / f"{report_doc()['id']}.json").mkdir()
    hostile = 9
    listing = run_ally("outbox", "list", home=home, timeout=60)
    assert listing.returncode == 0, listing.stderr
    assert "Waiting to be sent: 1" in listing.stdout and good["id"] in listing.stdout
    assert f"Set aside in all: {hostile}" in listing.stdout
    for _ in range(2):  # and still counted on every later run
        doctor = run_ally("doctor", home=home)
        assert f"0 stopped, {hostile} set aside" in doctor.stdout, doctor.stdout
    sent = run_ally("outbox", "send", home=home)
    assert "Sent 1 of 1" in sent.stdout, sent.stdout + sent.stderr
    assert not (tmp_path / "tmp/x").exists() and not Path("/tmp/x.json").exists()
    assert [p.name for p in (home / "data/reports").iterdir() if good["id"] in p.name]
    aside = home / "data/outbox/quarantine"
    assert len(list(aside.glob("*.why.txt"))) == hostile
    assert any(stat.S_ISLNK(p.lstat().st_mode) for p in aside.iterdir())  # moved, not followed


def test_a_crafted_time_never_becomes_a_path(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    doc = report_doc(created_at="/../../../../tmp/evil")
    receipt = FolderTransport(share).send(doc, report.dumps(doc))
    assert [p.parent for p in share.iterdir()] == [share, share]
    assert receipt.reference.startswith("ally-") and doc["id"] in receipt.reference


# --- the folder IT names -----------------------------------------------------------------


def folder_policy(tmp_path: Path, folder: str, extra: str = "") -> Path:
    p = tmp_path / "policy.toml"
    p.write_text(
        f'[network]\nactive_checks = false\n[transport]\nkind = "folder"\nfolder = "{folder}"\n{extra}'
    )
    return p


def test_a_relative_folder_is_refused_at_load_and_reports_wait(tmp_path):
    home = tmp_path / "h"
    policy = folder_policy(tmp_path, "reports/here")
    doctor = run_ally("doctor", home=home, policy=policy)
    assert f"PROBLEM  policy: {policy}: [transport] folder should be an absolute path" in (
        doctor.stdout
    )
    out = run_ally("report", "--note", "x", "--yes", "--warm-up", "0", home=home, policy=policy)
    assert out.returncode == 75 and "Your report is saved" in out.stdout
    assert not (home / "data/reports").exists() and not (ROOT / "reports/here").exists()
    assert len(list((home / "data/outbox/pending").glob("*-*.json"))) == 1


def test_a_file_in_the_way_gets_the_folder_words(tmp_path):
    home = tmp_path / "h"
    target = tmp_path / "share"
    policy = folder_policy(tmp_path, str(target))
    target.mkdir()
    run_ally("doctor", home=home, policy=policy)  # loads fine: a folder
    target.rmdir()
    target.write_text("a file now")
    out = run_ally("report", "--note", "x", "--yes", "--warm-up", "0", home=home, policy=policy)
    assert out.returncode == 75  # refused when the policy is read ...
    assert say("folder_unusable", "delivery") in out.stdout
    assert "IT's server did not answer" not in out.stdout
    assert (
        "[transport] folder should be a folder, not a file"
        in run_ally("doctor", home=home, policy=policy).stdout
    )
    # ... and when it turns into a file while Ally runs (the tray reads the policy once).
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(report_doc())
    (outcome,) = outbox.deliver_due(FolderTransport(target, create=False))
    assert outcome.error is not None and outcome.error.plain_key == "folder_unusable"
    assert len(outbox.entries()) == 1


def test_a_missing_share_is_not_created_and_the_words_say_so(tmp_path):
    home = tmp_path / "h"
    share = tmp_path / "mnt/share/ally"
    out = run_ally(
        "report", "--note", "x", "--yes", "--warm-up", "0", home=home,
        policy=folder_policy(tmp_path, str(share)),
    )  # fmt: skip
    assert out.returncode == 75 and say("folder_away", "delivery") in out.stdout
    assert not share.exists() and not (tmp_path / "mnt").exists()


@pytest.mark.parametrize(("setting", "mode"), [("", 0o640), ('file_mode = "0600"\n', 0o600)])
def test_report_files_get_the_mode_it_chose(tmp_path, setting, mode):
    home = tmp_path / "h"
    share = tmp_path / "share"
    share.mkdir()
    policy = folder_policy(tmp_path, str(share), setting)
    out = run_ally("report", "--note", "x", "--yes", "--warm-up", "0", home=home, policy=policy)
    assert out.returncode == 0, out.stdout + out.stderr
    files = list(share.iterdir())
    assert len(files) == 2 and {stat.S_IMODE(f.stat().st_mode) for f in files} == {mode}


def test_a_mode_others_could_write_is_refused(tmp_path):
    policy = folder_policy(tmp_path, str(tmp_path), 'file_mode = "0666"\n')
    out = run_ally("doctor", home=tmp_path / "h", policy=policy)
    assert "[transport] file_mode should be a mode like" in out.stdout
    assert "PROBLEM  transport: file_mode refused" in out.stdout


def test_a_fifo_in_place_of_a_secret_file_or_the_settings_hangs_nothing(tmp_path):
    from desktop.policy.settings import UserSettings

    fifo = tmp_path / "webhook.secret"
    os.mkfifo(fifo, 0o600)
    out = run_ally("credentials", "import", "webhook", "--file", str(fifo), home=tmp_path / "h")
    assert out.returncode == 1 and "not an ordinary file" in out.stderr and fifo.exists()
    settings = tmp_path / "settings.json"
    os.mkfifo(settings)
    assert UserSettings.load(settings) == UserSettings()
    (tmp_path / "list.json").write_text("[1, 2]")
    assert UserSettings.load(tmp_path / "list.json") == UserSettings()


def test_a_secret_that_is_not_utf8_is_refused_plainly(tmp_path):
    out = ally_bytes("credentials", "set", "webhook", home=tmp_path / "h", stdin=b"s3cr\xe9t\n")
    assert "could not be read" in plain_failure(out)
    assert not (tmp_path / "h/test-keyring.json").exists()


def test_a_forged_receipt_does_not_make_a_waiting_report_disappear(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    doc = report_doc()
    outbox.add(doc)
    outbox.sent_dir.mkdir(parents=True)
    (outbox.sent_dir / f"{doc['id']}.json").write_text('{"receipt": "trust me"}')
    assert [e.report_id for e in outbox.entries()] == [doc["id"]]
    share = tmp_path / "share"
    share.mkdir()
    (outcome,) = outbox.deliver_due(FolderTransport(share))
    assert outcome.receipt is not None and outbox.entries() == []
    assert outbox.receipts()[0]["reference"] == outcome.receipt.reference
