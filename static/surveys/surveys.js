// Shows a question that depends on an answer on the same screen only when that answer is given.
// Without JavaScript every question shows (with "answer only if it applies"); the server ignores
// answers whose condition is not met.
(function () {
  "use strict";
  function currentValues(form, key) {
    var values = [];
    form.querySelectorAll('[name="' + key + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) values.push(input.value);
    });
    return values;
  }
  function update(form) {
    form.querySelectorAll(".question[data-show-if]").forEach(function (question) {
      var key = question.getAttribute("data-show-if");
      if (!form.querySelector('[name="' + key + '"]')) return; // depends on an earlier screen: decided by the server
      question.hidden = currentValues(form, key).indexOf(question.getAttribute("data-show-value")) === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".survey-form");
    if (!form) return;
    update(form);
    form.addEventListener("change", function () { update(form); });
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
