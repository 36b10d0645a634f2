/* Area alerts: the district list or a circle on the map (click/tap or "use my location"). Without
   JavaScript the district list still works. */
(function () {
  "use strict";
  var form = document.querySelector("[data-area-form]");
  if (!form) { return; }
  var circle = form.querySelector("[data-area-circle]");
  var districtField = form.querySelector("[name=district]");
  var lat = form.querySelector("[name=latitude]");
  var lon = form.querySelector("[name=longitude]");
  var radius = form.querySelector("[name=radius_m]");
  var pointText = form.querySelector("[data-area-point]");
  var mapNode = form.querySelector("[data-area-map]");
  var map = null, marker = null, ring = null;

  function kind() {
    var checked = form.querySelector("[name=kind]:checked");
    return checked ? checked.value : "district";
  }
  function sync() {
    var isCircle = kind() === "circle";
    circle.hidden = !isCircle;
    if (districtField) { districtField.closest(".field").hidden = isCircle; }
    if (isCircle && !map && typeof L !== "undefined") { makeMap(); }
  }
  function place(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lon.value = longitude.toFixed(6);
    pointText.textContent = lat.value + ", " + lon.value;
    if (!map) { return; }
    var r = parseInt(radius.value, 10) || 500;
    if (marker) { marker.setLatLng([latitude, longitude]); } else { marker = L.marker([latitude, longitude]).addTo(map); }
    if (ring) { ring.setLatLng([latitude, longitude]).setRadius(r); } else { ring = L.circle([latitude, longitude], { radius: r }).addTo(map); }
  }
  function makeMap() {
    var tiles = JSON.parse(document.getElementById("outreach-tiles").textContent);
    map = L.map(mapNode).setView([parseFloat(mapNode.dataset.centerLat), parseFloat(mapNode.dataset.centerLon)], 13);
    if (window.CivicMap) { window.CivicMap.addTiles(map, tiles); }
    map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng); });
  }
  form.querySelectorAll("[name=kind]").forEach(function (input) { input.addEventListener("change", sync); });
  radius.addEventListener("input", function () { if (ring) { ring.setRadius(parseInt(radius.value, 10) || 500); } });
  form.querySelector("[data-area-locate]").addEventListener("click", function () {
    if (!navigator.geolocation) { return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      place(pos.coords.latitude, pos.coords.longitude);
      if (map) { map.setView([pos.coords.latitude, pos.coords.longitude], 15); }
    });
  });
  sync();
})();
