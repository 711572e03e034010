"""Claims at corpus scale: extraction and matching for every multi-outlet event of article_bias_prediction.

Reads and cleans the corpus, groups it with the default pipeline (``group_articles``
with the corpus's TF-IDF model), segments the articles of events that two or more
outlets covered, then times :func:`analysis.claims.claims_for_events` on them: claim
extraction (filters, kinds, speakers, figures, names) and matching (candidate pairs
by TF-IDF cosine, then the pair verifier). Reading, grouping and segmenting are
printed apart: they are ingest's and grouping's work. Target: extraction plus
matching under 5 minutes.

Beside it, in the same process, a baseline on the same claims: matching by TF-IDF
cosine alone (a pair is the same claim at cosine ≥ 0.5, no verifier), to show what
the verifier costs.

    python bench/claims_corpus.py [--limit N] [--backend tfidf|semantic]
    # N: first N articles of the corpus (default: all); backend: the claim_backend to time (default tfidf)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from bench._common import ARTICLE_BIAS, print_table, require

TARGET_SECONDS = 300.0


def _sentences(articles: pd.DataFrame) -> pd.DataFrame:
    """Sentence rows as ingest stores them (headline as sentence 0, then the body's sentences)."""
    from analysis.segment import sentence_spans

    rows = []
    for article in articles.itertuples(index=False):
        number = 0
        if article.title:
            rows.append((article.article_id, 0, 0, len(article.title), article.title, True))
            number = 1
        for start, end in sentence_spans(article.text):
            rows.append((article.article_id, number, start, end, article.text[start:end], False))
            number += 1
    return pd.DataFrame(rows, columns=["article_id", "sentence_no", "start", "end", "text", "is_headline"])


def _cosine_baseline(claims: pd.DataFrame, vectorizer, threshold: float = 0.5) -> tuple[float, int]:
    """Seconds and same-claim pairs when matching is TF-IDF cosine alone, across outlets per event."""
    started = time.perf_counter()
    pairs = 0
    for _, event_claims in claims.groupby("event_id"):
        vectors = vectorizer.word_vectors(event_claims["text"].tolist())
        cosine = (vectors @ vectors.T).toarray()
        outlets = event_claims["outlet"].to_numpy()
        across = outlets[:, None] != outlets[None, :]
        pairs += int(np.triu((cosine >= threshold) & across, k=1).sum())
    return time.perf_counter() - started, pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N articles only (default: all)")
    parser.add_argument("--backend", choices=("tfidf", "semantic"), default="tfidf",
                        help="claim matching backend (semantic needs the extra: make semantic)")
    options = parser.parse_args()
    path = require(ARTICLE_BIAS)
    if options.backend == "semantic":
        from analysis.semantic import semantic_available

        if not semantic_available():
            raise SystemExit("the semantic backend needs the extra, which is not installed: run `make semantic`")

    from analysis.claims import claims_for_events, omission_rates
    from analysis.events import group_articles, read_corpus_for_grouping
    from analysis.settings import setting
    from analysis.vectorize import ArticleVectorizer

    steps = {}
    started = time.perf_counter()
    articles, _ = read_corpus_for_grouping(path)
    if options.limit:
        articles = articles.iloc[: options.limit].reset_index(drop=True)
    steps["read and clean"] = time.perf_counter() - started

    started = time.perf_counter()
    vectorizer = ArticleVectorizer()
    grouped = group_articles(articles, vectorizer=vectorizer)
    steps["group"] = time.perf_counter() - started

    # The corpus file's outlet field is what ingest would store as the outlet.
    frame = articles.rename(columns={"id": "article_id"}).assign(
        event_id=grouped["event_id"].to_numpy(), outlet=lambda f: f["outlet"].fillna("unknown")
    )
    multi = frame[frame.groupby("event_id")["outlet"].transform("nunique") >= 2].reset_index(drop=True)

    started = time.perf_counter()
    sentences = _sentences(multi)
    steps["segment"] = time.perf_counter() - started

    started = time.perf_counter()
    claims, links = claims_for_events(multi, sentences, vectorizer=vectorizer, backend=options.backend)
    claims_seconds = time.perf_counter() - started
    baseline_seconds, baseline_pairs = _cosine_baseline(claims, vectorizer)

    decisions = links["decision"].value_counts()
    groups = claims.groupby(["event_id", "claim_group"])["outlet"].nunique()
    print_table(
        "Preparation (not part of the claims time)",
        ["step", "seconds"],
        [[step, f"{seconds:.1f}"] for step, seconds in steps.items()],
    )
    print_table(
        f"Claim extraction + matching, every multi-outlet event (claims_for_events, backend {options.backend})",
        ["articles", "events", "sentences", "claims", "pairs verified", "same", "related", "conflicting",
         "claim groups", "shared groups", "seconds", "articles/s", "baseline s (cosine only)", "baseline same pairs"],
        [[f"{len(multi):,}", f"{multi['event_id'].nunique():,}", f"{len(sentences):,}", f"{len(claims):,}",
          f"{len(links):,}", f"{decisions.get('same', 0):,}", f"{decisions.get('related', 0):,}",
          f"{decisions.get('conflicting', 0):,}", f"{len(groups):,}", f"{int((groups >= 2).sum()):,}",
          f"{claims_seconds:.1f}", f"{len(multi) / max(claims_seconds, 1e-9):,.0f}", f"{baseline_seconds:.1f}",
          f"{baseline_pairs:,}"]],
    )
    sizes = claims.groupby(["event_id", "claim_group"]).size()
    print(f"\nClaim group sizes: largest {sizes.max():,} claims; groups of more than 10 claims: "
          f"{int((sizes > 10).sum()):,}, of more than 50: {int((sizes > 50).sum()):,} "
          f"(chains split at claim_group_cohesion {setting('claim_group_cohesion')})")
    kinds = claims["kind"].value_counts(normalize=True)
    print("\nClaim kinds: " + ", ".join(f"{kind} {share:.0%}" for kind, share in kinds.items())
          + f"; attributed to a speaker: {claims['speaker'].notna().mean():.0%}; "
          f"with figures: {claims['quantities'].map(bool).mean():.0%}")
    rates = omission_rates(claims)
    rates = rates[rates["events"] >= 5]  # a rate over one or two events says little
    print_table(
        "How often each outlet omits claims the other outlets in its events carry (outlets in 5+ such events)",
        ["outlet", "events", "claims others carry", "omitted", "omission rate"],
        [[row.outlet, f"{row.events:,}", f"{row.claims_others_carry:,}", f"{row.omitted:,}",
          f"{row.omission_rate:.2f}"] for row in rates.head(15).itertuples()],
    )
    verdict = "met" if claims_seconds < TARGET_SECONDS else "NOT met"
    print(f"\nTarget: extraction + matching under {TARGET_SECONDS / 60:.0f} minutes: {claims_seconds:.1f} s ({verdict}).")


if __name__ == "__main__":
    main()
