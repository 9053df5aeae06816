"""A real program whose executable name is a terminal escape sequence
(``ESC]0;pwned BEL ESC[2J``: retitle the window, clear the screen) keeps the processor
busy while `ally diagnose` runs. Ally names it, and the terminal gets no escape at all."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

from tests.run_ally import run_ally

HOSTILE = "\x1b]0;pwned\x07\x1b[2J"
SHOWN = "\\u001b]0;pwned\\u0007\\u001b[2J"


@pytest.fixture
def hostile_program(tmp_path):
    yes = shutil.which("yes")
    if yes is None:
        pytest.fail("coreutils' yes is missing; tools/setup.sh installs a standard system")
    program = tmp_path / HOSTILE
    shutil.copy(yes, program)
    proc = subprocess.Popen([str(program)], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_an_escape_sequence_in_a_program_name_never_reaches_the_terminal(hostile_program, tmp_path):
    home = tmp_path / "h"
    text = run_ally("diagnose", "--warm-up", "3", home=home)
    as_json = run_ally("diagnose", "--json", "--warm-up", "1", home=home)
    apps = run_ally("apps", home=home)
    for out in (text, as_json, apps):
        assert out.returncode == 0, out.stderr
        for stream in (out.stdout, out.stderr):
            assert "\x1b" not in stream and "\x07" not in stream and "\x9b" not in stream
    # Named, with its escapes shown as text: IT still sees which program it was.
    assert SHOWN in text.stdout, text.stdout
    names = json.dumps(json.loads(as_json.stdout))
    assert "\\\\u001b]0;pwned" in names or "\\u001b]0;pwned" in names
