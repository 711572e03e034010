"""One outlet's profile: events covered and missed, similar outlets, speakers, labels, charts."""

import pandas as pd
import pytest

from analysis import profiles
from analysis.charts import outlet_colors
from analysis.framing import (
    LABELS_PROFILE_COLUMNS,
    TONE_PROFILE_COLUMNS,
    VOICES_PROFILE_COLUMNS,
    labels_profile,
    tone_profile,
)
from analysis.store import Store


def _utc(*dates):
    return pd.to_datetime(list(dates), utc=True)


# Outlet A publishes from 10 to 12 March; B and C publish around it.
ARTICLE_EVENTS = pd.DataFrame({
    "article_id": ["a1", "a2", "a3", "b1", "b2", "b3", "b4", "c1", "c2", "c3"],
    "outlet": ["A", "A", "A", "B", "B", "B", "B", "C", "C", "C"],
    "event_id": ["e1", "e1", "e2", "e1", "e3", "e4", "e5", "e3", "e4", "e6"],
    "title": ["t"] * 10,
    "published": _utc("2020-03-10", "2020-03-10", "2020-03-12", "2020-03-10", "2020-03-11", "2020-03-01",
                      "2020-03-13", "2020-03-11", "2020-03-01", "2020-03-11"),
})
EVENTS = pd.DataFrame({
    "event_id": ["e1", "e2", "e3", "e4", "e5", "e6"],
    "story_id": ["s"] * 6,
    "label": ["one", "two", "three", "four", "five", "six"],
    "articles": [3, 1, 2, 2, 1, 1],
    "outlets": [2, 1, 2, 2, 1, 1],
    "first_published": _utc("2020-03-10", "2020-03-12", "2020-03-11", "2020-03-01", "2020-03-13", "2020-03-11"),
    "last_published": _utc("2020-03-10", "2020-03-12", "2020-03-11", "2020-03-01", "2020-03-13", "2020-03-11"),
    "run_id": [1] * 6,
})


def test_outlet_summary_counts_articles_events_and_shared_events():
    summary = profiles.outlet_summary(ARTICLE_EVENTS, "A")
    assert summary["articles"] == 3 and summary["events"] == 2 and summary["shared_events"] == 1
    assert summary["first_published"] == pd.Timestamp("2020-03-10", tz="UTC")
    assert summary["last_published"] == pd.Timestamp("2020-03-12", tz="UTC")
    assert profiles.outlet_summary(ARTICLE_EVENTS, "Nobody")["articles"] == 0


def test_events_covered_counts_the_outlets_articles_most_outlets_first():
    covered = profiles.events_covered(ARTICLE_EVENTS, EVENTS, "A")
    assert list(covered.columns) == profiles.COVERED_COLUMNS
    assert covered["event_id"].tolist() == ["e1", "e2"]
    assert covered["outlet_articles"].tolist() == [2, 1]
    assert covered["outlets"].tolist() == [2, 1]


def test_events_missed_are_others_events_in_the_outlets_publishing_period():
    missed = profiles.events_missed(ARTICLE_EVENTS, EVENTS, "A", min_outlets=1)
    assert list(missed.columns) == profiles.MISSED_COLUMNS
    # e4 began before A's first article; e5 the day after its last still counts; e1, e2 it covered.
    assert missed["event_id"].tolist() == ["e3", "e5", "e6"]
    assert profiles.events_missed(ARTICLE_EVENTS, EVENTS, "A", min_outlets=2)["event_id"].tolist() == ["e3"]
    assert set(missed["event_id"]).isdisjoint(profiles.events_covered(ARTICLE_EVENTS, EVENTS, "A")["event_id"])


def test_events_missed_of_an_undated_outlet_are_judged_over_the_whole_corpus():
    undated = ARTICLE_EVENTS.assign(published=ARTICLE_EVENTS["published"].where(ARTICLE_EVENTS["outlet"] != "A"))
    missed = profiles.events_missed(undated, EVENTS, "A", min_outlets=2)
    assert missed["event_id"].tolist() == ["e3", "e4"]


OVERALL = pd.DataFrame({
    "outlet_a": ["A", "A", "A", "A", "B", "C", "D"],
    "outlet_b": ["A", "B", "C", "D", "A", "A", "A"],
    "similarity": [1.0, 0.4, 0.9, 0.6, 0.4, 0.9, 0.6],
    "shared_events": [9, 5, 1, 3, 5, 1, 3],
})


@pytest.mark.parametrize(("min_shared", "expected"), [(1, ["C", "D", "B"]), (3, ["D", "B"]), (6, [])])
def test_similar_outlets_leave_out_itself_and_thinly_shared_outlets(min_shared, expected):
    similar = profiles.similar_outlets(OVERALL, "A", min_shared_events=min_shared)
    assert list(similar.columns) == profiles.SIMILAR_COLUMNS
    assert similar["outlet"].tolist() == expected
    assert similar["similarity"].is_monotonic_decreasing


VOICES = pd.DataFrame({
    "event_id": ["e1", "e1", "e1", "e2", "e2", "e2"],
    "outlet": ["A", "A", "A", "A", "A", "B"],
    "speaker": ["Jane Roe", None, "Bob Poe", "Jane Roe", "Bob Poe", "Jane Roe"],
    "speaker_type": ["official", "unattributed", "citizen", "official", "expert", "official"],
    "role": ["Mayor", None, None, "Mayor", "professor", "Mayor"],
    "quotes": [2, 1, 1, 1, 2, 5],
    "quoted_words": [30, 10, 10, 20, 30, 99],
    "share": [0.6, 0.2, 0.2, 0.4, 0.6, 1.0],
})


def test_outlet_speakers_pool_events_and_share_all_quoted_words():
    speakers = profiles.outlet_speakers(VOICES, "A")
    assert list(speakers.columns) == profiles.SPEAKER_COLUMNS
    assert speakers["speaker"].tolist() == ["Jane Roe", "Bob Poe"]
    jane = speakers.iloc[0]
    assert (jane["events"], jane["quotes"], jane["quoted_words"]) == (2, 3, 50)
    # Unattributed quotations count in the outlet's quoted words: 50 of 100.
    assert jane["share"] == pytest.approx(0.5)
    assert speakers["share"].sum() < 1.0
    assert profiles.outlet_speakers(VOICES, "C").empty


TONE = pd.DataFrame({
    "event_id": ["e1", "e1", "e1", "e2", "e2", "e2"],
    "outlet": ["A", "B", "C", "A", "A", "B"],
    "part": ["body", "body", "body", "body", "headline", "headline"],
    "voice": ["own", "own", "own", "own", "own", "own"],
    "articles": [1] * 6, "sentences": [4, 2, 6, 1, 1, 1], "words": [40, 20, 60, 10, 8, 8],
    "mean_compound": [0.5, -0.5, 0.1, -0.3, 0.2, -0.4], "negative_share": [0.0, 1.0, 0.5, 1.0, 0.0, 1.0],
    "positive_share": [1.0, 0.0, 0.5, 0.0, 1.0, 0.0], "note": [None] * 6,
})


@pytest.mark.parametrize("outlet", ["A", "B", "C"])
def test_outlet_tone_pools_the_others_without_changing_the_corpus_figures(outlet):
    whole = tone_profile(TONE)
    expected = whole[whole["outlet"] == outlet].reset_index(drop=True)
    profile = profiles.outlet_tone(TONE, outlet)
    assert list(profile.columns) == TONE_PROFILE_COLUMNS
    pd.testing.assert_frame_equal(profile, expected, check_dtype=False)
    assert profiles.outlet_tone(TONE, "Nobody").empty


def test_outlet_voice_types_set_the_outlet_beside_the_corpus():
    types = profiles.outlet_voice_types(VOICES, "A")
    assert list(types.columns) == VOICES_PROFILE_COLUMNS and set(types["outlet"]) == {"A"}
    official = types.set_index("speaker_type").loc["official"]
    assert official["share"] == pytest.approx(50 / 100)
    assert official["corpus_share"] == pytest.approx(149 / 199)
    assert types["share"].sum() == pytest.approx(1.0)


LABELS = pd.DataFrame({
    "event_id": ["e1", "e1", "e2", "e1", "e1", "e3"],
    "actor": ["Ann Lee", "Ann Lee", "Ann Lee", "Ann Lee", "Tom Ray", "Tom Ray"],
    "outlet": ["A", "A", "A", "B", "A", "B"],
    "article_id": ["a1", "a1", "a2", "b1", "a1", "b2"],
    "label": ["the senator", "The senator", "the veteran", "the firebrand", "the mayor", "the mayor"],
    "label_kind": ["descriptor"] * 6,
    "start": [0, 10, 0, 0, 20, 0], "end": [5, 15, 5, 5, 25, 5], "in_title": [False] * 6, "sentence": ["s"] * 6,
})


def test_outlet_labels_agree_with_framings_labels_profile():
    whole = labels_profile(LABELS)
    own, others = profiles.outlet_labels(LABELS, "A")
    keys = ["actor", "label"]
    expected_own = whole[whole["outlet"] == "A"].sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(own.sort_values(keys, ignore_index=True), expected_own, check_dtype=False)
    # Ann Lee, labelled three times, before Tom Ray, once.
    assert own["actor"].tolist() == ["Ann Lee", "Ann Lee", "Tom Ray"] and own["uses"].tolist() == [2, 1, 1]
    assert len(others) == (whole["outlet"] != "A").sum()


def test_outlet_labels_split_its_own_from_others_for_the_same_actors():
    own, others = profiles.outlet_labels(LABELS, "A")
    assert list(own.columns) == LABELS_PROFILE_COLUMNS == list(others.columns)
    assert set(own["outlet"]) == {"A"} and set(others["outlet"]) == {"B"}
    senator = own[own["label"].str.lower() == "the senator"].iloc[0]
    assert senator["uses"] == 2 and senator["share_of_uses"] == 1.0
    assert others["label"].tolist() == ["the firebrand", "the mayor"]
    # Recurring actors: each is labelled in two events, counting every outlet's (A labels Tom Ray in one).
    assert set(profiles.outlet_labels(LABELS, "A", min_events=2)[0]["actor"]) == {"Ann Lee", "Tom Ray"}
    assert profiles.outlet_labels(LABELS, "A", min_events=3)[0].empty


def test_charts_use_fixed_outlet_colours_and_tooltips():
    similar = profiles.similar_outlets(OVERALL, "A", min_shared_events=1)
    spec = profiles.similar_outlets_chart(similar, "A").to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == outlet_colors(similar["outlet"])
    assert {tip["field"] for tip in spec["encoding"]["tooltip"]} == {"outlet", "similarity", "shared_events"}
    speakers = profiles.speakers_chart(profiles.outlet_speakers(VOICES, "A")).to_dict()
    assert speakers["encoding"]["y"]["field"] == "speaker"
    layered = profiles.speaker_types_chart(profiles.outlet_voice_types(VOICES, "A")).to_dict()
    assert [layer["mark"]["type"] for layer in layered["layer"]] == ["bar", "tick"]


def test_tone_chart_fades_thin_figures():
    tone = pd.DataFrame({"event_id": ["e1", "e1"], "outlet": ["A", "A"], "part": ["headline", "body"],
                         "voice": ["own", "own"], "articles": [1, 1], "sentences": [1, 9], "words": [8, 90],
                         "mean_compound": [0.3, -0.2], "negative_share": [0.0, 0.5], "positive_share": [1.0, 0.1],
                         "note": [None, None]})
    profile = profiles.outlet_tone(tone, "A")
    assert profile.set_index("part").loc["headline", "note"]
    spec = profiles.tone_profile_chart(profile).to_dict()
    bars, ticks = spec["layer"]
    assert bars["encoding"]["opacity"]["condition"]["test"] == "datum.note == ''"
    assert ticks["encoding"]["x"]["field"] == "corpus_mean_compound"
    assert bars["encoding"]["x"]["scale"]["domain"] == [-1, 1]


def test_telegraph_profile_on_the_seeds(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as store:
        article_events, events = store.article_events_with_outlets(), store.events()
        voices = profiles.read_outlet_voices(store, "The Telegraph")
        tone = profiles.read_outlet_tone(store, "The Telegraph")
        own, others = profiles.read_outlet_labels(store, "The Telegraph")
        recurring, _ = profiles.read_outlet_labels(store, "The Telegraph", min_events=2)
    covered = profiles.events_covered(article_events, events, "The Telegraph")
    assert covered["outlets"].tolist() == [2]
    # CBS News covered the same event; the U.S. News event came 18 months later.
    assert profiles.events_missed(article_events, events, "The Telegraph", min_outlets=1).empty
    assert voices["speakers"]["speaker"].iloc[0] == "Mark Stephens"
    assert voices["types"]["speaker_type"].iloc[0] == "lawyer/advocate"
    assert set(tone["outlet"]) == {"The Telegraph"} and {"headline", "body"} <= set(tone["part"])
    assert "The 39-year-old Australian" in own.loc[own["actor"] == "Julian Assange", "label"].tolist()
    cbs = others[(others["actor"] == "Julian Assange") & (others["outlet"] == "CBS News")]["label"]
    assert {"WikiLeaks founder", "The former computer hacker"} <= set(cbs)
    # Every seed actor is labelled in one event only: none recurs.
    assert recurring.empty
