// Live counts: one websocket per page; updates counters in place and announces changes politely.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-consultation]");
  if (!root || !("WebSocket" in window)) { return; }
  var id = root.getAttribute("data-live-consultation");
  var announcer = root.querySelector("[data-live-announce]");
  var lang = document.documentElement.lang || "ja";
  var retry = 1000;

  function setText(selector, value) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = String(value); });
  }

  function onMessage(event) {
    var msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    if (msg.type === "counts") {
      setText('[data-live-total="proposals"]', msg.proposals);
      setText('[data-live-total="comments"]', msg.comments);
      setText('[data-live-total="supports"]', msg.supports);
    } else if (msg.type === "proposal") {
      setText('[data-live-supports="' + msg.id + '"]', msg.supports);
      setText('[data-live-comments="' + msg.id + '"]', msg.comments);
      document.querySelectorAll('[data-live-progress="' + msg.id + '"]').forEach(function (el) {
        el.value = msg.supports; el.textContent = msg.supports + "/" + el.max;
      });
      if (announcer && document.querySelector('[data-live-supports="' + msg.id + '"]')) {
        announcer.textContent = lang.indexOf("en") === 0
          ? "Updated: " + msg.supports + " supports, " + msg.comments + " comments"
          : "更新：賛同 " + msg.supports + " 件、コメント " + msg.comments + " 件";
      }
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/consultations/" + id + "/");
    socket.addEventListener("message", onMessage);
    socket.addEventListener("open", function () { retry = 1000; root.setAttribute("data-live-connected", "1"); });
    socket.addEventListener("close", function () {
      root.removeAttribute("data-live-connected");
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }
  connect();
})();
