"""Voices: whom each outlet quotes on an event, how much, and what kind of source they are.

Quotations come from :mod:`analysis.quotes`; their quoted words are summed per outlet
and event by speaker and by **speaker type**, and speakers only one outlet quotes are
listed. The type is read from the speaker as the article names them and from the role
the articles give them (:func:`speaker_type`), never from outside knowledge: a named
person whose role no quote of the input states is ``other``.

Shares are of the outlet's quoted words in the event, unattributed quotations included
(as the ``unattributed`` type), so an outlet's shares by type add up to 1.

Usage::

    quotes = quotes_of_articles(articles)        # articles: article_id, outlet, event_id, text
    table = voices(quotes)                       # per event, outlet, speaker
    voices_by_type(table)                        # per event, outlet, speaker type
    exclusive_speakers(table)                    # speakers only one outlet of the event quotes
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import regex

from analysis.parallel import even_bounds, inherited, map_forked
from analysis.quotes import QUOTE_COLUMNS, _canonical_names, _is_organisation, _quote_rows
from analysis.settings import setting

__all__ = [
    "EXCLUSIVE_COLUMNS",
    "SPEAKER_TYPES",
    "VOICE_COLUMNS",
    "VOICE_TYPE_COLUMNS",
    "exclusive_speakers",
    "quotes_of_articles",
    "speaker_type",
    "voices",
    "voices_by_type",
]

SPEAKER_TYPES = (
    "official", "lawyer/advocate", "expert", "citizen", "organisation", "unnamed source", "other", "unattributed",
)
VOICE_COLUMNS = ["event_id", "outlet", "speaker", "speaker_type", "role", "quotes", "quoted_words", "share"]
VOICE_TYPE_COLUMNS = ["event_id", "outlet", "speaker_type", "speakers", "quotes", "quoted_words", "share"]
EXCLUSIVE_COLUMNS = ["event_id", "outlet", "speaker", "speaker_type", "role", "quotes", "quoted_words", "share",
                     "outlets_quoting"]

_WORDS = regex.compile(r"[\p{L}]+(?:['’.][\p{L}]+)*")

# Role words of each type, matched as whole lower-cased words of the role (and of an unnamed
# speaker's description); the first type in _TYPE_ORDER with a match wins.
_OFFICIAL_PHRASES = regex.compile(
    r"\b(?:attorney[- ]general|(?:district|state'?s?|u\.?s\.?|county|city|prosecuting) attorneys?|"
    r"solicitor[- ]general|crown prosecution|white house|(?:majority|minority) leader|(?:house )?speaker|"
    r"(?:democratic|republican|gop|labour|conservative|party|senate|house|opposition) leader)\b"
)
_ROLE_WORDS = {
    "lawyer/advocate": {
        "lawyer", "lawyers", "attorney", "attorneys", "counsel", "solicitor", "barrister", "advocate", "advocates",
        "campaigner", "campaigners", "activist", "activists", "lobbyist", "defender", "organizer", "organiser",
    },
    "expert": {
        "professor", "prof", "analyst", "analysts", "economist", "economists", "researcher", "researchers",
        "expert", "experts", "scientist", "scientists", "doctor", "dr", "physician", "surgeon", "epidemiologist",
        "historian", "scholar", "lecturer", "specialist", "consultant", "strategist", "pollster",
        "psychologist", "psychiatrist", "engineer", "statistician", "criminologist", "academic",
    },
    "official": {
        "president", "vice", "minister", "secretary", "senator", "sen", "senators", "spokesman", "spokeswoman",
        "spokesperson", "police", "officer", "officers", "official", "officials", "governor", "gov", "mayor",
        "congressman", "congresswoman", "representative", "rep", "lawmaker", "lawmakers", "legislator", "mp",
        "chancellor", "ambassador", "envoy", "diplomat", "prosecutor", "prosecutors", "judge", "justice",
        "sheriff", "detective", "inspector", "commissioner", "constable", "superintendent", "general", "colonel",
        "commander", "admiral", "captain", "sergeant", "lieutenant", "councillor", "councilman", "councilwoman",
        "agent", "agents", "trooper", "chief",
        "assemblyman", "assemblywoman", "premier", "king", "queen", "prince", "aide", "candidate", "nominee",
        "politician", "cabinet", "pentagon", "kremlin", "ministry", "government", "administration", "fbi", "cia",
    },
    "citizen": {
        "resident", "residents", "voter", "voters", "witness", "witnesses", "mother", "father", "parent", "parents",
        "student", "students", "protester", "protesters", "protestor", "demonstrator", "woman", "man", "women",
        "men", "neighbor", "neighbour", "worker", "workers", "shopper", "passenger", "survivor", "victim",
        "relative", "son", "daughter", "wife", "husband", "sister", "brother", "friend", "local", "villager",
        "farmer", "customer", "fan", "fans", "attendee", "citizen", "citizens", "teenager", "girl", "boy",
        "grandmother", "grandfather", "owner", "employee", "veteran", "refugee", "refugees", "migrant",
        "migrants", "patient", "family", "families", "seeker", "seekers", "immigrant", "immigrants",
    },
}
_TYPE_ORDER = ("lawyer/advocate", "expert", "official", "citizen")
# How news introduces a private person: by age or hometown ("a 59-year-old from Hilton Head",
# "Marely Ramirez of Coronado").
_AGE_OR_HOMETOWN = regex.compile(r"\b\d+-year-old\b|^(?:of|from)\s")
# What makes a speaker with no name an unnamed source: they are described, not named, and the
# description is of anonymity or of an office ("a source", "officials", "a spokesman for X").
_ANONYMOUS_WORDS = {
    "source", "sources", "official", "officials", "spokesman", "spokeswoman", "spokesperson", "aide", "aides",
    "insider", "insiders", "familiar", "person", "people", "someone", "diplomat", "diplomats", "staffer",
    "staffers", "representative", "representatives", "authorities", "investigators",
}
_DESCRIPTION_OPENERS = {
    "a", "an", "the", "one", "two", "three", "several", "some", "many", "other", "another", "both", "senior",
    "top", "unnamed", "anonymous", "his", "her", "their", "its", "our", "few", "most",
}
_PRONOUNS = {"he", "she", "they", "i", "we", "you", "it", "who", "him", "her", "them", "me", "us"}
# Lower-case words that belong inside names ("Charles de Gaulle", "Osama bin Laden").
_NAME_LINKS = {"of", "for", "and", "the", "de", "del", "der", "van", "von", "da", "di", "du", "la", "le", "al",
               "bin", "ibn", "y"}
_PREPOSITIONS = {"of", "for", "at", "with", "in", "from", "on", "to", "close", "near", "inside", "within", "who",
                 "familiar", "involved", "speaking", "working", "based"}


def _lower_words(text: str | None) -> list[str]:
    return [word.lower().replace("’", "'").strip(".") for word in _WORDS.findall(text or "")]


def _role_type(text: str) -> str | None:
    """The type the role words of ``text`` name, or None."""
    lowered = text.lower().replace("’", "'")
    if _OFFICIAL_PHRASES.search(lowered):
        return "official"
    words = set(_lower_words(text))
    for kind in _TYPE_ORDER:
        if words & _ROLE_WORDS[kind]:
            return kind
    return "citizen" if _AGE_OR_HOMETOWN.search(lowered) else None


def speaker_type(speaker: str | None, role: str | None = None) -> str:
    """What kind of source a speaker is, from the speaker as named and the role the article gives.

    A speaker is *described* rather than named when the phrase opens with a determiner
    ("a", "the", "two", "senior") or holds a lower-case word other than a name link
    ("U.S. officials", "people familiar with the talks"), or is one common noun
    ("Officials", "Witnesses"). Its *head* is its last word before a preposition ("a
    spokesman for Scotland Yard" → spokesman). The rules, in order (words are matched whole
    and case-insensitively):

    ==================================  ===================================================
    case                                type
    ==================================  ===================================================
    no speaker (no attribution found)   ``unattributed``
    a pronoun left unresolved           ``other`` ("she", "they": nobody to type)
    described, head a word of           ``unnamed source`` ("a source at Scotland Yard",
    anonymity or office: source,        "officials", "a spokesman for Interpol", "senior
    official, spokesman, aide,          aides", "people familiar with the talks")
    insider, people, diplomat
    described, head a role word         the role word's type, below ("a woman" → citizen,
                                        "a professor at Columbia University" → expert)
    an organisation: described with an  ``organisation`` ("Interpol", "the White House",
    organisation word before any        "WikiLeaks", "the State Department", "Scotland
    preposition, or named and           Yard"; but "Police", "the police": official)
    ``quotes._is_organisation``
    role words (the stated role, or     by the first match of:
    a described speaker's words):
    "attorney general", "district       ``official`` (public prosecutors, not lawyers)
    attorney", "U.S. attorney"
    lawyer, attorney, counsel,          ``lawyer/advocate``
    solicitor, advocate, campaigner,
    activist, lobbyist
    professor, analyst, economist,      ``expert``
    researcher, expert, scientist,
    doctor, historian, strategist,
    pollster
    president, minister, secretary,     ``official`` (office holders, politicians and
    senator, governor, mayor,           candidates, police, military, courts, diplomats)
    spokesman, police, officer, agent,
    prosecutor, judge, ambassador,
    candidate, lawmaker, aide
    resident, voter, witness, mother,   ``citizen``
    student, protester, woman, man,
    neighbour, victim, migrant; an age
    or a hometown ("a 59-year-old
    from Hilton Head", "of Coronado")
    a described speaker with a word of  ``unnamed source`` ("a source close to the
    anonymity anywhere                  family")
    a named speaker's first word, as    by the same words ("Agent Rodney Scott": official)
    a title, when the role gives none
    none of these                       ``other`` (a named person whose role the article
                                        does not state: the rules read the article, not
                                        a knowledge base)
    ==================================  ===================================================

    The profession types come before ``official`` because they are the more specific:
    "a lawyer for the State Department" is a lawyer.

    Args:
        speaker: the speaker as :func:`analysis.quotes.find_quotes` gives it, or None.
        role: the role the article states for them, or None.

    Returns:
        One of :data:`SPEAKER_TYPES`.

    Example:
        >>> speaker_type("Mark Stephens", "Assange's lawyer")
        'lawyer/advocate'
    """
    if not isinstance(speaker, str) or not speaker.strip():
        return "unattributed"
    speaker = speaker.strip()
    role = role if isinstance(role, str) else None
    words = _lower_words(speaker)
    if not words or (len(words) == 1 and words[0].split("'")[0] in _PRONOUNS):  # "she", "I'm"
        return "other"
    if _is_described(speaker, words):
        head_phrase = _before_preposition(words)
        head = head_phrase[-1]
        if head in _ANONYMOUS_WORDS:
            return "unnamed source"
        kind = _role_type(head)
        if kind is not None:
            return kind
        if _is_organisation(" ".join(head_phrase)):
            return "organisation"
        kind = _role_type(role or "") or _role_type(speaker)
        if kind is not None:
            return kind
        return "unnamed source" if set(words) & _ANONYMOUS_WORDS else "other"
    if _is_organisation(speaker):
        return "organisation"
    # A title the quote finder left on the name ("Agent Rodney Scott") types it when no role does.
    title = _role_type(words[0]) if len(words) > 1 else None
    return _role_type(role or "") or title or "other"


def _is_described(speaker: str, words: list[str]) -> bool:
    """"a spokesman", "U.S. officials", "Witnesses": a description of the speaker, not a name."""
    if words[0] in _DESCRIPTION_OPENERS:
        return True
    if len(words) == 1 and any(words[0] in kind_words for kind_words in _ROLE_WORDS.values()):
        return True
    if len(words) == 1 and words[0] in _ANONYMOUS_WORDS:
        return True
    return any(word[:1].islower() and word.lower() not in _NAME_LINKS for word in _WORDS.findall(speaker))


def _before_preposition(words: list[str]) -> list[str]:
    """The words of a description before its first preposition ("a spokesman | for Scotland Yard")."""
    for index, word in enumerate(words[1:], start=1):
        if word in _PREPOSITIONS:
            return words[:index]
    return words


def quotes_of_articles(articles: pd.DataFrame, *, n_jobs: int | None = None) -> pd.DataFrame:
    """Every direct quotation of many articles, speakers' spellings merged per outlet and event.

    Spellings of one person merge as :func:`analysis.quotes.quoted_sources` merges them
    ("Stephens" → "Mark Stephens"), among the quotes of one outlet in one event (of one
    outlet, when there is no ``event_id``).

    Args:
        articles: columns ``article_id``, ``outlet``, ``text`` and optionally ``event_id``.
        n_jobs: worker processes for 2,000 or more articles (default: the setting
            ``analysis_workers``); the result does not depend on it.

    Returns:
        Columns ``article_id``, ``outlet``, ``event_id`` (None without that input column),
        then those of :func:`analysis.quotes.find_quotes` (``start``, ``end``, ``text``,
        ``speaker``, ``speaker_start``, ``speaker_end``, ``cue``, ``role``, ``words``);
        offsets index the article's ``text``. In article order, then text order.
    """
    columns = ["article_id", "outlet", "event_id", *QUOTE_COLUMNS]
    texts = [text if isinstance(text, str) else "" for text in articles["text"]]
    n_jobs = int(n_jobs if n_jobs is not None else setting("analysis_workers"))
    per_article = None
    if n_jobs > 1 and len(texts) >= _PARALLEL_FROM:
        per_article = _quote_rows_in_workers(texts, n_jobs)
    if per_article is None:
        per_article = [_quote_rows(text) for text in texts]
    events = articles["event_id"].tolist() if "event_id" in articles.columns else [None] * len(articles)
    records = [
        (article_id, outlet, event_id, *(row[column] for column in QUOTE_COLUMNS))
        for article_id, outlet, event_id, rows in zip(articles["article_id"], articles["outlet"], events, per_article)
        for row in rows
    ]
    quotes = pd.DataFrame.from_records(records, columns=columns)
    quotes = quotes.astype({"start": "int64", "end": "int64", "words": "int64",
                            "speaker_start": "Int64", "speaker_end": "Int64"})
    if not len(quotes):
        return quotes
    quotes["speaker"] = _merged_speakers(quotes)
    return quotes


def _merged_speakers(quotes: pd.DataFrame) -> list:
    """Each quote's speaker in its fullest spelling among its outlet's quotes in its event."""
    speakers = quotes["speaker"].tolist()
    events = quotes["event_id"].astype(object).where(quotes["event_id"].notna(), None).tolist()
    keys = list(zip(events, quotes["outlet"].tolist()))
    # Plain dicts per (event, outlet): a pandas group each cost more than the merging itself.
    names_of_group: dict = {}
    for key, speaker in zip(keys, speakers):
        if isinstance(speaker, str):
            names_of_group.setdefault(key, set()).add(speaker)
    canonical = {key: _canonical_names(sorted(names)) for key, names in names_of_group.items()}
    return [canonical[key][speaker] if isinstance(speaker, str) else None for key, speaker in zip(keys, speakers)]


# Below this many articles the start-up of worker processes costs more than it saves.
_PARALLEL_FROM = 2000


def _quote_rows_of_chunk(bounds: tuple[int, int]) -> list[list[dict]]:
    start, stop = bounds
    return [_quote_rows(text) for text in inherited()[start:stop]]


def _quote_rows_in_workers(texts: list[str], n_jobs: int) -> list[list[dict]] | None:
    """``_quote_rows`` of each text in forked workers; None where fork is unavailable."""
    parts = map_forked(_quote_rows_of_chunk, even_bounds(len(texts), n_jobs), texts, n_jobs)
    return None if parts is None else [rows for part in parts for rows in part]


def voices(quotes: pd.DataFrame) -> pd.DataFrame:
    """Who each outlet quotes in each event, how much, and what kind of source they are.

    Args:
        quotes: quote rows with columns ``outlet``, ``speaker``, ``role``, ``words`` and
            optionally ``event_id`` (as :func:`quotes_of_articles` gives them).

    Returns:
        One row per (event, outlet, speaker), columns :data:`VOICE_COLUMNS`: ``event_id``
        (None without that input column), ``outlet``, ``speaker`` (None for the outlet's
        unattributed quotations, gathered in one row), ``speaker_type``
        (:func:`speaker_type`), ``role`` (the role the outlet states most often, None when
        it states none), ``quotes``, ``quoted_words``, ``share`` (of the outlet's quoted
        words in the event; an outlet's shares add up to 1). Each quote is typed from its
        speaker and stated role; a speaker takes the most frequent type other than
        ``other`` among the outlet's quotes of them in the event, else among all the
        event's quotes of the same person (spellings merged across outlets: a lawyer stays
        a lawyer where one outlet omits the title), else among the whole input's quotes
        of the same name (a "Trump said" with no title in this event is "President" in
        others). Ordered by event, outlet, then most quoted words first.
    """
    if not len(quotes):
        return pd.DataFrame({column: pd.Series(dtype=object) for column in VOICE_COLUMNS}).astype(
            {"quotes": "int64", "quoted_words": "int64", "share": "float64"})
    # Groups on integer codes: a missing event or speaker is a code of its own, not a dropped key.
    events = quotes["event_id"] if "event_id" in quotes.columns else pd.Series(None, index=quotes.index, dtype=object)
    event_code, event_values = pd.factorize(events.astype(object), use_na_sentinel=False)
    outlet_code, outlet_values = pd.factorize(quotes["outlet"].astype(object), use_na_sentinel=False)
    speaker_code, speaker_values = pd.factorize(quotes["speaker"].astype(object), use_na_sentinel=False)
    speaker_names = [name if isinstance(name, str) else None for name in speaker_values]
    roles = [role if isinstance(role, str) else None for role in quotes["role"].tolist()]
    frame = pd.DataFrame({"event": event_code, "outlet": outlet_code, "speaker": speaker_code,
                          "role": pd.Series(roles, dtype=object), "words": quotes["words"].to_numpy(dtype="int64")})
    keys = ["event", "outlet", "speaker"]
    table = frame.groupby(keys, sort=False).agg(quotes=("words", "size"), quoted_words=("words", "sum")).reset_index()
    table_keys = pd.MultiIndex.from_frame(table[keys])
    table["role"] = _most_frequent(frame, keys, "role").reindex(table_keys).to_numpy()
    # Each quote typed by its own stated role; a speaker takes the most frequent type other than
    # "other" of the outlet in the event, else of the event, else of the whole input.
    kinds = {pair: speaker_type(speaker_names[pair[0]], pair[1]) for pair in set(zip(speaker_code, roles))}
    frame["speaker_type"] = [kinds[pair] for pair in zip(speaker_code, roles)]
    # The event and input fallbacks key on the person, spellings merged across the event's outlets
    # as within one ("Berg" in one outlet is the "Anna Berg" of another).
    frame["person"] = _person_codes(event_code, speaker_code, speaker_names)
    person_of = frame.drop_duplicates(keys).set_index(keys)["person"]
    table["person"] = person_of.reindex(table_keys).to_numpy()
    typed = frame[frame["speaker_type"] != "other"]
    candidates = [
        _most_frequent(typed, keys, "speaker_type").reindex(table_keys).to_numpy(),
        _most_frequent(typed, ["event", "person"], "speaker_type").reindex(
            pd.MultiIndex.from_frame(table[["event", "person"]])).to_numpy(),
        table["speaker"].map(_most_frequent(typed, ["speaker"], "speaker_type")).to_numpy(),
    ]
    table["speaker_type"] = [next((kind for kind in found if isinstance(kind, str)), "other")
                             for found in zip(*candidates)]
    totals = table.groupby(["event", "outlet"], sort=False)["quoted_words"].transform("sum")
    table["share"] = (table["quoted_words"] / totals.where(totals > 0)).fillna(0.0)
    table["event_id"] = pd.Series(event_values.take(table["event"]), dtype=object)
    table["outlet"] = pd.Series(outlet_values.take(table["outlet"]), dtype=object)
    table["speaker"] = pd.Series([speaker_names[code] for code in table["speaker"]], dtype=object)
    table = table.sort_values(["event_id", "outlet", "quoted_words", "quotes", "speaker"],
                              ascending=[True, True, False, False, True], na_position="last", kind="stable")
    return table[VOICE_COLUMNS].reset_index(drop=True)


def _person_codes(event_code, speaker_code, speaker_names: list) -> list[int]:
    """A code per quote for its person: speaker spellings merged per event as
    :func:`analysis.quotes.quoted_sources` merges them; the unattributed are one person per event."""
    names_of_event: dict = {}
    for event, speaker in zip(event_code.tolist(), speaker_code.tolist()):
        names_of_event.setdefault(event, set()).add(speaker)
    canonical = {
        event: _canonical_names(sorted(speaker_names[code] for code in codes if speaker_names[code] is not None))
        for event, codes in names_of_event.items()
    }
    persons: dict = {}
    return [
        persons.setdefault((event, canonical[event].get(speaker_names[speaker])), len(persons))
        for event, speaker in zip(event_code.tolist(), speaker_code.tolist())
    ]


def _most_frequent(frame: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """The most frequent non-missing value of ``column`` per group of ``keys`` (ties: the first
    in sorted order), indexed by ``keys``."""
    stated = frame[frame[column].notna()]
    if not len(stated):
        empty = pd.MultiIndex.from_tuples([], names=keys) if len(keys) > 1 else pd.Index([], name=keys[0])
        return pd.Series(index=empty, dtype=object)
    counts = stated.groupby([*keys, column], sort=True).size().rename("n").reset_index()
    counts = counts.sort_values([*keys, "n"], ascending=[True] * len(keys) + [False], kind="stable")
    return counts.drop_duplicates(keys).set_index(keys)[column]


def voices_by_type(voices_table: pd.DataFrame) -> pd.DataFrame:
    """Quoted words per outlet and event by kind of source.

    Args:
        voices_table: a :func:`voices` frame.

    Returns:
        One row per (event, outlet, speaker type) the outlet quotes, columns
        :data:`VOICE_TYPE_COLUMNS`: ``event_id``, ``outlet``, ``speaker_type``, ``speakers``
        (distinct speakers; unattributed quotations count as none), ``quotes``,
        ``quoted_words``, ``share`` (of the outlet's quoted words in the event). Ordered
        by event, outlet, then largest share first.
    """
    frame = voices_table.assign(named=voices_table["speaker"].notna().astype("int64"))
    table = frame.groupby(["event_id", "outlet", "speaker_type"], sort=False, dropna=False).agg(
        speakers=("named", "sum"), quotes=("quotes", "sum"), quoted_words=("quoted_words", "sum"),
        share=("share", "sum"),
    ).reset_index()
    table = table.sort_values(["event_id", "outlet", "share", "speaker_type"], ascending=[True, True, False, True],
                              na_position="last", kind="stable")
    return table[VOICE_TYPE_COLUMNS].reset_index(drop=True).astype(
        {"speakers": "int64", "quotes": "int64", "quoted_words": "int64", "share": "float64"})


def exclusive_speakers(voices_table: pd.DataFrame) -> pd.DataFrame:
    """Speakers whom only one outlet quotes in an event.

    Spellings merge across the event's outlets as within one outlet ("Clinton" in one
    outlet is "Hillary Rodham Clinton" in another), so a speaker is exclusive only when no
    other outlet quotes them under any compatible spelling. Only events where two or more
    outlets quote somebody are read: with one, every speaker would be exclusive.

    Args:
        voices_table: a :func:`voices` frame.

    Returns:
        Columns :data:`EXCLUSIVE_COLUMNS`: those of :func:`voices` for each exclusive
        speaker's row, and ``outlets_quoting`` (outlets of the event that quote anybody).
        Ordered by event, outlet, most quoted words first.
    """
    named = voices_table[voices_table["speaker"].notna()]
    event_key = pd.factorize(named["event_id"].astype(object), use_na_sentinel=False)[0].tolist()
    rows_of_event: dict = {}
    for row, (event, outlet, speaker) in enumerate(zip(event_key, named["outlet"].tolist(), named["speaker"].tolist())):
        rows_of_event.setdefault(event, []).append((row, outlet, speaker))
    # Plain dicts per event: a pandas group per event cost more than the merging itself.
    chosen, outlets_quoting = [], []
    for rows in rows_of_event.values():
        outlets = {outlet for _, outlet, _ in rows}
        if len(outlets) < 2:
            continue
        canonical = _canonical_names([speaker for _, _, speaker in rows])
        outlets_of_person: dict = {}
        for _, outlet, speaker in rows:
            outlets_of_person.setdefault(canonical[speaker], set()).add(outlet)
        for row, _, speaker in rows:
            if len(outlets_of_person[canonical[speaker]]) == 1:
                chosen.append(row)
                outlets_quoting.append(len(outlets))
    table = named.iloc[chosen].assign(outlets_quoting=np.array(outlets_quoting, dtype=np.int64))
    return table[EXCLUSIVE_COLUMNS].reset_index(drop=True)
