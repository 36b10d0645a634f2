/* Location on a Leaflet map (the vendored Leaflet; tiles from participation/map_tiles.js), as an
   enhancement of two plain number inputs: without JavaScript, or without Leaflet, the inputs are
   the whole feature and the map stays hidden.

   <div data-location-picker data-config="ID of a json_script" data-latitude="input id"
        data-longitude="input id" data-status="live region id" data-clear="button id">
     Used by the proposal form and the report form. No pin is shown until a place is chosen.
   Click or tap the map to put the pin; drag the pin; or, with the keyboard, focus the map, move it
     with the arrow keys (+/- zoom) and press Enter or Space to put the pin at the centre (marked by
     a cross while the map has focus). Typing numbers moves the pin. Every change is announced.
     Another script that fills the inputs (current location, a photo's location) fires "change" on the
     latitude input; the picker fires "location:change" (bubbling) on the map element when the pin moves.
   <div data-location-show data-config="ID">
     A read-only map with the pin at config.pin (the text next to it says the same). */
(function () {
  "use strict";
  if (typeof L === "undefined" || !window.CivicMap) { return; }

  function readConfig(el) {
    var node = document.getElementById(el.dataset.config);
    return node ? JSON.parse(node.textContent) : null;
  }

  function pinIcon() {
    return L.divIcon({ className: "location-pin", html: '<span aria-hidden="true"></span>', iconSize: [24, 36], iconAnchor: [12, 36] });
  }

  function baseMap(el, config, options) {
    el.hidden = false;
    var map = L.map(el, options);
    window.CivicMap.addTiles(map, config);
    return map;
  }

  function parse(value) {
    var n = parseFloat(String(value).replace(",", "."));
    return isFinite(n) ? n : null;
  }

  function initPicker(el) {
    var config = readConfig(el);
    var latInput = document.getElementById(el.dataset.latitude);
    var lonInput = document.getElementById(el.dataset.longitude);
    if (!config || !latInput || !lonInput) { return; }
    var status = document.getElementById(el.dataset.status);
    var clearButton = document.getElementById(el.dataset.clear);
    var text = config.text || {};
    var marker = null;

    function say(message) { if (status) { status.textContent = message; } }
    function current() {
      var lat = parse(latInput.value), lon = parse(lonInput.value);
      if (lat === null || lon === null || lat < -90 || lat > 90 || lon < -180 || lon > 180) { return null; }
      return L.latLng(lat, lon);
    }
    function showPin(latlng) {
      if (!marker) {
        marker = L.marker(latlng, { icon: pinIcon(), draggable: true, keyboard: false, title: text.marker, alt: text.marker }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng()); });
        var pin = marker.getElement();
        if (pin && text.marker) { pin.setAttribute("role", "img"); pin.setAttribute("aria-label", text.marker); }
      } else {
        marker.setLatLng(latlng);
      }
      if (clearButton) { clearButton.hidden = false; }
    }
    function place(latlng) {
      latlng = latlng.wrap();
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
      showPin(latlng);
      say((text.placed || "%(lat)s, %(lon)s").replace("%(lat)s", latInput.value).replace("%(lon)s", lonInput.value));
      el.dispatchEvent(new CustomEvent("location:change", { bubbles: true }));
    }

    var start = current();
    var map = baseMap(el, config, { scrollWheelZoom: false, keyboard: true });
    map.setView(start || config.center, start ? 16 : config.zoom);
    if (start) { showPin(start); }
    el.setAttribute("tabindex", "0");

    map.on("click", function (event) { place(event.latlng); });
    // Arrow keys pan with a short animation; Enter pressed meanwhile places the pin where the pan ends.
    var moving = false;
    map.on("movestart", function () { moving = true; });
    map.on("moveend", function () { moving = false; });
    el.addEventListener("keydown", function (event) {
      if (event.target !== el || (event.key !== "Enter" && event.key !== " ")) { return; }
      event.preventDefault(); // Enter must not submit the form, Space must not scroll
      if (moving) {
        map.once("moveend", function () { place(map.getCenter()); });
      } else {
        place(map.getCenter());
      }
    });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var latlng = current();
        if (latlng) {
          showPin(latlng);
          map.setView(latlng, Math.max(map.getZoom(), 16));
          el.dispatchEvent(new CustomEvent("location:change", { bubbles: true }));
        } else if (latInput.value && lonInput.value) {
          say(text.outside || "");
        }
      });
    });
    if (clearButton) {
      clearButton.addEventListener("click", function () {
        latInput.value = "";
        lonInput.value = "";
        if (marker) { map.removeLayer(marker); marker = null; }
        clearButton.hidden = true;
        say(text.cleared || "");
        el.focus();
      });
    }
  }

  function initShow(el) {
    var config = readConfig(el);
    if (!config || !config.pin) { return; }
    var map = baseMap(el, config, { scrollWheelZoom: false, dragging: !L.Browser.mobile, keyboard: false });
    map.setView(config.pin, 16);
    L.marker(config.pin, { icon: pinIcon(), keyboard: false, interactive: false }).addTo(map);
  }

  document.querySelectorAll("[data-location-picker]").forEach(initPicker);
  document.querySelectorAll("[data-location-show]").forEach(initShow);
})();
