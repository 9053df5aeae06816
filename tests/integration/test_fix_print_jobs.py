"""'Cancel my waiting documents' against a real, private CUPS scheduler.

The person (an ordinary account) has documents stuck behind a paused printer, and so
does a colleague. `ally fix cancel_print_jobs` cancels the person's own, re-checks the
print line with the printing probe, says the line is still stuck while the colleague's
document waits, and "Fixed" once only the person's were in the way. The colleague's
document is never touched, though this scheduler would let anyone cancel it. A report
made afterwards carries what was tried.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest

from ally_helpdesk.report_format import json_schema
from desktop.fixes.journal import Journal
from tests.integration import person
from tests.integration.cups_lab import CupsLab, available

why_not = available()
pytestmark = [pytest.mark.root, pytest.mark.skipif(why_not is not None, reason=why_not or "")]


@pytest.fixture
def lab():
    lab = CupsLab()
    try:
        lab.start()
        lab.add_printer("Front_Desk", f"file://{lab.root}/out/front.prn")
        lab.run("cupsdisable", "-r", "paper jam", "Front_Desk")
        lab.run("lpadmin", "-d", "Front_Desk")
        yield lab
    finally:
        lab.remove()


@pytest.fixture
def home():
    where = person.folder()
    # Every waiting document counts as stuck at once, instead of after five minutes.
    (where / "policy.toml").write_text(
        "[network]\nactive_checks = false\n[thresholds]\nprint_job_stuck_s = 0\n"
    )
    yield where
    person.remove(where)


def submit(lab: CupsLab, home: Path, as_person: bool = True, user: str | None = None) -> None:
    doc = home / "letter.txt"
    doc.write_text("Dear IT,\n")
    os.chmod(doc, 0o644)
    args = ["lp", "-d", "Front_Desk", *(["-U", user] if user else []), str(doc)]
    subprocess.run(
        [*(person.prefix() if as_person else []), *args],
        env=lab.env,
        check=True,
        capture_output=True,
        timeout=20,
    )


def owners(lab: CupsLab) -> list[str]:
    return [line.split()[1] for line in lab.run("lpstat", "-o").stdout.splitlines() if line.strip()]


def env_for(lab: CupsLab, home: Path) -> dict[str, str]:
    return {
        "CUPS_SERVER": str(lab.socket),
        "ALLY_POLICY": str(home / "policy.toml"),
        "ALLY_HOME": str(home / "ally"),
        "HOME": str(home),
    }


def words(out: subprocess.CompletedProcess) -> str:
    return " ".join(out.stdout.split())


def test_the_persons_stuck_documents_are_cancelled_and_a_colleagues_are_not(lab, home):
    me = person.account().name
    for _ in range(3):
        submit(lab, home)
    submit(lab, home, as_person=False, user="colleague")
    assert sorted(owners(lab)) == sorted([me] * 3 + ["colleague"])
    env = env_for(lab, home)

    listed = person.ally("diagnose", "--symptom", "printing", env=env)
    assert "Ally will cancel your 3 documents waiting for Front_Desk." in words(listed)
    assert "ally fix cancel_print_jobs" in listed.stdout

    t0 = time.monotonic()
    out = person.ally("fix", "cancel_print_jobs", "--yes", env=env)
    elapsed = time.monotonic() - t0
    said = words(out)
    assert (
        "Ally will cancel your 3 documents waiting for Front_Desk. You can print them again afterwards."
        in said
    )
    assert "Your documents are cancelled, but the line for Front_Desk is still stuck." in said, said
    assert "IT will see" not in said  # from the terminal, no report carries the attempt
    assert out.returncode == 1
    assert owners(lab) == ["colleague"]  # the colleague's document waits, untouched
    assert "1 waiting document of other accounts left alone" in said
    assert elapsed < 30  # a whole terminal run: diagnosis, cancel and re-check

    # IT clears the colleague's document; the person's new ones are now all that is stuck.
    lab.run("cancel", "-a", "Front_Desk")
    for _ in range(2):
        submit(lab, home)
    out = person.ally("fix", "cancel_print_jobs", "--yes", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Ally will cancel your 2 documents waiting for Front_Desk." in words(out)
    assert "Fixed. Nothing of yours is waiting now, so you can print again." in words(out)
    assert owners(lab) == []

    tried = Journal(home / "ally" / "data").recent()
    assert [(t["fix"], t["outcome"]) for t in tried] == [
        ("cancel_print_jobs", "not_fixed"),
        ("cancel_print_jobs", "fixed"),
    ]
    assert tried[0]["what"] == {
        "documents": 3,
        "printers": ["Front_Desk"],
        "other_peoples_documents": 1,
    }

    # A fix belongs to the report it was made for: one tried from the terminal was made
    # for none, and a report made later says only what that report found and tried.
    report = person.ally(
        "report", "--symptom", "printing", "--note", "still cannot print", "--yes", env=env
    )
    assert report.returncode == 0, report.stdout + report.stderr
    (sent,) = (home / "ally" / "data" / "reports").glob("*.json")
    doc = json.loads(sent.read_text())
    jsonschema.validate(doc, json_schema())
    assert doc["fixes"]["tried"] == []
    assert "You tried with Ally:" not in report.stdout


def test_with_only_a_colleagues_document_stuck_nothing_is_offered_and_it_says_why(lab, home):
    submit(lab, home, as_person=False, user="colleague")
    out = person.ally("fix", "cancel_print_jobs", "--yes", env=env_for(lab, home))
    said = words(out)
    assert out.returncode == 1
    assert "Ally will not do this on this computer. Nothing was changed." in said
    assert "only IT can cancel other people's documents" in said
    assert owners(lab) == ["colleague"]
