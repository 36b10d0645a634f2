"""Open data: every registered ExportSpec as CSV and JSON, GeoJSON where rows carry coordinates.

Rows come from the feature apps' specs (public, visible, pseudonymised fields only); this module
only formats them. CSV cells that a spreadsheet would run as a formula are defused with
``participation.core.text.csv_safe``, the guard every CSV the site serves uses.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, StreamingHttpResponse

from participation.core.registry import registry
from participation.core.text import csv_safe


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel opens UTF-8 Japanese text correctly
    yield writer.writerow([csv_safe(c) for c in columns])
    for row in rows:
        yield writer.writerow([csv_safe(row.get(c)) for c in columns])


def csv_response(filename: str, columns: list[str], rows: Iterable[dict[str, Any]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_response(payload: Any, *, filename: str | None = None, content_type: str = "application/json") -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1), content_type=f"{content_type}; charset=utf-8"
    )
    if filename:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # public data, readable from anywhere
    return response


def licence() -> dict[str, str]:
    return {"name": settings.OPEN_DATA_LICENSE, "url": settings.OPEN_DATA_LICENSE_URL}


def dataset_list() -> list[dict[str, Any]]:
    """The published datasets with their data dictionaries, in registry order."""
    return [
        {
            "key": key, "label": spec.label, "fields": [(name, desc) for name, desc in spec.fields.items()],
            "geo": is_geo(spec),
        }
        for key, spec in registry.exports.items()
    ]


def is_geo(spec) -> bool:
    return "latitude" in spec.fields and "longitude" in spec.fields


def dataset_get(key: str):
    spec = registry.exports.get(key)
    if spec is None:
        raise Http404
    return spec


def dataset_rows(spec) -> Iterator[dict[str, Any]]:
    columns = list(spec.fields)
    for row in spec.rows():
        yield {c: row.get(c) for c in columns}


def dataset_json(key: str) -> dict[str, Any]:
    spec = dataset_get(key)
    return {
        "dataset": key, "title": str(spec.label), "license": licence(),
        "fields": {name: str(desc) for name, desc in spec.fields.items()},
        "rows": list(dataset_rows(spec)),
    }


def _number(value: Any) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def dataset_geojson(key: str) -> dict[str, Any]:
    """A FeatureCollection of the rows that carry coordinates; the other columns are properties."""
    spec = dataset_get(key)
    if not is_geo(spec):
        raise Http404
    features = []
    for row in dataset_rows(spec):
        lat, lon = _number(row.get("latitude")), _number(row.get("longitude"))
        if lat is None or lon is None:
            continue
        properties = {k: v for k, v in row.items() if k not in ("latitude", "longitude")}
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                         "properties": properties})
    return {"type": "FeatureCollection", "name": key, "license": licence(), "features": features}
