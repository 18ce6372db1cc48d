// The pay page (Stripe's Payment Element) and the return page, which asks every two seconds
// whether the webhook has confirmed the payment and reloads when something changed.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (form && window.Stripe && form.dataset.publishableKey) {
    var stripe = window.Stripe(form.dataset.publishableKey);
    var elements = stripe.elements({clientSecret: form.dataset.clientSecret});
    elements.create("payment").mount("#payment-element");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      stripe.confirmPayment({elements: elements, confirmParams: {return_url: form.dataset.returnUrl}})
        .then(function (result) {
          if (result.error) {
            document.getElementById("payment-message").textContent = result.error.message;
          }
        });
    });
  }
  var state = document.getElementById("payment-state");
  if (state && state.querySelector(".waiting")) {
    var poll = function () {
      fetch(state.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (body.order_status + "/" + body.payment_status !== state.dataset.status) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 2000);
  }
})();
