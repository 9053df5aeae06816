"""What will be sent, readably: the same document, shown to the person before sending."""

from __future__ import annotations

import base64
from typing import Any

from desktop.plain_numbers import duration, size
from desktop.reporting import helping
from desktop.reporting.report import dumps
from desktop.words import say


def row(label_key: str, value: str) -> str:
    """One line of the review: the label from the catalog, the values lined up."""
    return f"  {(say(label_key, 'review') + ':').ljust(LABEL_WIDTH)} {value}"


LABEL_WIDTH = 19  # "What feels wrong:" and its neighbours; a longer label pushes its value on


def preview(report: dict[str, Any]) -> str:
    """The report as the person reads it before it is sent: the same document, in words
    from the catalog ([review]); symptoms and checks by the names the person knows."""
    d = report["diagnosis"]
    m = report["machine"]
    none = say("none", "review")
    contact = report.get("contact")
    lines = [
        say("heading", "review"),
        "",
        row("symptom", _symptom(report["symptom"])),
        row("note", report["note"] or none),
        row("contact", ", ".join(v for v in contact.values() if v) if contact else none),
        row("screenshot", _screenshot(report.get("screenshot"))),
        row("found", d["summary"]["headline"]),
        *[
            " " * (LABEL_WIDTH + 3) + f"- {f['headline']}"
            for f in d["findings"]
            if f["severity"] != "info"
        ],
        *helping.preview_lines(report),
        row("checks", ", ".join(say(name, "checks") for name in d["sections"])),
        row("history", say("history_value", "review", duration=duration(d["history_s"]))),
        row("computer", _computer(m)),
        row("left_out", ", ".join(report["left_out"]) or say("nothing", "review")),
        *([row("code", report["reference_code"])] if report.get("reference_code") else []),
        row("size", size(len(dumps(report)))),
        "",
        say("never", "review"),
    ]
    return "\n".join(lines) + "\n"


def _symptom(value: str) -> str:
    """The symptom as the person chose it ("My computer is slow"), not its code."""
    words = say(value, "symptoms")
    return words if words != value else value


def _screenshot(shot: dict[str, Any] | None) -> str:
    if not shot:
        return say("no", "review")
    raw = len(base64.b64decode(shot["png_base64"]))
    return say(
        "screenshot_yes",
        "review",
        width=str(shot["width"]),
        height=str(shot["height"]),
        size=size(raw),
    )


def _computer(m: dict[str, Any]) -> str:
    gone = say("left_out_value", "review")
    return say(
        "computer_value",
        "review",
        host=m.get("hostname") or gone,
        os=str(m.get("os")),
        user=m.get("user") or gone,
    )


MAX_PNG_SIDE = 16384  # larger than any screen; a header that says more is not a screenshot
MAX_PNG_PIXELS = 64_000_000


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header; ValueError if it is not a PNG or its size is
    absurd (a few bytes may claim 4 billion pixels, which a viewer would try to allocate)."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("it is not a PNG picture")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not (0 < width <= MAX_PNG_SIDE and 0 < height <= MAX_PNG_SIDE) or (
        width * height > MAX_PNG_PIXELS
    ):
        raise ValueError(f"its header says {width}×{height} pixels, which no screen has")
    return width, height
