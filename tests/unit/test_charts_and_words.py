"""What the charts say and the words a person reads: from real history shapes and real
reports, never a code."""

from __future__ import annotations

import re
from types import SimpleNamespace

from ally_helpdesk.it_view import charting
from ally_helpdesk.it_view.chart_svg import figure
from desktop.policy.config import ItContact, Policy
from desktop.reporting import review as review_words
from desktop.showing import ending
from desktop.showing.program_list import desktop_names, hidden, recognisable


def history(cpu, seconds=5):
    n = len(cpu)
    return {
        "t_offset_s": [i * seconds for i in range(n)],
        "cpu_pct": cpu,
        "mem_used_pct": [40.0] * n,
        "disk_busy_pct": [3.0] * n,
        "net_recv_bps": [2000.0] * n,
        "net_sent_bps": [500.0] * n,
    }


def test_time_labels_match_the_history_held_never_a_rounded_minute():
    # Four samples 5 s apart tell of the last 20 s, as the rules count it (each sample is a
    # rate over the step before it): the left edge says so, like the captions.
    (cpu, *_rest) = charting.views(history([10, 20, 30, 40]))
    assert cpu.start_label == "20 seconds ago" and cpu.end_label == "you clicked here"
    (live, *_rest) = charting.views(history([10] * 181), live=True)  # 15 minutes
    assert live.start_label == "15 minutes ago" and live.end_label == "now"


def test_the_band_starts_at_the_limit_the_rules_use_and_follows_it_policy():
    cpu = charting.views(history([10, 20]))[0]
    assert cpu.band_from == 85 and [t for _, t in cpu.ticks] == ["0%", "50%", "100%"]
    assert charting.views(history([10, 20]), {"cpu_busy_pct": 70})[0].band_from == 70


def test_the_sentence_says_what_the_chart_shows_and_never_contradicts_the_findings():
    flat_out = history([30] * 10 + [99] * 10)  # the last 50 s in the band
    assert charting.views(flat_out)[0].sentence == (
        "The processor has been in the “too much” area for the last 50 seconds."
    )
    spike = history([30] * 10 + [99] * 3)  # 10 s: a spike, not a slowdown
    assert "shorter than Ally counts as a slowdown" in charting.views(spike)[0].sentence
    calm = history([30] * 10)
    assert charting.views(calm)[0].sentence.startswith("The processor stayed out of")
    # The check at the click found the processor busy; the minutes before do not show it.
    found = charting.views(calm, found={"cpu_saturated"})[0].sentence
    assert "comes from the check it made when you clicked" in found
    assert charting.views({})[0].sentence == "Ally has not watched long enough to draw this yet."


def test_the_chart_measures_a_spell_as_the_heading_does_and_marks_it():
    """A short let-up inside a busy spell ends neither the finding's spell nor the chart's:
    the caption says the heading's duration, and the chart marks that span."""
    from desktop.diagnostics.rules import evaluate
    from tests import builders as b

    values = [30.0] * 10 + [99.0] * 8 + [40.0] + [99.0] * 8  # a 5-s let-up 40 s before the end
    chart = charting.views(history(values))[0]
    window = {"t": [b.T0 + 5.0 * i for i in range(len(values))], "cpu_pct": values}
    inp = b.rule_input(b.snapshot(processes=None), window=window)
    (finding,) = [f for f in evaluate(inp)[0] if f.id == "cpu_saturated"]
    assert finding.words["minutes"] == "85 seconds"
    assert (
        chart.sentence == "The processor has been in the “too much” area for the last 85 seconds."
    )
    assert chart.spell_from == 50.0 and chart.spell_s == 85.0  # from the first busy sample
    calm = charting.views(history([30.0] * 20))[0]
    assert calm.spell_from is None  # nothing to mark


def test_a_network_blip_stays_a_ripple_and_two_lines_have_a_legend():
    net = charting.views(history([10, 20]))[3]
    assert net.top == charting.NETWORK_FLOOR_BPS  # 2 KB/s does not fill the chart
    assert [line.label for line in net.lines] == ["Download", "Upload"]
    assert net.sentence == "Very little went over the network in these minutes."
    busy = dict(history([10, 20]), net_recv_bps=[3e6, 8e6])
    net = charting.views(busy)[3]
    assert net.top == 1e7 and "8.0 MB/s came in" in net.sentence


def test_it_sees_the_same_chart_in_the_html_view():
    findings = [{"id": "cpu_saturated", "evidence": {"threshold_cpu_pct": 80}}]
    html = figure(charting.SPECS[0], history([30] * 10 + [99] * 10), findings, str)
    # 20 samples 5 s apart: 100 s, said as such (never rounded up to "2 minutes")
    assert "class='too-much'" in html and "100 seconds ago" in html and ">reported<" in html
    assert "class='spell'" in html  # the 50 s the caption speaks of, marked
    assert "“too much” area for the last 50 seconds" in html


def test_the_reference_is_the_ticket_else_the_reports_code():
    rid = "0c9f3a1e-1234-4abc-8def-1234567890ab"
    assert ending.quote_reference(rid, "request-tracker", "4711") == "4711"
    assert ending.quote_reference(rid, "relay", "12") == "12"
    assert ending.quote_reference(rid, "webhook", "INC0012345") == "INC0012345"
    assert (
        ending.quote_reference(rid, "folder", f"{rid}.json") == "0C9F-3A1E"
    )  # the code IT sees in the report
    assert (
        ending.quote_reference(rid, "email", "<abc@host>") == "0C9F-3A1E"
    )  # the code IT sees in the report
    assert ending.quote_reference(rid) == "0C9F-3A1E"  # the code IT sees in the report


def test_the_ending_says_when_it_answers_who_to_reach_and_what_happens_next():
    contact = ItContact(email="help@example.com", phone="123", answers_within="4 hours")
    sent = ending.ending(ending.SENT, "IT has your report (reference 4711).", "4711", contact)
    assert sent.title == "Thank you. IT has your report."
    text = sent.text()
    assert "Your reference: 4711." in text and "IT usually answers within 4 hours." in text
    assert "help@example.com · 123" in text and "What happens next" in text
    waiting = ending.ending(ending.WAITING, "Saved.", "0c9f3a1e", ItContact())
    assert waiting.title == "Your report is saved and will be sent"
    assert "answers within" not in waiting.text()  # IT did not say: not made up
    assert "has not added its contact details" in waiting.text()
    assert ending.ending(ending.NOT_SAVED, "x", "r", ItContact()).title != waiting.title


def test_answers_within_is_one_short_line_or_a_clear_message():
    good = Policy.from_dict({"it_contact": {"answers_within": "one working day"}})
    assert good.it_contact.answers_within == "one working day" and not good.problems
    for bad in ("x" * 41, "a\nb", 4):
        policy = Policy.from_dict({"it_contact": {"answers_within": bad}})
        assert policy.it_contact.answers_within is None
        assert any("answers_within" in p for p in policy.problems)


def doc(**extra):
    base = {
        "symptom": "internet",
        "note": "",
        "contact": None,
        "screenshot": None,
        "left_out": ["process_list", "host_name"],
        "machine": {"hostname": None, "os": "Windows 11", "user": "alex"},
        "diagnosis": {
            "summary": {"headline": "Only 79 GB is left on your main drive."},
            "findings": [
                {"severity": "warning", "headline": "Only 79 GB is left on your main drive."},
                {"severity": "notice", "headline": "Your Wi-Fi signal is weak."},
                {"severity": "info", "headline": "An info line."},
            ],
            "sections": {
                "system": {"status": "ok"},
                "os_history": {"status": "ok"},
                "connectivity": {"status": "ok"},
            },
            "history_s": 60,
        },
    }
    return base | extra


def test_the_review_lists_as_checked_only_what_was_checked():
    """With IT's active checks off (and a check that ran out of time), the review never
    counts them as checks made: they are said as what could not be checked."""
    d = doc()
    d["diagnosis"]["sections"] = {
        "system": {"status": "ok"},
        "connectivity": {"status": "unavailable", "reason": "turned off by IT"},
        "power": {"status": "timeout"},
    }
    lines = review_words.preview(d, aligned=False).splitlines()
    included = next(x for x in lines if x.startswith("Checks included:"))
    not_made = next(x for x in lines if x.startswith("Could not check:"))
    assert "The way to the internet" not in included and "Battery and power" not in included
    assert "The way to the internet" in not_made and "Battery and power" in not_made


def test_the_review_screen_shows_words_not_codes_and_each_finding_once():
    text = review_words.preview(doc(), aligned=False)
    assert "What feels wrong: The internet or network is not working" in text
    assert text.count("Only 79 GB is left") == 1
    assert "Also found: Your Wi-Fi signal is weak." in text
    assert "the last 60 seconds" in text and "1 minute(s)" not in text
    assert "What the computer kept of the last minutes" in text
    assert "the list of programs that are running and this computer's name" in text
    for code in ("process_list", "host_name", "os_history", "connectivity", ": internet"):
        assert code not in text, code
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text)  # no snake_case anywhere


def test_which_program_keeps_what_a_person_knows_and_drops_the_rest(tmp_path):
    apps = tmp_path / "applications"
    apps.mkdir()
    (apps / "writer.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=LibreOffice Writer\nExec=soffice --writer %U\n"
    )
    (apps / "hidden.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Helper\nExec=helperd\nNoDisplay=true\n"
    )
    names = desktop_names([apps])
    assert names == {"soffice": "LibreOffice Writer"}

    def c(app_id, name, crashes=0):
        return SimpleNamespace(app_id=app_id, name=name, crashes=crashes, hangs=0)

    seen = [  # what this machine's process list held when the issue was filed
        c("exe:xvfb", "Xvfb"), c("exe:bash", "bash"), c("exe:process_api", "process_api"),
        c("exe:stress-ng-cpu", "stress-ng-cpu"), c("exe:trayer", "trayer"),
        c("exe:memfd:sealed-91173221a7ea", "memfd:sealed-91173221a7ea"), c("exe:sleep", "sleep"),
        c("ally", "Ally"), c("chrome", "Google Chrome"), c("exe:soffice", "soffice"),
        c("outlook", "Microsoft Outlook", crashes=2),
    ]  # fmt: skip
    programs = recognisable(seen, windowed={"chrome"}, friendly=names)
    assert [p.name for p in programs] == [
        "Microsoft Outlook",  # closed by itself recently: first
        "Google Chrome",  # a window open
        "LibreOffice Writer",  # named by the desktop's menu
    ]
    assert programs[0].key == "outlook" and programs[2].key == "exe:soffice"
    assert hidden("memfd:sealed-1") and hidden("Xvfb") and hidden("bash") and not hidden("Teams")


def test_the_ending_promises_an_answer_only_when_the_report_says_how_to_reach_them():
    contact = ItContact(email="help@example.com")
    with_way = {"contact": {"name": "Alex", "email": "alex@example.com", "phone": None}}
    without = {"contact": {"name": "Alex", "email": None, "phone": None, "how": None}}
    assert ending.reachable(with_way) and not ending.reachable(without)
    assert not ending.reachable({"contact": None}) and not ending.reachable(None)
    told = ending.ending(ending.SENT, "Sent.", "4711", contact, reachable=True).text()
    untold = ending.ending(ending.SENT, "Sent.", "4711", contact, reachable=False).text()
    assert "gets back to you" in told
    assert "gets back to you" not in untold and "please contact IT if you want an answer" in untold


def test_spells_that_ended_are_counted_as_a_person_counts_them():
    once = history([30] * 5 + [99] * 3 + [30] * 10)
    twice = history([30] * 5 + [99] * 3 + [30] * 5 + [99] * 3 + [30] * 10)
    thrice = history(([30] * 5 + [99] * 3) * 3 + [30] * 10)
    assert "went into the “too much” area once," in charting.views(once)[0].sentence
    assert "went into the “too much” area twice," in charting.views(twice)[0].sentence
    assert "went into the “too much” area 3 times," in charting.views(thrice)[0].sentence


def test_each_caption_says_what_its_figure_means_not_only_a_percent():
    """Issue 27: "At its highest it was 16%" — 16 % of what? Each chart names its unit."""
    calm = {**history([12, 16, 9]), "mem_used_pct": [41.0, 43.0, 42.0]}
    processor, memory, drive, _network = charting.views(calm)
    assert processor.sentence.endswith("it was working 16% of the time.")
    assert memory.sentence.endswith("The most in use at once was 43% of it.")
    assert drive.sentence.endswith("it was working 3% of the time.")
    # Where the drive is judged by the time each request takes (Windows, macOS), the
    # figure is in seconds, which a person knows, and never "ms".
    timed = {**history([12, 16, 9]), "disk_wait_ms": [20.0, 45.0, 10.0]}
    timed.pop("disk_busy_pct")
    slow = charting.views(timed)[2]
    assert slow.key == "drive_slow", slow.key
    assert slow.sentence.endswith("it took 0.04 seconds for each request.")
    assert "ms" not in slow.sentence.split()


def test_a_caption_never_contradicts_its_band_nor_says_nonsense():
    """Rounded down below the band it stayed out of (89.6% under 90% is "89%"); "less than
    1%" rather than "0% of the time"; a counter that wrapped round (negative) or a time
    that is not a number is a gap, never a point, and never stops the chart."""
    n = 6
    h = {
        "t_offset_s": [0, 5, None, 15, "x", 25],
        "cpu_pct": [10, 20, 30, -3, 40, 12],
        "mem_used_pct": [40, 89.6, 50, 60, 70, 80],
        "disk_busy_pct": [0.2] * n,
        "net_recv_bps": [1.0] * n,
        "net_sent_bps": [1.0] * n,
    }
    processor, memory, drive, _network = charting.views(h)
    assert processor.offsets == (0.0, 5.0, 15.0, 25.0)  # the damaged times left out
    assert processor.lines[0].values == (10.0, 20.0, None, 12.0)  # -3 is a gap
    assert memory.band_from == 90 and memory.sentence.endswith("was 89% of it.")
    assert drive.sentence.endswith("it was working less than 1% of the time.")
    timed = {"t_offset_s": [0, 5, 10], "cpu_pct": [1, 2, 3], "disk_wait_ms": [2.0, 3.0, 4.0]}
    slow = charting.views(timed)[2]
    assert slow.sentence.endswith("it took less than 0.01 seconds for each request.")
    assert [label for _, label in slow.ticks] == ["0", "0.05 s", "0.1 s"]  # seconds, as said
