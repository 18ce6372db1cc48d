// Polls a planning run's progress and reloads the day view when it is finished.
(function () {
  "use strict";
  var box = document.querySelector("[data-run-url]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-run-message]");
  function poll() {
    fetch(box.getAttribute("data-run-url"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (run) {
        if (bar) { bar.value = run.progress; bar.textContent = run.progress + " %"; }
        if (text) { text.textContent = run.progress + " % " + (run.message || ""); }
        box.setAttribute("data-status", run.status);
        if (run.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
