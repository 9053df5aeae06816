"""'Open the sign-in page' in a real captive-portal network (Linux namespaces, see
netlab.py): Ally opens the check address with the desktop's opener (a stand-in
``xdg-open`` records what it was asked), says the page is open, waits for the person to
sign in, and checks again: then the internet works and it says "Fixed"."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.fixes.journal import Journal
from tests.integration.netlab import NetLab, available
from tests.integration.test_network_walk import policy_text

why_not = available()
pytestmark = [pytest.mark.root, pytest.mark.skipif(why_not is not None, reason=why_not or "")]
INDEX = 21
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("portal")
    lab = NetLab(workdir)
    try:
        ca = lab.start(captive=[INDEX])
        client = lab.add_client("portal", INDEX)
        lab.run_world()
        policy = workdir / "policy.toml"
        policy.write_text(policy_text(str(ca)))
        yield lab, client, policy, workdir
    finally:
        lab.stop()


def in_namespace(client, *args: str) -> list[str]:
    return ["ip", "netns", "exec", client.namespace, *args]


def read_until(fd: int, proc: subprocess.Popen, text: str, timeout: float = 30.0) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        assert time.monotonic() < deadline, seen.decode(errors="replace")
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            seen += chunk
        elif proc.poll() is not None:
            raise AssertionError(f"ended early: {seen.decode(errors='replace')}")
    return seen.decode(errors="replace")


def test_the_sign_in_page_is_opened_and_after_signing_in_ally_says_fixed(portal):
    _, client, policy, workdir = portal
    bin_dir = workdir / "bin"
    bin_dir.mkdir()
    opened = workdir / "opened.txt"
    (bin_dir / "xdg-open").write_text(f'#!/bin/sh\necho "$@" >> {opened}\n')
    (bin_dir / "xdg-open").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(
        ALLY_POLICY=str(policy),
        ALLY_HOME=str(workdir / "home"),
        PATH=f"{bin_dir}:{env['PATH']}",
    )
    listed = subprocess.run(
        in_namespace(client, sys.executable, "-m", "desktop", "diagnose", "--symptom", "internet"),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "This network wants you to sign in first." in listed.stdout
    assert "ally fix open_sign_in_page" in listed.stdout

    # A terminal, as the person has: Ally asks them to press Enter once signed in.
    master, slave = os.openpty()
    proc = subprocess.Popen(
        in_namespace(client, sys.executable, "-m", "desktop", "fix", "open_sign_in_page", "--yes"),
        env=env,
        cwd=ROOT,
        stdin=slave,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    try:
        first = read_until(master, proc, "press Enter")
        said = " ".join(first.split())
        assert "Ally will open the network's sign-in page in your web browser." in said
        assert "The sign-in page should be open in your web browser now." in said
        # The desktop's opener was asked for IT's plain-HTTP check address, which the
        # login page answers with itself.
        assert opened.read_text().split() == ["http://check.ally.test/generate_204"]
        # The person signs in on the page.
        signed = subprocess.run(
            in_namespace(
                client,
                sys.executable,
                "-c",
                "import urllib.request;print(urllib.request.urlopen("
                "'http://login.portal.ally.test/signin', timeout=5).read().decode())",
            ),
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert "signed in" in signed.stdout, signed.stderr
        os.write(master, b"\n")
        rest = read_until(master, proc, "Details for IT: open_sign_in_page fixed")
        assert "Fixed. You are signed in, and the internet works now." in " ".join(rest.split())
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    steps = [(t["outcome"], t["did"]) for t in Journal(workdir / "home" / "data").recent()]
    assert (
        steps[0][0] == "done"
        and "opened: xdg-open http://check.ally.test/generate_204" in steps[0][1]
    )
    assert steps[1][0] == "fixed"
