"""The share rule names a program only when it holds the load, and never one a person
cannot act on: a process with a blank name ("(no name)") is never the culprit."""

from __future__ import annotations

from desktop.diagnostics.rules.culprits import UNNAMED, Culprit, blame
from tests.scenarios import scenarios


def test_a_program_with_no_name_is_never_named():
    inp = scenarios()["cpu_sustained"]["inp"]
    ranked = [Culprit(UNNAMED, "(no name)", None, 90.0), Culprit("exe:hogx", "hogx", None, 5.0)]
    assert blame(ranked, 95.0, inp) is None  # nor hogx, which did 5 % of it, in its place
    shared = blame([ranked[1], Culprit(UNNAMED, "(no name)", None, 4.0)], 95.0, inp)
    assert shared is not None and shared.named is None
    assert [c.name for c in shared.several] == ["hogx"]
    assert blame([Culprit(UNNAMED, "(no name)", None, 90.0)], 90.0, inp) is None
    named = blame([Culprit("exe:hogx", "hogx", None, 90.0)], 95.0, inp)
    assert named is not None and named.named is not None and named.named.name == "hogx"
