"""Numbers as people read them, and never more than what happened."""

from __future__ import annotations

import pytest

from ally_helpdesk.evidence.plain_numbers import duration


@pytest.mark.parametrize(
    "seconds,said",
    [
        (0, "0 seconds"),
        (1, "1 second"),  # `ally diagnose --warm-up 1`: never "1 seconds"
        (1.9, "1 second"),
        (22.9, "22 seconds"),  # a spell of 22.9 s has not lasted 23 s
        (119.9, "119 seconds"),
        (120, "2 minutes"),
        (332, "5 minutes"),  # was "6 minutes": rounded up past what the person lived through
        (7199, "119 minutes"),
        (7200, "2 hours"),
        (47.9 * 3600, "47 hours"),
        (3 * 86400 - 1, "2 days"),
        (-5, "0 seconds"),
    ],
)
def test_durations_are_rounded_down_and_never_one_of_a_plural(seconds, said):
    assert duration(seconds) == said
