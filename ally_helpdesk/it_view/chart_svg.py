"""IT's HTML view's charts as inline SVG: the same look as the window's charts (scale
with units, the "too much" band from the rules' limits, time labels from the history
held, a legend where two lines share a chart, the plain sentence underneath). No Qt,
no scripts; every text is escaped by the caller's ``escape``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ally_helpdesk.it_view import charting
from ally_helpdesk.it_view.charting import ChartSpec, ChartView

W, H = 560, 140
LEFT, RIGHT, TOP, BOTTOM = 72, 8, 8, 24  # room for the scale's text and the time labels

# A report carries the limits its findings were judged by; others use the defaults.
_EVIDENCE_LIMITS = {
    "threshold_cpu_pct": "cpu_busy_pct",
    "threshold_used_pct": "memory_used_pct",
    "threshold_busy_pct": "disk_busy_pct",
}


def limits_of(findings: list[dict[str, Any]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for f in findings:
        for key, limit in _EVIDENCE_LIMITS.items():
            value = (f.get("evidence") or {}).get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out[limit] = float(value)
    return out


def figure(
    spec: ChartSpec,
    history: Mapping[str, Any],
    findings: list[dict[str, Any]],
    escape: Callable[[Any], str],
    limits: Mapping[str, float] | None = None,
) -> str:
    """One chart of IT's page, drawn by the limits the answer was judged by (the report's
    own; a report from before they were kept gives those its findings name)."""
    found = {f.get("id") for f in findings}
    chart = charting.view(spec, history, limits or limits_of(findings), found)
    chart = _reported(chart)
    head = (
        f"<figure class='card chart' data-metric='{escape(charting.spec_for(spec, history).series[0])}'>"
        f"<figcaption><b>{escape(chart.title)}</b>{_legend(chart, escape)}</figcaption>"
    )
    if chart.empty:
        return head + f"<div class='meta'>{escape(chart.sentence)}</div></figure>"
    sentence = f"<div class='meta'>{escape(chart.sentence)}</div>" if chart.sentence else ""
    return head + svg(chart, escape) + sentence + "</figure>"


def _reported(chart: ChartView) -> ChartView:
    return replace(chart, end_label=charting.words("reported"))


def _legend(chart: ChartView, escape: Callable[[Any], str]) -> str:
    keyed = [line for line in chart.lines if line.label]
    return "".join(
        f" <span class='legend'><span style='color:{line.colour}'>━━</span> "
        f"{escape(line.label)}</span>"
        for line in keyed
    )


def svg(chart: ChartView, escape: Callable[[Any], str]) -> str:
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def y(v: float) -> float:
        return TOP + ph * (1 - min(max(v, 0.0), chart.top) / chart.top)

    out = [
        f"<svg viewBox='0 0 {W} {H}' width='100%' role='img' aria-label='{escape(chart.title)}'>",
        f"<rect x='{LEFT}' y='{TOP}' width='{pw}' height='{ph}' fill='#fff' stroke='#d0d7de'/>",
    ]
    if chart.band_from is not None:
        by = y(chart.band_from)
        out.append(
            f"<rect class='too-much' x='{LEFT}' y='{TOP}' width='{pw}' height='{by - TOP:.1f}' "
            f"fill='{charting.BAND_COLOUR}' fill-opacity='0.12'/>"
            f"<text x='{LEFT + 4}' y='{TOP + 12}'>{escape(chart.band_label)}</text>"
        )
    if chart.spell_from is not None:  # the span the answer speaks of, marked
        x = LEFT + (chart.spell_from - chart.offsets[0]) / max(chart.span_s, 1.0) * pw
        out.append(
            f"<rect class='spell' x='{x:.1f}' y='{TOP}' width='{LEFT + pw - x:.1f}' "
            f"height='{ph}' fill='{charting.BAND_COLOUR}' fill-opacity='0.08'/>"
            f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{TOP}' y2='{TOP + ph}' "
            f"stroke='{charting.BAND_COLOUR}' stroke-width='1.5'/>"
        )
    for value, label in chart.ticks:
        out.append(
            f"<line x1='{LEFT}' x2='{LEFT + pw}' y1='{y(value):.1f}' y2='{y(value):.1f}' "
            "stroke='#d0d7de' stroke-width='0.6'/>"
            f"<text x='{LEFT - 6}' y='{y(value) + 4:.1f}' text-anchor='end'>{escape(label)}</text>"
        )
    span = max(chart.span_s, 1.0)
    for line in chart.lines:
        points = [
            f"{LEFT + (t - chart.offsets[0]) / span * pw:.1f},{y(v):.1f}"
            for t, v in zip(chart.offsets, line.values, strict=False)
            if v is not None
        ]
        out.append(
            f"<polyline fill='none' stroke='{line.colour}' stroke-width='1.6' "
            f"points='{' '.join(points)}'/>"
        )
    out.append(
        f"<line class='reported' x1='{LEFT + pw}' y1='{TOP}' x2='{LEFT + pw}' y2='{TOP + ph}' "
        f"stroke='{charting.BAND_COLOUR}' stroke-dasharray='3 2'/>"
        f"<text x='{LEFT}' y='{H - 6}'>{escape(chart.start_label)}</text>"
        f"<text x='{LEFT + pw}' y='{H - 6}' text-anchor='end'>{escape(chart.end_label)}</text>"
        "</svg>"
    )
    return "".join(out)
