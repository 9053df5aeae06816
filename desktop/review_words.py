"""What will be sent, in the person's words: the review screen (no Qt here).

The same document that is sent, shown without a single code: "My computer is slow", not
"slow"; "the list of programs that are running", not "process_list"; each finding once.
The exact JSON stays one click away on the review screen.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from desktop.diagnostics.rules.wording import duration, size
from desktop.reporting import helping
from desktop.reporting.report import dumps
from desktop.words import say


def _w(key: str, **values: Any) -> str:
    return say(key, "review", **values)


def symptom_words(symptom: str) -> str:
    return say(symptom if symptom in SYMPTOM_KEYS else "other", "symptoms")


def check_words(name: str) -> str:
    text = say(name, "checks")
    return text if text != name else say("unknown", "checks")


def part_words(name: str) -> str:
    text = say(name, "parts")
    return text if text != name else say("unknown", "parts")


def listed(items: Iterable[str]) -> str:
    names = [x for x in items if x]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


SYMPTOM_KEYS = ("slow", "internet", "app", "printing", "other")


def found_lines(d: dict[str, Any]) -> list[tuple[str, str]]:
    """The summary's headline, then each other finding once (never the headline again)."""
    headline = d["summary"]["headline"]
    seen = {headline}
    rows = [(_w("found"), headline)]
    for f in d["findings"]:
        if f["severity"] == "info" or f["headline"] in seen:
            continue
        seen.add(f["headline"])
        rows.append((_w("also"), f["headline"]))
    return rows


def preview(report: dict[str, Any]) -> str:
    d, m = report["diagnosis"], report["machine"]
    contact = report.get("contact") or {}
    shot = report.get("screenshot")
    picture = _w("none")
    if shot:
        raw = len(base64.b64decode(shot["png_base64"]))
        picture = _w("picture_yes", width=shot["width"], height=shot["height"], size=size(raw))
    history_s = d.get("history_s") or 0
    rows = [
        (_w("symptom"), symptom_words(report["symptom"])),
        (_w("note"), report["note"] or _w("none")),
        (_w("contact"), ", ".join(v for v in contact.values() if v) or _w("none")),
        (_w("picture"), picture),
        *found_lines(d),
        (_w("checks"), listed(check_words(n) for n in d["sections"])),
        (
            _w("history"),
            _w("history_text", duration=duration(history_s)) if history_s else _w("history_none"),
        ),
        (
            _w("machine"),
            _w(
                "machine_text",
                host=m.get("hostname") or _w("left_out_value"),
                os=m.get("os") or "",
                user=m.get("user") or _w("left_out_value"),
            ),
        ),
        (_w("left_out_label"), listed(part_words(p) for p in report["left_out"]) or _w("nothing")),
        (_w("size"), size(len(dumps(report)))),
    ]
    lines = [_w("intro"), ""]
    lines += [f"{label}: {value}" for label, value in rows]
    lines += [line.strip() for line in helping.preview_lines(report)]
    lines += ["", _w("never")]
    return "\n".join(lines) + "\n"
