"""Helpers shared by the benchmark scripts: corpus location and table printing."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
ARTICLE_BIAS = CORPORA / "article_bias_prediction" / "articles.jsonl.gz"


def require(path: Path) -> Path:
    """Exit with a clear message (status 0: nothing to measure) when a corpus is absent."""
    if not path.exists():
        print(f"skipped: {path} not found (clone with ../shared beside the repo to run this benchmark)")
        sys.exit(0)
    return path


def print_table(title: str, headers: list[str], rows: list[list[object]]) -> None:
    """A plain Markdown table, so figures paste straight into the README."""
    cells = [[str(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    print(f"\n{title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(v.rjust(w) if _numeric(v) else v.ljust(w) for v, w in zip(row, widths)) + " |")


def _numeric(value: str) -> bool:
    return value.replace(".", "", 1).replace(",", "").replace("×", "").replace("%", "").strip().isdigit()
