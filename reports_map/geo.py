"""Pure-Python geography: parse and validate a location against the city boundary; distances; grids."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from participation.core.i18n import localized

EARTH_RADIUS_M = 6_371_000.0
Ring = list[tuple[float, float]]  # (lon, lat) as in GeoJSON


@lru_cache(maxsize=4)
def _load_boundary(path: str) -> tuple[list[tuple[Ring, list[Ring]]], tuple[float, float, float, float]]:
    """Polygons as (outer ring, holes) and the overall bbox (min_lon, min_lat, max_lon, max_lat)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    geometries = []
    if data.get("type") == "FeatureCollection":
        geometries = [f["geometry"] for f in data.get("features", []) if f.get("geometry")]
    elif data.get("type") == "Feature":
        geometries = [data["geometry"]]
    else:
        geometries = [data]
    polygons: list[tuple[Ring, list[Ring]]] = []
    for geometry in geometries:
        coords = geometry.get("coordinates", [])
        parts = [coords] if geometry.get("type") == "Polygon" else coords if geometry.get("type") == "MultiPolygon" else []
        for rings in parts:
            as_tuples = [[(float(x), float(y)) for x, y, *_rest in ring] for ring in rings]
            if as_tuples:
                polygons.append((as_tuples[0], as_tuples[1:]))
    xs = [x for outer, _ in polygons for x, _y in outer]
    ys = [y for outer, _ in polygons for _x, y in outer]
    bbox = (min(xs), min(ys), max(xs), max(ys)) if xs else (-180.0, -90.0, 180.0, 90.0)
    return polygons, bbox


def boundary() -> tuple[list[tuple[Ring, list[Ring]]], tuple[float, float, float, float]]:
    return _load_boundary(str(settings.CITY_BOUNDARY_FILE))


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def inside_city(lat: float, lon: float) -> bool:
    polygons, (min_lon, min_lat, max_lon, max_lat) = boundary()
    if not polygons:
        return True  # no boundary configured: only the range checks apply
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        return False
    return any(_in_ring(lon, lat, outer) and not any(_in_ring(lon, lat, h) for h in holes) for outer, holes in polygons)


def _parse(value, name: str) -> float:
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        raise ValidationError(_("Please give the %(name)s.") % {"name": name}, code="location_missing")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("The %(name)s must be a number.") % {"name": name}, code="location_not_number") from exc
    if not math.isfinite(number):
        raise ValidationError(_("The %(name)s must be a finite number.") % {"name": name}, code="location_not_finite")
    return number


def validate_location(latitude, longitude) -> tuple[float, float]:
    """Parse and check a location; returns (lat, lon) or raises a translated ValidationError."""
    lat = _parse(latitude, _("latitude"))
    lon = _parse(longitude, _("longitude"))
    lat_ok, lon_ok = -90 <= lat <= 90, -180 <= lon <= 180
    in_city = lat_ok and lon_ok and inside_city(lat, lon)
    if not in_city and -90 <= lon <= 90 and inside_city(lon, lat):
        raise ValidationError(
            _("The latitude and longitude look swapped. Latitude comes first (about %(lat).2f here).")
            % {"lat": lon},
            code="location_swapped",
        )
    if not lat_ok:
        raise ValidationError(_("The latitude must be between -90 and 90."), code="location_range")
    if not lon_ok:
        raise ValidationError(_("The longitude must be between -180 and 180."), code="location_range")
    if not in_city:
        raise ValidationError(
            _("This place is outside the city. Please choose a location inside %(city)s.")
            % {"city": localized(settings.CITY.get("name"), settings.CITY.get("name_en"))},
            code="location_outside",
        )
    return lat, lon


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of a square that contains the circle of ``metres``."""
    dlat = metres / 111_320.0
    dlon = metres / (111_320.0 * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat`` (Leaflet's toBBoxString order) or None when absent/invalid."""
    if not value:
        return None
    try:
        parts = [float(p) for p in value.split(",")]
    except ValueError:
        return None
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        return None
    min_lon, min_lat, max_lon, max_lat = parts
    if min_lon > max_lon or min_lat > max_lat:
        return None
    return (max(-180.0, min_lon), max(-90.0, min_lat), min(180.0, max_lon), min(90.0, max_lat))
