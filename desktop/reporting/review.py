"""What will be sent, readably: the same document, shown to the person before sending."""

from __future__ import annotations

import base64
from typing import Any

from ally_helpdesk.evidence.plain_numbers import duration, size
from desktop.base.words import listed, say
from desktop.diagnostics.model import Symptom
from desktop.reporting import helping
from desktop.reporting.report import dumps

SYMPTOM_KEYS = tuple(s.value for s in Symptom)  # the symptom list, written once
LABEL_WIDTH = 19  # "What feels wrong:" and its neighbours; a longer label pushes its value on


def _w(key: str, **values: Any) -> str:
    return say(key, "review", **values)


def symptom_words(symptom: str) -> str:
    """The symptom as the person chose it ("My computer is slow"), never its code."""
    return say(symptom if symptom in SYMPTOM_KEYS else "other", "symptoms")


def check_words(name: str) -> str:
    """A check by the name a person knows ("Printers"); a check without words is "Another
    check" rather than its code (the registry test names any that lacks words)."""
    text = say(name, "checks")
    return text if text != name else say("unknown", "checks")


def part_words(name: str) -> str:
    """A part of a report that can be left out ("the list of programs that are running")."""
    text = say(name, "parts")
    return text if text != name else say("unknown", "parts")


def found_lines(d: dict[str, Any]) -> list[tuple[str, str]]:
    """The summary's headline, then each other finding once (never the headline again)."""
    headline = d["summary"]["headline"]
    seen = {headline}
    rows = [("found", headline)]
    for f in d["findings"]:
        if f["severity"] == "info" or f["headline"] in seen:
            continue
        seen.add(f["headline"])
        rows.append(("also", f["headline"]))
    return rows


def preview(report: dict[str, Any], aligned: bool = True) -> str:
    """The report as the person reads it before it is sent: the same document, in words
    from the catalog, without a single code; each finding once. ``aligned`` lines the
    values up for a terminal; the window shows "Label: value" in its own font."""

    def row(label_key: str, value: str) -> str:
        label = _w(label_key) + ":"
        return f"  {label.ljust(LABEL_WIDTH)} {value}" if aligned else f"{label} {value}"

    d, m = report["diagnosis"], report["machine"]
    none = _w("none")
    contact = report.get("contact")
    history_s = d.get("history_s") or 0
    lines = [
        _w("heading"),
        "",
        row("symptom", symptom_words(report["symptom"])),
        row("note", report["note"] or none),
        row("contact", ", ".join(v for v in contact.values() if v) if contact else none),
        row("screenshot", _screenshot(report.get("screenshot"))),
        *[row(key, text) for key, text in found_lines(d)],
        *[row(key, value) for key, value in helping.preview_rows(report)],
        # Only what was really checked; what could not be is said as such, never as checked.
        row("checks", listed(check_words(n) for n, sec in d["sections"].items() if _made(sec))),
        *(
            [row("not_checked", not_checked)]
            if (
                not_checked := listed(
                    check_words(n) for n, sec in d["sections"].items() if not _made(sec)
                )
            )
            else []
        ),
        row(
            "history",
            _w("history_value", duration=duration(history_s)) if history_s else _w("history_none"),
        ),
        row("computer", _computer(m)),
        row("left_out", listed(part_words(p) for p in report["left_out"]) or _w("nothing")),
        *([row("code", report["reference_code"])] if report.get("reference_code") else []),
        row("size", size(len(dumps(report)))),
        "",
        _w("never"),
        *([_w("never_but_picture")] if report.get("screenshot") else []),
    ]
    return "\n".join(lines) + "\n"


def _made(section: dict[str, Any]) -> bool:
    """Whether a check was really made (a section that timed out, failed, was turned off
    by IT or left out by the person was not)."""
    return section.get("status") == "ok"


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
        raise ValueError(say("not_a_png", "input_parts"))
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not (0 < width <= MAX_PNG_SIDE and 0 < height <= MAX_PNG_SIDE) or (
        width * height > MAX_PNG_PIXELS
    ):
        raise ValueError(say("absurd_png", "input_parts", width=width, height=height))
    return width, height
