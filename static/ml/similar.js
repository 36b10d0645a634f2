// Similar-proposal suggestions for any form: add to the <form>
//   data-similar-url="/api/v1/consultations/<id>/similar"
//   data-similar-fields="title,body"            (names of the inputs to read)
//   data-similar-heading="Similar proposals"    (translated heading)
// and an empty <div data-similar-results aria-live="polite"></div> inside it, then include this file
// with <script src="{% static 'ml/similar.js' %}" defer></script>. Suggestions are optional: on any
// error, or without JavaScript, the form works exactly as before.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-similar-url]");
  Array.prototype.forEach.call(forms, function (form) {
    var url = form.getAttribute("data-similar-url");
    var names = (form.getAttribute("data-similar-fields") || "title,body").split(",");
    var heading = form.getAttribute("data-similar-heading") || "";
    var box = form.querySelector("[data-similar-results]");
    if (!box) { return; }
    var timer = null;
    var lastQuery = "";
    var controller = null;

    function text() {
      return names.map(function (name) {
        var field = form.elements.namedItem(name.trim());
        return field && field.value ? field.value : "";
      }).join("\n").trim();
    }

    function render(items) {
      while (box.firstChild) { box.removeChild(box.firstChild); }
      if (!items.length) { return; }
      var title = document.createElement("p");
      title.className = "similar-heading";
      title.textContent = heading;
      var list = document.createElement("ul");
      list.className = "similar-list";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = item.url;
        link.textContent = item.title;
        link.target = "_blank";
        link.rel = "noopener";
        li.appendChild(link);
        list.appendChild(li);
      });
      box.appendChild(title);
      box.appendChild(list);
    }

    function lookup() {
      var query = text();
      if (query.length < 6 || query === lastQuery) { return; }
      lastQuery = query;
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?text=" + encodeURIComponent(query.slice(0, 2000)), {
        credentials: "same-origin", headers: { "Accept": "application/json" }, signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (items) { render(Array.isArray(items) ? items : []); })
        .catch(function () { /* suggestions are optional */ });
    }

    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 600);
    });
  });
})();
