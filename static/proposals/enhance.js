// Progressive enhancement: forms marked data-enhance post in the background and the affected
// section is swapped from the returned page, so supporting, commenting and voting need no reload.
(function () {
  "use strict";
  function swap(doc, selector) {
    var fresh = doc.querySelector(selector);
    var current = document.querySelector(selector);
    if (fresh && current) { current.replaceWith(fresh); bind(fresh); }
  }

  function bind(scope) {
    scope.querySelectorAll("form[data-enhance]").forEach(function (form) {
      if (form.dataset.enhanced) { return; }
      form.dataset.enhanced = "1";
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var data = new FormData(form);
        if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
        var buttons = form.querySelectorAll("button");
        buttons.forEach(function (b) { b.disabled = true; });
        // getAttribute: a field named "action" would shadow form.action
        fetch(form.getAttribute("action") || window.location.href, { method: "POST", body: data, credentials: "same-origin",
                             headers: { "X-Requested-With": "fetch" } })
          .then(function (response) {
            if (!response.ok && response.status !== 400) { throw new Error(String(response.status)); }
            return response.text();
          })
          .then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            ["#support", "#comments", ".messages"].forEach(function (sel) { swap(doc, sel); });
            var focusTarget = document.querySelector(form.dataset.enhance === "comment" ? "#comments-title" : "#support-title");
            if (focusTarget) { focusTarget.setAttribute("tabindex", "-1"); focusTarget.focus(); }
          })
          .catch(function () { HTMLFormElement.prototype.submit.call(form); })
          .finally(function () { buttons.forEach(function (b) { b.disabled = false; }); });
      });
    });
  }
  bind(document);
})();
