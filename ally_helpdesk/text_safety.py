"""Text from outside Ally, made safe to show.

Program names, server replies, notes and policy text come from people and programs Ally
does not control. A program may call itself ``ESC]0;pwned BEL ESC[2J``: printed as it is,
that retitles and clears the terminal of whoever reads it. So every such string is shown
with its control characters made visible (``\\u001b``) in the terminal, removed in IT's
HTML, and never interpreted as markup in a window (see desktop/ui).

``\\uXXXX`` is used for the visible form because it is also a valid escape inside JSON,
so the same filter keeps ``--json`` output exact.
"""

from __future__ import annotations

import re
from typing import TextIO

# C0 controls (but newline and tab), DEL, C1 controls, the line and paragraph separators,
# the bidirectional overrides and isolates (text that reads differently from what it is),
# and lone surrogates (bytes that were not UTF-8, kept by Python as U+DC80-U+DCFF).
_UNSAFE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)
UNSAFE = re.compile(f"[{_UNSAFE}]")
UNSAFE_IN_A_LINE = re.compile(f"[{_UNSAFE}\n\t]")


# What html.escape does, without loading the html module's 2,000 named characters (about
# 0.5 MB held for weeks by the tray app once a window or a tooltip needed it).
_HTML_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
)


def html_escape(text: str) -> str:
    """``text`` as HTML text or attribute value, exactly as ``html.escape(text)``."""
    return text.translate(_HTML_ESCAPES)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def visible(text: str, one_line: bool = False) -> str:
    """``text`` with control characters shown as ``\\uXXXX``; with ``one_line`` newlines
    and tabs too, so a name can never start a line of its own."""
    return (UNSAFE_IN_A_LINE if one_line else UNSAFE).sub(_escape, text)


def without_controls(text: str) -> str:
    """``text`` with control characters removed (newlines and tabs kept): for IT's HTML."""
    return UNSAFE.sub("", text)


def has_undecodable(text: str) -> bool:
    """Whether ``text`` came from bytes that were not UTF-8 (Python keeps those as lone
    surrogates, which cannot be stored or sent)."""
    return any("\ud800" <= c <= "\udfff" for c in text)


class VisibleWriter:
    """A text stream that makes control characters visible in everything written to it:
    the terminal never receives an escape sequence, whoever put it into the text."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(visible(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
