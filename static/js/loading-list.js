// The loading list's ticks: kept on this device (localStorage), so they survive a reload and a
// dead spot in the hub's yard; nothing is sent to the server.
(function () {
  "use strict";
  var PREFIX = "landkorb-loaded:";
  function read(key) {
    try { return window.localStorage.getItem(PREFIX + key) === "1"; } catch (e) { return false; }
  }
  function write(key, on) {
    try {
      if (on) { window.localStorage.setItem(PREFIX + key, "1"); } else { window.localStorage.removeItem(PREFIX + key); }
    } catch (e) { /* private mode: the tick stays on this page only */ }
  }
  document.querySelectorAll("input.loaded-tick[data-key]").forEach(function (box) {
    box.checked = read(box.dataset.key);
    box.addEventListener("change", function () { write(box.dataset.key, box.checked); });
  });
})();
