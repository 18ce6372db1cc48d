// Landkorb driver app: keeps the day's tours in IndexedDB, works with no network, records stop
// events with a client_event_id and sends them, oldest first, when a network comes back.
// Talks to /api/v1/driver with the bearer token the shell page carries. No libraries.
(function () {
  "use strict";
  var root = document.getElementById("driver-app");
  if (!root || !window.indexedDB || !window.fetch) { return; }
  var T = JSON.parse(document.getElementById("app-strings").textContent);
  var token = root.getAttribute("data-token");
  var day = root.getAttribute("data-day");
  var driverId = root.getAttribute("data-driver");
  var toursUrl = root.getAttribute("data-api");
  var eventsUrl = root.getAttribute("data-events");
  var dayKey = driverId + ":" + day;
  var view = { data: null, loadedAt: null, pending: [], rejected: [], maps: {}, error: null };

  if (navigator.serviceWorker) {
    navigator.serviceWorker.register(root.getAttribute("data-worker"), { scope: root.getAttribute("data-scope") })
      .catch(function () { /* the app still works while the page stays open */ });
  }

  // -- IndexedDB ------------------------------------------------------------------------------
  var dbReady = new Promise(function (resolve, reject) {
    var request = indexedDB.open("landkorb-driver", 1);
    request.onupgradeneeded = function () {
      var db = request.result;
      db.createObjectStore("days");
      db.createObjectStore("maps");
      db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      db.createObjectStore("rejected", { keyPath: "client_event_id" });
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });

  function store(name, mode, work) {
    return dbReady.then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var request = work(tx.objectStore(name));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function get(name, key) { return store(name, "readonly", function (s) { return s.get(key); }); }
  function put(name, value, key) {
    return store(name, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); });
  }
  function remove(name, key) { return store(name, "readwrite", function (s) { return s.delete(key); }); }
  function all(name) { return store(name, "readonly", function (s) { return s.getAll(); }); }

  // -- helpers --------------------------------------------------------------------------------
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) { return; }
      if (k === "text") { el.textContent = attrs[k]; } else { el.setAttribute(k, attrs[k] === true ? "" : attrs[k]); }
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }
  function hhmm(iso) {
    if (!iso) { return ""; }
    return new Date(iso).toLocaleTimeString(document.documentElement.lang || "de", { hour: "2-digit", minute: "2-digit" });
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var x = Array.prototype.map.call(b, function (v) { return (v + 256).toString(16).slice(1); }).join("");
    return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
  }
  function crates(c) {
    return [["ambient", c.ambient], ["chilled", c.chilled], ["frozen", c.frozen]]
      .filter(function (p) { return p[1]; }).map(function (p) { return p[1] + " " + T[p[0]]; }).join(", ") || "0";
  }
  function auth(extra) {
    var headers = { "Authorization": "Bearer " + token, "Accept": "application/json" };
    Object.keys(extra || {}).forEach(function (k) { headers[k] = extra[k]; });
    return headers;
  }

  // -- the day as the server sent it, with the events not yet sent applied on top -------------
  function eachTrip(data, fn) {
    (data ? data.items : []).forEach(function (tour) { tour.trips.forEach(function (trip) { fn(trip, tour); }); });
  }
  function applyLocal(data, ev) {
    eachTrip(data, function (trip) {
      if ((ev.kind === "tour_started" || ev.kind === "tour_ended") && trip.id === ev.tour_id) {
        if (ev.kind === "tour_started" && trip.state === "published") { trip.state = "started"; trip.started_at = ev.at; }
        if (ev.kind === "tour_ended") { trip.state = "ended"; trip.ended_at = ev.at; }
      }
      trip.stops.forEach(function (stop) {
        if (stop.id !== ev.stop_id || stop.state === "done") { return; }
        if (trip.state === "published") { trip.state = "started"; trip.started_at = ev.at; }
        if (ev.kind === "arrived") { stop.arrived_at = ev.at; return; }
        stop.state = "done";
        stop.done_at = ev.at;
        stop.outcome = { delivered: "delivered", partly_delivered: "partly", failed: "failed" }[ev.kind];
        stop.note = ev.note || "";
      });
    });
  }
  function shown() {
    if (!view.data) { return null; }
    var data = JSON.parse(JSON.stringify(view.data));
    view.pending.forEach(function (item) { applyLocal(data, item.event); });
    return data;
  }

  // -- rendering ------------------------------------------------------------------------------
  function stopButtons(trip, stop) {
    var isDrop = stop.kind === "drop";
    var returned = stop.order_details.map(function (o) {
      return h("label", { "class": "check" }, [
        h("input", { type: "checkbox", name: "returned", value: String(o.id) }), " " + o.number + " – " + T.returned]);
    });
    return h("div", { "class": "stop-actions" }, [
      stop.arrived_at ? null : h("button", { type: "button", "class": "button", "data-action": "arrived",
                                              "data-stop": stop.id, text: T.arrived }),
      h("button", { type: "button", "class": "button primary", "data-action": "delivered", "data-stop": stop.id,
                    text: isDrop ? T.delivered : T.picked }),
      h("details", { "class": "problem" }, [
        h("summary", { text: T.partly + " / " + T.failed }),
        h("label", { "for": "note-" + stop.id, text: T.note }),
        h("textarea", { id: "note-" + stop.id, rows: "2", maxlength: "1000" }),
        isDrop && stop.order_details.length > 1 ? h("fieldset", {}, [h("legend", { text: T.returned })].concat(returned)) : null,
        isDrop ? h("button", { type: "button", "class": "button", "data-action": "partly_delivered",
                               "data-stop": stop.id, text: T.partly }) : null,
        h("button", { type: "button", "class": "button danger", "data-action": "failed", "data-stop": stop.id,
                      text: T.failed })
      ])
    ]);
  }

  function currentCard(trip, stop) {
    var orders = stop.order_details.map(function (o) {
      var bits = [o.number + " · " + o.resident + " · " + crates(o.crates)];
      if (o.compartments.length) { bits.push(" · " + T.compartments + ": " + o.compartments.join(", ")); }
      if (o.door) { bits.push(" · " + [o.door.street, o.door.postcode, o.door.town].filter(Boolean).join(", ")); }
      var goods = o.goods.map(function (g) { return h("li", { text: g.quantity + " × " + g.product + " (" + g.producer + ")" }); });
      return h("li", {}, bits.concat(goods.length ? [h("ul", { "class": "goods" }, goods)] : []));
    });
    var contact = stop.contact && (stop.contact.name || stop.contact.phone) ? h("p", {}, [
      T.contact + ": " + (stop.contact.name || "") + " ",
      stop.contact.phone ? h("a", { href: "tel:" + stop.contact.phone, text: stop.contact.phone }) : null]) : null;
    return h("section", { "class": "current-stop", id: "current-stop-" + trip.id, "data-stop-id": stop.id,
                          "aria-label": T.next }, [
      h("p", { "class": "big-number", text: String(stop.sequence) }),
      h("h3", { text: stop.label }),
      h("p", { text: [stop.village, stop.address].filter(Boolean).join(" · ") }),
      h("p", { text: T.planned + " " + hhmm(stop.planned_arrival) +
               (stop.expected_arrival ? " · " + T.expected + " " + hhmm(stop.expected_arrival) : "") }),
      contact,
      h("p", { text: (stop.kind === "drop" ? T.unload : T.load) + ": " + crates(stop.crates) }),
      orders.length ? h("ul", { "class": "stop-orders" }, orders) : null,
      h("p", {}, [h("a", { "class": "button", href: stop.geo_uri, text: T.navigate })]),
      stopButtons(trip, stop)
    ]);
  }

  function endForm(trip) {
    return h("div", { "class": "end-tour", id: "end-tour-" + trip.id }, [
      h("label", { "for": "crates-" + trip.id, text: T.empty_crates }),
      h("input", { id: "crates-" + trip.id, type: "number", min: "0", max: "10000", inputmode: "numeric", value: "0" }),
      h("label", { "for": "returns-" + trip.id, text: T.returns }),
      h("textarea", { id: "returns-" + trip.id, rows: "2", maxlength: "1000" }),
      h("button", { type: "button", "class": "button", "data-action": "tour_ended", "data-trip": trip.id, text: T.end })
    ]);
  }

  function tripSection(tour, trip) {
    var visits = trip.stops.filter(function (s) { return s.kind !== "depot"; });
    var next = visits.filter(function (s) { return s.state !== "done"; })[0];
    var badge = trip.state === "started" ? T.started + " " + hhmm(trip.started_at)
      : trip.state === "ended" ? T.ended + " " + hhmm(trip.ended_at) : "";
    var list = visits.map(function (s) {
      var mark = s.state !== "done" ? "" : s.outcome === "failed" ? T.outcome_failed : s.outcome === "partly" ? T.outcome_partly : T.done;
      return h("li", { "class": s.state, "data-stop-id": s.id }, [
        s.sequence + ". " + s.label + " · " + hhmm(s.expected_arrival || s.planned_arrival) + " ",
        h("a", { href: s.geo_uri, "aria-label": T.navigate + ": " + s.label, text: "➚" }),
        mark ? h("span", { "class": "badge " + (s.outcome === "failed" ? "bad" : "ok"), text: mark }) : null]);
    });
    var mapBox = h("div", { "class": "route-map", id: "map-" + trip.id, "aria-label": T.map });
    var svgText = view.maps[trip.id];
    if (svgText) {
      var doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
      if (doc.documentElement && doc.documentElement.nodeName === "svg") {
        var svg = document.importNode(doc.documentElement, true);
        Array.prototype.forEach.call(svg.querySelectorAll("[data-stop]"), function (g) {
          g.classList.toggle("next", !!next && g.getAttribute("data-stop") === String(next.id));
        });
        mapBox.appendChild(svg);
      }
    }
    return h("section", { "class": "trip", "data-trip-id": trip.id, "data-kind": trip.kind, "data-state": trip.state }, [
      h("h2", { text: T[trip.kind] + " · " + tour.vehicle.name }),
      badge ? h("p", { "class": "badge", text: badge }) : null,
      trip.state === "published" ? h("button", { type: "button", "class": "button primary", "data-action": "tour_started",
                                                 "data-trip": trip.id, text: T.start }) : null,
      next && trip.state !== "ended" ? currentCard(trip, next) : (trip.state !== "ended" ? h("p", { "class": "flash flash-success", text: T.all_done }) : null),
      trip.state === "started" ? endForm(trip) : null,
      mapBox,
      h("h3", { text: T.stops }),
      h("ol", { "class": "stop-list" }, list)
    ]);
  }

  function render() {
    var data = shown();
    var box = document.getElementById("tours");
    box.textContent = "";
    var status = document.getElementById("app-status");
    var online = navigator.onLine ? T.online : T.offline;
    status.textContent = data ? online + (view.loadedAt ? " · " + T.loaded + " " + hhmm(view.loadedAt) : "") : T.not_loaded;
    root.setAttribute("data-online", navigator.onLine ? "yes" : "no");
    if (data) {
      if (!data.items.length) { box.appendChild(h("p", { text: T.no_tours })); }
      data.items.forEach(function (tour) {
        tour.trips.forEach(function (trip) { box.appendChild(tripSection(tour, trip)); });
      });
    }
    document.getElementById("pending-count").textContent = String(view.pending.length);
    var pending = document.getElementById("pending-list");
    pending.textContent = "";
    view.pending.forEach(function (item) {
      pending.appendChild(h("li", { "data-event": item.event.client_event_id,
                                    text: hhmm(item.event.at) + " · " + describe(item.event) }));
    });
    var rejected = document.getElementById("rejected-list");
    rejected.textContent = "";
    view.rejected.forEach(function (r) {
      rejected.appendChild(h("li", { "data-event": r.client_event_id }, [
        hhmm(r.event.at) + " · " + describe(r.event) + ": " + (r.detail || r.reason) + " ",
        h("button", { type: "button", "class": "link-button", "data-action": "dismiss", "data-event": r.client_event_id,
                      text: T.dismiss })]));
    });
    document.getElementById("rejected").hidden = !view.rejected.length;
  }

  function describe(ev) {
    var label = { tour_started: T.start, tour_ended: T.end, arrived: T.arrived, delivered: T.delivered,
                  partly_delivered: T.partly, failed: T.failed }[ev.kind];
    var where = "";
    eachTrip(view.data, function (trip) {
      trip.stops.forEach(function (s) { if (s.id === ev.stop_id) { where = " · " + s.sequence + ". " + s.label; } });
    });
    return label + where;
  }

  // -- loading, recording, sending -------------------------------------------------------------
  function loadLocal() {
    return Promise.all([get("days", dayKey), all("outbox"), all("rejected"), all("maps")]).then(function (r) {
      if (r[0]) { view.data = r[0].data; view.loadedAt = r[0].loadedAt; }
      view.pending = r[1].filter(function (i) { return i.driver === driverId; }).sort(function (a, b) { return a.seq - b.seq; });
      view.rejected = r[2].filter(function (i) { return i.driver === driverId; });
      return store("maps", "readonly", function (s) { return s.getAllKeys(); }).then(function (keys) {
        keys.forEach(function (k, i) { if (k.indexOf(driverId + ":") === 0) { view.maps[k.split(":")[1]] = r[3][i]; } });
      });
    });
  }

  function refresh() {
    return fetch(toursUrl + "?date=" + encodeURIComponent(day), { headers: auth(), cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        view.data = data;
        view.loadedAt = new Date().toISOString();
        var maps = [];
        eachTrip(data, function (trip) {
          maps.push(fetch(trip.map_url, { headers: auth({ "Accept": "image/svg+xml" }), cache: "no-store" })
            .then(function (r) { return r.ok ? r.text() : null; })
            .then(function (svg) {
              if (svg) { view.maps[trip.id] = svg; return put("maps", svg, driverId + ":" + trip.id); }
            }));
        });
        return Promise.all(maps.concat([put("days", { data: data, loadedAt: view.loadedAt }, dayKey)]));
      })
      .catch(function () { /* offline: the kept copy stays */ })
      .then(render);
  }

  var sending = null;
  function flush() {
    if (sending) { return sending; }
    var batch = view.pending.slice(0, 500);
    if (!batch.length) { return Promise.resolve(); }
    sending = fetch(eventsUrl, {
      method: "POST", headers: auth({ "Content-Type": "application/json" }),
      body: JSON.stringify({ events: batch.map(function (i) { return i.event; }) })
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    }).then(function (answer) {
      var bySeq = {};
      batch.forEach(function (i) { bySeq[i.event.client_event_id] = i; });
      var work = [];
      if (answer.status === 200) {
        answer.body.results.forEach(function (res) {
          var item = bySeq[res.client_event_id];
          if (!item) { return; }
          if (res.status === "rejected") {
            work.push(put("rejected", { client_event_id: res.client_event_id, driver: driverId, event: item.event,
                                        reason: res.reason, detail: res.detail }));
          }
          work.push(remove("outbox", item.seq));
        });
      } else if (answer.status === 422) {
        // The batch as a whole was refused: these events can never be accepted as they are.
        batch.forEach(function (item) {
          work.push(put("rejected", { client_event_id: item.event.client_event_id, driver: driverId, event: item.event,
                                      reason: answer.body.error, detail: answer.body.detail }));
          work.push(remove("outbox", item.seq));
        });
      } else {
        throw new Error(String(answer.status));
      }
      return Promise.all(work).then(loadLocal).then(refresh);
    }).catch(function () { /* no network: try again later */ })
      .then(function () { sending = null; render(); });
    return sending;
  }

  function record(ev) {
    ev.client_event_id = uuid();
    ev.at = new Date().toISOString();
    return put("outbox", { driver: driverId, event: ev, created: Date.now() })
      .then(loadLocal).then(function () { render(); return flush(); });
  }

  root.addEventListener("click", function (e) {
    var button = e.target.closest("[data-action]");
    if (!button) { return; }
    var action = button.getAttribute("data-action");
    if (action === "dismiss") {
      remove("rejected", button.getAttribute("data-event")).then(loadLocal).then(render);
      return;
    }
    if (action === "tour_started") { record({ kind: action, tour_id: Number(button.getAttribute("data-trip")) }); return; }
    if (action === "tour_ended") {
      var id = button.getAttribute("data-trip");
      var crates = parseInt(document.getElementById("crates-" + id).value, 10);
      record({ kind: action, tour_id: Number(id), empty_crates: isNaN(crates) ? null : crates,
               note: document.getElementById("returns-" + id).value.trim() });
      return;
    }
    var stopId = Number(button.getAttribute("data-stop"));
    var ev = { kind: action, stop_id: stopId };
    if (action === "partly_delivered" || action === "failed") {
      var note = document.getElementById("note-" + stopId);
      if (!note.value.trim()) { note.setCustomValidity(T.note_needed); note.reportValidity(); return; }
      note.setCustomValidity("");
      ev.note = note.value.trim();
      if (action === "partly_delivered") {
        ev.returned_orders = Array.prototype.map.call(
          button.parentNode.querySelectorAll("input[name=returned]:checked"), function (c) { return Number(c.value); });
      }
    }
    record(ev);
  });
  document.getElementById("sync-now").addEventListener("click", function () { flush().then(refresh); });
  window.addEventListener("online", function () { flush().then(refresh); });
  window.addEventListener("offline", render);
  window.setInterval(function () { if (navigator.onLine) { flush(); } }, 20000);

  loadLocal().then(render).then(function () { return flush(); }).then(refresh);
}());
