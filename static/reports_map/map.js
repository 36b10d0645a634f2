/* Reports map: public map (GeoJSON by bbox, grid clusters at low zoom) and the single-report map.
   Without JavaScript, or when tiles fail, the list on the page is the same information. */
(function () {
  "use strict";
  var configEl = document.getElementById("report-map-config");
  var el = document.getElementById("report-map");
  if (!configEl || !el || typeof L === "undefined" || !window.CivicMap) { return; }
  var config = JSON.parse(configEl.textContent);
  var statusEl = document.getElementById("report-map-status");
  var lang = document.documentElement.lang || "ja";
  var text = lang === "en" ? {
    tilesFailed: "The map background could not be loaded. The list below shows the same reports.",
    loading: "Loading reports…", shown: function (n) { return n + " reports shown on the map."; },
    cluster: function (n) { return n + " reports here. Zoom in to see them."; }, open: "Open report"
  } : {
    tilesFailed: "地図の背景を読み込めませんでした。下の一覧に同じ報告があります。",
    loading: "報告を読み込んでいます…", shown: function (n) { return "地図に " + n + " 件の報告を表示しています。"; },
    cluster: function (n) { return "この付近に " + n + " 件。拡大すると個別に表示します。"; }, open: "報告を開く"
  };
  var SHAPES = { red: "●", yellow: "▲", green: "■", grey: "◆" };

  function say(message) { if (statusEl) { statusEl.textContent = message; } }

  el.hidden = false;
  var map = L.map(el, { scrollWheelZoom: false });
  var tiles = window.CivicMap.addTiles(map, config);  // no view yet: no tile loads before the listener
  var tileErrors = 0;
  tiles.on("tileerror", function () {
    tileErrors += 1;
    if (tileErrors === 3) { say(text.tilesFailed); el.classList.add("tiles-failed"); }
  });

  function markerIcon(colour, label) {
    return L.divIcon({
      className: "report-marker marker-" + colour,
      html: '<span aria-hidden="true">' + (SHAPES[colour] || "●") + "</span>",
      iconSize: [28, 28], iconAnchor: [14, 14]
    });
  }

  if (el.dataset.mapMode === "single") {
    var r = config.report;
    map.setView([r.lat, r.lon], 17);
    L.marker([r.lat, r.lon], { icon: markerIcon(r.colour), keyboard: false }).addTo(map);
    return;
  }

  map.setView(config.center, config.zoom);
  var layer = L.layerGroup().addTo(map);
  var pending = null;

  function load() {
    var params = new URLSearchParams(config.filters || {});
    params.set("bbox", map.getBounds().toBBoxString());
    params.set("zoom", String(map.getZoom()));
    if (pending) { pending.abort(); }
    pending = new AbortController();
    say(text.loading);
    fetch(config.geojsonUrl + "?" + params.toString(), { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        layer.clearLayers();
        var total = 0;
        data.features.forEach(function (f) {
          var c = f.geometry.coordinates, p = f.properties, marker;
          if (p.cluster) {
            total += p.count;
            marker = L.marker([c[1], c[0]], {
              icon: L.divIcon({ className: "report-cluster marker-" + p.colour, html: "<span>" + p.count + "</span>", iconSize: [36, 36] }),
              title: text.cluster(p.count), alt: text.cluster(p.count)
            });
            marker.on("click", function () { map.setView([c[1], c[0]], Math.min(map.getZoom() + 3, 18)); });
          } else {
            total += 1;
            marker = L.marker([c[1], c[0]], { icon: markerIcon(p.colour), title: "#" + p.id + " " + p.category_name + " — " + p.status_label });
            var link = document.createElement("a");
            link.href = p.url;
            link.textContent = "#" + p.id + " " + p.category_name + " (" + p.status_label + ")";
            marker.bindPopup(link);
          }
          marker.addTo(layer);
        });
        if (tileErrors < 3) { say(text.shown(total)); }
      })
      .catch(function (error) { if (error.name !== "AbortError") { say(""); } });
  }
  map.on("moveend", load);
  load();
})();
