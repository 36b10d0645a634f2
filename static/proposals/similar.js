// Suggest similar proposals while typing (400 ms debounce). Any error shows nothing:
// the form never depends on this endpoint.
(function () {
  "use strict";
  var box = document.getElementById("similar-proposals");
  if (!box) { return; }
  var url = box.getAttribute("data-similar-url");
  var title = document.getElementById("id_title");
  var body = document.getElementById("id_body");
  if (!url || !title || !body) { return; }
  var timer = null;
  var lastText = "";
  var english = document.documentElement.lang && document.documentElement.lang.indexOf("en") === 0;
  var heading = english ? "Similar proposals" : "似ている提案";
  var hint = english ? "If one of them says what you mean, you can support it instead."
    : "同じ趣旨の提案があれば、新しく書く代わりに賛同することもできます。";

  function clear() { box.textContent = ""; }

  function render(items) {
    clear();
    if (!Array.isArray(items) || !items.length) { return; }
    var h = document.createElement("h2");
    h.className = "similar-title";
    h.textContent = heading;
    var list = document.createElement("ul");
    items.slice(0, 5).forEach(function (item) {
      if (!item || typeof item.url !== "string" || item.url.charAt(0) !== "/") { return; }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = String(item.title || "");
      li.appendChild(a);
      list.appendChild(li);
    });
    if (!list.children.length) { return; }
    var p = document.createElement("p");
    p.textContent = hint;
    box.appendChild(h);
    box.appendChild(p);
    box.appendChild(list);
  }

  function lookup() {
    var text = (title.value + " " + body.value).trim();
    if (text.length < 4 || text === lastText) { if (text.length < 4) { clear(); } return; }
    lastText = text;
    ask(text, 0);
  }

  // 202: the worker is still reading the text; show what there is and ask again each second, a few times.
  function ask(text, attempt) {
    fetch(url + "?text=" + encodeURIComponent(text.slice(0, 1000)), { credentials: "same-origin" })
      .then(function (r) {
        if (r.status !== 200 && r.status !== 202) { throw new Error("status"); }
        return r.json().then(function (items) { return { items: items, pending: r.status === 202 }; });
      })
      .then(function (answer) {
        if (text !== lastText) { return; }  // the resident has typed on; a newer lookup is on its way
        render(answer.items);
        if (answer.pending && attempt < 8) {
          window.setTimeout(function () { if (text === lastText) { ask(text, attempt + 1); } }, 1000);
        }
      })
      .catch(function () { if (text === lastText) { clear(); } });
  }

  function schedule() { window.clearTimeout(timer); timer = window.setTimeout(lookup, 400); }
  title.addEventListener("input", schedule);
  body.addEventListener("input", schedule);
})();
