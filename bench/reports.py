"""Benchmark for issue reports: GeoJSON endpoint latency with many reports, and the photo pipeline.

Usage:  .venv/bin/python bench/reports.py [--reports 100000] [--requests 40] [--megapixels 12]

Seeds N reports (bulk_create) into a scratch SQLite file (never the project database), then times
GET /reports/geojson/ through the full Django stack for a city-wide view (zoom 13, grid
aggregation) and street-level views (zoom 17, individual points), printing p50/p95. Then it runs
``process_photo`` on a generated JPEG of the given size and prints time and peak memory
(tracemalloc for Python allocations, and the growth of the process's peak RSS, which includes
Pillow's pixel buffers). It prints numbers and never asserts.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def setup_django(db_path: str, media: str) -> None:
    os.environ["SQLITE_PATH"] = db_path
    os.environ["MEDIA_ROOT"] = media
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.config.settings")
    os.environ["RATE_LIMITS_ENABLED"] = "0"
    os.environ["LOG_LEVEL"] = "ERROR"
    import django

    django.setup()


def create_tables() -> None:
    """Only the tables the benchmark touches (a full migrate of every app takes minutes here)."""
    from django.apps import apps
    from django.db import connection

    models = [apps.get_model(label) for label in (
        "contenttypes.ContentType", "auth.Permission", "auth.Group", "participation.User",
        "reports_map.Open311ApiKey", "reports_map.Category", "reports_map.CategoryQuestion", "reports_map.Report",
        "reports_map.ReportUpdate", "reports_map.ReportPhoto", "reports_map.ReportFollower",
    )]
    with connection.cursor() as cursor:  # scratch file: durability does not matter
        cursor.execute("PRAGMA synchronous=OFF")
    with connection.schema_editor() as editor:
        for model in models:
            editor.create_model(model)


def seed(n: int, rng: random.Random) -> None:
    from django.utils import timezone

    from participation.models import User
    from reports_map.demo import seed_categories
    from reports_map.geo import boundary, inside_city
    from reports_map.models import Category, Report, Status

    user = User.objects.create(username="bench", display_name="bench")
    seed_categories()
    categories = list(Category.objects.all())
    statuses = [s.value for s in Status]
    _polys, (min_lon, min_lat, max_lon, max_lat) = boundary()
    now = timezone.now()
    batch = []
    made = 0
    while made < n:
        lat, lon = rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)
        if not inside_city(lat, lon):
            continue
        batch.append(Report(category=rng.choice(categories), author=user, description="bench", latitude=lat,
                            longitude=lon, status=rng.choice(statuses), created_at=now, updated_at=now))
        made += 1
        if len(batch) == 5000:
            Report.objects.bulk_create(batch)
            batch = []
    if batch:
        Report.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def time_requests(client, urls: list[str], *, cold: bool) -> tuple[list[float], int]:
    from django.core.cache import cache

    times, features = [], 0
    for url in urls:
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code  # a broken run must not print timings
        features += len(response.json()["features"])
    return times, features


def bench_geojson(requests: int, rng: random.Random) -> None:
    from django.test import Client

    from reports_map.geo import bbox_around, boundary

    client = Client()
    _polys, (min_lon, min_lat, max_lon, max_lat) = boundary()
    city = f"/reports/geojson/?bbox={min_lon},{min_lat},{max_lon},{max_lat}&zoom=13"
    client.get(city)  # warm-up (imports, URL resolver, SQLite page cache)
    views = {
        "city-wide, zoom 13 (grid)": [city] * requests,
        "city-wide, zoom 13, status=unresolved": [city + "&status=unresolved"] * requests,
    }
    street = []
    for _ in range(requests):
        lat, lon = rng.uniform(min_lat + 0.005, max_lat - 0.005), rng.uniform(min_lon + 0.005, max_lon - 0.005)
        s_lat, s_lon, n_lat, n_lon = bbox_around(lat, lon, 250)
        street.append(f"/reports/geojson/?bbox={s_lon},{s_lat},{n_lon},{n_lat}&zoom=17")
    views["street-level, zoom 17 (~500 m view, points)"] = street
    views["street-level, zoom 17, category=road-pothole"] = [u + "&category=road-pothole" for u in street]
    for label, urls in views.items():
        for cold in (True, False):
            if not cold and "grid" not in label and "unresolved" not in label:
                continue  # only the aggregated grid is cached
            times, features = time_requests(client, urls, cold=cold)
            name = label + (" cold" if cold else " cached")
            print(f"GeoJSON {name:52s} p50 {statistics.median(times):7.1f} ms  p95 {percentile(times, 95):7.1f} ms"
                  f"  (avg {features / len(urls):.0f} features, {len(urls)} requests)")


def make_jpeg(megapixels: float) -> bytes:
    from PIL import Image, ImageDraw, ImageFilter

    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = int(width * 3 / 4)
    image = Image.effect_noise((width // 8, height // 8), 60).convert("RGB").resize((width, height))
    image = image.filter(ImageFilter.GaussianBlur(2))
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 97):
        draw.line([(i, 0), (width - i, height)], fill=(i % 255, 80, 160), width=5)
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (35.0, 40.0, 52.0), 3: "E", 4: (139.0, 33.0, 36.0)}
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


def bench_photo(megapixels: float, runs: int = 3) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from participation.core.photos import process_photo

    data = make_jpeg(megapixels)
    rss_before = _reset_peak_rss()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = process_photo(SimpleUploadedFile("big.jpg", data, "image/jpeg"))
        times.append((time.perf_counter() - start) * 1000)
    rss_after = _peak_rss()
    tracemalloc.start()
    process_photo(SimpleUploadedFile("big.jpg", data, "image/jpeg"))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"photo pipeline, {megapixels:g} MP JPEG ({len(data) / 1e6:.1f} MB in, {len(result.image_bytes) / 1e6:.2f} MB"
          f" + {len(result.thumbnail_bytes) / 1e3:.0f} kB thumbnail out, {result.width}x{result.height}):"
          f" median {statistics.median(times):.0f} ms over {runs} runs;"
          f" peak Python memory (tracemalloc) {peak / 1e6:.1f} MB;"
          f" peak RSS above the starting RSS {(rss_after - rss_before) / 1024:.0f} MB")


def _peak_rss() -> int:
    """VmHWM in kB (Linux); falls back to ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak_rss() -> int:
    """Reset the high-water mark (Linux: write 5 to clear_refs) and return the current RSS in kB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--megapixels", type=float, default=12)
    args = parser.parse_args()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as scratch:
        setup_django(str(Path(scratch) / "bench.sqlite3"), str(Path(scratch) / "media"))
        bench_photo(args.megapixels)  # first, so the RSS high-water mark is the pipeline's own
        start = time.perf_counter()
        create_tables()
        seed(args.reports, rng)
        print(f"seeded {args.reports:,} reports into a scratch SQLite file in {time.perf_counter() - start:.1f} s")
        bench_geojson(args.requests, rng)


if __name__ == "__main__":
    main()
