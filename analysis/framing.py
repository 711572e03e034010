"""Framing profiles: how one outlet frames the events it covered, against the corpus average.

Each facet of framing is measured per event and outlet by its own module:

- word choice: :mod:`analysis.words` (log-odds with an informative Dirichlet prior);
- actor labels: :mod:`analysis.actors` (appositions, titles, coreferent descriptors);
- voices: :mod:`analysis.voices` (who is quoted, by speaker type);
- tone: :mod:`analysis.tone` (VADER, own voice apart from quoted text, headline apart from body).

This module aggregates those per-event tables over every event an outlet covered and sets
each figure beside the corpus's, one DataFrame per facet (:func:`framing_profile`). Averages
are pooled, not means of means: an outlet's share of quoted words by officials is its
officials' words over all its quoted words, so a long article weighs more than a brief.

Example:
    >>> voice_types = pd.DataFrame({"event_id": ["e1", "e1", "e1"], "outlet": ["A", "A", "B"],
    ...     "speaker_type": ["official", "citizen", "official"], "speakers": [1, 1, 1],
    ...     "quotes": [2, 1, 1], "quoted_words": [30, 10, 20], "share": [0.75, 0.25, 1.0]})
    >>> row = voices_profile(voice_types).iloc[0]
    >>> row["outlet"], row["speaker_type"], float(row["share"]), round(float(row["corpus_share"]), 3)
    ('A', 'official', 0.75, 0.833)
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "LABELS_PROFILE_COLUMNS",
    "TONE_PROFILE_COLUMNS",
    "VOICES_PROFILE_COLUMNS",
    "framing_profile",
    "labels_profile",
    "tone_profile",
    "voices_profile",
]

VOICES_PROFILE_COLUMNS = ["outlet", "speaker_type", "events", "quotes", "quoted_words", "share", "corpus_share",
                          "difference"]
TONE_PROFILE_COLUMNS = ["outlet", "part", "voice", "events", "sentences", "mean_compound", "corpus_mean_compound",
                        "difference", "negative_share", "corpus_negative_share", "note"]
LABELS_PROFILE_COLUMNS = ["outlet", "actor", "label", "label_kind", "uses", "events", "outlets_using",
                          "share_of_uses"]

# Fewer sentences than this behind an outlet's tone figure and it gets a note (as analysis.tone).
_MIN_SENTENCES = 3


def voices_profile(voice_types: pd.DataFrame) -> pd.DataFrame:
    """Per outlet: the share of its quoted words by speaker type, over all its events, beside the
    corpus's share.

    Args:
        voice_types: :func:`analysis.voices.voices_by_type` rows of many events (``event_id``,
            ``outlet``, ``speaker_type``, ``quotes``, ``quoted_words``, ...).

    Returns:
        One row per outlet and speaker type it quotes. Columns: ``outlet``, ``speaker_type``,
        ``events`` (its events quoting that type), ``quotes``, ``quoted_words``, ``share`` (of
        the outlet's quoted words), ``corpus_share`` (that type's share of every outlet's quoted
        words), ``difference`` (share − corpus_share). Ordered by outlet, largest share first.
    """
    if voice_types.empty:
        return pd.DataFrame(columns=VOICES_PROFILE_COLUMNS)
    table = voice_types.groupby(["outlet", "speaker_type"], sort=True).agg(
        events=("event_id", "nunique"), quotes=("quotes", "sum"), quoted_words=("quoted_words", "sum")
    ).reset_index()
    outlet_words = table.groupby("outlet")["quoted_words"].transform("sum")
    table["share"] = table["quoted_words"] / outlet_words.where(outlet_words > 0)
    corpus = table.groupby("speaker_type")["quoted_words"].sum()
    table["corpus_share"] = table["speaker_type"].map(corpus / max(int(corpus.sum()), 1))
    table["difference"] = table["share"] - table["corpus_share"]
    table = table.fillna({"share": 0.0})
    return table.sort_values(["outlet", "share", "speaker_type"], ascending=[True, False, True],
                             ignore_index=True)[VOICES_PROFILE_COLUMNS]


def tone_profile(tone: pd.DataFrame) -> pd.DataFrame:
    """Per outlet: its tone (headline and body, own voice and quoted text) over all its events,
    beside the corpus's.

    Args:
        tone: :func:`analysis.tone.tone_by_outlet` rows of many events (``event_id``, ``outlet``,
            ``part``, ``voice``, ``sentences``, ``mean_compound``, ``negative_share``, ...).

    Returns:
        One row per outlet, part and voice. Columns: ``outlet``, ``part`` (``headline`` or
        ``body``), ``voice`` (``own`` or ``quoted``), ``events``, ``sentences`` (behind the
        figure), ``mean_compound`` (VADER compound, mean over those sentences),
        ``corpus_mean_compound`` (all outlets' sentences of that part and voice),
        ``difference``, ``negative_share`` and ``corpus_negative_share`` (sentences at or below
        VADER's negative cut-off), ``note`` (when few sentences carry the figure, else None).
    """
    if tone.empty:
        return pd.DataFrame(columns=TONE_PROFILE_COLUMNS)
    # Sentence-weighted: the per-event means times their sentences give back the sums.
    weighted = tone.assign(
        compound_sum=tone["mean_compound"] * tone["sentences"], negative_sum=tone["negative_share"] * tone["sentences"]
    )
    keys = ["outlet", "part", "voice"]
    table = weighted.groupby(keys, sort=True).agg(
        events=("event_id", "nunique"), sentences=("sentences", "sum"), compound_sum=("compound_sum", "sum"),
        negative_sum=("negative_sum", "sum"),
    ).reset_index()
    table["mean_compound"] = table["compound_sum"] / table["sentences"]
    table["negative_share"] = table["negative_sum"] / table["sentences"]
    corpus = table.groupby(["part", "voice"])[["compound_sum", "negative_sum", "sentences"]].sum()
    corpus_keys = list(zip(table["part"], table["voice"]))
    table["corpus_mean_compound"] = [corpus.loc[key, "compound_sum"] / corpus.loc[key, "sentences"]
                                     for key in corpus_keys]
    table["corpus_negative_share"] = [corpus.loc[key, "negative_sum"] / corpus.loc[key, "sentences"]
                                      for key in corpus_keys]
    table["difference"] = table["mean_compound"] - table["corpus_mean_compound"]
    table["note"] = pd.Series([f"rests on {n} sentence{'s' if n != 1 else ''}: too few to describe the outlet's tone"
                               if n < _MIN_SENTENCES else None for n in table["sentences"]], dtype=object)
    return table[TONE_PROFILE_COLUMNS]


def labels_profile(labels: pd.DataFrame, *, min_events: int = 1) -> pd.DataFrame:
    """Per outlet: the labels it attaches to actors, over all its events, and how much of each
    label's use across the corpus is this outlet's.

    Args:
        labels: :func:`analysis.actors.actor_labels` rows of many events (``event_id``,
            ``actor``, ``outlet``, ``label``, ``label_kind``, ...).
        min_events: keep actors labelled in at least this many events (2: recurring actors).

    Returns:
        One row per outlet, actor and label (compared lower-cased). Columns: ``outlet``,
        ``actor``, ``label`` (as the outlet wrote it most often), ``label_kind``, ``uses``,
        ``events``, ``outlets_using`` (outlets in the corpus using the label for the actor),
        ``share_of_uses`` (this outlet's uses over all uses of the label for the actor: 1.0 is a
        label only it uses). Ordered by outlet, actor, most used first.
    """
    if labels.empty:
        return pd.DataFrame(columns=LABELS_PROFILE_COLUMNS)
    frame = labels.assign(key=labels["label"].str.lower().str.strip())
    recurring = frame.groupby("actor")["event_id"].nunique()
    frame = frame[frame["actor"].map(recurring) >= min_events]
    if frame.empty:
        return pd.DataFrame(columns=LABELS_PROFILE_COLUMNS)
    keys = ["outlet", "actor", "key"]
    table = frame.groupby(keys, sort=True).agg(
        label=("label", lambda values: values.value_counts().index[0]),
        label_kind=("label_kind", lambda values: values.value_counts().index[0]),
        uses=("label", "size"), events=("event_id", "nunique"),
    ).reset_index()
    totals = table.groupby(["actor", "key"]).agg(all_uses=("uses", "sum"), outlets_using=("outlet", "nunique"))
    table = table.join(totals, on=["actor", "key"])
    table["share_of_uses"] = table["uses"] / table["all_uses"]
    return table.sort_values(["outlet", "actor", "uses", "label"], ascending=[True, True, False, True],
                             ignore_index=True)[LABELS_PROFILE_COLUMNS]


def framing_profile(
    outlet: str | None = None,
    *,
    terms: pd.DataFrame | None = None,
    labels: pd.DataFrame | None = None,
    voice_types: pd.DataFrame | None = None,
    tone: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Every facet's profile, for one outlet (or all), one DataFrame per facet.

    Args:
        outlet: keep this outlet's rows only (None: every outlet).
        terms: corpus-wide :func:`analysis.words.distinctive_terms` rows grouped by ``outlet``
            (each outlet against all the others: already a comparison with the corpus).
        labels, voice_types, tone: per-event tables as :func:`labels_profile`,
            :func:`voices_profile` and :func:`tone_profile` take them.

    Returns:
        ``{"words": ..., "labels": ..., "voices": ..., "tone": ...}`` for the facets given, with
        the columns of :data:`analysis.words.TERM_COLUMNS`, :data:`LABELS_PROFILE_COLUMNS`,
        :data:`VOICES_PROFILE_COLUMNS` and :data:`TONE_PROFILE_COLUMNS`.
    """
    profile: dict[str, pd.DataFrame] = {}
    if terms is not None:
        profile["words"] = terms.reset_index(drop=True)
    if labels is not None:
        profile["labels"] = labels_profile(labels)
    if voice_types is not None:
        profile["voices"] = voices_profile(voice_types)
    if tone is not None:
        profile["tone"] = tone_profile(tone)
    if outlet is not None:
        profile = {facet: frame[frame["outlet"] == outlet].reset_index(drop=True) for facet, frame in profile.items()}
    return profile
