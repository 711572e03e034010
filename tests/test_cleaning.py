"""Cleaning: the seed corpus's non-content lines go, its content paragraphs stay; general rules."""

import csv
from pathlib import Path

import pytest

from analysis.cleaning import clean_article, normalize_unicode

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
MANIFEST = {row["file"]: row for row in csv.DictReader((SAMPLE / "manifest.csv").open(encoding="utf-8"))}

# Lines the seed README lists as not article content, by file (substrings of the raw line).
NON_CONTENT = {
    "001_5ac85820ef2cef28.txt": [
        "Watch CBSN Live",
        "Special Report: WikiLeaks",
        "White House: Clinton Spy Charges",
        "Clinton: WikiLeaks Won't Hurt U.S. Diplomacy",
        "Who Is WikiLeaks' Founder Julian Assange?",
        "Julian Assange on Interpol's Most-Wanted List",
        "WikiLeaks Founder: Clinton Should Resign",
        "WikiLeaks Sends U.S. Scrambling Over Security",
        "Outrage Over Wikileaks",
        "The WikiLeaks Impact",
        "Key GOP Pol: WikiLeaks a Terrorist Group",
        "Worldwatch: Embarrassing Revelations Abound",
        "Worldwatch: Diplomatic Shockers",
        "View CBS News In",
    ],
    "002_161028fccecdc6c4.txt": [
        "[Read: Julian Assange Hosts Hezbollah Leader",
        "Court Rejects Assange Bid to Reopen Case.]",
        "Valerie Bonk is an assistant editor",
        "You can contact her at or follow her on Twitter",
    ],
    "000_0efe080f883082e1.txt": ['distressed." The Telegraph'],
}
# Labels glued to the end of a content paragraph: the label goes, the paragraph stays.
GLUED = {"Special Report: WikiLeaks": "Special Report: WikiLeaks", 'distressed." The Telegraph': "The Telegraph"}


def _seed(name: str):
    raw = (SAMPLE / name).read_text(encoding="utf-8")
    return raw, clean_article(raw, title=MANIFEST[name]["title"], title_in_text=True)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_seed_non_content_lines_are_removed(name):
    _, cleaned = _seed(name)
    for line in NON_CONTENT[name]:
        assert normalize_unicode(line) not in cleaned.text, line


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_seed_content_paragraphs_are_kept(name):
    raw, cleaned = _seed(name)
    title = normalize_unicode(MANIFEST[name]["title"])
    for paragraph in normalize_unicode(raw).split("\n\n"):
        for line in paragraph.split("\n"):
            line = line.strip()
            if not line or line == title:
                continue
            markers = [m for m in NON_CONTENT[name] if normalize_unicode(m) in line]
            if any(m not in GLUED for m in markers):
                continue
            for marker in markers:
                line = line.replace(GLUED[marker], "").strip()
            assert line in cleaned.text, line


def test_seed_titles_and_signoffs():
    _, telegraph = _seed("000_0efe080f883082e1.txt")
    assert telegraph.signoff == "The Telegraph"
    assert telegraph.text.endswith('I\'m distressed."')
    _, usnews = _seed("002_161028fccecdc6c4.txt")
    assert usnews.blurb_author == "Valerie Bonk"
    assert usnews.blurb_outlet == "U.S. News & World Report"
    raw = (SAMPLE / "001_5ac85820ef2cef28.txt").read_text(encoding="utf-8")
    cbs = clean_article(raw, title_in_text=True)  # no manifest: the headline is found in the text
    assert cbs.title == "WikiLeaks' Assange Being Persecuted, Lawyer Says"
    assert not cbs.text.startswith("WikiLeaks' Assange")


def test_cleaned_text_has_only_paragraph_breaks():
    for name in MANIFEST:
        _, cleaned = _seed(name)
        assert "\n\n\n" not in cleaned.text
        assert all(paragraph.strip() == paragraph and paragraph for paragraph in cleaned.text.split("\n\n"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u201cQuoted\u201d and \u2018single\u2019", "\"Quoted\" and 'single'"),
        ("non\u00a0breaking\u202fspace", "non breaking space"),
        ("zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen"),
        ("tabs\tand   runs  ", "tabs and runs"),
        ("windows\r\nlines\rmac", "windows\nlines\nmac"),
        ("bell\x07 and nul\x00", "bell and nul"),
        ("e\u0301", "\u00e9"),
    ],
)
def test_normalize_unicode(raw, expected):
    assert normalize_unicode(raw) == expected


BODY = (
    "The council approved the budget on Monday after a long debate.\n\n"
    "Councillors voted 7 to 2 in favour of the plan, which raises spending on roads."
)


@pytest.mark.parametrize(
    ("chrome", "reason"),
    [
        ("Advertisement", "page chrome"),
        ("Story continues below advertisement", "page chrome"),
        ("Watch the full interview live", "promo line"),
        ("Subscribe to our morning briefing", "promo line"),
        ("[See also: Mayor defends road plan]", "promo link"),
        ("Copyright 2021 Example Media Ltd. All rights reserved.", "copyright line"),
        ("Sign up for our daily newsletter and get it in your inbox", "newsletter promo"),
        ("The Associated Press contributed to this report.", "credit line"),
        ("Urgent:", "label line"),
        ("READ MORE:", "promo line"),
        ("3 hours ago", "timestamp"),
        ("Enlarge this image toggle caption Jane Doe/Agency", "image caption chrome"),
        ("***", "separator"),
    ],
)
def test_general_chrome_rules(chrome, reason):
    cleaned = clean_article(f"{BODY}\n\n{chrome}\n\nThe mayor said the vote was fair.")
    assert chrome not in cleaned.text
    assert (chrome, reason) in [(r.text, r.reason) for r in cleaned.removed]
    assert "The mayor said the vote was fair." in cleaned.text
    assert BODY in cleaned.text


def test_related_headline_list_is_removed_but_single_subheading_kept():
    headlines = "Mayor Unveils New Road Plan\nCouncil Split Over Budget Vote\nWhat The Plan Means For You"
    cleaned = clean_article(f"{BODY}\n\n{headlines}\n\nA Rare Win\n\nThe mayor said the vote was fair.")
    for headline in headlines.split("\n"):
        assert headline not in cleaned.text
    assert "A Rare Win" in cleaned.text


def test_sentence_case_lines_are_not_mistaken_for_headlines():
    bullets = "the first item of a list\nthe second item of a list"
    cleaned = clean_article(f"{BODY}\n\n{bullets}")
    assert "the first item of a list" in cleaned.text


def test_hard_wrapped_lines_are_joined():
    cleaned = clean_article("The council approved the budget on Monday after a\nlong debate that ran late.")
    assert cleaned.text == "The council approved the budget on Monday after a long debate that ran late."


def test_given_title_repeated_in_text_is_dropped():
    cleaned = clean_article(f"Council Passes Budget\n\n{BODY}", title="Council passes budget")
    assert cleaned.title == "Council passes budget"
    assert cleaned.text == BODY


def test_only_chrome_gives_empty_text():
    assert clean_article("Advertisement\n\nWatch Live\n\n***").text == ""


@pytest.mark.parametrize(
    "paragraph",
    [
        "The debate between the two candidates starts at 9 p.m. ET on Wednesday",
        "He walked the committee through every step of the proof. Therefore the theorem holds, Q.E.D.",
        "The senator answered the question at length. She tells us:",
    ],
)
def test_content_that_looks_like_chrome_is_kept(paragraph):
    cleaned = clean_article(f"{BODY}\n\n{paragraph}\n\nThe mayor said the vote was fair.")
    assert paragraph in cleaned.text


def test_glued_link_label_is_cut_from_a_content_paragraph():
    cleaned = clean_article(f"{BODY}\n\nThe lawyer said the officials refused to meet him. Special Report: Budget Fight")
    assert cleaned.text.endswith("refused to meet him.")
    assert ("Special Report: Budget Fight", "trailing link label or sign-off") in [(r.text, r.reason) for r in cleaned.removed]
