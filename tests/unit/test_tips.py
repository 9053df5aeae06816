from desktop.diagnostics.explain import Explanation
from desktop.diagnostics.findings import Severity
from desktop.tips import TipScheduler


def finding(fid="disk_nearly_full", severity=Severity.WARNING):
    return Explanation(
        fid,
        severity,
        "Only 3 GB is left on your main drive.",
        "Programs can't save.",
        ("You can empty the Recycle Bin.",),
        "",
        {},
        (),
        True,
    )


def test_a_tip_only_after_the_problem_has_lasted_and_then_not_again_for_hours():
    tips = TipScheduler(sustain_s=600, repeat_s=6 * 3600)
    f = [finding()]
    assert tips.next_tip(f, now=0) is None
    assert tips.next_tip(f, now=599) is None
    tip = tips.next_tip(f, now=601)
    assert tip is not None and tip.title.startswith("Only 3 GB") and "Recycle Bin" in tip.text
    assert tips.next_tip(f, now=700) is None
    assert tips.next_tip(f, now=601 + 6 * 3600 - 1) is None
    assert tips.next_tip(f, now=601 + 6 * 3600 + 1) is not None


def test_a_brief_problem_never_becomes_a_tip():
    tips = TipScheduler(sustain_s=600)
    assert tips.next_tip([finding()], now=0) is None
    assert tips.next_tip([], now=300) is None  # gone: the clock starts again
    assert tips.next_tip([finding()], now=400) is None
    assert tips.next_tip([finding()], now=900) is None
    assert tips.next_tip([finding()], now=1001) is not None


def test_notices_are_not_tips_and_pausing_or_policy_silences_them():
    tips = TipScheduler(sustain_s=0)
    assert tips.next_tip([finding(severity=Severity.NOTICE)], now=10) is None
    assert tips.next_tip([finding()], now=10, paused_until=100) is None
    assert tips.next_tip([finding()], now=20, enabled_by_person=False) is None
    assert tips.next_tip([finding()], now=101) is not None
    off = TipScheduler(sustain_s=0, enabled_by_policy=False)
    assert off.next_tip([finding()], now=1000) is None
