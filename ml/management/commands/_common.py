"""CSV reading with clear errors, and a terminal progress bar, shared by the ml commands."""

from __future__ import annotations

import csv
import json
import sys
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError

csv.field_size_limit(16 * 1024 * 1024)


def read_csv(
    path: str, required: list[str], aliases: dict[str, list[str]] | None = None
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Rows of a UTF-8 CSV (BOM allowed) and the mapping required column → actual header.

    Raises CommandError for a missing file, non-UTF-8 bytes, an empty file or a missing column.
    """
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        raw = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV and try again"
        ) from None
    if not raw.strip():
        raise CommandError(f"{path}: the file is empty")
    try:
        dialect = csv.Sniffer().sniff(raw[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(raw.splitlines(keepends=True), dialect=dialect)
    headers = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    mapping = {}
    for column in required:
        candidates = [column] + (aliases or {}).get(column, [])
        found = next((c for c in candidates if c in headers), None)
        if found is None:
            raise CommandError(f"{path}: no column {column!r}; the columns are: {', '.join(headers) or '(none)'}")
        mapping[column] = found
    try:
        rows = [row for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    except csv.Error as exc:
        raise CommandError(f"{path}: not a valid CSV file ({exc})") from None
    if not rows:
        raise CommandError(f"{path}: the file has a header but no rows")
    return rows, mapping


def write_json(path: str, data) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
    except OSError as exc:
        raise CommandError(f"{path}: cannot write ({exc.strerror})") from None


@contextmanager
def progress_bar(description: str, enabled: bool | None = None):
    """Yields progress(percent, stage); draws a tqdm bar on a terminal (stderr), nothing otherwise."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield lambda percent, stage: None
        return
    from tqdm import tqdm

    bar = tqdm(total=100, desc=description, unit="%", file=sys.stderr, leave=False)
    state = {"last": 0}

    def update(percent: int, stage: str) -> None:
        percent = max(state["last"], min(100, int(percent)))
        bar.set_postfix_str(stage)
        bar.update(percent - state["last"])
        state["last"] = percent

    try:
        yield update
    finally:
        bar.update(100 - state["last"])
        bar.close()
