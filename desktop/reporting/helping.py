"""The report's two parts about helping: what the person tried with Ally's fixes for this
report (from the journal), and IT's own news that was open at the click. Both appear on
the review screen and in IT's HTML view."""

from __future__ import annotations

from typing import Any

from desktop.text_safety import html_escape

NO_FIXES: dict[str, list] = {"tried": [], "offered": [], "not_offered": []}
NO_NEWS: dict[str, Any] = {
    "configured": False,
    "read_at": None,
    "fresh": False,
    "problem": None,
    "open_incidents": [],
}


def fixes_part(
    paths: Any,
    offers: Any = None,
    report_id: str | None = None,
    changed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What was tried for this report (``report_id``; none without one), and what Ally
    offered and did not offer, and why. A fix belongs to the report it was made for:
    one tried from the terminal, or for an earlier report, never turns up in this one.
    ``changed``: what the last fix that worked changed, as Ally judged it again
    (ReportSession.what_changed); present only when a fix was tried for this report."""
    from desktop.fixes.journal import Journal

    tried = Journal.of(paths).recent(for_report=report_id) if report_id is not None else []
    part: dict[str, Any] = {"tried": tried, "offered": [], "not_offered": []}
    if offers is not None:
        part.update(offers.to_dict())
    if changed is not None and tried:
        part["changed"] = dict(changed)
    return part


def news_part(watcher: Any) -> dict[str, Any]:
    return watcher.report_section() if watcher is not None else dict(NO_NEWS)


def preview_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """Rows for the review (label key in [review], value): what was tried and IT's news
    at the click. The person sees this part too before it is sent, in words: the fix by
    its button's words, the outcome in a few words, the time of day."""
    from desktop.words import say

    rows = []
    tried = (report.get("fixes") or {}).get("tried") or []
    if tried:
        one = [
            say(
                "tried_one",
                "review",
                fix=_fix_words(str(t.get("fix", ""))),
                when=_time_of_day(str(t.get("started_at", ""))),
                outcome=say(f"outcome_{t.get('outcome')}", "review"),
            )
            for t in tried[-5:]
        ]
        rows.append(("tried", "; ".join(one)))
    news = (report.get("news") or {}).get("open_incidents") or []
    if news:
        rows.append(("news", "; ".join(str(n["name"]) for n in news[:5])))
    return rows


def _fix_words(fix_id: str) -> str:
    """The fix by its button's words ("Empty the Trash"; "Close a program")."""
    from desktop.fixes.registry import words_key
    from desktop.words import say, table

    entry = table(words_key(fix_id))
    button = entry.get("button") if isinstance(entry, dict) else None
    if not button:
        return say("unknown_fix", "review")
    return str(button).replace("{app}", say("a_program", "review"))


def _time_of_day(iso: str) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone().strftime("%H:%M")
    except ValueError:
        return iso


def _e(value: Any) -> str:
    return html_escape("" if value is None else str(value))


def _w(key: str, **values: Any) -> str:
    """IT's words on the HTML page ([html_view] in the catalog), as written there."""
    from desktop.words import say

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
