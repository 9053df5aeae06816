from desktop.diagnostics.explain import Explanation
from desktop.diagnostics.findings import Severity
from desktop.showing.tips import TipScheduler


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
    # After six hours the same warning could come again, but one tip a day is the most.
    assert tips.next_tip(f, now=601 + 6 * 3600 + 1) is None
    assert tips.next_tip(f, now=601 + 24 * 3600 + 1) is not None


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


def test_a_critical_problem_may_break_the_one_tip_a_day_rule_a_warning_may_not():
    tips = TipScheduler(sustain_s=0, repeat_s=3600)
    assert tips.next_tip([finding("disk_nearly_full")], now=0) is not None
    assert tips.next_tip([finding("wifi_weak")], now=100) is None  # another warning: tomorrow
    urgent = finding("battery_low", Severity.CRITICAL)
    tip = tips.next_tip([urgent, finding("wifi_weak")], now=200)
    assert tip is not None and tip.finding_id == "battery_low"


def test_a_tip_is_held_while_the_moment_is_wrong_and_comes_when_it_has_passed():
    tips = TipScheduler(sustain_s=0)
    f = [finding()]
    assert tips.due(f, now=10)
    assert tips.next_tip(f, now=10, quiet="full_screen") is None
    assert tips.held_because == "full_screen"
    assert tips.next_tip(f, now=70, quiet="do_not_disturb") is None  # still held, not dropped
    tip = tips.next_tip(f, now=130)  # the presentation is over
    assert tip is not None and tips.held_because is None
    assert not tips.due(f, now=140)


def test_remind_me_later_brings_the_tip_back_in_two_hours_not_a_day():
    tips = TipScheduler(sustain_s=0)
    f = [finding()]
    assert tips.next_tip(f, now=0) is not None
    assert tips.remind_later(now=60)
    assert tips.next_tip(f, now=60 + 2 * 3600 - 1) is None
    assert tips.next_tip(f, now=60 + 2 * 3600 + 1) is not None
    assert not TipScheduler().remind_later(now=0)  # nothing to remind of
