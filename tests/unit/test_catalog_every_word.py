"""Every sentence in the catalog, whichever screen or command says it, meets the same
rules as the findings (../shared/VOICE.md): grade 7 or easier, no jargon, no blame, every
placeholder filled. IT's own lines (`it_detail`, `it_known`, [cli_it]) are for IT and are
not graded. A label of a few words is checked for jargon and blame but not graded.

A second language is one more file in ally_words/catalog/: it must have every key English
has (checked here too), so nothing falls back to English unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources

import pytest
import textstat
import tomllib

from ally_words import catalog_file
from tests.unit.test_catalog_words import BLAME, JARGON, MAX_GRADE

CATALOG = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))
# IT's own words: the terminal's lines for IT (report ids, files, secrets, helpdesk words),
# IT's HTML page of a report and the helpdesk's email, `ally doctor`, the delivery detail of
# each transport and what a fix may touch or why it was not offered. They name processes,
# PIDs and DNS on purpose, so only the blame test reads them.
IT_SECTIONS = {
    "cli_it",
    "html_view",
    "email_message",
    "doctor",
    "transport_detail",
    "fix_it",
    "report_it",  # the outbox's reasons for setting an entry aside, parts left out
    "keyring",  # `ally credentials` and IT's logon step (chmod, file modes)
    "news_it",  # reading IT's status feed, for `ally doctor` and the report
    "policy",  # what is wrong with IT's policy file, for `ally doctor`
    "evidence",  # each check's one line and reasons (`ally diagnose`, the report)
    "relay_cli",  # Ally Relay's terminal, for IT
    "relay_admin",  # Ally Relay's pages, for IT staff
    "relay_settings",  # what is wrong with the relay's settings file
}
IT_KEYS = {"it_detail", "it_known", "language"}
# Terminal prompts ("[y/N]") and lines that show what the person typed are not sentences.
NOT_SENTENCES = {
    "review.never",
    "cli.ask_send",
    "cli.leave_out_names",
    "kept_here.folder",
    "charts.charts_name",  # a screen reader's name for the charts: a list of their titles
    "cli.app_faults",  # a state after a program's name in `ally apps`, like "running"
    "finding_words.vpn_program_unnamed",  # a phrase inside vpn_down's advice, graded there
}
# `--help` lines are phrases that name options and parts, not sentences to grade.
UNGRADED_SECTIONS = {"cli_help"}
# A label or a few words ("Working memory") has no reading grade worth the name.
MIN_WORDS_GRADED = 6
SAMPLE = {
    "app": "Google Chrome",
    "folder": "/home/alex/.local/share/Ally/reports",
    "contact": "help@example.com, 0123 456",
    "reference": "1234",
    "reason": "the drive is full",
    "duration": "5 minutes",
    "minutes": "5 minutes",
    "size": "1.2 GB",
    "free": "3.4 GB",
    "transport": "webhook",
    "fix": "empty_trash",
    "when": "10:05",
    "outcome": "done",
    "ticket": "1234",
    "status": "open",
    "width": "1280",
    "height": "800",
    "host": "PC-42",
    "os": "Windows 11",
    "user": "alex",
    "crashes": "2",
    "hangs": "1",
    "count": "2",
}
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?:[:!][^}]*)?\}")


def strings(table: dict, path: str = "") -> Iterator[tuple[str, str]]:
    for key, value in table.items():
        name = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            yield from strings(value, name)
        elif isinstance(value, str):
            yield name, value
        elif isinstance(value, list):
            yield from ((f"{name}[{i}]", v) for i, v in enumerate(value) if isinstance(v, str))


def person_texts() -> list[tuple[str, str]]:
    out = []
    for name, text in strings(CATALOG):
        section, key = name.split(".")[0], name.split(".")[-1].split("[")[0]
        if section in IT_SECTIONS or key in IT_KEYS or "." not in name:
            continue
        filled = PLACEHOLDER.sub(lambda m: SAMPLE.get(m.group(1), "Outlook"), text)
        out.append((name, filled))
    return out


TEXTS = person_texts()


def it_texts() -> list[tuple[str, str]]:
    return [
        (name, text)
        for name, text in strings(CATALOG)
        if name.split(".")[0] in IT_SECTIONS or name.split(".")[-1].split("[")[0] in IT_KEYS
    ]


@pytest.mark.parametrize(("name", "text"), it_texts(), ids=[n for n, _ in it_texts()])
def test_its_words_never_blame_the_person_either(name, text):
    assert not BLAME.search(text), f"{name}: blame in {text!r}"


def test_every_section_is_looked_at():
    sections = {name.split(".")[0] for name, _ in TEXTS}
    for wanted in ("symptoms", "checks", "review", "cli", "kept_here", "delivery", "input"):
        assert wanted in sections, wanted


@pytest.mark.parametrize(("name", "text"), TEXTS, ids=[n for n, _ in TEXTS])
def test_every_sentence_is_plain_and_kind(name, text):
    assert not JARGON.search(text), f"{name}: jargon in {text!r}"
    assert not BLAME.search(text), f"{name}: blame in {text!r}"
    graded = name not in NOT_SENTENCES and name.split(".")[0] not in UNGRADED_SECTIONS
    if graded and textstat.lexicon_count(text) >= MIN_WORDS_GRADED:
        grade = textstat.flesch_kincaid_grade(text)
        assert grade <= MAX_GRADE, f"{name}: grade {grade}: {text!r}"


def test_other_languages_have_every_key_english_has():
    english = {name for name, _ in strings(CATALOG)}
    folder = resources.files("ally_words") / "catalog"
    for path in folder.iterdir():
        if path.name.endswith(".toml") and path.name != "en.toml":
            other = {name for name, _ in strings(tomllib.loads(path.read_text("utf-8")))}
            assert not english - other, f"{path.name} lacks {sorted(english - other)}"


def test_a_translation_that_lacks_a_key_says_it_in_english(monkeypatch):
    """A second language is one file; what it lacks yet, key or sub-table, is English."""
    import ally_words as words

    english = words.parsed("en")
    partial = {"cli": {"not_sent": "Rien n'a été envoyé."}, "fixes": {"empty_trash": {}}}
    monkeypatch.setattr(words, "language_in_use", lambda language=None: "fr")
    monkeypatch.setattr(words, "parsed", lambda lang: partial if lang == "fr" else english)
    assert words.say("not_sent", "cli") == "Rien n'a été envoyé."
    assert words.say("ask_send", "cli") == english["cli"]["ask_send"]
    trash = words.table("fixes.empty_trash")
    assert trash["button"] == english["fixes"]["empty_trash"]["button"]
    fixes = words.table("fixes")
    assert fixes["empty_trash"]["before"] == english["fixes"]["empty_trash"]["before"]


def test_a_sentence_may_have_placeholders_named_key_and_section(monkeypatch):
    """say()'s own key and section are positional only, so they never clash with a
    placeholder of the same name."""
    import ally_words as words

    english = words.parsed("en")
    extra = {**english, "cli": {**english["cli"], "pressed": "Press {key} in {section}."}}
    monkeypatch.setattr(words, "parsed", lambda lang: extra)
    said = words.say("pressed", "cli", key="F5", section="the window")
    assert said == "Press F5 in the window."


GLOSSARY = CATALOG["glossary"]["terms"]
# "IT" and "it" within five words of each other: a screen reader says them alike.
IT_NEAR_IT = re.compile(r"\bIT\b(?:\W+\w+){0,5}?\W+it\b|\bit\b(?:\W+\w+){0,5}?\W+IT\b")


def test_the_glossary_names_one_word_for_each_thing():
    assert len({t["use"] for t in GLOSSARY}) == len(GLOSSARY)
    for term in GLOSSARY:
        assert not re.search(term["avoid"], term["use"], re.I), term  # it allows its own word
        assert term["note"], term


@pytest.mark.parametrize(("name", "text"), TEXTS, ids=[n for n, _ in TEXTS])
def test_every_sentence_uses_the_glossarys_words(name, text):
    if name.startswith("glossary."):
        return
    for term in GLOSSARY:
        found = re.search(term["avoid"], text, re.I)
        assert not found, f"{name}: say {term['use']!r}, not {found.group(0)!r}, in {text!r}"
    assert not IT_NEAR_IT.search(text), f"{name}: 'IT' near 'it' in {text!r}"


def test_the_words_test_catches_what_it_is_for():
    """The patterns themselves: each catches the words the issue found."""
    caught = {
        "working memory": "Outlook keeps taking more and more memory.",
        "reference": "Report code",
        "closed by itself": "those that crashed recently",
        "Ally": "We couldn't find a problem.",
        "internet box": "It can't reach the network's way out to the internet.",
        "sign in": "Start Ally when I log in",
    }
    for term in GLOSSARY:
        if term["use"] in caught:
            assert re.search(term["avoid"], caught[term["use"]], re.I), term
    assert IT_NEAR_IT.search("Please show it to IT.")
    assert IT_NEAR_IT.search("IT can start it again for you.")
    assert not IT_NEAR_IT.search("If nothing changes, tell IT.")
