/* Map of results' places. The same places are listed under the map ("Places as a list"), so the
   page is complete without this script or when the tiles fail. Markers are links with text. */
(function () {
  "use strict";
  var el = document.getElementById("result-map");
  if (!el || typeof L === "undefined" || !window.CivicMap) { return; }
  var configEl = document.getElementById(el.getAttribute("data-config"));
  if (!configEl) { return; }
  var config = JSON.parse(configEl.textContent);
  if (!config.points || !config.points.length) { return; }
  el.hidden = false;
  var map = L.map(el, { scrollWheelZoom: false });
  window.CivicMap.addTiles(map, config);
  var bounds = [];
  config.points.forEach(function (p) {
    var marker = L.marker([p.lat, p.lon], { title: p.title, alt: p.title, keyboard: true }).addTo(map);
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.title;
    box.appendChild(link);
    var meta = document.createElement("p");
    meta.textContent = (p.place ? p.place + " · " : "") + p.status + " · " + config.text.progress + " " + p.progress + "%";
    box.appendChild(meta);
    marker.bindPopup(box);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length === 1) { map.setView(bounds[0], 15); } else { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 }); }
})();
