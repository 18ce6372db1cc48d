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
  // A payment method that does not fit the chosen way (pay on pickup at a parcel station).
  var methods = document.querySelectorAll(".choice[data-fits]");
  function updateMethods() {
    var place = document.querySelector('input[name="fulfilment"]:checked');
    var kind = place ? place.value.split(":")[0] : "";
    methods.forEach(function (choice) {
      var off = kind !== "" && (choice.getAttribute("data-fits") || "").split(" ").indexOf(kind) === -1;
      var input = choice.querySelector('input[name="payment_method"]');
      input.disabled = off;
      if (off) { input.checked = false; }
      choice.classList.toggle("disabled", off);
    });
  }
  document.querySelectorAll('input[name="fulfilment"]').forEach(function (input) {
    input.addEventListener("change", updateMethods);
  });
  updateMethods();
})();
