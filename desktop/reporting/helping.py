"""The report's two parts about helping: what the person tried with Ally's fixes for this
report (from the journal), and IT's own news that was open at the click. Both appear on
the review screen (here) and in IT's HTML view (ally_helpdesk/it_view/tried_and_news.py)."""

from __future__ import annotations

from typing import Any

from ally_helpdesk.it_view.tried_and_news import NO_NEWS


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
    from desktop.base.words import say

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
    from desktop.base.words import say, table
    from desktop.fixes.registry import words_key

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
