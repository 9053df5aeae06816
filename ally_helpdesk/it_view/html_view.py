"""IT's view of a report: one self-contained HTML file, no scripts, no external resources.

The person's words come first, then Ally's summary, the findings with IT's detail, charts
of the minutes before the report (inline SVG, the moment of the report marked), the top
applications, the network walk and the machine. Every value from the report is escaped,
and its control characters removed (an escape sequence in a program's name must reach
neither a browser nor a terminal that shows the file). A part that a changed report
cannot fill says so instead of stopping the whole page.
"""

from __future__ import annotations

import base64
from typing import Any

from ally_helpdesk.evidence.plain_numbers import size
from ally_helpdesk.it_view import chart_svg, tried_and_news
from ally_helpdesk.it_view.charting import IT_SPECS
from ally_helpdesk.text_safety import html_escape, without_controls
from ally_words import say

# The charts and their look: chart_svg.py (the same as the window's).
CHARTS = IT_SPECS

CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a;font-size:13px} .card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:14px 16px;margin:10px 0}
.words{font-size:17px;white-space:pre-wrap;border-left:4px solid #1f6feb}
.sev{display:inline-block;font-size:12px;font-weight:600;border-radius:10px;padding:1px 8px;margin-right:6px;color:#fff;background:#57606a}
.critical{background:#cf222e}.warning{background:#8a5a00}.notice{background:#0969da}.info{background:#57606a}.ok{background:#1a7f37}
.shot{max-width:100%;height:auto;border:1px solid #d0d7de;border-radius:6px}
.it{font-family:ui-monospace,SFMono-Regular,Consolas,monospace;font-size:12.5px;background:#f6f8fa;padding:8px;border-radius:6px;white-space:pre-wrap}
table{border-collapse:collapse;width:100%;font-size:13.5px} td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:10px} svg text{font:11px system-ui,sans-serif;fill:#57606a} .legend{font-size:13px;margin-left:12px;color:#57606a}
"""


def _w(key: str, **values: Any) -> str:
    """IT's words for the page ([html_view] in the catalog); values come escaped."""
    return say(key, "html_view", **values)


def _e(value: Any) -> str:
    return html_escape(without_controls("" if value is None else str(value)))


def _part(build, *args: Any) -> str:
    """One part of the page; a report whose fields are not what Ally writes gets a line
    that says so for that part only."""
    try:
        return build(*args)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return f"<div class='meta'>{_e(_w('part_failed'))}</div>"


def _meta(report: dict[str, Any]) -> str:
    """The line under the headline: symptom, when, where, who, which Ally, which report."""
    machine = report["machine"]
    line = _w(
        "meta",
        symptom=f"<b>{_e(report['symptom'])}</b>",
        created_at=_e(report["created_at"]),
        host=_e(machine.get("hostname") or _w("host_left_out")),
        user=_e(machine.get("user") or _w("user_left_out")),
        version=_e(report["ally_version"]),
        id=_e(report["id"]),
    )
    if report.get("reference_code"):
        line += _w("meta_code", code=_e(report["reference_code"]))
    return f"<div class='meta'>{line}</div>"


def render(report: dict[str, Any]) -> str:
    d = report["diagnosis"]
    s = d["summary"]
    note = _e(report["note"]) if report.get("note") else f"<i>{_e(_w('no_words'))}</i>"
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        # Nothing may load from outside or run: the file is opened by IT on any machine.
        # The picture of the screen is the report's own PNG, inline (data:), nothing else.
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<meta name='viewport' content='width=device-width'><title>{_e(_w('title', id=report['id']))}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<h1>{_e(s['headline'])}</h1>",
        _meta(report),
        f"<h2>{_e(_w('heading_words'))}</h2>",
        f"<div class='card words'>{note}</div>",
    ]
    contact = report.get("contact")
    if contact:
        said = " · ".join(_e(v) for v in contact.values() if v)
        parts.append(f"<div class='meta'>{_w('contact', contact=said)}</div>")
    parts += [
        f"<h2>{_e(_w('heading_found'))}</h2>",
        f"<div class='card'><span class='sev {_e(s['severity'])}'>{_e(s['severity'])}</span>{_e(s['explanation'])}"
        f"<div class='it'>{_e(s.get('it_detail', ''))}</div></div>",
    ]
    for f in d["findings"]:
        parts.append(
            f"<div class='card'><span class='sev {_e(f['severity'])}'>{_e(f['severity'])}</span>"
            f"<b>{_e(f['headline'])}</b> <span class='meta'>({_e(f['id'])})</span>"
            f"<div>{_e(f['explanation'])}</div><div class='it'>{_e(f['it_detail'])}</div></div>"
        )
    parts.append(_part(_screenshot, report.get("screenshot")))
    parts.append(f"<h2>{_e(_w('heading_minutes'))}</h2><div class='charts'>")
    for spec in CHARTS:
        parts.append(
            _part(chart_svg.figure, spec, report["history"], d["findings"], _e, d.get("limits"))
        )
    parts.append("</div>")
    parts.append(_part(tried_and_news.html, report))
    parts.append(_part(_apps, d["sections"]))
    parts.append(_part(_network, d["sections"]))
    parts.append(_part(_machine, report, d))
    parts.append("</main></body></html>")
    return "".join(parts)


def _screenshot(shot: dict[str, Any] | None) -> str:
    """The picture of the screen the person chose to send, as sent (only a real PNG is
    shown; anything else in its place is said, never put in the page)."""
    if not shot:
        return ""
    heading = f"<h2>{_e(_w('heading_screenshot'))}</h2>"
    data = str(shot.get("png_base64") or "")
    try:
        png = base64.b64decode(data, validate=True)
    except (ValueError, TypeError):
        png = b""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        return f"{heading}<div class='meta'>{_e(_w('screenshot_unusable'))}</div>"
    size = _e(_w("screenshot_size", width=shot.get("width"), height=shot.get("height")))
    return (
        f"{heading}<div class='card'><img class='shot' alt='{size}' "
        f"src='data:image/png;base64,{_e(data)}'><div class='meta'>{size}</div></div>"
    )


def _apps(sections: dict[str, Any]) -> str:
    data = sections.get("processes", {}).get("data")
    heading = f"<h2>{_e(_w('heading_apps'))}</h2>"
    if not data:
        reason = sections.get("processes", {}).get("reason", _w("apps_not_collected"))
        return f"{heading}<div class='meta'>{_e(reason)}</div>"
    rows = "".join(
        f"<tr><td>{_e(a['name'])}{' (' + _e(a['background']) + ')' if a.get('background') else ''}</td>"
        f"<td>{float(a['cpu_pct']):.0f}%</td><td>{_e(size(a['memory_bytes']))}</td><td>{_e(a['process_count'])}</td>"
        f"<td>{_e(', '.join(str(p) for p in a['pids']))}</td></tr>"
        for a in data["top_cpu"] + [m for m in data["top_memory"] if m not in data["top_cpu"]]
    )
    head = _header("col_application", "col_processor", "col_memory", "col_processes", "col_pids")
    return f"{heading}<div class='card'><table>{head}{rows}</table></div>"


def _header(*keys: str) -> str:
    return "<tr>" + "".join(f"<th>{_e(_w(k))}</th>" for k in keys) + "</tr>"


def _network(sections: dict[str, Any]) -> str:
    walk = sections.get("connectivity", {})
    heading = f"<h2>{_e(_w('heading_network'))}</h2>"
    if walk.get("status") != "ok":
        reason = walk.get("reason", _w("network_not_checked"))
        return f"{heading}<div class='meta'>{_e(reason)}</div>"
    rows = "".join(
        f"<tr><td>{_e(s['name'])}</td><td>{_e(s['status'])}</td>"
        f"<td>{'' if s['duration_ms'] is None else _e(round(s['duration_ms']))}</td><td>{_e(s['detail'])}</td></tr>"
        for s in walk["data"]["steps"]
    )
    head = _header("col_step", "col_result", "col_ms", "col_detail")
    return f"{heading}<div class='card'><table>{head}{rows}</table></div>"


def _machine(report: dict[str, Any], d: dict[str, Any]) -> str:
    m = report["machine"]
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in m.items())
    missing = "".join(
        f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in d["not_checked"].items()
    )
    left = ", ".join(report.get("left_out", [])) or _w("left_out_nothing")
    notes = "; ".join(d.get("notes", [])) or _w("no_notes")
    missing = missing or f"<tr><td>{_e(_w('all_checked'))}</td></tr>"
    return (
        f"<h2>{_e(_w('heading_machine'))}</h2><div class='card'><table>{rows}</table></div>"
        f"<h2>{_e(_w('heading_not_checked'))}</h2><div class='card'><table>{missing}"
        f"</table></div><div class='meta'>{_w('left_out', left=_e(left), notes=_e(notes))}</div>"
    )
