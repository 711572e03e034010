"""Framing: how outlets label the main actors, against NewsWCL50's word-choice annotations.

**Actor labels.** Scores :func:`analysis.actors.actor_labels` on NewsWCL50 (50 articles:
10 events × 5 outlets, 8,694 word-choice and labelling annotations).

*Gold.* The annotations of actors, actor-like groups and countries: ``code_type`` ACTOR
(a named person, concept ``USA\\Trump``), ACTOR-I (minor individuals, concept ``USA\\USA-I``:
a category, not one person), GROUP (``USA\\Democrats``) and COUNTRY (``IRN``). PROPERTY,
ACTION, EVENT, OBJECT and MISC rows are phrases about things, not names for actors, and are
left out. A mention's span is found by searching its phrase in its annotated paragraph
(the headline is paragraph 0; then neighbouring paragraphs, then the whole text: the
annotations' token indices are not offsets into this text). Each mention is sorted into:

- *name*: only names, after leading "the" and honorifics ("Trump", "Mr. Trump",
  "the United States"): not a label, counted apart and not scored;
- *pronoun*: "he", "his", "they" ...: not a label, not scored;
- *label*: everything else ("the president", "North Korean dictator Kim Jong Un",
  "President Trump", "the two countries"). Its *descriptor part* is the phrase without
  the trailing name ("North Korean dictator", "President"); that part is what must be found.

*Found*: some predicted label in the same article overlaps the descriptor part by at least
one character (headline labels against headline spans). *Attributed right* (of the found):
the overlapping label's actor shares a name word with the annotated concept (the concept's
last path part, "Trump" for ``USA\\Republicans\\Trump``; countries by a short list of names,
``USA`` → United States, U.S., America, Washington; words compared on their first five
letters, so "Democrats" meets "Democratic National Committee"). ACTOR-I concepts are
categories, so they have no attribution figure and the overall one leaves them out. *Precision (lower bound)*: the share of
predicted labels that overlap any annotation of any type; NewsWCL50 annotates only the
phrases its coders judged framing-relevant, so an unannotated prediction is not
necessarily wrong.

*Baselines* in the same run, from the same predictions: appositions only, and titles plus
appositions (no descriptor resolution): what the rules for unnamed descriptors add.

**Speed.** Every framing facet (distinctive words, main actors and their labels, quotes and
voices, tone) over all multi-outlet events of article_bias_prediction (the events as the
default grouping makes them), each step timed; target: all of it under 5 minutes. Baseline in
the same process: spaCy's full pipeline on every sentence, measured on 2,000 and scaled.

    python bench/framing.py [--limit N]   # N: the speed section on the first N articles
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd
import regex

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.actors import PERSON_NOUNS, actor_labels  # noqa: E402
from bench._common import ARTICLE_BIAS, CORPORA, print_table, require  # noqa: E402

NEWSWCL50 = CORPORA / "newswcl50" / "newswcl50.jsonl"
ACTOR_CODE_TYPES = ("ACTOR", "ACTOR-I", "GROUP", "COUNTRY")
COUNTRY_NAMES = {
    "USA": "United States U.S. US America American Americans Washington",
    "PRK": "North Korea Korean Pyongyang DPRK",
    "KOR": "South Korea Korean Seoul",
    "IRN": "Iran Iranian Iranians Tehran",
    "RUS": "Russia Russian Russians Moscow Kremlin",
    "GBR": "Britain British U.K. UK London Kingdom",
    "EU": "European Union EU Europe Brussels",
    "MEX": "Mexico Mexican",
    "ISR": "Israel Israeli",
    "JPN": "Japan Japanese Tokyo",
    "CAN": "Canada Canadian Ottawa",
    "CHN": "China Chinese Beijing",
    "FRA": "France French Paris",
    "SYR": "Syria Syrian Damascus",
    "SAU": "Saudi Arabia Saudi Riyadh",
    "GUM": "Guam",
}
# Words that two different concepts share ("North Korea", "South Korea"), so they prove nothing.
_UNINFORMATIVE = {"north", "south", "united", "the", "of", "new", "republic"}
_PRONOUNS = set(
    "he him his himself she her hers herself it its itself they them their theirs themselves we us our ours "
    "i me my mine you your yours who whom whose".split()
)
_HONORIFICS = {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "the"}


def load(path: Path = NEWSWCL50) -> list[dict]:
    """The NewsWCL50 records (``id``, ``outlet``, ``title``, ``text``, ``event_id``, ``annotations``)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _words(text: str) -> list[str]:
    return regex.findall(r"[\p{L}\p{N}][\p{L}\p{N}.'’-]*", text)


def mention_kind(mention: str) -> str:
    """``name``, ``pronoun`` or ``label`` (see the module docstring)."""
    words = _words(mention)
    if not words or all(w.lower() in _PRONOUNS for w in words):
        return "pronoun"
    core = [w for w in words if w.lower() not in _HONORIFICS]
    if core and all(w[0].isupper() and w.lower().rstrip(".") not in PERSON_NOUNS for w in core):
        return "name"
    return "label"


def descriptor_part(mention: str) -> tuple[int, int]:
    """Character span of ``mention`` without its trailing name ("North Korean dictator Kim Jong Un" → the first three words)."""
    spans = [m.span() for m in regex.finditer(r"\S+", mention)]
    end = len(spans)
    while end > 1:
        word = mention[spans[end - 1][0]:spans[end - 1][1]]
        bare = regex.sub(r"['’]s$|[,.]$", "", word)
        if bare[:1].isupper() and bare.lower() not in PERSON_NOUNS and bare.lower() not in _HONORIFICS:
            end -= 1
        else:
            break
    return spans[0][0], spans[end - 1][1]


def gold_mentions(record: dict) -> list[dict]:
    """Annotated actor, group and country mentions of one article, located in its title or text.

    Rows: ``code_type``, ``concept``, ``mention``, ``kind`` (name/pronoun/label), ``in_title``,
    ``start``/``end`` (the descriptor part, offsets into the title or text) and
    ``mention_start``/``mention_end`` (the whole mention); mentions not found have start None.
    """
    title = record.get("title") or ""
    paragraphs = ([(True, 0, title)] if title else []) + _paragraphs(record["text"])
    used: dict[bool, set[int]] = defaultdict(set)
    rows = []
    annotations = sorted(
        record["annotations"]["wcl_annotations"], key=lambda a: (a["paragraph"], a["sentence"], a["start_token"])
    )
    for annotation in annotations:
        if annotation["code_type"] not in ACTOR_CODE_TYPES:
            continue
        mention = annotation["code_mention"].strip()
        place = _locate(mention, annotation["paragraph"], paragraphs, used)
        row = {
            "code_type": annotation["code_type"], "concept": annotation["code_name"], "mention": mention,
            "kind": mention_kind(mention), "in_title": None, "start": None, "end": None,
            "mention_start": None, "mention_end": None,
        }
        if place is not None:
            in_title, start = place
            part_start, part_end = descriptor_part(mention)
            row.update(in_title=in_title, start=start + part_start, end=start + part_end,
                       mention_start=start, mention_end=start + len(mention))
        rows.append(row)
    return rows


def _paragraphs(text: str) -> list[tuple[bool, int, str]]:
    result, offset = [], 0
    for paragraph in text.split("\n\n"):
        result.append((False, offset, paragraph))
        offset += len(paragraph) + 2
    return result


def _locate(mention: str, paragraph: int, paragraphs: list, used: dict) -> tuple[bool, int] | None:
    """(in_title, offset) of the first unused occurrence of ``mention``, nearest paragraph first."""
    order = sorted(range(len(paragraphs)), key=lambda p: (abs(p - paragraph), p))
    pattern = regex.compile(rf"(?<![\p{{L}}\p{{N}}]){regex.escape(mention)}(?![\p{{L}}\p{{N}}])")
    for number in order:
        in_title, offset, text = paragraphs[number]
        for match in pattern.finditer(text):
            start = offset + match.start()
            if start not in used[in_title]:
                used[in_title].add(start)
                return in_title, start
    return None


def concept_words(code_type: str, concept: str) -> set[str]:
    """Name words of an annotated concept, lower-cased (countries through :data:`COUNTRY_NAMES`)."""
    name = concept.split("\\")[-1]
    if code_type == "COUNTRY":
        name = COUNTRY_NAMES.get(name, name)
    return {w.lower().rstrip(".") for w in _words(name)} - _UNINFORMATIVE


def same_concept(actor: str, words: set[str]) -> bool:
    """Whether an actor's name shares a word with a concept (first five letters compared)."""
    actor_words = {regex.sub(r"['’]s$", "", w).lower().rstrip(".") for w in _words(actor)} - _UNINFORMATIVE
    return any(a[:5] == w[:5] if min(len(a), len(w)) >= 5 else a == w for a in actor_words for w in words)


def _overlaps(labels: list[tuple[int, int, str]], start: int, end: int) -> list[str]:
    return [actor for s, e, actor in labels if s < end and start < e]


def score(records: list[dict], labels: pd.DataFrame, golds: dict[str, list[dict]]) -> tuple[list[dict], float, int]:
    """Per code type and overall: gold labels, found, attributed right; and precision (lower bound).

    Returns ``(rows, precision, predicted)``; a row has ``code_type``, ``gold``, ``found``,
    ``right`` (None for ACTOR-I), ``judged`` (found mentions whose attribution is scored:
    all but ACTOR-I) and ``names`` (name mentions, not scored).
    """
    by_article = defaultdict(list)
    for row in labels.itertuples(index=False):
        by_article[(row.article_id, bool(row.in_title))].append((row.start, row.end, row.actor))
    totals = {t: {"code_type": t, "gold": 0, "found": 0, "right": 0, "names": 0, "judged": 0}
              for t in (*ACTOR_CODE_TYPES, "all")}
    for record in records:
        for gold in golds[record["id"]]:
            if gold["start"] is None or gold["kind"] == "pronoun":
                continue
            for key in (gold["code_type"], "all"):
                if gold["kind"] == "name":
                    totals[key]["names"] += 1
                    continue
                totals[key]["gold"] += 1
            if gold["kind"] == "name":
                continue
            actors = _overlaps(by_article[(record["id"], gold["in_title"])], gold["start"], gold["end"])
            if not actors:
                continue
            right = any(same_concept(a, concept_words(gold["code_type"], gold["concept"])) for a in actors)
            for key in (gold["code_type"], "all"):
                totals[key]["found"] += 1
                if gold["code_type"] != "ACTOR-I":  # a category concept: attribution is not defined
                    totals[key]["judged"] += 1
                    totals[key]["right"] += right
    rows = list(totals.values())
    for row in rows:
        if row["code_type"] == "ACTOR-I":
            row["right"] = None
    # precision: a prediction overlapping any annotation (of any type) in its article
    annotated = defaultdict(list)
    for record in records:
        for gold in _all_spans(record):
            annotated[(record["id"], gold[0])].append((gold[1], gold[2], ""))
    hits = sum(bool(_overlaps(annotated[(row.article_id, bool(row.in_title))], row.start, row.end))
               for row in labels.itertuples(index=False))
    return rows, hits / len(labels) if len(labels) else 0.0, len(labels)


def _all_spans(record: dict) -> list[tuple[bool, int, int]]:
    """Every annotation of the article (any code type) located as (in_title, start, end)."""
    title = record.get("title") or ""
    paragraphs = ([(True, 0, title)] if title else []) + _paragraphs(record["text"])
    used: dict = defaultdict(set)
    spans = []
    for annotation in record["annotations"]["wcl_annotations"]:
        mention = annotation["code_mention"].strip()
        if not mention:
            continue
        place = _locate(mention, annotation["paragraph"], paragraphs, used)
        if place is not None:
            spans.append((place[0], place[1], place[1] + len(mention)))
    return spans


def actor_label_quality() -> list[list[object]]:
    """Table rows for the actor-label quality on NewsWCL50: method × code type.

    Each row: method, code type, annotated name mentions (not scored), annotated labels,
    found, found share, attributed right (share of found), predicted labels, precision lower
    bound, seconds.
    """
    records = load(require(NEWSWCL50))
    articles = pd.DataFrame({
        "article_id": [r["id"] for r in records], "outlet": [r["outlet"] for r in records],
        "title": [r.get("title") or "" for r in records], "text": [r["text"] for r in records],
        "event_id": [r["event_id"] for r in records],
    })
    started = time.perf_counter()
    labels = actor_labels(articles, n_jobs=1)
    seconds = time.perf_counter() - started
    golds = {r["id"]: gold_mentions(r) for r in records}
    methods = {
        "coverage-lens actor_labels": labels,
        "baseline: appositions only": labels[labels["label_kind"] == "apposition"],
        "baseline: titles + appositions": labels[labels["label_kind"].isin(["title", "apposition"])],
    }
    table = []
    for method, predicted in methods.items():
        rows, precision, n_predicted = score(records, predicted, golds)
        for row in rows:
            found_share = row["found"] / row["gold"] if row["gold"] else 0.0
            right = "n/a" if row["right"] is None else f"{row['right'] / row['judged']:.3f}" if row["judged"] else "0.000"
            overall = row["code_type"] == "all"
            table.append([
                method, row["code_type"], f"{row['names']:,}", f"{row['gold']:,}", f"{row['found']:,}",
                f"{found_share:.3f}", right, f"{n_predicted:,}" if overall else "", f"{precision:.3f}" if overall else "",
                f"{seconds:.1f}" if overall and method.startswith("coverage") else "",
            ])
    return table


def framing_speed(limit: int | None = None) -> None:
    """Times every framing facet over the multi-outlet events of article_bias_prediction and prints them."""
    from analysis.actors import actor_labels, load_nlp, main_actors
    from analysis.events import group_articles, read_corpus_for_grouping
    from analysis.tone import sentence_tone, tone_by_outlet
    from analysis.vectorize import ArticleVectorizer
    from analysis.voices import quotes_of_articles, voices, voices_by_type
    from analysis.words import distinctive_terms_by_event
    from bench.claims_corpus import _sentences

    articles, _ = read_corpus_for_grouping(require(ARTICLE_BIAS))
    if limit:
        articles = articles.iloc[:limit].reset_index(drop=True)
    grouped = group_articles(articles, vectorizer=ArticleVectorizer())
    frame = articles.rename(columns={"id": "article_id"}).assign(
        event_id=grouped["event_id"].to_numpy(), outlet=lambda f: f["outlet"].fillna("unknown"))
    multi = frame[frame.groupby("event_id")["outlet"].transform("nunique") >= 2].reset_index(drop=True)
    sentences = _sentences(multi)
    load_nlp()  # model loading is start-up, not framing
    steps = []

    def timed(name, run):
        started = time.perf_counter()
        result = run()
        steps.append((name, time.perf_counter() - started))
        return result

    timed("distinctive words (words.distinctive_terms_by_event)", lambda: distinctive_terms_by_event(multi, under=True))
    actors = timed("main actors (actors.main_actors)", lambda: main_actors(multi))
    labels = timed("actor labels (actors.actor_labels)", lambda: actor_labels(multi, actors=actors))
    quotes = timed("quotes (voices.quotes_of_articles)", lambda: quotes_of_articles(multi))
    timed("voices (voices.voices, voices_by_type)", lambda: voices_by_type(voices(quotes)))
    timed("tone (tone.sentence_tone, tone_by_outlet)", lambda: tone_by_outlet(sentence_tone(sentences, quotes), multi))
    total = sum(seconds for _, seconds in steps)
    # Baseline in the same process: spaCy's full pipeline on every sentence, the naive way,
    # measured on the first 2,000 sentences and scaled to all of them.
    nlp = load_nlp()
    sample = sentences["text"].head(2000).tolist()
    started = time.perf_counter()
    for _ in nlp.pipe(sample, batch_size=256):
        pass
    naive = (time.perf_counter() - started) * len(sentences) / max(len(sample), 1)
    rows = [[name, f"{seconds:.1f}", f"{seconds / total:.0%}"] for name, seconds in steps]
    rows.append(["total", f"{total:.1f}", "100%"])
    print_table(
        f"Framing, every multi-outlet event: {len(multi):,} articles, {multi['event_id'].nunique():,} events, "
        f"{len(sentences):,} sentences, {len(labels):,} labels, {len(quotes):,} quotes",
        ["step", "seconds", "share"], rows,
    )
    print(f"\nBaseline, same process: spaCy on every sentence would take about {naive:.0f} s "
          f"(measured on {len(sample):,}); framing takes {total / naive:.2f} of that.")
    verdict = "met" if total < 300 else "NOT met"
    print(f"Target: all framing under 5 minutes: {total:.1f} s ({verdict}).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None,
                        help="speed section: first N articles of article_bias_prediction (default: all)")
    options = parser.parse_args()
    print_table(
        "Actor labels on NewsWCL50 (50 articles, 10 events): annotated label mentions found (a predicted label "
        "overlaps the mention without its trailing name) and attributed to the annotated concept",
        ["method", "code type", "name mentions (not scored)", "label mentions", "found", "found share",
         "attributed right", "predicted labels", "precision (lower bound)", "seconds"],
        actor_label_quality(),
    )

    framing_speed(options.limit)


if __name__ == "__main__":
    main()
