"""One outlet's profile against the corpus: the events it covered and missed, the outlets whose
coverage reads most like its own, and its framing (words, voices, tone, actor labels).

The framing facets are pooled per outlet by :mod:`analysis.framing`; this module picks one
outlet's rows, adds what an outlet page needs beside them (its most quoted speakers, the labels
other outlets use for the same actors), and draws the charts the dashboard and notebooks share.

"Missed" events are judged within the outlet's own publishing period: an event from before the
outlet's first article or after its last is outside what it could have covered, not a blind spot.

Example:
    >>> article_events = pd.DataFrame({"article_id": ["a1", "a2", "a3"], "outlet": ["A", "B", "B"],
    ...     "event_id": ["e1", "e1", "e2"], "title": ["t1", "t2", "t3"],
    ...     "published": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-01"], utc=True)})
    >>> events = pd.DataFrame({"event_id": ["e1", "e2"], "label": ["one", "two"], "articles": [2, 1],
    ...     "outlets": [2, 1], "first_published": pd.to_datetime(["2020-01-01", "2020-01-01"], utc=True),
    ...     "last_published": pd.to_datetime(["2020-01-01", "2020-01-01"], utc=True)})
    >>> events_covered(article_events, events, "A")["event_id"].tolist()
    ['e1']
    >>> events_missed(article_events, events, "A", min_outlets=1)["event_id"].tolist()
    ['e2']
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.charts import outlet_color_scale
from analysis.framing import LABELS_PROFILE_COLUMNS, tone_profile, voices_profile
from analysis.voices import voices_by_type

__all__ = [
    "COVERED_COLUMNS",
    "DEFAULT_MIN_OUTLETS_MISSED",
    "DEFAULT_MIN_SHARED_EVENTS",
    "MISSED_COLUMNS",
    "SIMILAR_COLUMNS",
    "SPEAKER_COLUMNS",
    "events_covered",
    "events_missed",
    "outlet_labels",
    "outlet_speakers",
    "outlet_summary",
    "outlet_tone",
    "outlet_voice_types",
    "read_outlet_labels",
    "read_outlet_tone",
    "read_outlet_voices",
    "similar_outlets",
    "similar_outlets_chart",
    "speaker_types_chart",
    "speakers_chart",
    "tone_profile_chart",
]

COVERED_COLUMNS = ["event_id", "label", "first_published", "outlet_articles", "articles", "outlets"]
MISSED_COLUMNS = ["event_id", "label", "first_published", "articles", "outlets"]
SIMILAR_COLUMNS = ["outlet", "similarity", "shared_events"]
SPEAKER_COLUMNS = ["speaker", "speaker_type", "role", "events", "quotes", "quoted_words", "share"]

# An event counts as missed when at least this many other outlets covered it.
DEFAULT_MIN_OUTLETS_MISSED = 2
# Outlets compared on fewer shared events than this are left out of the similarity ranking: one
# shared event says little about how alike two outlets' coverage is.
DEFAULT_MIN_SHARED_EVENTS = 3


def outlet_summary(article_events: pd.DataFrame, outlet: str) -> dict:
    """One outlet at a glance, from :meth:`analysis.store.Store.article_events_with_outlets` rows:
    ``articles``, ``events`` (it covered), ``shared_events`` (of those, covered by another outlet
    too), ``first_published`` and ``last_published`` (None when undated)."""
    own = article_events[article_events["outlet"] == outlet]
    outlets_per_event = article_events.groupby("event_id")["outlet"].nunique()
    own_events = own["event_id"].unique()
    dates = own["published"].dropna()
    return {
        "articles": len(own),
        "events": len(own_events),
        "shared_events": int((outlets_per_event.reindex(own_events) > 1).sum()),
        "first_published": dates.min() if len(dates) else None,
        "last_published": dates.max() if len(dates) else None,
    }


def events_covered(article_events: pd.DataFrame, events: pd.DataFrame, outlet: str) -> pd.DataFrame:
    """The events an outlet covered.

    Args:
        article_events: :meth:`analysis.store.Store.article_events_with_outlets` rows
            (``article_id``, ``outlet``, ``event_id``, ...).
        events: :meth:`analysis.store.Store.events` rows (``event_id``, ``label``,
            ``articles``, ``outlets``, ``first_published``, ...).
        outlet: the outlet.

    Returns:
        Columns :data:`COVERED_COLUMNS`: ``event_id``, ``label``, ``first_published``,
        ``outlet_articles`` (the outlet's articles in the event), ``articles`` and ``outlets``
        (the whole event's). Events most outlets covered first, then newest first.
    """
    own = article_events[article_events["outlet"] == outlet]
    counts = own.groupby("event_id").size().rename("outlet_articles")
    table = events.join(counts, on="event_id", how="inner")
    table = table.sort_values(["outlets", "first_published", "event_id"], ascending=[False, False, True],
                              na_position="last")
    return table[COVERED_COLUMNS].reset_index(drop=True)


def events_missed(article_events: pd.DataFrame, events: pd.DataFrame, outlet: str, *,
                  min_outlets: int = DEFAULT_MIN_OUTLETS_MISSED) -> pd.DataFrame:
    """The outlet's blind spots: events at least ``min_outlets`` other outlets covered while it
    was publishing, and it did not.

    Args:
        article_events, events, outlet: as :func:`events_covered` takes them.
        min_outlets: fewest outlets that covered the event.

    Returns:
        Columns :data:`MISSED_COLUMNS`: ``event_id``, ``label``, ``first_published``,
        ``articles``, ``outlets``. Only events that began between the day of the outlet's first
        article and the day after its last (every event when its articles are undated). Events
        most outlets covered first, then most articles, then newest.
    """
    own = article_events[article_events["outlet"] == outlet]
    table = events[~events["event_id"].isin(set(own["event_id"])) & (events["outlets"] >= min_outlets)]
    dates = own["published"].dropna()
    if len(dates):
        # From the day of its first article up to the end of the day after its last.
        start, end = dates.min().floor("D"), dates.max().floor("D") + pd.Timedelta(days=2)
        began = table["first_published"]
        table = table[began.notna() & (began >= start) & (began < end)]
    table = table.sort_values(["outlets", "articles", "first_published", "event_id"],
                              ascending=[False, False, False, True], na_position="last")
    return table[MISSED_COLUMNS].reset_index(drop=True)


def similar_outlets(overall: pd.DataFrame, outlet: str, *,
                    min_shared_events: int = DEFAULT_MIN_SHARED_EVENTS) -> pd.DataFrame:
    """The outlets whose coverage of shared events reads most like this outlet's.

    Args:
        overall: :meth:`analysis.store.Store.outlet_similarity_overall` rows (``outlet_a``,
            ``outlet_b``, ``similarity``, ``shared_events``; both orders).
        outlet: the outlet.
        min_shared_events: leave out outlets sharing fewer events with it.

    Returns:
        Columns :data:`SIMILAR_COLUMNS`: ``outlet`` (the other one), ``similarity`` (mean
        per-event coverage cosine), ``shared_events``. Most similar first.
    """
    rows = overall[(overall["outlet_a"] == outlet) & (overall["outlet_b"] != outlet)
                   & (overall["shared_events"] >= min_shared_events)]
    table = rows.rename(columns={"outlet_b": "outlet"})[SIMILAR_COLUMNS]
    return table.sort_values(["similarity", "shared_events", "outlet"], ascending=[False, False, True],
                             ignore_index=True)


def _mode(frame: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """The most frequent non-missing ``column`` value per group of ``keys`` (ties: the first to
    appear), indexed by ``keys``; vectorised, as a lambda per group is slow over thousands of
    groups."""
    stated = frame[frame[column].notna()]
    counts = stated.groupby([*keys, column], sort=False).size().rename("n").reset_index()
    counts = counts.sort_values([*keys, "n"], ascending=[True] * len(keys) + [False], kind="stable")
    return counts.drop_duplicates(keys).set_index(keys)[column]


def outlet_speakers(voices: pd.DataFrame, outlet: str) -> pd.DataFrame:
    """Whom an outlet quotes, pooled over its events.

    Args:
        voices: :func:`analysis.voices.voices` rows with ``event_id`` (at least the outlet's).
        outlet: the outlet.

    Returns:
        One row per named speaker. Columns :data:`SPEAKER_COLUMNS`: ``speaker``,
        ``speaker_type`` and ``role`` (as most often recorded), ``events``, ``quotes``,
        ``quoted_words``, ``share`` (of all the outlet's quoted words, unattributed ones
        included). Most quoted words first.
    """
    own = voices[voices["outlet"] == outlet]
    named = own[own["speaker"].notna()]
    if named.empty:
        return pd.DataFrame(columns=SPEAKER_COLUMNS)
    table = named.groupby("speaker", sort=True).agg(
        events=("event_id", "nunique"), quotes=("quotes", "sum"), quoted_words=("quoted_words", "sum"),
    )
    table["speaker_type"] = _mode(named, ["speaker"], "speaker_type")
    table["role"] = _mode(named, ["speaker"], "role")
    table = table.reset_index()
    table["share"] = table["quoted_words"] / max(int(own["quoted_words"].sum()), 1)
    return table.sort_values(["quoted_words", "quotes", "speaker"], ascending=[False, False, True],
                             ignore_index=True)[SPEAKER_COLUMNS]


def outlet_voice_types(voices: pd.DataFrame, outlet: str) -> pd.DataFrame:
    """An outlet's share of quoted words per speaker type beside the corpus's.

    Args:
        voices: the stored ``voices`` table (:func:`analysis.voices.voices` rows of every
            outlet: the corpus shares need them all).
        outlet: the outlet.

    Returns:
        The outlet's :func:`analysis.framing.voices_profile` rows (columns
        :data:`analysis.framing.VOICES_PROFILE_COLUMNS`), largest share first.
    """
    profile = voices_profile(voices_by_type(voices))
    return profile[profile["outlet"] == outlet].reset_index(drop=True)


# Stands for every other outlet pooled into one; no outlet name starts with a control character.
_OTHERS = "\x00others"


def outlet_tone(tone: pd.DataFrame, outlet: str) -> pd.DataFrame:
    """An outlet's tone beside the corpus's.

    Args:
        tone: the stored ``tone`` table (:func:`analysis.tone.tone_by_outlet` rows of every
            outlet: the corpus means need them all).
        outlet: the outlet.

    Returns:
        The outlet's :func:`analysis.framing.tone_profile` rows (columns
        :data:`analysis.framing.TONE_PROFILE_COLUMNS`). The other outlets' rows are first pooled
        into one sentence-weighted row per part and voice, which leaves the corpus figures as
        they are and saves profiling hundreds of outlets to show one.
    """
    own, others = tone[tone["outlet"] == outlet], tone[tone["outlet"] != outlet]
    weighted = others.assign(compound_sum=others["mean_compound"] * others["sentences"],
                             negative_sum=others["negative_share"] * others["sentences"])
    pooled = weighted.groupby(["part", "voice"], as_index=False)[["sentences", "compound_sum", "negative_sum"]].sum()
    pooled = pooled[pooled["sentences"] > 0].assign(
        event_id=_OTHERS, outlet=_OTHERS, mean_compound=lambda frame: frame["compound_sum"] / frame["sentences"],
        negative_share=lambda frame: frame["negative_sum"] / frame["sentences"],
    )
    profile = tone_profile(pd.concat([own, pooled[["event_id", "outlet", "part", "voice", "sentences",
                                                   "mean_compound", "negative_share"]]], ignore_index=True))
    return profile[profile["outlet"] == outlet].reset_index(drop=True)


def outlet_labels(labels: pd.DataFrame, outlet: str, *, min_events: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The labels an outlet attaches to actors, and those other outlets use for the same actors.

    The figures of :func:`analysis.framing.labels_profile`, computed without a Python call per
    group (a widely covered actor has tens of thousands of labels); a label's spelling and kind
    are its most frequent, ties going to the first to appear.

    Args:
        labels: :func:`analysis.actors.actor_labels` rows with ``event_id``, holding every
            outlet's rows for the actors the outlet labels (as
            :meth:`analysis.store.Store.outlet_framing` reads them).
        outlet: the outlet.
        min_events: keep actors labelled in at least this many events (2: recurring actors).

    Returns:
        ``(own, others)``: rows with the columns of
        :data:`analysis.framing.LABELS_PROFILE_COLUMNS` for this outlet, and for the other
        outlets on the actors this outlet labels; both by actor (those it labels most first),
        then most used first.
    """
    frame = labels.assign(key=labels["label"].str.lower().str.strip())
    recurring = frame.groupby("actor")["event_id"].nunique()
    frame = frame[frame["actor"].map(recurring) >= min_events]
    frame = frame[frame["actor"].isin(set(frame.loc[frame["outlet"] == outlet, "actor"]))]
    keys = ["outlet", "actor", "key"]
    table = frame.groupby(keys, sort=True).agg(uses=("label", "size"), events=("event_id", "nunique"))
    table["label"] = _mode(frame, keys, "label")
    table["label_kind"] = _mode(frame, keys, "label_kind")
    table = table.reset_index()
    totals = table.groupby(["actor", "key"]).agg(all_uses=("uses", "sum"), outlets_using=("outlet", "nunique"))
    table = table.join(totals, on=["actor", "key"])
    table["share_of_uses"] = table["uses"] / table["all_uses"]
    own = table[table["outlet"] == outlet]
    # The actors the outlet labels most come first, in both tables.
    actor_rank = own.groupby("actor")["uses"].sum().rank(method="first", ascending=False)
    table = table.assign(actor_rank=table["actor"].map(actor_rank))
    own = table[table["outlet"] == outlet].sort_values(["actor_rank", "uses", "label"], ascending=[True, False, True])
    others = table[table["outlet"] != outlet].sort_values(["actor_rank", "uses", "outlet", "label"],
                                                         ascending=[True, False, True, True])
    return (own[LABELS_PROFILE_COLUMNS].reset_index(drop=True),
            others[LABELS_PROFILE_COLUMNS].reset_index(drop=True))


# --- reads of an open store (the dashboard caches them per store version)


def read_outlet_voices(store, outlet: str) -> dict[str, pd.DataFrame]:
    """``{"speakers": ..., "types": ...}``: :func:`outlet_speakers` and :func:`outlet_voice_types`
    of an open :class:`analysis.store.Store`."""
    return {"speakers": outlet_speakers(store.outlet_framing("voices", outlet), outlet),
            "types": outlet_voice_types(store.framing_table("voices"), outlet)}


def read_outlet_tone(store, outlet: str) -> pd.DataFrame:
    """:func:`outlet_tone` of an open :class:`analysis.store.Store`."""
    return outlet_tone(store.framing_table("tone"), outlet)


def read_outlet_labels(store, outlet: str, *, min_events: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`outlet_labels` of an open :class:`analysis.store.Store`."""
    return outlet_labels(store.outlet_framing("actor_labels", outlet), outlet, min_events=min_events)


# --- charts


def similar_outlets_chart(similar: pd.DataFrame, outlet: str, *, top: int = 15) -> alt.Chart:
    """Horizontal bars: the ``top`` outlets most similar to ``outlet``, in their own colours.

    Args:
        similar: :func:`similar_outlets` rows (``outlet``, ``similarity``, ``shared_events``).
        outlet: the outlet they are compared with (for the title).
        top: bars drawn.
    """
    data = similar.head(top)
    return (
        alt.Chart(data, title=f"Outlets whose coverage reads most like {outlet}'s")
        .mark_bar()
        .encode(
            x=alt.X("similarity:Q", title="Mean coverage similarity over shared events",
                    scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("outlet:N", title=None, sort="-x"),
            color=alt.Color("outlet:N", scale=outlet_color_scale(data["outlet"]), legend=None),
            tooltip=[
                alt.Tooltip("outlet:N", title="Outlet"),
                alt.Tooltip("similarity:Q", title="Similarity", format=".2f"),
                alt.Tooltip("shared_events:Q", title="Events both covered"),
            ],
        )
    )


def speakers_chart(speakers: pd.DataFrame, *, top: int = 15, title: str = "Most quoted speakers") -> alt.Chart:
    """Horizontal bars of quoted words for the ``top`` speakers, coloured by speaker type.

    Args:
        speakers: :func:`outlet_speakers` rows.
    """
    data = speakers.head(top).assign(role=lambda frame: frame["role"].fillna(""))
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X("quoted_words:Q", title="Quoted words"),
            y=alt.Y("speaker:N", title=None, sort="-x"),
            color=alt.Color("speaker_type:N", title="Speaker type"),
            tooltip=[
                alt.Tooltip("speaker:N", title="Speaker"),
                alt.Tooltip("speaker_type:N", title="Type"),
                alt.Tooltip("role:N", title="Role"),
                alt.Tooltip("quoted_words:Q", title="Quoted words"),
                alt.Tooltip("quotes:Q", title="Quotes"),
                alt.Tooltip("events:Q", title="Events"),
                alt.Tooltip("share:Q", title="Share of its quoted words", format=".0%"),
            ],
        )
    )


def speaker_types_chart(profile: pd.DataFrame, *, title: str = "Who is quoted, against the corpus") -> alt.LayerChart:
    """Bars of an outlet's share of quoted words per speaker type, a black tick at the corpus's.

    Args:
        profile: one outlet's :func:`analysis.framing.voices_profile` rows (``outlet``,
            ``speaker_type``, ``share``, ``corpus_share``, ``difference``, ``quotes``, ...).
    """
    tooltip = [
        alt.Tooltip("speaker_type:N", title="Speaker type"),
        alt.Tooltip("share:Q", title="Share here", format=".0%"),
        alt.Tooltip("corpus_share:Q", title="Share in the corpus", format=".0%"),
        alt.Tooltip("difference:Q", title="Difference", format="+.0%"),
        alt.Tooltip("quoted_words:Q", title="Quoted words"),
        alt.Tooltip("events:Q", title="Events"),
    ]
    base = alt.Chart(profile, title=title).encode(
        y=alt.Y("speaker_type:N", title=None, sort=alt.EncodingSortField(field="share", order="descending")),
        tooltip=tooltip,
    )
    bars = base.mark_bar().encode(
        x=alt.X("share:Q", title="Share of quoted words (tick: corpus)", axis=alt.Axis(format="%")),
        color=alt.Color("outlet:N", scale=outlet_color_scale(profile["outlet"]), legend=None),
    )
    ticks = base.mark_tick(color="black", thickness=2, size=18).encode(x="corpus_share:Q")
    return bars + ticks


def tone_profile_chart(profile: pd.DataFrame, *, title: str = "Tone against the corpus") -> alt.LayerChart:
    """Bars of an outlet's mean tone per part (headline, body) and voice (own, quoted), a black
    tick at the corpus's; faded bars rest on too few sentences.

    Args:
        profile: one outlet's :func:`analysis.framing.tone_profile` rows.
    """
    data = profile.assign(
        note=profile["note"].fillna(""),
        facet=profile["part"] + ", " + profile["voice"] + " voice",
    )
    base = alt.Chart(data, title=title).encode(
        y=alt.Y("facet:N", title=None, sort=["headline, own voice", "headline, quoted voice", "body, own voice",
                                             "body, quoted voice"]),
        tooltip=[
            alt.Tooltip("part:N", title="Part"),
            alt.Tooltip("voice:N", title="Voice"),
            alt.Tooltip("mean_compound:Q", title="Mean tone here", format=".2f"),
            alt.Tooltip("corpus_mean_compound:Q", title="Mean tone in the corpus", format=".2f"),
            alt.Tooltip("difference:Q", title="Difference", format="+.2f"),
            alt.Tooltip("sentences:Q", title="Sentences"),
            alt.Tooltip("events:Q", title="Events"),
            alt.Tooltip("note:N", title="Note"),
        ],
    )
    bars = base.mark_bar().encode(
        x=alt.X("mean_compound:Q", title="Mean tone, VADER compound (tick: corpus)", scale=alt.Scale(domain=[-1, 1])),
        color=alt.Color("outlet:N", scale=outlet_color_scale(data["outlet"]), legend=None),
        opacity=alt.condition("datum.note == ''", alt.value(1.0), alt.value(0.4)),
    )
    ticks = base.mark_tick(color="black", thickness=2, size=18).encode(x="corpus_mean_compound:Q")
    return bars + ticks
