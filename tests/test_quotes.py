"""Direct quotations and speakers: invented patterns, properties, the seed articles, PolNeAR, the CLI."""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest

from analysis.ingest import ingest
from analysis.quotes import QUOTE_COLUMNS, SOURCE_COLUMNS, find_quotes, quote_records, quoted_sources
from analysis.store import Store
from tests.conftest import SAMPLE


def only_quote(text: str) -> dict:
    found = find_quotes(text)
    assert len(found) == 1, found
    return found.iloc[0].to_dict()


def mention(text: str, row: dict) -> str:
    return text[row["speaker_start"]:row["speaker_end"]]


@pytest.mark.parametrize(
    ("text", "quote", "speaker", "cue"),
    [
        # "...," X said.  (straight quotes)
        ('"It is highly irregular," Mark Stephens said.', '"It is highly irregular,"', "Mark Stephens", "said"),
        # "...," said X.  (curly quotes)
        ("“It is highly irregular,” said Mark Stephens.", "“It is highly irregular,”", "Mark Stephens", "said"),
        # X said: "..."
        ("Mark Stephens said: “It is highly irregular and unusual.”", "“It is highly irregular and unusual.”",
         "Mark Stephens", "said"),
        # X said "..."
        ('Mark Stephens told reporters "the notice is a persecution."', '"the notice is a persecution."',
         "Mark Stephens", "told"),
        # According to X, "..."
        ("According to Marianne Ny, “a European arrest warrant has been issued.”",
         "“a European arrest warrant has been issued.”", "Marianne Ny", "According to"),
        # a cue outside the short list, after a comma-closed quote
        ("“Go back to your seat,” Trump barked.", "“Go back to your seat,”", "Trump", "barked"),
        # a short quote with a cue counts
        ("Clinton called the accusations “ridiculous”.", "“ridiculous”", "Clinton", "called"),
        # a description as speaker
        ("A spokesman for Scotland Yard refused to comment, but said: “Forces would act on any information.”",
         "“Forces would act on any information.”", "A spokesman for Scotland Yard", "said"),
    ],
)
def test_attribution_patterns(text, quote, speaker, cue):
    row = only_quote(text)
    assert row["text"] == quote
    assert text[row["start"]:row["end"]] == quote
    assert row["speaker"] == speaker
    assert row["cue"] == cue
    assert speaker.split()[-1] in mention(text, row)


def test_pronoun_resolves_to_the_last_named_speaker_not_the_last_name():
    text = (
        "Mark Stephens said on Wednesday that Swedish prosecutors had ignored requests from Mr Assange.\n\n"
        "He said: “It is highly irregular and unusual.”"
    )
    row = only_quote(text)
    assert row["speaker"] == "Mark Stephens"
    assert mention(text, row) == "He"  # the mention the cue attaches to, as written


def test_definite_description_resolves_to_the_person_given_that_role():
    text = (
        "Assange's lawyer, Mark Stephens, spoke to reporters. Later Interpol issued a notice.\n\n"
        "“This is a persecution and not a prosecution,” the lawyer said."
    )
    row = only_quote(text)
    assert row["speaker"] == "Mark Stephens"
    assert mention(text, row) == "the lawyer"


def test_unresolvable_pronoun_stays_as_written():
    row = only_quote("“We will not stop here,” she said.")
    assert row["speaker"] == "she"


def test_role_from_an_appositive_or_a_title():
    row = only_quote("Mark Stephens, his British lawyer, said: “We have had no contact.”")
    assert (row["speaker"], row["role"]) == ("Mark Stephens", "his British lawyer")
    row = only_quote("Prosecutor Marianne Ny said “for secrecy reasons, she cannot give more information.”")
    assert (row["speaker"], row["role"]) == ("Marianne Ny", "Prosecutor")


def test_interrupted_quote_is_one_quotation_counting_quoted_words_only():
    text = "“We are disappointed,” the senator said. “We will keep fighting for this bill.”"
    row = only_quote(text)
    assert (row["start"], row["end"]) == (0, len(text))
    assert row["words"] == 3 + 7
    assert mention(text, row) == "the senator"


def test_sentences_ending_with_a_full_stop_are_separate_quotations_of_one_speaker():
    text = "“I am very proud of it.” Smith smiled. “Nobody expected this result.”"
    found = find_quotes(text)
    assert len(found) == 2


def test_quote_continues_across_paragraphs():
    text = (
        "Mark Stephens said: “It is highly irregular and unusual.\n\n"
        "“We are also investigating whether the prosecutor’s application is linked to this matter.”"
    )
    row = only_quote(text)
    assert row["text"].endswith("matter.”") and row["text"].startswith("“It is")
    assert row["speaker"] == "Mark Stephens"


def test_a_paragraph_quote_after_an_attributed_one_keeps_its_speaker():
    text = "“It is unusual,” Mark Stephens said.\n\n“We will ask the court to look at the case again.”"
    found = find_quotes(text)
    assert list(found["speaker"]) == ["Mark Stephens", "Mark Stephens"]


def test_scare_quotes_and_titles_without_a_cue_are_not_quotations():
    assert find_quotes("Interpol issued a “red notice” to 188 countries on Tuesday.").empty
    assert find_quotes('She starred in "Trainwreck" last summer.').empty


def test_unattributed_long_quote_is_kept_without_speaker():
    row = only_quote("Asked about the leaks:\n\n“Nobody in this building knew anything about the cables.”")
    assert row["speaker"] is None and pd.isna(row["speaker_start"]) and row["cue"] is None


@pytest.mark.parametrize("text", ["", "   \n\n ", None])
def test_empty_input_gives_an_empty_frame_with_the_columns(text):
    found = find_quotes(text)
    assert found.empty and list(found.columns) == QUOTE_COLUMNS
    assert quoted_sources(found).empty and list(quoted_sources(found).columns) == SOURCE_COLUMNS


def _odd_texts(seed: int, n: int = 200) -> list[str]:
    rng = random.Random(seed)
    pieces = ["“", "”", '"', "‘", "’", "«", "»", "„", " said ", " he ", "Mark Stephens", ",", ".", ":", "\n", "\n\n",
              " according to ", "é", "🙂", "\u00a0", "=", "Mr.", " the lawyer ", "who", " word"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(n)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_properties_on_odd_text(seed):
    for text in _odd_texts(seed):
        found = find_quotes(text)
        assert list(found.columns) == QUOTE_COLUMNS
        assert (found["start"] < found["end"]).all()
        assert list(found["start"]) == sorted(found["start"])
        assert (found["end"].iloc[:-1].to_numpy() <= found["start"].iloc[1:].to_numpy()).all()  # no overlaps
        for row in quote_records(found):
            assert text[row["start"]:row["end"]] == row["text"]
            if row["speaker_start"] is not None:
                assert 0 <= row["speaker_start"] < row["speaker_end"] <= len(text)
            assert json.dumps(row)


def test_quoted_sources_merges_spellings_into_the_full_name():
    quotes = pd.DataFrame({
        "speaker": ["Stephens", "Mark Stephens", "Hillary Clinton", "Clinton", None, "Mr Stephens"],
        "words": [10, 5, 7, 1, 50, 2],
        "role": [None, "his lawyer", None, "Secretary of State", None, "his lawyer"],
    })
    table = quoted_sources(quotes)
    assert list(table["speaker"]) == ["Mark Stephens", "Hillary Clinton"]
    assert list(table["quotes"]) == [3, 2]
    assert list(table["quoted_words"]) == [17, 8]
    assert list(table["role"]) == ["his lawyer", "Secretary of State"]


def test_quoted_sources_keeps_different_people_with_one_surname_apart():
    quotes = pd.DataFrame({"speaker": ["Donald Trump", "Eric Trump", "Trump"], "words": [3, 2, 1], "role": [None] * 3})
    assert set(quoted_sources(quotes)["speaker"]) == {"Donald Trump", "Eric Trump", "Trump"}


@pytest.fixture(scope="module")
def seeds() -> pd.DataFrame:
    with Store.open(":memory:") as store:
        ingest([str(SAMPLE)], store=store)
        return store.articles(with_text=True)


def test_seed_articles_most_quoted_speaker(seeds):
    top = {}
    for outlet, text in zip(seeds["outlet"], seeds["text"]):
        found = find_quotes(text)
        for row in quote_records(found):
            assert text[row["start"]:row["end"]] == row["text"]
        top[outlet] = quoted_sources(found).iloc[0]["speaker"]
    assert top["The Telegraph"] == "Mark Stephens"
    assert top["CBS News"].split()[0] == "Hillary" and top["CBS News"].split()[-1] == "Clinton"


def test_seed_telegraph_quotes(seeds):
    text = seeds.loc[seeds["outlet"] == "The Telegraph", "text"].item()
    found = find_quotes(text)
    stephens = found[found["speaker"] == "Mark Stephens"]
    assert any("persecution and prosecution" in quote for quote in stephens["text"])
    assert {"Christine", "A spokesman for Scotland Yard"} <= set(found["speaker"])
    assert not any("red notice" in quote for quote in found["text"])  # a scare quote


def test_polnear_quality_floor(corpora):
    from bench.quotes import gold_quotes, load, score

    path = corpora / "polnear_train" / "polnear_train.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not found")
    records = load(200, path)
    predictions = [quote_records(find_quotes(record["text"])) for record in records]
    scores = score(predictions, [gold_quotes(record) for record in records])
    # measured on these 200 articles: F1 0.838, speaker accuracy 0.838 (all 840: 0.858 / 0.854)
    assert scores["f1"] >= 0.8
    assert scores["speaker"] >= 0.8


def test_cli_quotes_writes_offsets_and_skips_a_bad_line(tmp_path):
    from tests.test_cli import SCRIPT, run

    if not SCRIPT.is_file():
        pytest.skip(f"console script not installed at {SCRIPT}")
    text = "  “It is unusual,” Mark Stephens said.\n\nHe added: “We will appeal.”"
    source = tmp_path / "articles.jsonl"
    source.write_text(
        json.dumps({"id": "a1", "outlet": "X", "title": "T", "text": text, "extra": 1}) + "\n"
        + '{"id": "broken", "text": \n'
        + json.dumps({"id": "a2", "text": "No quotes here."}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out" / "quotes.jsonl"
    result = run("quotes", source, "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert "Traceback" not in result.output
    assert "articles.jsonl:2" in result.output and "not valid JSON" in result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["a1", "a2"]
    assert lines[1]["quotes"] == []
    quotes = lines[0]["quotes"]
    assert [set(q) for q in quotes] == [{"start", "end", "text", "speaker", "speaker_start", "speaker_end", "cue"}] * 2
    for quote in quotes:
        assert text[quote["start"]:quote["end"]] == quote["text"]
        assert quote["speaker"] == "Mark Stephens"
    assert text[quotes[1]["speaker_start"]:quotes[1]["speaker_end"]] == "He"

    missing = run("quotes", tmp_path / "nope.jsonl", "--out", out, cwd=tmp_path)
    assert missing.returncode == 1 and "Traceback" not in missing.output and "could not be read" in missing.output


def test_quoted_sources_by_outlet_on_the_seed_event():
    """Per outlet of the seeds' first event: Stephens tops The Telegraph, Clinton CBS News."""
    from analysis.ingest import ingest
    from analysis.quotes import quoted_sources_by_outlet
    from analysis.store import Store
    from tests.conftest import SAMPLE

    with Store.open(":memory:") as store:
        ingest([str(SAMPLE)], store=store)
        articles = store.articles(with_text=True)
    event = articles[articles["outlet"].isin(["The Telegraph", "CBS News"])]
    sources = quoted_sources_by_outlet(event)
    assert set(sources["outlet"]) == {"The Telegraph", "CBS News"}
    top = sources.groupby("outlet").first()["speaker"]
    assert "Stephens" in top["The Telegraph"] and "Clinton" in top["CBS News"]
    for _, rows in sources.groupby("outlet"):
        assert rows["quoted_words"].is_monotonic_decreasing and (rows["quoted_words"] > 0).all()
