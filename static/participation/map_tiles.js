/* The map background of every Leaflet map on the site: the tile layer from the settings that
   participation/maps.py tile_config() puts into the page's map configuration (tileUrl, attribution,
   maxZoom). Load it after Leaflet and before the script that makes the map (all deferred, so in order).
   CivicMap.addTiles(map, config) adds the layer to the map and returns it (to listen for tileerror). */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var CivicMap = window.CivicMap = window.CivicMap || {};
  // Leaflet's own controls in the page's language.
  if (document.documentElement.lang !== "en") {
    L.Control.Zoom.prototype.options.zoomInTitle = "拡大";
    L.Control.Zoom.prototype.options.zoomOutTitle = "縮小";
    L.Marker.prototype.options.alt = "地図上の印";
  }
  CivicMap.addTiles = function (map, config) {
    return L.tileLayer(config.tileUrl, { attribution: config.attribution, maxZoom: config.maxZoom }).addTo(map);
  };
})();
