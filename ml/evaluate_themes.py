"""How the kept partition is fitted, measured with the true number of themes given (how issue 16's
held-out sets are scored): ``python -m ml.evaluate_themes [--seeds 10] [--draws 5]``.

Every fixture goes through the pipeline's own path — opinion units (short texts whole), the default
``ensemble`` representation, :func:`ml.cluster.cluster` with k given, each text's theme by its units'
characters — and is scored by text-level ARI against its labels:

1. k-means starts: ``ml.cluster.FINAL_STARTS`` 4 against the current value, seeds 0..N-1, on the
   real English comments and the written 7-theme fixtures (mean ± spread over the seeds).
2. Many small themes: the Ward candidate off (``WARD_MAX_THEME_SIZE`` 0) and on, on the paraphrase
   fixtures (60 pairs = 60 themes of 2; with the related requests, 120 themes) and on mixtures of the
   seven large themes of ``opinions_{ja,en}.csv`` with 20 / 40 / 60 paraphrase pairs (each pair a theme;
   the pairs drawn ``--draws`` times).
3. Uneven themes: the spectral candidate off (``SPECTRAL_NEIGHBOURS`` 0) and on, on the real comments of six
   Polis conversations (the five of 1. and canadian-electoral-reform: 119 / 55 / 44 / 37 / 31 / 24 texts) and the
   sets of 1., seeds 0..N-1.

Pure: no project app imports. The numbers are in ml/README.md.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from ml.evaluate import DEFAULT_FIXTURES


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def labelled(fixtures: Path) -> dict[str, tuple[list[str], list[str]]]:
    """The 5–7 theme sets: name → (texts, theme per text)."""
    sets = {
        "real English (191)": [(r["text"], r["conversation"]) for r in _rows(fixtures / "real/polis_comments_en.csv")]
    }
    for name in ("opinions_ja", "opinions_en", "opinions_de", "long_comments_ja"):
        sets[name] = [(r["text"], r["theme"]) for r in _rows(fixtures / f"{name}.csv")]
    return {name: ([t for t, _ in pairs], [label for _, label in pairs]) for name, pairs in sets.items()}


def six_conversations(fixtures: Path) -> tuple[list[str], list[str]]:
    """Real comments of six Polis conversations, the theme being the conversation (one of 119, five of 24–55)."""
    rows = _rows(fixtures / "real/polis_comments_en.csv") + _rows(fixtures / "real/polis_comments_en_electoral.csv")
    return [r["text"] for r in rows], [r["conversation"] for r in rows]


def paraphrases(fixtures: Path, lang: str, *, related: bool) -> tuple[list[str], list[str]]:
    """Proposals and their rewordings, one theme per pair (and, with ``related``, each related request a theme)."""
    rows = [r for r in _rows(fixtures / f"duplicates_{lang}.csv") if related or r["kind"] != "related"]
    return [r["text"] for r in rows], [r["group"] + ("/related" if r["kind"] == "related" else "") for r in rows]


class Scorer:
    """Texts → the pipeline's units and ensemble rows (each distinct unit embedded once) → ARI for a k."""

    def __init__(self):
        from ml.embeddings import EnsembleEmbedder
        from ml.evaluate_sentiment import memo

        self.embedder = EnsembleEmbedder(threads=1)
        self.embed = memo(self.embedder.embed)

    def rows(self, texts: list[str]):
        from ml.embeddings import represent, representation_for
        from ml.text import detect_language, normalise
        from ml.units import comment_units

        lang = detect_language([normalise(t) for t in texts])
        table = comment_units(texts, lang)
        raw = self.embed(table.texts)
        matrix = represent(
            table.texts,
            method=representation_for("ensemble", lang),
            lang=lang,
            embed=lambda _texts: raw,
            center=True,
            blocks=self.embedder.blocks,
        )
        return table, matrix

    def ari(self, texts: list[str], themes: list[str], seed: int) -> float:
        from sklearn.metrics import adjusted_rand_score

        from ml.cluster import cluster
        from ml.units import vote

        table, matrix = self.rows(texts)
        k = len(set(themes))
        labels = vote(table, cluster(matrix, k=k, seed=seed, min_size=1).labels, len(texts))
        return float(adjusted_rand_score(themes, labels))


def main(argv: list[str] | None = None) -> None:
    import ml.cluster as clustering

    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--draws", type=int, default=5)
    options = parser.parse_args(argv)
    scorer = Scorer()
    starts, ward = clustering.FINAL_STARTS, clustering.WARD_MAX_THEME_SIZE

    print(f"| fixture | texts | themes | k-means, 4 starts | k-means, {starts} starts |")
    print("|---|---|---|---|---|")
    _setting_rows(scorer, labelled(options.fixtures), "FINAL_STARTS", (4, starts), options.seeds)

    print()
    print("| set | texts | themes | Ward candidate off | on |")
    print("|---|---|---|---|---|")
    for lang in ("ja", "en"):
        cases = {
            f"paraphrase pairs, {lang}": [paraphrases(options.fixtures, lang, related=False)] * options.draws,
            f"pairs + related, {lang}": [paraphrases(options.fixtures, lang, related=True)] * options.draws,
        }
        big_texts, big_themes = labelled(options.fixtures)[f"opinions_{lang}"]
        pair_texts, pair_themes = paraphrases(options.fixtures, lang, related=False)
        groups = sorted(set(pair_themes))
        for count in (20, 40, 60):
            draws = []
            for draw in range(options.draws):
                chosen = set(np.random.default_rng(draw).choice(groups, count, replace=False).tolist())
                keep = [i for i, g in enumerate(pair_themes) if g in chosen]
                draws.append((big_texts + [pair_texts[i] for i in keep], big_themes + [pair_themes[i] for i in keep]))
            cases[f"mixture {lang}: 7 large themes + {count} pairs"] = draws
        for name, draws in cases.items():
            cells = []
            for value in (0, ward):
                clustering.WARD_MAX_THEME_SIZE = value
                cells.append(np.mean([scorer.ari(t, th, seed) for seed, (t, th) in enumerate(draws)]))
            clustering.WARD_MAX_THEME_SIZE = ward
            texts, themes = draws[0]
            print(f"| {name} | {len(texts)} | {len(set(themes))} | {cells[0]:.3f} | {cells[1]:.3f} |", flush=True)

    print()
    print("| set | texts | themes | spectral candidate off | on |")
    print("|---|---|---|---|---|")
    uneven = {"real English, six conversations": six_conversations(options.fixtures), **labelled(options.fixtures)}
    _setting_rows(scorer, uneven, "SPECTRAL_NEIGHBOURS", (0, clustering.SPECTRAL_NEIGHBOURS), options.seeds)


def _setting_rows(scorer: Scorer, sets: dict, setting: str, values: tuple, seeds: int) -> None:
    """A table row per set: ARI mean ± spread over the seeds with ``ml.cluster.<setting>`` at each of ``values``."""
    import ml.cluster as clustering

    kept = getattr(clustering, setting)
    try:
        for name, (texts, themes) in sets.items():
            cells = []
            for value in values:
                setattr(clustering, setting, value)
                scores = [scorer.ari(texts, themes, seed) for seed in range(seeds)]
                cells.append(f"{np.mean(scores):.3f} ± {np.std(scores):.3f}")
            print(f"| {name} | {len(texts)} | {len(set(themes))} | {' | '.join(cells)} |", flush=True)
    finally:
        setattr(clustering, setting, kept)


if __name__ == "__main__":
    main()
