/* The map background of every Leaflet map on the site: the tile layer from the settings that
   participation/maps.py tile_config() puts into the page's map configuration (tileUrl, attribution,
   maxZoom). Load it after Leaflet and before the script that makes the map (all deferred, so in order).
   CivicMap.addTiles(map, config) adds the layer to the map and returns it (to listen for tileerror). */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var CivicMap = window.CivicMap = window.CivicMap || {};
  CivicMap.addTiles = function (map, config) {
    return L.tileLayer(config.tileUrl, { attribution: config.attribution, maxZoom: config.maxZoom }).addTo(map);
  };
})();
