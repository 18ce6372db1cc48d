// Checkout: a pickup place closed on the chosen delivery day, or full that day, cannot be chosen for it.
// The server refuses it anyway; this only spares a round trip.
(function () {
  "use strict";
  var days = document.querySelectorAll('input[name="delivery_date"]');
  var choices = document.querySelectorAll(".choice[data-closed-days]");
  function update() {
    var chosen = document.querySelector('input[name="delivery_date"]:checked');
    var day = chosen ? chosen.value : "";
    choices.forEach(function (choice) {
      var closed = (choice.getAttribute("data-closed-days") || "").split(" ").indexOf(day) !== -1;
      var off = closed || choice.getAttribute("data-allowed") !== "yes";
      var input = choice.querySelector('input[name="fulfilment"]');
      input.disabled = off;
      if (off) { input.checked = false; }
      choice.classList.toggle("disabled", off);
    });
  }
  days.forEach(function (input) { input.addEventListener("change", update); });
})();
