"""Every tunable number of Coverage Lens, in one list.

Each entry is a :class:`Setting` with a name, a default and help text. A value
can be overridden for one process with the environment variable
``COVERAGE_LENS_<NAME>`` (upper case), e.g. ``COVERAGE_LENS_MAX_FILE_MB=2048``;
:func:`setting` is the one place that reads it.

Example:
    >>> from analysis.settings import setting
    >>> setting("ingest_batch_size")
    2000
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["SETTINGS", "Setting", "SettingError", "check_settings", "setting", "settings_table"]


@dataclass(frozen=True)
class Setting:
    """One tunable value: its name, default (which also fixes its type), help text and, for a
    word setting, the words it accepts."""

    name: str
    default: int | float | str | bool
    help: str
    choices: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    # --- ingest limits: what the product refuses, and why, is documented here
    Setting(
        "max_file_mb",
        512,
        "Largest input file accepted, in MiB as stored on disk (compressed size for .gz). "
        "Larger files are rejected before reading so a wrong path cannot exhaust memory.",
    ),
    Setting(
        "max_article_chars",
        1_000_000,
        "Longest article text accepted, in characters. Longer texts are rejected as "
        "not being one article (a whole book or a mis-parsed file).",
    ),
    Setting(
        "min_article_chars",
        1,
        "Shortest cleaned article text accepted, in characters. An article whose text is "
        "empty after cleaning is rejected.",
    ),
    Setting(
        "ingest_batch_size",
        2000,
        "Articles written per transaction. A failure rolls back only the batch it occurred in.",
    ),
    Setting(
        "ingest_workers",
        2,
        "Worker processes that clean and segment articles during large ingests "
        "(1 = in-process). Small inputs are always handled in-process.",
    ),
    Setting(
        "allow_private_urls",
        False,
        "Fetch URLs whose host is a loopback, private or link-local address. Off by default so "
        "a URL cannot make the server read from its own network; tests and local archives turn it on.",
    ),
    Setting(
        "store_memory_mb",
        1024,
        "Memory DuckDB may use per store connection, in MiB, before it spills to disk. Bounds "
        "the writer during large ingests and each dashboard query.",
    ),
    Setting(
        "url_timeout_s",
        20,
        "Seconds to wait for one URL to download before reporting it unreachable.",
    ),
    # --- cleaning rules
    Setting(
        "chrome_max_words",
        8,
        "A line with at most this many words, no sentence punctuation and a UI verb "
        "('Watch', 'View', 'Subscribe', ...) at its start is page chrome.",
    ),
    Setting(
        "headline_list_max_words",
        16,
        "A block of two or more lines, each with at most this many words and none ending "
        "in a full stop, is a list of related headlines, not article content.",
    ),
    Setting(
        "trailing_label_max_words",
        6,
        "A title-case fragment of at most this many words glued after the last sentence "
        "of a paragraph ('... said. Special Report: WikiLeaks') is a link label or sign-off.",
    ),
    # --- events and stories
    Setting(
        "event_threshold",
        0.16,
        "Average TF-IDF cosine at which two groups of articles merge into one event (average "
        "link). Lower joins more loosely related coverage; higher splits an event's angles apart.",
    ),
    Setting(
        "event_window_days",
        7.0,
        "Largest gap in days between two dated articles of one event. Similar articles further "
        "apart are different events (they may share a story).",
    ),
    Setting(
        "event_lead_words",
        300,
        "Body words (from the start) read into the TF-IDF vectors that group articles into events, "
        "after the headline; 0 reads whole bodies. The lead says what happened; later paragraphs are "
        "background that makes different events of one topic look alike, and cost time.",
    ),
    Setting(
        "analysis_workers",
        2,
        "Worker processes that tokenise articles when vectorising 2,000 or more of them (1 = in-process).",
    ),
    Setting(
        "event_top_k",
        50,
        "Most links kept per article in the candidate search (each at or above event_threshold, "
        "within the window). Results are exact while no article has more strong links than this.",
    ),
    Setting(
        "event_max_component",
        3000,
        "Largest group of linked articles clustered exactly; larger ones are first split at "
        "stricter link thresholds, which bounds memory on very large news days.",
    ),
    Setting(
        "story_threshold",
        0.3,
        "Cosine between two events' name-and-number profiles (who, where, how many) at which they "
        "belong to one story, however far apart in time.",
    ),
    Setting(
        "claim_min_words",
        6,
        "Fewest words in a sentence that counts as a claim; shorter ones are fragments "
        "(\"I'm distressed.\"), sign-offs or captions.",
    ),
    Setting(
        "claim_clause_min_words",
        5,
        "Fewest words on each side of a cut for a sentence to be split into clause claims "
        "(\"the precise location remains unknown | but he is a frequent visitor\").",
    ),
    Setting(
        "claim_figure_context",
        2,
        "Content words two claims' figures must share around them (the counted noun included) to be "
        "figures about the same thing: then agreeing figures make the claims the same and "
        "contradicting ones a conflict.",
    ),
    Setting(
        "claim_quote_overlap",
        0.75,
        "Share of the shorter quotation's content words (two at least) that two outlets' quotes of the "
        "same speaker must have in common to be the same remark quoted differently.",
    ),
    Setting(
        "claim_backend",
        "tfidf",
        "Pair verifier and candidate search for claim matching in analyze: tfidf (lexical, base "
        "install) or semantic (adds sentence embeddings; needs the semantic extra, make semantic).",
        choices=("tfidf", "semantic"),
    ),
    Setting(
        "framing_top_terms",
        20,
        "Distinctive words kept per outlet and event (and corpus-wide per outlet), in each direction "
        "(over- and under-used), by z-score.",
    ),
    Setting(
        "claim_candidates",
        3,
        "Claims of each other outlet in the event (the most alike by TF-IDF cosine) given to the pair "
        "verifier for each claim.",
    ),
    Setting(
        "claim_candidate_threshold",
        0.08,
        "Lowest TF-IDF cosine of a candidate claim pair. Low on purpose: paraphrases share few words "
        "(\"precise location remains unknown\" / \"exact whereabouts remain unknown\"); the verifier decides.",
    ),
    Setting(
        "claim_group_cohesion",
        0.5,
        "Claim groups: two parts of a chain of same-claim links stay one group only while at least this "
        "share of the claim pairs across them are verified same-claim links (average linkage). Stops "
        "chains (A like B, B like C, ...) from making one group of hundreds of claims.",
    ),
    Setting(
        "claim_omission_share",
        0.5,
        "An outlet omits a claim when more than this share of the event's other outlets carry it "
        "(0.5: most of them; in a two-outlet event, the other one).",
    ),
    Setting(
        "sentence_shared_threshold",
        0.6,
        "Sentence alignment: a sentence whose best match in the other article is at least this "
        "alike (TF-IDF cosine) is shared.",
    ),
    Setting(
        "sentence_reworded_threshold",
        0.25,
        "Sentence alignment: below the shared threshold but at least this alike is reworded; "
        "below it the sentence is unique to its article.",
    ),
    Setting(
        "profile_terms",
        30,
        "Names and figures kept in each event's profile (its strongest ones), the basis of story links.",
    ),
    Setting(
        "refit_growth",
        0.25,
        "When articles added since the TF-IDF model was fitted exceed this share of those it was "
        "fitted on, analyze refits the model and regroups everything instead of updating incrementally.",
    ),
    Setting(
        "language_sample_chars",
        300,
        "Characters of cleaned text given to the language identifier.",
    ),
    # --- quotations and their speakers (quotes.py)
    Setting(
        "quote_cue_max_chars",
        120,
        "Quotes: farthest a reporting cue ('said', 'according to') may be from the quote it attributes, "
        "in characters, after the closing mark or before the opening one (in the same sentence).",
    ),
    Setting(
        "quote_gap_max_chars",
        200,
        "Quotes: two quoted passages in one paragraph are one quotation ('“A,” she said. “B.”') when "
        "the attribution between them is at most this many characters.",
    ),
    Setting(
        "quote_unattributed_min_words",
        4,
        "Quotes: a quoted passage with no reporting cue counts only from this many words; shorter ones "
        "are scare quotes or titles ('a “red notice”').",
    ),
    Setting(
        "quote_speaker_max_words",
        12,
        "Quotes: longest speaker phrase read next to a cue, in words ('nuclear experts David Albright "
        "and ...'); longer stretches are not a speaker.",
    ),
    Setting(
        "quote_resolve_max_chars",
        2000,
        "Quotes: a pronoun or 'the lawyer' is resolved to a person named at most this many characters "
        "before it; farther back it stays as written.",
    ),
    # --- figures and claim pairs (numbers.py, matching.py)
    Setting(
        "figure_tolerance",
        0.02,
        "Two exact figures of the same kind agree when they differ by at most this share, so that "
        "rounding ('$2.47 billion' / '$2.5 billion') is no conflict; '4.4%' / '4.6%' is one.",
    ),
    Setting(
        "approximate_figure_tolerance",
        0.1,
        "Two figures agree when one is approximate ('about 40', 'nearly 40') and they differ by at most this share.",
    ),
    Setting(
        "pair_same_threshold",
        0.51,
        "Claim pair score at or above which two sentences state the same claim (best MRPC accuracy of "
        "out-of-fold scores on the development pairs: bench/train_pair_scorer.py --thresholds).",
    ),
    Setting(
        "pair_related_threshold",
        0.3,
        "Claim pair score at or above which two sentences that are not the same claim are still related "
        "(the same subject, a different statement; chosen as the cut that best separates STS news pairs "
        "scored 2 or more, 'share some details'); below it they are unrelated.",
    ),
    Setting(
        "pair_conflict_threshold",
        0.51,
        "A pair whose figures contradict each other ('killed 20' / 'killed 35') is conflicting when its "
        "score, were the figures to agree, is at least this: the same claim but for the figures.",
    ),
    Setting(
        "semantic_same_threshold",
        0.54,
        "pair_same_threshold for the semantic backend, whose scores are on their own scale (best MRPC "
        "accuracy of out-of-fold scores, averaged over 3 cross-validations: bench/train_pair_scorer.py "
        "--backend semantic --thresholds --repeats 3).",
    ),
    Setting(
        "semantic_related_threshold",
        0.31,
        "pair_related_threshold for the semantic backend, chosen the same way on its out-of-fold scores.",
    ),
    Setting(
        "semantic_conflict_threshold",
        0.54,
        "pair_conflict_threshold for the semantic backend: a pair whose figures contradict is conflicting "
        "when its semantic score, were the figures to agree, is at least this.",
    ),
    # --- scale: the partitioned engines (analysis/scale) and wire copies (analysis/wire.py)
    Setting(
        "scale_partition_articles",
        5000,
        "Fewest articles per time partition when `--engine dask` runs the pipeline as partitioned steps "
        "(a partition is whole time slices of the candidate search, so it may hold more); also the size "
        "of the blocks of undated articles. A step's memory grows with it, not with the corpus.",
    ),
    Setting(
        "dask_local_workers",
        2,
        "Worker processes (one thread each) of the Dask LocalCluster that `--engine dask` starts when no "
        "--scheduler address is given.",
    ),
    Setting(
        "scale_exchange_dir",
        "",
        "Folder for the Parquet datasets the partitioned steps exchange; every worker must reach it at "
        "this path (a shared file system on a cluster). Empty: a temporary folder beside the store, "
        "removed after the run. A folder given here keeps each run's datasets.",
    ),
    Setting(
        "wire_threshold",
        0.8,
        "Wire copies: estimated Jaccard similarity of two bodies' word shingles (MinHash LSH) at or above "
        "which the later article, from another outlet, counts as a copy of the earlier one.",
    ),
    Setting(
        "wire_shingle_words",
        5,
        "Wire copies: words per shingle of a body. Longer shingles tell copies from articles that merely "
        "share phrases.",
    ),
    Setting(
        "wire_permutations",
        128,
        "Wire copies: MinHash permutations per article; more estimate similarity more closely and cost "
        "time and memory in proportion.",
    ),
)

_BY_NAME = {entry.name: entry for entry in SETTINGS}


_TRUE_WORDS = {"1", "true", "yes", "on"}
_FALSE_WORDS = {"0", "false", "no", "off"}


class SettingError(ValueError):
    """An environment override is not of its setting's type; the message names the variable."""


def setting(name: str) -> int | float | str | bool:
    """Return the value in force for ``name``: the environment override or the default.

    Raises:
        KeyError: ``name`` is not a known setting.
        SettingError: the environment override is not of the setting's type.
    """
    entry = _BY_NAME[name]
    raw = os.environ.get(f"COVERAGE_LENS_{name.upper()}")
    if raw is None:
        return entry.default
    kind = type(entry.default)
    try:
        if kind is bool:
            word = raw.strip().lower()
            if word not in _TRUE_WORDS | _FALSE_WORDS:
                raise ValueError(word)
            return word in _TRUE_WORDS
        if entry.choices:
            if raw.strip() not in entry.choices:
                raise SettingError(f"COVERAGE_LENS_{name.upper()}={raw!r} is not one of "
                                   f"{', '.join(entry.choices)} (setting {name!r})")
            return raw.strip()
        return kind(raw)
    except ValueError as error:
        if isinstance(error, SettingError):
            raise
        raise SettingError(
            f"COVERAGE_LENS_{name.upper()}={raw!r} is not a valid {kind.__name__} for setting {name!r}"
        ) from error


def check_settings() -> None:
    """Raise :class:`SettingError` for the first environment override that is not valid.

    Called before work starts, so a typo fails at once instead of in the middle of an ingest.
    """
    for entry in SETTINGS:
        setting(entry.name)


def settings_table() -> list[dict[str, object]]:
    """Every setting as rows with columns ``name``, ``default``, ``value``, ``help``."""
    return [
        {"name": entry.name, "default": entry.default, "value": setting(entry.name), "help": entry.help}
        for entry in SETTINGS
    ]
