"""Every person's sentence filled with the real extremes the code can produce, then read
for the mistakes a template makes with real values: "1 items", "2 document", a word said
twice ("a problem: a problem", "the the"), and what an empty value leaves behind ("since .",
"()", " ,"). The values are the ones Ally really puts there: a count of 1 and of 2, a
program with no name, a name of 40 characters, a script run by an interpreter, a time
that is not known (an empty value)."""

from __future__ import annotations

import re

import pytest

from ally_words import fill
from tests.unit.test_catalog_every_word import (
    CATALOG,
    IT_KEYS,
    IT_SECTIONS,
    PLACEHOLDER,
    strings,
)

# Placeholders that hold a count: filled with 1, then with 2.
COUNTS = {
    "count", "items", "n", "times", "crashes", "hangs", "samples", "stuck_jobs", "jobs_waiting",
}  # fmt: skip
# Templates the code uses only for more than one (one has its own: one_document_waiting).
PLURAL_ONLY = {"finding_words.documents_waiting", "charts.n_times"}  # 1 and 2: once, twice
# Placeholders that hold a program's name.
NAMES = {"app", "apps", "largest", "name", "what"}
EXTREME_NAMES = ["(no name)", "Contoso Enterprise Resource Planner 2026", "hogx"]
# Placeholders Ally may leave empty; a template whose table has a form without it
# ("explains_nosince") is not filled empty, as the code picks that form then.
MAY_BE_EMPTY = {"since"}

SINGULAR_AFTER_MORE = re.compile(
    r"\b([2-9]|\d{2,}) (item|document|time|program|sample|job|second|minute|hour|day|"
    r"crash|letter|process|other)\b"
)
PLURAL_AFTER_ONE = re.compile(
    r"\b1 (items|documents|times|programs|samples|jobs|seconds|minutes|hours|days|"
    r"crashes|letters|processes|others)\b"
)
# "1 item, which take up", "1 document are": a verb for many after one.
VERB_FOR_MANY = re.compile(r"\b1 \w+,? (?:which |that )?(are|take|were|have|use)\b")
DOUBLED = re.compile(r"\b(\w+ \w+|\w{2,})[^\w.!?]+\1\b", re.IGNORECASE)  # in one sentence
LEFT_BEHIND = re.compile(r"\(\s*\)|\s[,.;:]|\bsince\s*[.,)]|:\s*[.,]|\w\s{2,}\w")
# The terminal lines up columns with spaces.
COLUMNS = {"cli"}
# A word twice that is right: "more and more", "again and again", "very very" is not used.
DOUBLED_ON_PURPOSE = {"more and more"}


def person_templates() -> list[tuple[str, str]]:
    out = []
    for name, text in strings(CATALOG):
        section, key = name.split(".")[0], name.split(".")[-1].split("[")[0]
        if section in IT_SECTIONS or key in IT_KEYS or "." not in name or section == "glossary":
            continue
        if PLACEHOLDER.search(text):
            out.append((name, text))
    return out


TEMPLATES = person_templates()


def has_sibling(name: str, suffix: str) -> bool:
    *path, key = name.split(".")
    table = CATALOG
    for part in path:
        table = table.get(part, {})
    return f"{key}{suffix}" in table


def fillings(name: str, text: str):
    """The template filled once for each extreme it can meet; every other placeholder
    gets a value of its own, so two are never alike by accident."""
    used = {m.group(1) for m in PLACEHOLDER.finditer(text)}
    base = {k: f"Zq{i}" for i, k in enumerate(sorted(used))}
    base |= {k: 2 for k in used & COUNTS}
    for count in (2,) if name in PLURAL_ONLY else (1, 2):
        yield {**base, **{k: count for k in used & COUNTS}}
    for app in EXTREME_NAMES:
        yield {**base, **{k: app for k in used & NAMES}}
    if used & MAY_BE_EMPTY and not has_sibling(name, "_nosince"):
        yield {**base, **{k: "" for k in used & MAY_BE_EMPTY}}


@pytest.mark.parametrize(("name", "template"), TEMPLATES, ids=[n for n, _ in TEMPLATES])
def test_every_sentence_reads_right_with_real_values(name, template):
    for values in fillings(name, template):
        text = fill(template, values)
        if name.split(".")[0] in COLUMNS:
            text = re.sub(r" {2,}", " ", text)
        assert not PLURAL_AFTER_ONE.search(text), f"{name}: {text!r}"
        assert not SINGULAR_AFTER_MORE.search(text), f"{name}: {text!r}"
        assert not VERB_FOR_MANY.search(text), f"{name}: {text!r}"
        doubled = DOUBLED.search(text)
        if doubled and not any(p in text.lower() for p in DOUBLED_ON_PURPOSE):
            raise AssertionError(f"{name}: {doubled.group(0)!r} in {text!r}")
        assert not LEFT_BEHIND.search(text.strip()), f"{name}: {text!r}"


def test_the_patterns_catch_what_they_are_for():
    assert PLURAL_AFTER_ONE.search("The Trash holds 1 items")
    assert SINGULAR_AFTER_MORE.search("2 document are waiting")
    assert VERB_FOR_MANY.search("The Trash holds 1 item, which take up 4 KB")
    assert DOUBLED.search("Your printer has a problem: a problem.")
    assert DOUBLED.search("The program the program")
    assert LEFT_BEHIND.search("IT knows (since ).")
    assert LEFT_BEHIND.search("IT has known since . It works on it")
    assert LEFT_BEHIND.search("IT has known since  and is working on it.")
    assert not LEFT_BEHIND.search("Fixed. The Trash is empty, and 3 GB is free now.")
