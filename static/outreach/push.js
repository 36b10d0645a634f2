/* Push opt-in on the notification settings page: only after the resident presses the button (never on a
   first visit). Registers /sw.js, subscribes with the site's VAPID key and sends the subscription. */
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box) { return; }
  var status = box.querySelector("[data-push-status]");
  var onButton = box.querySelector("[data-push-on]");
  var offButton = box.querySelector("[data-push-off]");
  var unsupported = box.querySelector("[data-push-unsupported]");
  var text = {  // translated in the template (data-text-*)
    on: box.dataset.textOn, off: box.dataset.textOff, denied: box.dataset.textDenied,
    working: box.dataset.textWorking, failed: box.dataset.textFailed
  };

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return match ? decodeURIComponent(match[1]) : (input ? input.value : "");
  }
  function say(message) { status.textContent = message; }
  function show(subscribed) {
    onButton.hidden = subscribed;
    offButton.hidden = !subscribed;
    say(subscribed ? text.on : text.off);
  }
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          var errors = data.errors || {};
          var first = Object.keys(errors).map(function (k) { return errors[k].join(" "); }).join(" ");
          throw new Error(first || text.failed);
        }
        return data;
      });
    });
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    unsupported.hidden = false;
    return;
  }
  var registration = navigator.serviceWorker.register("/sw.js", { scope: "/" });
  registration.then(function (reg) { return reg.pushManager.getSubscription(); })
    .then(function (sub) { show(!!sub); })
    .catch(function () { show(false); });

  onButton.addEventListener("click", function () {
    say(text.working);
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error(text.denied); }
      return registration;
    }).then(function (reg) {
      return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.vapidKey) });
    }).then(function (sub) {
      return post(box.dataset.subscribeUrl, sub.toJSON());
    }).then(function (data) {
      show(true);
      say(data.message || text.on);
    }).catch(function (error) {
      say(error && error.message ? error.message : text.failed);
    });
  });

  offButton.addEventListener("click", function () {
    say(text.working);
    registration.then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
      if (!sub) { return null; }
      var endpoint = sub.endpoint;
      return sub.unsubscribe().then(function () { return post(box.dataset.unsubscribeUrl, { endpoint: endpoint }); });
    }).then(function () { show(false); }).catch(function () { say(text.failed); });
  });
})();
