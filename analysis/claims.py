"""Claims: the checkable statements each outlet carries about an event, matched across outlets.

Three steps, each a function returning a DataFrame with documented columns:

1. :func:`extract_claims` turns an article's body sentences into claim rows.
   A claim is a sentence, or a clause of one, that states something: headlines,
   questions, page chrome (promo lines, bracketed links), headline lists in title
   case and fragments under ``claim_min_words`` words are left out, each with the
   reason (:func:`claim_filter_reason`). A sentence is cut into clause claims
   only where punctuation and a conjunction mark a clause of its own
   (:func:`clause_spans`): "the precise location remains unknown, but he is a
   frequent visitor" is two facts, and outlets often carry only one of them. A
   dependency parser would cut more finely but costs more than the corpus-scale
   budget allows. Each claim gets its kind (``direct quote``, ``reported
   speech`` or ``statement``, from its whole sentence), its speaker when
   attributed, its figures normalised to ranges (:mod:`analysis.numbers`) and the
   names it mentions.
2. :func:`match_claims` links claims of different outlets inside one event:
   candidates by TF-IDF cosine of the claims' words (each claim's
   ``claim_candidates`` nearest claims of other outlets at or above
   ``claim_candidate_threshold``; recall; with the ``semantic`` backend the larger
   of that and the cosine of sentence embeddings), then the pair verifier of
   :mod:`analysis.matching` decides ``same`` / ``related`` / ``conflicting`` /
   ``unrelated`` (precision). ``same`` links form claim groups (connected
   components); conflicting links are kept with both figures.
3. Overlap measures on matched claims: :func:`claim_coverage` (claim group ×
   outlet), :func:`outlet_claim_summary` (shared, unique, omitted per outlet),
   :func:`claim_conflicts`, :func:`outlet_claim_jaccard` and, over many events,
   :func:`omission_rates`.

Example:
    >>> sentences = pd.DataFrame({"article_id": ["a"], "sentence_no": [1], "start": [0], "end": [47],
    ...                           "text": ["Police said 12 people were hurt in the blast."], "is_headline": [False]})
    >>> claims = extract_claims(sentences, pd.DataFrame({"article_id": ["a"], "outlet": ["Daily"]}))
    >>> claims.loc[0, ["kind", "speaker"]].tolist()
    ['reported speech', 'Police']
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

from analysis.parallel import inherited, map_forked
from analysis.settings import setting
from analysis.vectorize import names_and_numbers

__all__ = [
    "CLAIM_COLUMNS",
    "LINK_COLUMNS",
    "claim_conflicts",
    "claim_coverage",
    "claim_filter_reason",
    "claims_for_events",
    "clause_spans",
    "extract_claims",
    "match_claims",
    "omission_rates",
    "outlet_claim_jaccard",
    "outlet_claim_summary",
]

CLAIM_COLUMNS = [
    "claim_id", "article_id", "outlet", "sentence_no", "start", "end", "text", "kind", "speaker",
    "quantities", "entities",
]
LINK_COLUMNS = ["claim_a", "claim_b", "cosine", "score", "decision"]

_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_QUOTED_ANY = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")
# ", who is thought to be in Britain," / ", which is handling the case,": an aside between commas.
_ASIDE = re.compile(r",\s+(?:who|which|whose)\s[^,;:\"“”]{3,120},(?=\s)")
# A quotation of at least three words: what makes a sentence a direct quote, not a scare quote.
_QUOTED = re.compile(r"[\"“”]([^\"“”]*?\s[^\"“”]*?\s[^\"“”]*?)[\"“”]")
_REPORTING = (
    r"said|says|say|told|tells|according to|added|adds|claimed|claims|stated|states|announced|announces|"
    r"accused|accuses|argued|argues|insisted|insists|warned|warns|denied|denies|confirmed|confirms|"
    r"reported|reports|alleged|alleges|charged|complained|explained|noted|wrote|writes|tweeted|believes|"
    r"believed|testified|acknowledged|admitted|suggested|maintained|estimated|predicted"
)
_REPORTING_VERB = re.compile(rf"\b(?:{_REPORTING})\b")
_NAME = r"(?:[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|bin|al))*)"
_AUXILIARY = r"(?:\s+(?:has|have|had|also|previously|later|again|then|would|will|repeatedly|reportedly)){0,2}"
# The speaker right before the verb ("Police said", "Stephens has previously said"), else with up
# to three appositive clauses between them ("Mark Stephens, his British lawyer, said").
_SPEAKER_ADJACENT = re.compile(
    rf"(?P<speaker>{_NAME}|\b[Hh]e|\b[Ss]he|\b[Tt]hey)(?<!'s){_AUXILIARY}\s+(?:{_REPORTING})\b"
)
# "Assange's lawyer, Mark Stephens, said": a name closing an apposition, tried last.
_SPEAKER_BEFORE_COMMA = re.compile(rf"(?P<speaker>{_NAME})(?<!'s),{_AUXILIARY}\s+(?:{_REPORTING})\b")
_SPEAKER_APPOSITION = re.compile(
    rf"(?P<speaker>{_NAME}|\b[Hh]e|\b[Ss]he|\b[Tt]hey)(?<!'s)(?:,[^,.;:]{{1,80}}){{1,3}},?{_AUXILIARY}\s+(?:{_REPORTING})\b"
)
_NAME_FINDER = re.compile(rf"\b{_NAME}")
# "said Mark Stephens", "according to Interpol".
_SPEAKER_AFTER = re.compile(rf"\b(?:said|says|according to|told|added)\s+(?P<speaker>{_NAME})")
_PRONOUNS = {"he", "she", "they", "He", "She", "They"}
_NOT_SPEAKERS = frozenset("The A An It This That These Those There Here In On At For But And Or If When While".split())
# Before a clause of its own: "; ", "(,) but" (not "not in X but in Y", "but also", "but not"),
# ", although / though / whereas / while", and ", and that" / ", and he ..." (a second
# reported clause or a new subject, not a list item).
_CLAUSE_BREAK = re.compile(
    r";\s+|,?\s+(?=but\s+(?!(?:not|also|only|rather|instead|then|in|on|at|by|for|from|with|to|as|of|into)\b))"
    r"|,\s+(?=(?:although|though|whereas|while)\s)"
    r"|,\s+(?=and\s+(?:that|he|she|they|it|we|there)\s)"
)
_CHROME_START = re.compile(r"^\s*(?:\[|\(?(?:read|watch|click|see|sign up|subscribe|follow|share|related)\b[: ])", re.I)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def claim_filter_reason(text: str, *, is_headline: bool = False) -> str | None:
    """Why a sentence is not a claim (``headline``, ``question``, ``chrome``, ``headline list``,
    ``fragment``), or None when it is one."""
    from analysis.cleaning import chrome_reason

    stripped = text.strip()
    if is_headline:
        return "headline"
    if re.search(r"\?[\"'”’)\]]*$", stripped):
        return "question"
    if _CHROME_START.match(stripped) or chrome_reason(stripped):
        return "chrome"
    words = _words(stripped)
    if len(words) < int(setting("claim_min_words")):
        return "fragment"
    lower_initial = sum(1 for word in words if word[0].islower())
    if lower_initial < 0.3 * len(words):  # a related-headlines line or a name list, not a sentence
        return "headline list"
    return None


def _claim_id(article_id: str, sentence_no: int, clause_no: int = 0) -> str:
    key = f"{article_id}\x1f{sentence_no}" + (f"\x1f{clause_no}" if clause_no else "")
    return "c-" + hashlib.blake2b(key.encode(), digest_size=6).hexdigest()


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Where a sentence divides into clauses that each state something: ``(start, end)`` offsets.

    A sentence is cut before a contrasting or coordinated clause ("..., but he is a frequent
    visitor", "..., although he has given interviews", "...; police said", "..., and that the
    authorities had ignored ...") when both sides keep at least ``claim_clause_min_words`` words, so
    each outlet's "whereabouts remain unknown" can match without the clause glued to it.
    Relative clauses and lists stay whole: cutting them would leave fragments without a subject.
    """
    minimum = int(setting("claim_clause_min_words"))
    spans, start = [], 0
    for match in _CLAUSE_BREAK.finditer(text):
        cut, resume = match.start(), match.end()
        if len(_words(text[start:cut])) >= minimum and len(_words(text[resume:])) >= minimum:
            spans.append((start, cut))
            start = resume
    spans.append((start, len(text.rstrip())))
    return [(a, b) for a, b in spans if b > a]


def _entities(text: str) -> list[str]:
    return sorted({token for token in names_and_numbers(text) if not token[0].isdigit()})


def _quantities(text: str) -> list[dict]:
    from analysis.numbers import quantity_records

    return [{key: record[key] for key in ("text", "start", "end", "low", "high", "kind", "unit", "noun", "approximate")}
            for record in quantity_records(text)]


def _clean_speaker(name: str | None) -> str | None:
    if not name:
        return None
    words = name.split()
    while words and words[0] in _NOT_SPEAKERS:
        words = words[1:]
    return " ".join(words).rstrip(".") or None


def _reported_speaker(text: str, last_name: str | None) -> str | None:
    """The speaker of a reported-speech sentence: a name before or after the verb; a pronoun
    resolves to ``last_name`` (the previous sentence's speaker, else the last full name)."""
    after = _SPEAKER_AFTER.search(text)
    before = (_SPEAKER_ADJACENT.search(text) or _SPEAKER_APPOSITION.search(text)
              or _SPEAKER_BEFORE_COMMA.search(text))
    match = min((m for m in (before, after) if m), key=lambda m: m.start(), default=None)
    if match is None:
        return None
    speaker = match.group("speaker")
    if speaker in _PRONOUNS:
        return last_name
    return _clean_speaker(speaker)


def _quote_speakers(article_text: str) -> list[tuple[int, int, str]]:
    """(start, end, speaker) of the attributed direct quotes in an article."""
    from analysis.quotes import _quote_rows

    return [(int(row["start"]), int(row["end"]), str(row["speaker"])) for row in _quote_rows(article_text)
            if isinstance(row["speaker"], str) and row["speaker"]]


def extract_claims(sentences: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """The claims of each article.

    Args:
        sentences: columns ``article_id``, ``sentence_no``, ``start``, ``end`` (offsets into the
            article's cleaned text), ``text``, ``is_headline`` (as :meth:`Store.sentences` returns).
        articles: columns ``article_id``, ``outlet`` and optionally ``text`` (the cleaned text the
            offsets index; with it, speakers of direct quotes come from :mod:`analysis.quotes`).

    Returns:
        One row per claim, in article then sentence then clause order. Columns: ``claim_id``
        (stable: a hash of article, sentence and clause number), ``article_id``, ``outlet``, ``sentence_no``, ``start``, ``end``,
        ``text``, ``kind`` (``direct quote``, ``reported speech`` or ``statement``), ``speaker``
        (None when not attributed), ``quantities`` (list of dicts: ``text``, ``start``, ``end``
        (offsets into the claim's text), ``low``, ``high``, ``kind``, ``unit``, ``noun``,
        ``approximate``; see :func:`analysis.numbers.find_quantities`), ``entities`` (sorted
        lower-case name tokens such as ``mark_stephens``).
    """
    outlets = articles.set_index("article_id")["outlet"]
    texts = articles.set_index("article_id")["text"] if "text" in articles.columns else None
    rows = []
    ordered = sentences.sort_values(["article_id", "sentence_no"], kind="stable")
    for article_id, article_sentences in ordered.groupby("article_id", sort=False):
        if article_id not in outlets.index:
            continue
        quote_spans = _quote_speakers(str(texts[article_id])) if texts is not None else []
        last_name = last_speaker = None  # what "he said" can refer to
        for sentence in article_sentences.itertuples(index=False):
            text = str(sentence.text)
            reason = claim_filter_reason(text, is_headline=bool(sentence.is_headline))
            if reason is None:
                overlapping = [s for a, b, s in quote_spans if a < sentence.end and b > sentence.start]
                if overlapping or _QUOTED.search(text):
                    kind = "direct quote"
                elif _REPORTING_VERB.search(text):
                    kind = "reported speech"
                else:
                    kind = "statement"
                speaker = overlapping[0] if overlapping else (
                    _reported_speaker(text, last_speaker or last_name) if kind != "statement" else None
                )
                last_speaker = speaker
                for clause_no, (start, end) in enumerate(clause_spans(text)):
                    clause = text[start:end]
                    rows.append(
                        (_claim_id(str(article_id), int(sentence.sentence_no), clause_no), str(article_id),
                         outlets[article_id], int(sentence.sentence_no), int(sentence.start) + start,
                         int(sentence.start) + end, clause, kind, speaker, _quantities(clause), _entities(clause))
                    )
            # Full names not introduced by "the" (organisations: "the Associated Press").
            names = [m.group() for m in _NAME_FINDER.finditer(text)
                     if len(m.group().split()) >= 2 and not text[max(0, m.start() - 4):m.start()].lower() == "the "]
            names = [_clean_speaker(n) for n in names]
            names = [n for n in names if n and len(n.split()) >= 2]
            if names:
                last_name = names[-1]
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


# --- figure facts: the same figure about the same thing, or two figures that disagree


@dataclass(frozen=True)
class _FigureFact:
    """One figure of a claim with what it counts and the words around it."""

    claim: int  # row of the claim in the event's claims
    kind: str
    unit: str | None
    noun: str | None
    low: float
    high: float
    approximate: bool
    context: frozenset  # content stems near the figure, the noun included


_FACT_KINDS = ("count", "age", "money", "percent", "measure")  # years and ordinals mark time, not facts
_FIGURE_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def _figure_noun(text: str, record: dict) -> str | None:
    """What a figure counts: the finder's noun, else the first plural noun within five words after
    it ("more than 250,000 classified US diplomatic cables"); for an age, the next word ("the
    39-year-old Australian")."""
    from analysis.numbers import _is_plural_noun, _singular

    if record.get("noun"):
        return _singular(str(record["noun"]).lower())
    following = re.split(r"[,.;:!?()\"“”]", text[int(record["end"]):], maxsplit=1)[0]
    words = _FIGURE_WORD.findall(following)[:5]
    if record["kind"] == "age":
        return words[0].lower() if words else None
    for word in words:
        if word[0].islower() and _is_plural_noun(word.lower()):
            return _singular(word.lower())
    return None


def _figure_facts(claims: pd.DataFrame) -> list[_FigureFact]:
    from analysis.matching import _stem

    facts = []
    for row, (text, quantities) in enumerate(zip(claims["text"], claims["quantities"])):
        for record in quantities or ():
            if record.get("kind") not in _FACT_KINDS or "start" not in record:
                continue
            noun = _figure_noun(text, record)
            before = _FIGURE_WORD.findall(text[: int(record["start"])])[-4:]
            after = _FIGURE_WORD.findall(text[int(record["end"]):])[:6]
            context = {_stem(word.lower()) for word in before + after if word.lower() not in ENGLISH_STOP_WORDS}
            if noun:
                context.add(_stem(noun))
            facts.append(_FigureFact(row, record["kind"], record.get("unit"), noun, float(record["low"]),
                                     float(record["high"]), bool(record.get("approximate")), frozenset(context)))
    return facts


def _figure_decisions(claims: pd.DataFrame) -> dict[tuple[int, int], str]:
    """Claim pairs of different outlets (rows, lower first) that state a figure about the same
    thing: ``same`` when the figures agree, ``conflicting`` when they contradict.

    "The same thing": same kind and unit, the same counted noun (for an age, the same person
    word: "the 39-year-old Australian"), and at least ``claim_figure_context`` shared content
    words around the two figures, the noun included: "more than 250,000 classified US diplomatic
    cables" and "hundreds of classified State Department cables" share "classified" and
    "cables". Whole sentences rarely agree word for word where outlets state one fact
    differently; the figure and its words do.

    Agreement merges claim groups, so it asks for more: one shared word more, and bounded
    figures ("more than 237 people died" and "more than 1.7 million were infected" overlap but
    say nothing alike). As in :func:`analysis.numbers.compare_quantities`, a figure that agrees
    with one of the other claim's figures is not in conflict with another of them ("from $7.25
    to $10.10" against "a $10.10 wage"); a conflict outranks an agreement on another figure.
    Matching keeps a conflict only where the pair verifier finds the two claims at least related,
    and keeps the verifier's own conflicts only where this finds one too.
    """
    from analysis.numbers import _overlap

    tolerances = (float(setting("figure_tolerance")), float(setting("approximate_figure_tolerance")))
    needed = int(setting("claim_figure_context"))
    outlets = claims["outlet"].to_numpy()
    buckets: dict[tuple, list[_FigureFact]] = {}
    for fact in _figure_facts(claims):
        if fact.noun is not None or fact.kind in {"money", "percent", "measure"}:
            buckets.setdefault((fact.kind, fact.unit, fact.noun), []).append(fact)
    verdicts: dict[tuple[int, int], dict[tuple, set]] = {}  # pair -> bucket -> {"agrees", "conflicts"}
    for key, facts in buckets.items():
        for i, a in enumerate(facts):
            for b in facts[i + 1 :]:
                if outlets[a.claim] == outlets[b.claim]:
                    continue
                shared = len(a.context & b.context)
                pair = (min(a.claim, b.claim), max(a.claim, b.claim))
                statuses = verdicts.setdefault(pair, {}).setdefault(key, set())
                if _overlap(a, b, *tolerances):
                    statuses.add("explained")  # this figure has its match: it disputes nothing
                    bounded = np.isfinite(a.high) and np.isfinite(b.high)
                    if a.kind == "age" or (bounded and shared > needed):
                        statuses.add("agrees")
                elif shared >= needed + (a.kind == "percent"):
                    # Shares of different wholes abound (polls, turnout): percentages need one
                    # shared word more to be shares of the same thing.
                    statuses.add("conflicts")
    decisions: dict[tuple[int, int], str] = {}
    for pair, by_bucket in verdicts.items():
        if any("conflicts" in statuses and "explained" not in statuses for statuses in by_bucket.values()):
            decisions[pair] = "conflicting"
        elif any("agrees" in statuses for statuses in by_bucket.values()):
            decisions[pair] = "same"
    return decisions


def _quoted_stems(text: str) -> frozenset:
    from analysis.matching import _stem

    quoted = " ".join(_QUOTED_ANY.findall(text))
    return frozenset(_stem(word.lower()) for word in _FIGURE_WORD.findall(quoted)
                     if word.lower() not in ENGLISH_STOP_WORDS)


def _quote_decisions(claims: pd.DataFrame) -> dict[tuple[int, int], str]:
    """Claim pairs of different outlets (rows, lower first) that quote the same speaker in the
    same words: ``same``.

    Outlets often quote one remark differently ("a “persecution and prosecution”" against "a
    persecution and not a prosecution"); the sentences around it then share little. Same
    speaker (by surname) and at least ``claim_quote_overlap`` of the shorter quotation's
    content words (two at least) found in the other.
    """
    share = float(setting("claim_quote_overlap"))
    outlets = claims["outlet"].to_numpy()
    by_speaker: dict[str, list[tuple[int, frozenset]]] = {}
    for row, (speaker, text) in enumerate(zip(claims["speaker"], claims["text"])):
        if not isinstance(speaker, str) or not speaker.strip():
            continue
        stems = _quoted_stems(str(text))
        if len(stems) >= 2:
            by_speaker.setdefault(speaker.split()[-1].lower(), []).append((row, stems))
    decisions = {}
    for quotes in by_speaker.values():
        for i, (row_a, stems_a) in enumerate(quotes):
            for row_b, stems_b in quotes[i + 1 :]:
                shared = len(stems_a & stems_b)
                if outlets[row_a] != outlets[row_b] and shared >= 2 and shared >= share * min(len(stems_a), len(stems_b)):
                    decisions[(min(row_a, row_b), max(row_a, row_b))] = "same"
    return decisions


def _claim_vectors(texts: list[str], vectorizer) -> sp.csr_matrix:
    if vectorizer is not None:
        return sp.csr_matrix(vectorizer.word_vectors(texts), dtype=np.float64)
    # No corpus model: IDF from the event's own claims (sublinear, unigrams and bigrams).
    try:
        return normalize(
            TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
        )
    except ValueError:  # only stop words
        return sp.csr_matrix((len(texts), 1))


def match_claims(
    claims: pd.DataFrame, *, vectorizer=None, backend: str = "tfidf", mentions: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Match the claims of one event across outlets.

    Args:
        claims: rows of :func:`extract_claims` for the articles of one event.
        vectorizer: the corpus's fitted :class:`~analysis.vectorize.ArticleVectorizer`, whose
            word IDF weights the candidate search uses (None: IDF from these claims alone).
        backend: pair verifier backend (``tfidf`` or ``semantic``), see :mod:`analysis.matching`.
        mentions: optional actor mentions: ``article_id``, ``start``, ``end`` (offsets into the
            article text, as the claims' own) and ``actor`` (a canonical name). Candidate search
            and verifier then read each mention as its actor, so "Assange's precise location"
            and "the former computer hacker's exact whereabouts" are compared as claims about
            one man (see :func:`analysis.actors.actor_mentions`). Claim texts are not changed.

    Returns:
        ``(claims, links)``: the claims with a ``claim_group`` column added (``g-`` plus a hash of
        the group's claim ids; a claim no other outlet carries is a group of one); and the
        verified candidate pairs: ``claim_a``, ``claim_b`` (claim ids, ``claim_a`` < ``claim_b``),
        ``cosine`` (TF-IDF, the candidate score), ``score`` (the verifier's, in [0, 1]) and
        ``decision`` (``same``, ``related``, ``conflicting`` or ``unrelated``).
    """
    claims = claims.reset_index(drop=True)
    compared = _compared_texts(claims, mentions)
    candidates = _event_candidates(claims, _claim_search_vectors(compared, vectorizer, backend), compared=compared)
    links = _verified_links(claims, candidates, backend, compared)
    return claims.assign(claim_group=_claim_groups(claims["claim_id"].to_numpy(), links)), links


def _compared_texts(claims: pd.DataFrame, mentions: pd.DataFrame | None) -> list[str]:
    """Each claim's text as matching compares it: the actor mentions inside it written as their
    actor's name, and non-restrictive relative clauses (", who is thought to be in Britain,")
    left out: they state a second fact, which keeps the main one from matching."""
    return [_ASIDE.sub("", text) for text in _with_actor_names(claims, mentions)]


def _with_actor_names(claims: pd.DataFrame, mentions: pd.DataFrame | None) -> list[str]:
    texts = claims["text"].astype(str).tolist()
    if mentions is None or mentions.empty or claims.empty:
        return texts
    by_article: dict[str, list[tuple[int, int, str]]] = {}
    for article_id, start, end, actor in zip(mentions["article_id"], mentions["start"], mentions["end"],
                                             mentions["actor"]):
        by_article.setdefault(str(article_id), []).append((int(start), int(end), str(actor)))
    for spans in by_article.values():
        spans.sort(key=lambda span: (span[0], -span[1]))
    compared = []
    for text, article_id, claim_start, claim_end in zip(texts, claims["article_id"], claims["start"], claims["end"]):
        pieces, cursor = [], 0
        for start, end, actor in by_article.get(str(article_id), ()):
            if start < claim_start or end > claim_end or start - claim_start < cursor:
                continue  # outside this claim, or overlapping a mention already written
            pieces += [text[cursor : start - claim_start], actor]
            cursor = end - claim_start
        compared.append("".join(pieces) + text[cursor:] if pieces else text)
    return compared


def _claim_search_vectors(texts: list[str], vectorizer, backend: str) -> tuple[sp.csr_matrix | None, np.ndarray | None]:
    """TF-IDF rows (None without a corpus model: then each event fits its own) and, for the
    semantic backend, sentence embeddings of ``texts``."""
    if not texts:  # no event with two outlets: nothing to search
        return None, None
    vectors = _claim_vectors(texts, vectorizer) if vectorizer is not None else None
    embeddings = None
    if backend == "semantic":  # paraphrases share meaning, not words: search by both
        from analysis.semantic import sentence_embeddings

        embeddings = sentence_embeddings(texts)
    return vectors, embeddings


def _event_candidates(claims: pd.DataFrame, search_vectors, offset: int = 0, compared: list[str] | None = None
                      ) -> pd.DataFrame:
    """Pairs of one event's claims worth verifying: ``a`` < ``b`` (rows of ``claims`` plus
    ``offset``), ``cosine`` (TF-IDF) and ``fact`` (what a figure or quotation fact decides, or
    None). ``search_vectors`` as :func:`_claim_search_vectors` gives them for these rows."""
    vectors, embeddings = search_vectors
    if vectors is None:
        vectors = _claim_vectors(compared if compared is not None else claims["text"].tolist(), None)
    outlets = claims["outlet"].to_numpy()
    if len(claims) < 2 or len(np.unique(outlets)) < 2:
        return pd.DataFrame({"a": np.zeros(0, int), "b": np.zeros(0, int), "cosine": np.zeros(0), "fact": []})
    cosine = (vectors @ vectors.T).toarray()
    search = cosine if embeddings is None else np.maximum(cosine, embeddings @ embeddings.T)
    search[outlets[:, None] == outlets[None, :]] = -1.0  # only across outlets
    top_k = int(setting("claim_candidates"))
    threshold = float(setting("claim_candidate_threshold"))
    lefts, rights = [], []
    for outlet in np.unique(outlets):  # each claim's top_k of this outlet's claims
        columns = np.flatnonzero(outlets == outlet)
        order = np.argsort(-search[:, columns], axis=1, kind="stable")[:, :top_k]
        best = columns[order]
        keep = np.take_along_axis(search, best, axis=1) >= threshold
        rows = np.broadcast_to(np.arange(len(claims))[:, None], best.shape)
        lefts.append(rows[keep])
        rights.append(best[keep])
    # A shared figure or quotation makes a pair worth verifying whatever its cosine; a figure
    # conflict outranks a shared quotation.
    facts = {**_quote_decisions(claims), **_figure_decisions(claims)}
    lefts.append(np.array([a for a, _ in facts], dtype=int))
    rights.append(np.array([b for _, b in facts], dtype=int))
    left, right = np.concatenate(lefts).astype(int), np.concatenate(rights).astype(int)
    pairs = pd.DataFrame({"a": np.minimum(left, right), "b": np.maximum(left, right)}).drop_duplicates()
    pairs = pairs.sort_values(["a", "b"], ignore_index=True)
    return pd.DataFrame({
        "a": pairs["a"].to_numpy() + offset,
        "b": pairs["b"].to_numpy() + offset,
        "cosine": cosine[pairs["a"], pairs["b"]].astype(float),
        "fact": [facts.get(pair) for pair in zip(pairs["a"], pairs["b"])],
    })


def _verified_links(claims: pd.DataFrame, candidates: pd.DataFrame, backend: str,
                    compared: list[str] | None = None) -> pd.DataFrame:
    """The verifier's score and decision for candidate pairs (rows of ``claims``), with what
    figure and quotation facts decide laid over them: LINK_COLUMNS, ordered by claim ids."""
    from analysis.matching import classify_pairs

    if candidates.empty:
        return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in
                             zip(LINK_COLUMNS, ["object", "object", "float", "float", "object"])})
    texts = np.asarray(compared if compared is not None else claims["text"].tolist(), dtype=object)
    verdict = classify_pairs(texts[candidates["a"]].tolist(), texts[candidates["b"]].tolist(), backend=backend)
    decision = verdict["decision"].to_numpy(dtype=object)
    fact = candidates["fact"].to_numpy(dtype=object)
    # A conflict needs both: figures about the same counted thing that disagree (the fact) and
    # a subject the verifier finds at least related (figures of one noun often count different
    # things: "3 killed on Thursday" / "5 killed this week"). The verifier alone sees any two
    # differing figures in similar sentences (poll shares of different questions).
    decision[(decision == "conflicting") & (fact != "conflicting")] = "related"
    decision[(fact == "conflicting") & (decision != "unrelated")] = "conflicting"
    decision[(fact == "same") & (decision != "conflicting")] = "same"
    ids = claims["claim_id"].to_numpy()
    left_ids, right_ids = ids[candidates["a"]], ids[candidates["b"]]
    return pd.DataFrame(
        {
            "claim_a": np.where(left_ids < right_ids, left_ids, right_ids),
            "claim_b": np.where(left_ids < right_ids, right_ids, left_ids),
            "cosine": candidates["cosine"].to_numpy(dtype=float),
            "score": verdict["score"].to_numpy(dtype=float),
            "decision": decision,
        }
    ).sort_values(["claim_a", "claim_b"], ignore_index=True)


def _claim_groups(claim_ids: np.ndarray, links: pd.DataFrame) -> np.ndarray:
    """Per claim, its group id: ``g-`` and a hash of the sorted ids of the claims in its group.

    Groups are the connected components of ``same`` links, except where a component is a chain
    rather than a cluster: connected components link A to D through B and C even when A and D
    say different things, and at corpus scale whole events collapse into one group of hundreds
    of claims. So a component of more than two claims is split by average linkage over its
    ``same`` links (1 for a link, 0 for none): two parts join only while at least
    ``claim_group_cohesion`` of the pairs across them are ``same`` links. A triangle with one
    side missing stays whole; a chain of four splits in two.
    """
    n = len(claim_ids)
    if n == 0:
        return np.array([], dtype=object)
    position = pd.Index(claim_ids)
    same = links[links["decision"] == "same"]
    rows, columns = position.get_indexer(same["claim_a"]), position.get_indexer(same["claim_b"])
    graph = sp.coo_matrix((np.ones(len(same)), (rows, columns)), shape=(n, n)).tocsr()
    _, component = connected_components(graph, directed=False)
    component = _split_chains(component, graph + graph.T, float(setting("claim_group_cohesion")))
    members: dict[int, list[str]] = {}
    for claim_id, number in zip(claim_ids, component):
        members.setdefault(int(number), []).append(str(claim_id))
    labels = {number: "g-" + hashlib.blake2b("\x1f".join(sorted(ids)).encode(), digest_size=6).hexdigest()
              for number, ids in members.items()}
    return np.array([labels[int(number)] for number in component], dtype=object)


def _split_chains(component: np.ndarray, adjacency: sp.csr_matrix, cohesion: float) -> np.ndarray:
    """Components of more than two claims cut by average linkage on their link matrix (see
    :func:`_claim_groups`); returns new component numbers."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    result = component.copy()
    next_number = int(component.max()) + 1 if len(component) else 0
    sizes = np.bincount(component)
    for number in np.flatnonzero(sizes > 2):
        rows = np.flatnonzero(component == number)
        linked = (adjacency[rows][:, rows].toarray() > 0).astype(float)
        distance = 1.0 - linked
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), method="average")
        parts = fcluster(tree, t=1.0 - cohesion + 1e-9, criterion="distance")
        if parts.max() > 1:
            result[rows] = next_number + parts - 1
            next_number += int(parts.max())
    return result


def claims_for_events(
    articles: pd.DataFrame, sentences: pd.DataFrame, *, vectorizer=None, backend: str = "tfidf",
    mentions: pd.DataFrame | None = None, n_jobs: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Extract and match the claims of every event that more than one outlet covered.

    The same result as :func:`match_claims` on each event, computed in bulk: candidate search
    per event, then one verifier call over a batch of events' pairs (its per-call costs paid
    once). Events are independent, so from ``_PARALLEL_FROM`` articles on, batches of events go
    to ``n_jobs`` forked workers (the tfidf backend only: torch's threads do not survive a fork).

    Args:
        articles: columns ``article_id``, ``outlet``, ``event_id`` and optionally ``text``.
        sentences: the sentences of those articles (columns as :func:`extract_claims` takes).
        vectorizer, backend, mentions: as :func:`match_claims` takes them.
        n_jobs: worker processes (default: the setting ``analysis_workers``).

    Returns:
        ``(claims, links)``: the columns of :func:`match_claims`'s two frames, each with
        ``event_id`` first, ordered by event. Events covered by a single outlet have no rows:
        with nobody to compare against, overlap is not defined.
    """
    outlets_per_event = articles.groupby("event_id")["outlet"].transform("nunique")
    compared = articles[outlets_per_event >= 2]
    sentences = sentences[sentences["article_id"].isin(set(compared["article_id"]))]
    n_jobs = int(n_jobs if n_jobs is not None else setting("analysis_workers"))
    if n_jobs > 1 and backend == "tfidf" and len(compared) >= _PARALLEL_FROM:
        parts = _claims_in_workers(compared, sentences, vectorizer, mentions, n_jobs)
        if parts is not None:
            claims = pd.concat([part[0] for part in parts], ignore_index=True)
            links = pd.concat([part[1] for part in parts], ignore_index=True)
            return (claims.sort_values("event_id", kind="stable", ignore_index=True),
                    links.sort_values(["event_id", "claim_a", "claim_b"], ignore_index=True))
    return _claims_of_events(compared, sentences, vectorizer, backend, mentions)


# Below this many articles the start-up of worker processes costs more than it saves.
_PARALLEL_FROM = 2000


def _claims_of_chunk(article_ids: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    articles, sentences, vectorizer, mentions = inherited()
    chosen = set(article_ids)
    if mentions is not None:
        mentions = mentions[mentions["article_id"].isin(chosen)]
    return _claims_of_events(articles[articles["article_id"].isin(chosen)],
                             sentences[sentences["article_id"].isin(chosen)], vectorizer, "tfidf", mentions)


def _claims_in_workers(articles: pd.DataFrame, sentences: pd.DataFrame, vectorizer, mentions, n_jobs: int):
    """:func:`_claims_of_events` over batches of whole events in forked workers; None where
    fork is unavailable."""
    # Batches of about equal article counts, a few per worker to even out large events.
    sizes = articles.groupby("event_id", sort=True).size()
    batch = np.minimum((sizes.cumsum().to_numpy() - 1) * (4 * n_jobs) // max(int(sizes.sum()), 1), 4 * n_jobs - 1)
    batch_of_event = pd.Series(batch, index=sizes.index)
    chunks = [group["article_id"].tolist()
              for _, group in articles.groupby(articles["event_id"].map(batch_of_event), sort=True)]
    return map_forked(_claims_of_chunk, chunks, (articles, sentences, vectorizer, mentions), n_jobs)


def _claims_of_events(compared: pd.DataFrame, sentences: pd.DataFrame, vectorizer, backend: str,
                      mentions: pd.DataFrame | None = None):
    """:func:`claims_for_events` in this process, on articles of events with two or more outlets."""
    import gc

    collecting = gc.isenabled()
    gc.disable()  # many small objects, no cycles: the collector's passes cost a quarter of the time
    try:
        claims = extract_claims(sentences, compared)
    finally:
        if collecting:
            gc.enable()
    event_of = compared.set_index("article_id")["event_id"]
    claims.insert(0, "event_id", claims["article_id"].map(event_of))
    claims = claims.sort_values("event_id", kind="stable", ignore_index=True)
    texts = _compared_texts(claims, mentions)
    vectors, embeddings = _claim_search_vectors(texts, vectorizer, backend)
    parts = []
    event_ids = claims["event_id"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, event_ids[1:] != event_ids[:-1], True]) if len(claims) else np.zeros(1, int)
    for start, end in zip(bounds[:-1], bounds[1:]):
        search = (vectors[start:end] if vectors is not None else None,
                  embeddings[start:end] if embeddings is not None else None)
        parts.append(_event_candidates(claims.iloc[start:end].reset_index(drop=True), search, offset=start,
                                       compared=texts[start:end]))
    candidates = pd.concat(parts, ignore_index=True) if parts else _event_candidates(claims.iloc[:0], (None, None))
    links = _verified_links(claims, candidates, backend, texts)
    links.insert(0, "event_id", links["claim_a"].map(dict(zip(claims["claim_id"], claims["event_id"]))))
    links = links.sort_values(["event_id", "claim_a", "claim_b"], ignore_index=True)
    claims["claim_group"] = _claim_groups(claims["claim_id"].to_numpy(), links)
    return claims[["event_id", *CLAIM_COLUMNS, "claim_group"]], links[["event_id", *LINK_COLUMNS]]


# --- overlap measures (claims with claim_group, as match_claims returns them)


def claim_coverage(claims: pd.DataFrame) -> pd.DataFrame:
    """Claim group × outlet: which outlets carry each claim.

    Returns:
        One row per claim group and outlet of the event. Columns: ``claim_group``, ``label``
        (the group's first claim, by outlet then position), ``outlet``, ``carried`` (bool),
        ``claim_ids`` (the outlet's claims in the group, a list), ``outlets_carrying``.
    """
    ordered = claims.sort_values(["outlet", "article_id", "sentence_no"], kind="stable")
    labels = ordered.groupby("claim_group")["text"].first()
    carrying = claims.groupby("claim_group")["outlet"].nunique()
    # A plain dict: a MultiIndex Series lookup per grid cell costs 10× more on large events.
    held = claims.groupby(["claim_group", "outlet"])["claim_id"].agg(list).to_dict()
    grid = pd.MultiIndex.from_product([sorted(labels.index), sorted(claims["outlet"].unique())],
                                      names=["claim_group", "outlet"]).to_frame(index=False)
    grid["claim_ids"] = [held.get((g, o), []) for g, o in zip(grid["claim_group"], grid["outlet"])]
    grid["carried"] = grid["claim_ids"].map(bool)
    grid["label"] = grid["claim_group"].map(labels)
    grid["outlets_carrying"] = grid["claim_group"].map(carrying).astype(int)
    return grid[["claim_group", "label", "outlet", "carried", "claim_ids", "outlets_carrying"]].sort_values(
        ["outlets_carrying", "claim_group", "outlet"], ascending=[False, True, True], ignore_index=True
    )


def others_carry(coverage: pd.DataFrame) -> pd.Series:
    """Per coverage row: more than ``claim_omission_share`` of the event's other outlets carry
    this claim group (with the default 0.5: most of them; the other one of a two-outlet event)."""
    others = coverage.groupby("claim_group")["outlet"].transform("size") - 1
    others_carrying = coverage["outlets_carrying"] - coverage["carried"].astype(int)
    share = float(setting("claim_omission_share"))
    return (others > 0) & (others_carrying > share * others)


def outlet_claim_summary(claims: pd.DataFrame) -> pd.DataFrame:
    """Per outlet of one event: how many of its claims are shared, unique, and what it omits.

    Returns:
        One row per outlet. Columns: ``outlet``, ``claims`` (its claim groups), ``shared``
        (groups at least one other outlet carries), ``unique`` (groups only it carries),
        ``omitted`` (groups it lacks that more than ``claim_omission_share`` of the other outlets
        carry).
    """
    coverage = claim_coverage(claims)
    coverage["omitted"] = others_carry(coverage) & ~coverage["carried"]
    carried = coverage[coverage["carried"]]
    table = pd.DataFrame({"outlet": sorted(claims["outlet"].unique())}).set_index("outlet")
    table["claims"] = carried.groupby("outlet").size()
    table["shared"] = carried[carried["outlets_carrying"] >= 2].groupby("outlet").size()
    table["unique"] = carried[carried["outlets_carrying"] == 1].groupby("outlet").size()
    table["omitted"] = coverage[coverage["omitted"]].groupby("outlet").size()
    table = table.fillna(0).astype(int)
    return table.reset_index()


def claim_conflicts(claims: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Pairs of claims from different outlets about the same thing whose figures disagree.

    Returns:
        Columns ``claim_a``, ``outlet_a``, ``text_a``, ``figures_a`` (the figures' texts),
        ``claim_b``, ``outlet_b``, ``text_b``, ``figures_b``, ``score``.
    """
    conflicting = links[links["decision"] == "conflicting"]
    by_id = claims.set_index("claim_id")
    rows = []
    for link in conflicting.itertuples(index=False):
        a, b = by_id.loc[link.claim_a], by_id.loc[link.claim_b]
        rows.append((link.claim_a, a["outlet"], a["text"], [q["text"] for q in a["quantities"]],
                     link.claim_b, b["outlet"], b["text"], [q["text"] for q in b["quantities"]], float(link.score)))
    return pd.DataFrame(rows, columns=["claim_a", "outlet_a", "text_a", "figures_a", "claim_b", "outlet_b", "text_b",
                                       "figures_b", "score"])


def outlet_claim_jaccard(claims: pd.DataFrame) -> pd.DataFrame:
    """Per ordered outlet pair of one event: the Jaccard overlap of their claim groups.

    Returns:
        Columns ``outlet_a``, ``outlet_b``, ``jaccard`` (in [0, 1]; 1 on the diagonal),
        ``shared_groups``; every ordered pair, so the matrix is symmetric.
    """
    groups = claims.groupby("outlet")["claim_group"].agg(set)
    rows = []
    for a in groups.index:
        for b in groups.index:
            union = groups[a] | groups[b]
            shared = groups[a] & groups[b]
            rows.append((a, b, len(shared) / len(union) if union else 0.0, len(shared)))
    return pd.DataFrame(rows, columns=["outlet_a", "outlet_b", "jaccard", "shared_groups"])


def omission_rates(claims: pd.DataFrame) -> pd.DataFrame:
    """Across events: how often each outlet omits claims that the other outlets carry.

    Args:
        claims: matched claims of many events, with an ``event_id`` column.

    Returns:
        One row per outlet, highest rate first. Columns: ``outlet``, ``events`` (events with
        another outlet in them that it covered), ``claims_others_carry`` (claim groups of those
        events that more than ``claim_omission_share`` of its fellow outlets carry, it included or
        not), ``omitted``, ``omission_rate`` (omitted / claims_others_carry).
    """
    parts = []
    for event_id, event_claims in claims.groupby("event_id"):
        if event_claims["outlet"].nunique() < 2:
            continue
        coverage = claim_coverage(event_claims)
        coverage["counted"] = others_carry(coverage)
        coverage["omitted"] = coverage["counted"] & ~coverage["carried"]
        parts.append(coverage.assign(event_id=event_id))
    if not parts:
        return pd.DataFrame(columns=["outlet", "events", "claims_others_carry", "omitted", "omission_rate"])
    coverage = pd.concat(parts, ignore_index=True)
    table = coverage.groupby("outlet").agg(
        events=("event_id", "nunique"), claims_others_carry=("counted", "sum"), omitted=("omitted", "sum")
    )
    table["omission_rate"] = (table["omitted"] / table["claims_others_carry"].where(table["claims_others_carry"] > 0)).fillna(0.0)
    return table.reset_index().sort_values(["omission_rate", "outlet"], ascending=[False, True], ignore_index=True)
