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
})();
