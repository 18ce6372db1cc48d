// The coordinator's day view: polls each tour's progress (stops done, next stop, delay) while tours are under way.
(function () {
  "use strict";
  var table = document.querySelector("[data-progress-url]");
  if (!table || !window.fetch) { return; }
  function update(tour) {
    var cell = table.querySelector('[data-progress-for="' + tour.id + '"]');
    if (!cell) { return; }
    cell.setAttribute("data-state", tour.state);
    cell.querySelector("[data-done]").textContent = tour.done + "/" + tour.stops;
    var next = cell.querySelector("[data-next]");
    if (next) {
      var when = tour.next_expected ? new Date(tour.next_expected).toLocaleTimeString(document.documentElement.lang || "de",
        { hour: "2-digit", minute: "2-digit" }) : "";
      next.textContent = tour.next ? tour.next + (when ? " " + when : "") +
        (tour.delay_minutes ? " (" + (tour.delay_minutes > 0 ? "+" : "") + tour.delay_minutes + " min)" : "") : "";
    }
  }
  function poll() {
    fetch(table.getAttribute("data-progress-url"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (body) { body.tours.forEach(update); })
      .catch(function () { /* next time */ })
      .then(function () { window.setTimeout(poll, 15000); });
  }
  window.setTimeout(poll, 15000);
}());
