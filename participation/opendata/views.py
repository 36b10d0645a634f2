"""Public open-data pages: the list with licence and data dictionary, and the downloads."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from participation.opendata import formats as opendata


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/open_data.html", {
        "datasets": opendata.dataset_list(), "licence": opendata.licence(),
    })


def download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    spec = opendata.dataset_get(key)
    if fmt == "csv":
        return opendata.csv_response(f"{key}.csv", list(spec.fields), opendata.dataset_rows(spec))
    if fmt == "json":
        return opendata.json_response(opendata.dataset_json(key), filename=f"{key}.json")
    if fmt == "geojson":
        return opendata.json_response(
            opendata.dataset_geojson(key), filename=f"{key}.geojson", content_type="application/geo+json"
        )
    raise Http404
