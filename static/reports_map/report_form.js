/* Reporting form: "use my location", the GPS position of the first photo as a
   suggestion, category questions and nearby reports (same category, close by; those whose description
   means something similar to what the resident types come first). Every check is asynchronous and
   optional: the form works without this file and whatever the server answers. */
(function () {
  "use strict";
  var configEl = document.getElementById("report-form-config");
  var form = document.getElementById("report-form");
  if (!configEl || !form) { return; }
  var config = JSON.parse(configEl.textContent);
  var lang = document.documentElement.lang || "ja";
  var T = lang === "en" ? {
    locating: "Finding your location…", located: "The pin is at your location. Drag it if needed.",
    noLocation: "Your location could not be found. Please drag the pin or type the place.",
    photoHas: "Your photo contains a location. You can use it.", photoUsed: "The pin is at the location from your photo. Please check it.",
    photoOutside: "The location in your photo is outside the city.", moved: "Pin moved. Latitude and longitude were filled in.",
    nearby: function (d) { return d + " m away"; }, similar: "similar description"
  } : {
    locating: "現在地を調べています…", located: "ピンを現在地に置きました。必要ならドラッグしてください。",
    noLocation: "現在地が分かりませんでした。ピンをドラッグするか場所を入力してください。",
    photoHas: "写真に位置情報があります。この位置を使えます。", photoUsed: "写真の位置にピンを置きました。場所が正しいか確認してください。",
    photoOutside: "写真の位置は市外です。", moved: "ピンを動かしました。緯度・経度を入力しました。",
    nearby: function (d) { return d + " m 先"; }, similar: "内容が似ています"
  };
  var latInput = document.getElementById("id_latitude");
  var lonInput = document.getElementById("id_longitude");
  var statusEl = document.getElementById("location-status");
  var photoButton = document.getElementById("use-photo-location");
  var photoInput = document.getElementById("id_photos");
  var photoLocation = null;
  var photoStatus = document.getElementById("photo-location-status");

  function say(message) { statusEl.textContent = message; }
  function sayByPhoto(message) { (photoStatus || statusEl).textContent = message; }
  function csrf() { var el = form.querySelector("input[name=csrfmiddlewaretoken]"); return el ? el.value : ""; }

  // The map is participation/location_picker.js (no pin until a place is chosen, keyboard, announcements);
  // this script fills the inputs and tells the picker through a "change" event on the latitude input.
  function setLocation(lat, lon, message) {
    latInput.value = Number(lat).toFixed(6);
    lonInput.value = Number(lon).toFixed(6);
    latInput.dispatchEvent(new Event("change"));
    if (message) { say(message); }
  }

  var mapEl = document.getElementById("pick-map");
  var mapTools = document.getElementById("map-tools");
  if (mapTools) { mapTools.hidden = false; }
  form.addEventListener("location:change", function () { checkNearby(); });
  [latInput, lonInput].forEach(function (input) {
    input.addEventListener("change", function () { if (!mapEl || mapEl.hidden) { checkNearby(); } });
  });

  var myLocation = document.getElementById("use-my-location");
  if (myLocation) {
    if (!navigator.geolocation) { myLocation.hidden = true; }
    myLocation.addEventListener("click", function () {
      say(T.locating);
      navigator.geolocation.getCurrentPosition(
        function (pos) { setLocation(pos.coords.latitude, pos.coords.longitude, T.located); },
        function () { say(T.noLocation); }, { enableHighAccuracy: true, timeout: 15000 }
      );
    });
  }

  if (photoInput) {
    photoInput.addEventListener("change", function () {
      photoButton.hidden = true;
      photoLocation = null;
      sayByPhoto("");
      if (!photoInput.files || !photoInput.files.length) { return; }
      var body = new FormData();
      body.append("photo", photoInput.files[0]);
      fetch(config.photoLocationUrl, { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.error) { sayByPhoto(data.error); return; }
          if (data.latitude === null) { return; }
          if (!data.inside) { sayByPhoto(T.photoOutside); return; }
          photoLocation = [data.latitude, data.longitude];
          photoButton.hidden = false;
          sayByPhoto(T.photoHas);
        })
        .catch(function () {});
    });
  }
  if (photoButton) {
    photoButton.addEventListener("click", function () {
      if (photoLocation) { setLocation(photoLocation[0], photoLocation[1], T.photoUsed); sayByPhoto(T.photoUsed); }
    });
  }

  // Only the questions of the chosen category are shown.
  function showQuestions() {
    var chosen = form.querySelector("input[name=category]:checked");
    form.querySelectorAll(".category-questions").forEach(function (fs) {
      fs.hidden = !chosen || fs.dataset.category !== chosen.value;
    });
  }
  form.querySelectorAll("input[name=category]").forEach(function (input) {
    input.addEventListener("change", function () { showQuestions(); checkNearby(); });
  });
  showQuestions();

  var nearbySection = document.getElementById("nearby-reports");
  var nearbyList = document.getElementById("nearby-list");
  var description = document.getElementById("id_description");
  var nearbyRequest = 0;
  function checkNearby() {
    var chosen = form.querySelector("input[name=category]:checked");
    var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
    if (!chosen || !isFinite(lat) || !isFinite(lon)) { return; }
    var params = new URLSearchParams({ category_id: chosen.value, lat: lat, lon: lon });
    var text = description ? description.value.trim().slice(0, 2000) : "";
    if (text.length >= 3) { params.set("text", text); }
    askNearby(params, ++nearbyRequest, 0);
  }
  // While the worker is still reading the description ("pending"), ask again each second, a few times.
  function askNearby(params, request, attempt) {
    fetch(config.nearbyUrl + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (request !== nearbyRequest) { return; }  // a newer check is on its way
        if (data.pending && attempt < 8) {
          window.setTimeout(function () { askNearby(params, request, attempt + 1); }, 1000);
        }
        nearbyList.textContent = "";
        (data.reports || []).forEach(function (r) {
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = r.url; a.textContent = "#" + r.id + " " + r.description;
          li.appendChild(a);
          li.appendChild(document.createTextNode(" — " + T.nearby(r.distance_m) + ", " + r.status_label));
          if (r.similar) {
            var badge = document.createElement("strong");
            badge.className = "nearby-similar";
            badge.textContent = " " + T.similar;
            li.appendChild(badge);
          }
          nearbyList.appendChild(li);
        });
        nearbySection.hidden = !(data.reports || []).length;
      })
      .catch(function () {});
  }
  if (description) {
    var typing = null;
    description.addEventListener("input", function () {
      clearTimeout(typing);
      typing = setTimeout(checkNearby, 700);
    });
  }
})();
