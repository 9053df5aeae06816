"""What reaches the person's terminal: text with control characters made visible, and
never a traceback (that goes to Ally's rotating log, which the terminal names)."""

from __future__ import annotations

import io
import logging
import logging.handlers
from pathlib import Path

import pytest

from ally_helpdesk.text_safety import VisibleWriter, html_escape, visible, without_controls
from desktop.start.logs import BACKUPS, MAX_BYTES, log_to_file
from desktop.terminal import cli
from tests.run_ally import run_ally


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;pwned\x07\x1b[2J", "\\u001b]0;pwned\\u0007\\u001b[2J"),
        ("\x9b2J", "\\u009b2J"),  # the 8-bit CSI some terminals obey
        ("evil\u202eexe.txt", "evil\\u202eexe.txt"),  # reads backwards from here
        ("line\r\nforged", "line\\u000d\nforged"),
        ("caf\udce9", "caf\\udce9"),  # a byte that was not UTF-8
        ("plain words, ü and 😀", "plain words, ü and 😀"),
    ],
)
def test_control_characters_are_made_visible(raw, shown):
    assert visible(raw) == shown
    assert "\n" not in visible(raw, one_line=True)
    assert not any(c in without_controls(raw) for c in "\x1b\x07\x9b\u202e\r")


def test_the_terminal_stream_filter_keeps_json_valid():
    import json

    buffer = io.StringIO()
    VisibleWriter(buffer).write(json.dumps({"name": "a\x9bb\u202ec"}, ensure_ascii=False))
    assert json.loads(buffer.getvalue()) == {"name": "a\x9bb\u202ec"}  # exact, via \\u escapes
    assert "\x9b" not in buffer.getvalue()


def test_argparse_repeating_a_hostile_argument_is_made_visible(tmp_path):
    out = run_ally("diagnose", "--symptom", "\x1b]0;pwned\x07", home=tmp_path / "h")
    assert out.returncode == 2 and "\x1b" not in out.stderr and "pwned" in out.stderr


def test_a_crash_shows_a_plain_line_and_the_trace_goes_to_the_log(tmp_path, monkeypatch, capsys):
    def broken(parser, args):
        raise RuntimeError("a bug in Ally \x1b[2J")

    monkeypatch.setattr(cli, "_run", broken)
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        assert cli.main(["doctor"]) == 3
    finally:
        for h in root.handlers[:]:
            if h not in handlers:
                root.removeHandler(h)
                h.close()
    err = capsys.readouterr().err
    log = tmp_path / "ally-home/logs/ally.log"
    assert "Traceback" not in err and "\x1b" not in err
    assert f"The details for IT are in {log}" in err and "RuntimeError: a bug in Ally" in err
    assert "Please tell IT what you were doing." in err  # never a dead end
    assert "Traceback (most recent call last)" in log.read_text()


def test_verbose_shows_log_lines_but_no_traceback(tmp_path):
    # -v with a policy that cannot be read: INFO lines on stderr, still no trace.
    out = run_ally("-v", "outbox", "list", home=tmp_path / "h")
    assert out.returncode == 0 and "Traceback" not in out.stderr


def test_the_log_rotates(tmp_path):
    path = log_to_file(tmp_path / "logs")
    root = logging.getLogger()
    handler = next(
        h
        for h in root.handlers
        if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path
    )
    try:
        line = "x" * 1000
        for _ in range(MAX_BYTES * (BACKUPS + 2) // 1000):
            logging.getLogger("ally.test").warning(line)
    finally:
        root.removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert files == ["ally.log"] + [f"ally.log.{i}" for i in range(1, BACKUPS + 1)]
    assert all(p.stat().st_size <= MAX_BYTES + 2000 for p in (tmp_path / "logs").iterdir())


def test_a_fault_in_the_tray_app_goes_to_the_log(tmp_path, monkeypatch):
    import sys

    from desktop.start import app

    root = logging.getLogger()
    handlers, hook = list(root.handlers), sys.excepthook
    try:
        app._log_to_file(tmp_path / "logs")
        try:
            raise ValueError("a slot that failed")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = hook
        for h in root.handlers[:]:
            if h not in handlers:
                root.removeHandler(h)
                h.close()
    text = (tmp_path / "logs/ally.log").read_text()
    assert "unexpected error in the tray app" in text and "ValueError: a slot that failed" in text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain words",
        "<script>alert('x')</script>",
        'a "quoted" & <tagged> value',
        "&amp; already escaped",
        "\x1b]0;pwned\x07 é ✓ \ud800",
        "".join(chr(c) for c in range(0x20, 0x7F)),
    ],
)
def test_html_escape_is_exactly_the_standard_librarys(text):
    import html

    assert html_escape(text) == html.escape(text)
