"""What will be sent, readably: the same document, shown to the person before sending."""

from __future__ import annotations

import base64
from typing import Any

from desktop.plain_numbers import duration, size
from desktop.reporting import helping
from desktop.reporting.report import dumps


def preview(report: dict[str, Any]) -> str:
    d = report["diagnosis"]
    m = report["machine"]
    lines = [
        "This is what will be sent to IT:",
        "",
        f"  What feels wrong:   {report['symptom']}",
        f"  Your words:         {report['note'] or '(none)'}",
    ]
    contact = report.get("contact")
    lines.append(
        "  How to reach you:   "
        + (", ".join(v for v in contact.values() if v) if contact else "(none)")
    )
    shot = report.get("screenshot")
    if shot:
        raw = len(base64.b64decode(shot["png_base64"]))
        lines.append(
            f"  Screenshot:         yes, {shot['width']}×{shot['height']} pixels ({size(raw)})"
        )
    else:
        lines.append("  Screenshot:         no")
    lines += [
        f"  What Ally found:    {d['summary']['headline']}",
        *[
            f"                      - {f['headline']}"
            for f in d["findings"]
            if f["severity"] != "info"
        ],
        *helping.preview_lines(report),
        f"  Checks included:    {', '.join(d['sections'])}",
        f"  History:            the last {duration(d['history_s'])} of processor, memory, "
        "drive and network use",
        f"  This computer:      {m.get('hostname') or '(left out)'}, {m.get('os')}, user {m.get('user') or '(left out)'}",
        f"  Left out on purpose: {', '.join(report['left_out']) or 'nothing'}",
        *(
            [f"  Report code:        {report['reference_code']}"]
            if report.get("reference_code")
            else []
        ),
        f"  Size:               {size(len(dumps(report)))}",
        "",
        "Never included: what you type in programs, file names or contents, window titles,",
        "websites you visit, or program command lines.",
    ]
    return "\n".join(lines) + "\n"


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
