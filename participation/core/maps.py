"""The map background of every Leaflet map on the site (reports map, report form, proposal places).

``tile_config()`` goes into each page's map configuration (``json_script``);
``static/participation/map_tiles.js`` (``CivicMap.addTiles``) makes the tile layer from it.
The CSP's ``img-src`` allows the tile server's origin (``settings``).
"""

from __future__ import annotations

from django.conf import settings

# The deepest zoom the tiles are drawn at (OpenStreetMap's standard tiles stop at 19).
TILE_MAX_ZOOM = 19


def tile_config() -> dict:
    """The tile server from settings, with the keys the script reads."""
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "maxZoom": TILE_MAX_ZOOM,
    }
