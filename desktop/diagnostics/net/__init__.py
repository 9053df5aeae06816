"""The network walk's building blocks: routes, Wi-Fi, reachability, name lookup, HTTP checks.

Each function is bounded by its own timeout and returns a result object; none raises
for a network failure, because a failure is exactly what the walk is there to report.
"""
