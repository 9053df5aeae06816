"""IT's view of one report: the HTML page (mail body, file beside the report, the relay's
report page) and the charts it shares with the person's window (charting.py works out what
a chart shows; chart_svg.py draws it for HTML, desktop/ui/charts.py for Qt)."""
