"""Framing profiles: per-event facets pooled per outlet and set beside the corpus."""

import pandas as pd
import pytest

from analysis.framing import (
    LABELS_PROFILE_COLUMNS,
    TONE_PROFILE_COLUMNS,
    VOICES_PROFILE_COLUMNS,
    framing_profile,
    labels_profile,
    tone_profile,
    voices_profile,
)

VOICE_TYPES = pd.DataFrame({
    "event_id": ["e1", "e1", "e1", "e2", "e2"],
    "outlet": ["A", "A", "B", "A", "B"],
    "speaker_type": ["official", "citizen", "official", "official", "expert"],
    "speakers": [1, 1, 1, 2, 1],
    "quotes": [2, 1, 1, 3, 2],
    "quoted_words": [30, 10, 20, 60, 20],
    "share": [0.75, 0.25, 1.0, 1.0, 1.0],
})


def test_voices_profile_pools_words_over_events():
    profile = voices_profile(VOICE_TYPES).set_index(["outlet", "speaker_type"])
    assert list(voices_profile(VOICE_TYPES).columns) == VOICES_PROFILE_COLUMNS
    # A: officials 90 of 100 quoted words over two events; the corpus: 110 of 140.
    assert profile.loc[("A", "official"), "share"] == pytest.approx(0.9)
    assert profile.loc[("A", "official"), "events"] == 2
    assert profile.loc[("A", "official"), "corpus_share"] == pytest.approx(110 / 140)
    assert profile.loc[("B", "expert"), "difference"] == pytest.approx(0.5 - 20 / 140)
    shares = profile.groupby(level="outlet")["share"].sum()
    assert shares.tolist() == pytest.approx([1.0, 1.0])


def test_tone_profile_is_sentence_weighted_with_notes():
    tone = pd.DataFrame({
        "event_id": ["e1", "e2", "e1", "e1"], "outlet": ["A", "A", "B", "B"], "part": ["body"] * 3 + ["headline"],
        "voice": ["own"] * 4, "articles": [1, 1, 1, 1], "sentences": [30, 10, 20, 1], "words": [600, 200, 400, 8],
        "mean_compound": [0.2, -0.6, -0.1, 0.5], "negative_share": [0.1, 0.5, 0.3, 0.0],
        "positive_share": [0.3, 0.1, 0.2, 1.0], "note": [None, None, None, "rests on 1 sentence"],
    })
    profile = tone_profile(tone).set_index(["outlet", "part", "voice"])
    assert list(tone_profile(tone).columns) == TONE_PROFILE_COLUMNS
    a = profile.loc[("A", "body", "own")]
    assert a["sentences"] == 40 and a["mean_compound"] == pytest.approx((0.2 * 30 - 0.6 * 10) / 40)
    assert a["corpus_mean_compound"] == pytest.approx((0.2 * 30 - 0.6 * 10 - 0.1 * 20) / 60)
    assert a["note"] is None and "1 sentence" in profile.loc[("B", "headline", "own"), "note"]


def test_labels_profile_shares_of_a_label():
    labels = pd.DataFrame({
        "event_id": ["e1", "e1", "e2", "e1", "e2"], "actor": ["Julian Assange"] * 5,
        "outlet": ["A", "A", "A", "B", "B"],
        "label": ["WikiLeaks founder", "wikileaks founder", "the former hacker", "WikiLeaks founder", "the hacker"],
        "label_kind": ["title", "title", "descriptor", "title", "descriptor"],
    })
    profile = labels_profile(labels)
    assert list(profile.columns) == LABELS_PROFILE_COLUMNS
    founder = profile[(profile["outlet"] == "A") & (profile["label"] == "WikiLeaks founder")].iloc[0]
    assert founder["uses"] == 2 and founder["outlets_using"] == 2 and founder["share_of_uses"] == pytest.approx(2 / 3)
    only_a = profile[profile["label"] == "the former hacker"].iloc[0]
    assert only_a["share_of_uses"] == 1.0 and only_a["outlets_using"] == 1
    assert labels_profile(labels, min_events=3).empty


def test_framing_profile_for_one_outlet():
    profile = framing_profile("B", voice_types=VOICE_TYPES)
    assert set(profile) == {"voices"} and set(profile["voices"]["outlet"]) == {"B"}
    assert framing_profile(voice_types=VOICE_TYPES.iloc[:0])["voices"].empty
