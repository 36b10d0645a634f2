"""How far the themes of a labelled set can go with the vectors the pipeline has:
``python -m ml.evaluate_ceiling FILE.csv --text-column text --label-column topic [--seeds 3]``.

Two figures for the same rows (the pipeline's opinion units, the default ``ensemble`` representation):

- **themes**: what the analysis finds with the true number of themes given (``ml.cluster.cluster``, each
  text's theme by its units' characters), text-level ARI / AMI, mean over ``--seeds``;
- **ceiling**: what a classifier *trained on the true labels* finds on the same vectors — a logistic
  regression, cross-validated (``--folds``, the units of one text always in the same fold), its predictions
  voted back to texts like the themes. No clustering of these vectors can be expected to beat it by much:
  a target above it asks for other vectors (another model, more context), not another clustering rule.

Issue 16's German target (ARI 0.45 on 2,811 comments of five topics) was measured this way on the five
Polis conversations of Austria's Klimarat (ml/README.md, "The ceiling of the vectors").

Pure: no project app imports.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np


def read(path: Path, text_column: str, label_column: str, title_column: str = "") -> tuple[list[str], list[str]]:
    """Texts (a title as their first line, as the pipeline reads proposals) and their labels; rows without text
    or label are left out."""
    texts, labels = [], []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row.get(text_column) or "").strip()
            label = (row.get(label_column) or "").strip()
            title = (row.get(title_column) or "").strip() if title_column else ""
            if text and label:
                texts.append(f"{title}\n{text}" if title else text)
                labels.append(label)
    return texts, labels


def ceiling(matrix: np.ndarray, owner: np.ndarray, labels: list[str], *, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Each unit's label as predicted by a logistic regression trained on the other folds' units (grouped by
    the text they belong to), one label per unit."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    target = np.asarray(labels)[owner]
    predicted = np.empty(len(owner), dtype=target.dtype)
    for train, test in GroupKFold(n_splits=folds).split(matrix, target, groups=owner):
        model = LogisticRegression(C=4.0, max_iter=2000, random_state=seed).fit(matrix[train], target[train])
        predicted[test] = model.predict(matrix[test])
    return predicted


def measure(texts: list[str], labels: list[str], *, seeds: int = 3, folds: int = 5, scorer=None) -> dict[str, float]:
    """ARI / AMI of the themes (k given) and of the cross-validated classifier, text-level."""
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

    from ml.cluster import cluster
    from ml.evaluate_themes import Scorer
    from ml.units import vote

    scorer = scorer or Scorer()
    table, matrix = scorer.rows(texts)
    k = len(set(labels))
    themes = []
    for seed in range(seeds):
        found = vote(table, cluster(matrix, k=k, seed=seed, min_size=1).labels, len(texts))
        themes.append((adjusted_rand_score(labels, found), adjusted_mutual_info_score(labels, found)))
    names = sorted(set(labels))
    predicted_units = ceiling(matrix, np.asarray(table.owner), labels, folds=folds)
    as_index = np.array([names.index(label) for label in predicted_units])
    predicted = vote(table, as_index, len(texts))
    return {
        "texts": len(texts),
        "themes": k,
        "ari": float(np.mean([a for a, _ in themes])),
        "ami": float(np.mean([b for _, b in themes])),
        "ceiling_ari": float(adjusted_rand_score(labels, predicted)),
        "ceiling_ami": float(adjusted_mutual_info_score(labels, predicted)),
        "ceiling_accuracy": float(np.mean((predicted >= 0) & (np.array(names)[predicted] == np.asarray(labels)))),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--text-column", required=True)
    parser.add_argument("--label-column", required=True)
    parser.add_argument("--title-column", default="")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--folds", type=int, default=5)
    options = parser.parse_args(argv)
    texts, labels = read(options.csv, options.text_column, options.label_column, options.title_column)
    result = measure(texts, labels, seeds=options.seeds, folds=options.folds)
    print(
        f"{result['texts']} texts, {result['themes']} themes given\n"
        f"themes (mean of {options.seeds} seeds): ARI {result['ari']:.3f}  AMI {result['ami']:.3f}\n"
        f"ceiling (classifier trained on the labels, {options.folds}-fold): ARI {result['ceiling_ari']:.3f}  "
        f"AMI {result['ceiling_ami']:.3f}  accuracy {result['ceiling_accuracy']:.3f}"
    )


if __name__ == "__main__":
    main()
