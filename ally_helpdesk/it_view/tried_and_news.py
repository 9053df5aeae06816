"""IT's view of the report's two parts about helping: what the person tried with Ally's
fixes (so IT does not repeat it) and IT's own news that was open at the click."""

from __future__ import annotations

from typing import Any

from ally_helpdesk.text_safety import html_escape
from ally_words import say

NO_FIXES: dict[str, list] = {"tried": [], "offered": [], "not_offered": []}
NO_NEWS: dict[str, Any] = {
    "configured": False,
    "read_at": None,
    "fresh": False,
    "problem": None,
    "open_incidents": [],
}


def _e(value: Any) -> str:
    return html_escape("" if value is None else str(value))


def _w(key: str, **values: Any) -> str:
    """IT's words on the HTML page ([html_view] in the catalog), as written there."""
    return say(key, "html_view", **values)


def _head(*keys: str) -> str:
    return "<tr>" + "".join(f"<th>{_w(k)}</th>" for k in keys) + "</tr>"


def html(report: dict[str, Any]) -> str:
    """IT's view: what was tried (so it is not repeated) and IT's news at the click."""
    fixes = report.get("fixes") or NO_FIXES
    rows = "".join(
        f"<tr><td>{_e(t['started_at'])}</td><td>{_e(t['fix'])}</td><td>{_e(t['finding'])}</td>"
        f"<td><b>{_e(t['outcome'])}</b>{_w('forced') if t.get('forced') else ''}</td>"
        f"<td>{_e(t['did'])}</td><td>{_e(t.get('recheck') or '')}</td></tr>"
        for t in fixes.get("tried", [])
    )
    out = [f"<h2>{_w('heading_tried')}</h2>"]
    head = _head("col_when", "col_fix", "col_for", "col_result", "col_did", "col_recheck")
    out.append(
        f"<div class='card'><table>{head}{rows}</table></div>"
        if rows
        else f"<div class='meta'>{_w('nothing_tried')}</div>"
    )
    changed = fixes.get("changed")
    if isinstance(changed, dict):
        result = _w("changed_gone" if changed.get("gone") else "changed_still")
        line = _w(
            "changed",
            fix=_e(changed.get("fix")),
            result=result,
            before=_e(changed.get("before")),
            after=_e(changed.get("after")),
        )
        out.append(f"<div class='meta'>{line}</div>")
    offered = ", ".join(o["fix"] for o in fixes.get("offered", []))
    not_offered = "; ".join(f"{n['fix']}: {n['reason']}" for n in fixes.get("not_offered", []))
    none = _w("none")
    offers = _w("offers", offered=_e(offered or none), not_offered=_e(not_offered or none))
    out.append(f"<div class='meta'>{offers}</div>")
    news = report.get("news") or NO_NEWS
    out.append(f"<h2>{_w('heading_feed')}</h2>")
    if not news.get("configured"):
        out.append(f"<div class='meta'>{_w('no_feed')}</div>")
        return "".join(out)
    incidents = "".join(
        f"<tr><td>{_e(i['name'])}</td><td>{_e(i['status'])}</td><td>{_e(i['impact'])}</td>"
        f"<td>{_e(i['started_at'])}</td><td>{_e(', '.join(i['components']))}</td>"
        f"<td>{_e(i.get('latest_update') or '')}</td></tr>"
        for i in news.get("open_incidents", [])
    )
    head = _head(
        "col_incident", "col_status", "col_impact", "col_since", "col_components", "col_latest"
    )
    out.append(
        f"<div class='card'><table>{head}{incidents}</table></div>"
        if incidents
        else f"<div class='meta'>{_w('no_incident')}</div>"
    )
    read = _w("feed_read", when=_e(news.get("read_at") or _w("never")))
    if news.get("problem"):
        read += _w("feed_problem", problem=_e(news["problem"]))
    if not news.get("fresh"):
        read += _w("feed_not_fresh")
    out.append(f"<div class='meta'>{read}.</div>")
    return "".join(out)
