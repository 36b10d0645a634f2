"""Plain geometry for area alerts: points in GeoJSON polygons and distances on the sphere."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _in_ring(lat: float, lon: float, ring) -> bool:
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        if (y1 > lat) != (y2 > lat):
            x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x:
                inside = not inside
    return inside


def polygons_of(geometry: dict) -> list:
    """The polygons (lists of rings of [lon, lat]) of a GeoJSON Polygon, MultiPolygon or Feature."""
    if not isinstance(geometry, dict):
        return []
    if geometry.get("type") == "Feature":
        return polygons_of(geometry.get("geometry") or {})
    if geometry.get("type") == "Polygon":
        return [geometry.get("coordinates") or []]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry.get("coordinates") or [])
    return []


def contains(geometry: dict, lat: float, lon: float) -> bool:
    """Inside the outer ring and outside every hole of one of the polygons."""
    for polygon in polygons_of(geometry):
        if polygon and _in_ring(lat, lon, polygon[0]) and not any(_in_ring(lat, lon, hole) for hole in polygon[1:]):
            return True
    return False


def bbox_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) enclosing a circle, for a cheap first filter in the database."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon
