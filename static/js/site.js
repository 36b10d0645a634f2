// Progressive enhancement shared by every page. Pages work without it.
(function () {
  "use strict";
  // Move focus to <main> after the skip link so screen readers start reading there.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".skip-link");
    if (!link) return;
    var main = document.getElementById("main");
    if (main) { main.focus(); }
  });
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  // After a failed submit, focus the error summary (not <body>) so people hear what to fix.
  var summary = document.querySelector("main .form-errors");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
  // The language switch keeps the place on the page (#fragment), which the server never sees.
  document.querySelectorAll("form.language-switcher").forEach(function (form) {
    form.addEventListener("submit", function () {
      var next = form.querySelector("input[name=next]");
      if (next && window.location.hash && next.value.indexOf("#") === -1) { next.value += window.location.hash; }
    });
  });
  // Anonymous pages have a link instead of a form (no per-visitor token): the same for its "next".
  document.querySelectorAll(".language-switcher a").forEach(function (link) {
    link.addEventListener("click", function () {
      if (!window.location.hash) { return; }
      var url = new URL(link.href, window.location.href);
      var next = url.searchParams.get("next");
      if (next && next.indexOf("#") === -1) {
        url.searchParams.set("next", next + window.location.hash);
        link.href = url.pathname + url.search;
      }
    });
  });
})();
