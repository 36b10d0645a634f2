// Live progress of an opinion analysis: polls the status endpoint every 2 s and reloads the page
// when the run has finished. Without JavaScript the page offers a "Refresh" link instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-status-text]");
  var timer = null;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
        if (text) { text.textContent = data.status_label + " · " + data.progress + "% · " + (data.stage_label || data.stage || ""); }
        if (!data.active) {
          window.clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () { /* keep polling; the page still works without it */ });
  }
  timer = window.setInterval(poll, 2000);
})();
