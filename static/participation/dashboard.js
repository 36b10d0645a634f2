// Live figures for the council dashboard: the server sends counts over /ws/dashboard/.
// The page is complete without this script; it only refreshes the numbers.
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || !window.WebSocket) { return; }
  var status = document.getElementById("dashboard-live-status");
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var url = scheme + window.location.host + root.getAttribute("data-ws-path");
  var retry = 1000;

  function update(selector, values) {
    Object.keys(values || {}).forEach(function (key) {
      document.querySelectorAll("[" + selector + "=\"" + key + "\"]").forEach(function (el) {
        var text = String(values[key]);
        if (el.textContent !== text) {
          el.textContent = text;
          el.classList.add("live-changed");
          window.setTimeout(function () { el.classList.remove("live-changed"); }, 2000);
        }
      });
    });
  }

  function connect() {
    var socket = new WebSocket(url);
    socket.addEventListener("open", function () {
      retry = 1000;
      if (status) { status.textContent = status.getAttribute("data-live-text") || status.textContent; }
      root.setAttribute("data-live", "on");
    });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type !== "dashboard.counts") { return; }
      update("data-live-total", data.totals);
      update("data-live-kpi", data.kpis);
    });
    socket.addEventListener("close", function (event) {
      root.setAttribute("data-live", "off");
      if (event.code === 4403) { return; }
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }
  connect();
})();
