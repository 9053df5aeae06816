"""The person's words: plain, short, kind. Checked on texts rendered with real-looking
values, not on the raw templates."""

import re

import pytest
import textstat
import tomllib

from ally_words import catalog_file
from desktop.diagnostics.explain import load_catalog
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.rules import evaluate
from tests.scenarios import scenarios

MAX_GRADE = 7.0
MAX_WORDS = 40

# ../shared/VOICE.md: words the person should never have to read.
JARGON = re.compile(
    r"\b(cpu|ram|swap\w*|dns|gateway|latency|packet loss|process(es)?|i/o|throttl\w*|kernel|"
    r"paging|page file|bandwidth|gigabyte|ip address|router|daemon|cache|thread|load average)\b",
    re.IGNORECASE,
)
# Never imply the person caused it.
BLAME = re.compile(
    r"\byou (opened|started|ran|installed|used|caused|forgot|did wrong|broke|should have|shouldn't have)\b"
    r"|\byour (fault|mistake)\b(?<!not your fault)|\btoo many .* you\b|\byou have too many\b",
    re.IGNORECASE,
)


def rendered_texts():
    """Every person-facing text, rendered through the real rules and catalog."""
    catalog = load_catalog("en")
    texts = []
    seen = set()
    for name, case in scenarios().items():
        findings, _ = evaluate(case["inp"])
        for symptom in Symptom:
            explained, summary = catalog.explain_all(findings, symptom)
            texts.append((f"{name}/{symptom.value}/summary.headline", summary.headline))
            texts.append((f"{name}/{symptom.value}/summary.explanation", summary.explanation))
            for e in explained:
                seen.add((e.id, next(f.variant for f in findings if f.id == e.id)))
                texts.append((f"{name}/{e.id}/headline", e.headline))
                texts.append((f"{name}/{e.id}/explanation", e.explanation))
                texts.extend((f"{name}/{e.id}/advice", a) for a in e.advice)
    return texts, seen


TEXTS, SEEN = rendered_texts()
UNIQUE = sorted({t for _, t in TEXTS})


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


@pytest.mark.parametrize("text", UNIQUE)
def test_reads_at_grade_7_or_easier(text):
    # Long summaries join two texts; each sentence group is what a person reads at once.
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= MAX_GRADE, f"grade {grade}: {text}"


@pytest.mark.parametrize("text", UNIQUE)
def test_no_jargon(text):
    assert not JARGON.search(text), text


@pytest.mark.parametrize("text", UNIQUE)
def test_no_blame(text):
    assert not BLAME.search(text), text


@pytest.mark.parametrize("text", UNIQUE)
def test_placeholders_are_all_filled(text):
    assert not re.search(r"\{[a-z_]+\}", text), text


def test_most_texts_are_short():
    short = [t for t in UNIQUE if textstat.lexicon_count(t) <= MAX_WORDS]
    assert len(short) >= 0.9 * len(UNIQUE), [t for t in UNIQUE if t not in short]


def test_every_finding_and_variant_in_the_catalog_was_rendered():
    data = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))
    expected = set()
    for fid, entry in data["findings"].items():
        expected.add((fid, None))
        expected.update((fid, v) for v in entry.get("variants", {}))
    assert expected <= SEEN, expected - SEEN


def test_every_symptom_has_an_honest_nothing_found_answer():
    data = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))
    for symptom in Symptom:
        entry = data["nothing_found"][symptom.value]
        assert entry["headline"] and entry["explanation"] and entry["it_detail"]
        # Said before anything is sent (and where nothing ever is): no thanks for sending.
        assert "thank" not in entry["explanation"].lower()
        assert "looks fine" not in entry["headline"] or symptom is Symptom.INTERNET


def test_each_finding_reassures_with_its_own_true_line():
    """ "This is not something you did." only where it holds whatever the person did;
    "It is not your fault." where their own use may have brought it about; neither where
    the words describe the computer (desktop/diagnostics/reassurance.py says which and why)."""
    from desktop.diagnostics import reassurance

    data = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))["findings"]
    assert set(data) == {k.split(".")[0] for k in reassurance.LINES}  # one line for each
    for fid, entry in data.items():
        for variant, table in [(None, entry), *entry.get("variants", {}).items()]:
            text = table.get("explanation", entry["explanation"])
            line = reassurance.line_for(fid, variant)
            says_not_you, says_fault = "not something you did" in text, "not your fault" in text
            where = (fid, variant, text)
            assert says_not_you == (line == reassurance.NOT_YOU), where
            assert says_fault == (line == reassurance.NOT_YOUR_FAULT), where


# Ally's own failure while sending: whether the report was saved is not known to the
# sentence; the ending's title says it ("Your report is saved…" / "…could not be saved").
SAID_BY_THE_TITLE = {"ally_failed"}


def delivery_texts():
    catalog = load_catalog("en")
    values = {"reference": "1234", "reason": "the drive is full"}
    return [
        catalog.delivery_message(key, **values)
        for key in catalog.delivery
        if key not in SAID_BY_THE_TITLE
    ]


@pytest.mark.parametrize("text", delivery_texts())
def test_delivery_messages_are_plain_and_say_nothing_is_lost(text):
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, text
    assert not JARGON.search(text) and not BLAME.search(text)
    assert not re.search(r"\{[a-z_]+\}", text)
    assert any(
        w in text for w in ("saved", "IT has your report", "IT collects reports", "another way")
    ), text


def input_texts():
    from desktop.base.words import say

    data = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))
    values = {
        "what": "your words",
        "length": "20,001",
        "limit": "20,000",
        "path": "note.txt",
        "reason": "it is not an ordinary file",
        "value": "12",
        "log": "/home/alex/.local/state/Ally/log/ally.log",
    }
    return [say(key, **values) for key in data["input"]]


@pytest.mark.parametrize("text", input_texts())
def test_what_ally_says_about_what_the_person_gave_is_plain(text):
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, text
    assert not JARGON.search(text) and not BLAME.search(text), text
    assert not re.search(r"\{[a-z_]+\}", text), text


# --- Fixes and IT's news (issue 18) --------------------------------------------------------

FIX_VALUES = [
    {
        "count": n,
        "printers": "Front_Desk",
        "app": "Google Chrome",
        "size": "1.2 GB",
        "items": n,
        "free": "3.4 GB",
        "largest": "Downloads",
        "time": "17:00",
        "headline": "Only 1.2 GB is left on your main drive.",
        "id": "empty_trash",
    }
    for n in (1, 34)
]
NEWS_VALUES = {"what": "email", "name": "Email delays", "since": "9:05"}
# Terminal prompts end in "[y/N]"; they are questions, not sentences to grade.
PROMPTS = {"cli_ask", "cli_force_ask"}


def fix_texts():
    from ally_words import fill

    data = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))["fixes"]
    out = []

    def walk(table, name):
        for key, value in table.items():
            if isinstance(value, dict):
                walk(value, f"{name}.{key}")
            elif key not in PROMPTS:
                out.extend((f"{name}.{key}", fill(value, v)) for v in FIX_VALUES)

    walk(data, "fixes")
    news = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))["news"]
    out.extend((f"news.{k}", fill(v, NEWS_VALUES)) for k, v in news.items())
    return out


FIX_TEXTS = fix_texts()


@pytest.mark.parametrize(("name", "text"), FIX_TEXTS)
def test_fix_and_news_words_are_plain_kind_and_complete(name, text):
    assert text.strip(), name
    # A button names an action in three or four words; Flesch-Kincaid cannot grade that
    # ("Empty the Recycle Bin" scores 7.2 for one word of four syllables). Its words are
    # still checked for jargon and blame below.
    if not name.endswith("button"):
        assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, f"{name}: {text}"
    assert not JARGON.search(text), f"{name}: {text}"
    assert not BLAME.search(text), f"{name}: {text}"
    assert not re.search(r"\{[a-z_]+\}", text), f"{name}: {text}"
    assert textstat.lexicon_count(text) <= MAX_WORDS, f"{name}: {text}"


def test_a_fix_that_did_not_work_promises_only_what_holds():
    """ "IT will see that you tried" only where a report may carry the attempt (the
    report window adds it), never in the fix's own words, which the terminal says too;
    and no "nothing was changed" where a fix may stop halfway."""
    data = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))["fixes"]
    assert data["outcome"]["seen_if_sent"].startswith("If you send this report")
    for fix_id, entry in data.items():
        if not isinstance(entry, dict) or fix_id == "outcome":
            continue
        tables = [entry, *entry.get("variants", {}).values()]
        for table in tables:
            for key in ("not_fixed", "failed"):
                text = table.get(key, data["outcome"][key])
                assert "IT will see" not in text, (fix_id, text)
                if fix_id in ("empty_trash", "cancel_print_jobs"):  # may stop halfway
                    assert "nothing was changed" not in text.lower(), (fix_id, text)


def test_a_fix_that_deletes_or_may_lose_work_says_so_before_the_click():
    data = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))["fixes"]
    assert "can't be brought back" in data["empty_trash"]["before"]
    assert "can't be brought back" in data["empty_trash"]["variants"]["windows"]["before"]
    assert "not saved may be lost" in data["close_program"]["before"]
    assert "will be lost" in data["close_program"]["force_before"]
    assert "print them again" in data["cancel_print_jobs"]["before"]
    assert "Nothing will restart by itself" in data["restart_reminder"]["before"]


def test_the_secure_link_is_named_as_it_names_it_in_its_policy():
    """IT's [network] vpn_program names the program in the advice; without it, the
    advice says what it is in general words."""
    from dataclasses import replace

    from desktop.diagnostics.model import Section
    from desktop.diagnostics.rules import evaluate
    from desktop.policy.config import Policy
    from tests.scenarios import scenarios

    catalog = load_catalog("en")
    for name in ("vpn_down", "checks_off_vpn_required"):
        inp = scenarios()[name]["inp"]
        for program, said in (
            ("GlobalProtect", "Open GlobalProtect, and sign in."),
            ("", "Open the secure link program your company uses, and sign in."),
        ):
            snap = inp.snapshot
            section = "connectivity" if name == "vpn_down" else "local_network"
            data = replace(snap.section_data(section), vpn_program=program)
            sections = {**snap.sections, section: Section.ok(section, data)}
            named = replace(inp, snapshot=replace(snap, sections=sections))
            findings, _ = evaluate(named)
            (vpn,) = [f for f in findings if f.id == "vpn_down"]
            explained = catalog.explain(vpn, snap.symptom)
            assert explained.advice[0] == said, (name, explained.advice)
    policy = Policy.from_dict({"network": {"vpn_program": " Cisco Secure Client "}})
    assert policy.network.vpn_program == "Cisco Secure Client"


def test_fix_words_for_one_document_a_trash_emptied_in_part_and_no_folder_read_right():
    """The variants the fixes pick for what really happened (issue 26's second read)."""
    from desktop.fixes.base import Offer, Outcome, Result
    from desktop.fixes.words import FixWords

    words = FixWords(load_catalog("en"))
    one = Offer(
        "cancel_print_jobs", "print_jobs_stuck", {"count": 1, "printers": "HP"}, {}, {}, "",
        variant="one",
    )  # fmt: skip
    assert words.before(one) == (
        "Ally will cancel the document you sent to HP. You can print it again afterwards."
    )
    trash = Offer("empty_trash", "disk_nearly_full", {"free": "3 GB"}, {}, {}, "")
    some_left = Result(Outcome.FIXED, "", words={"free": "3 GB"}, variant="some_left")
    assert words.result(trash, some_left).startswith("Fixed. Ally emptied the Trash as far as")
    folders = Offer("show_large_folders", "disk_nearly_full", {}, {}, {}, "")
    nothing = Result(Outcome.DONE, "", words={"largest": "", "size": ""}, variant="nothing")
    assert words.result(folders, nothing) == (
        "Ally found no large folders in your home folder, so it opened nothing."
    )
