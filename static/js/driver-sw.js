// Landkorb driver app: service worker. Keeps the app's shell and files so that the app opens
// with no network; the tours and the events waiting to be sent live in IndexedDB (driver-app.js).
"use strict";
var CACHE = "landkorb-driver-v1";
var SCOPE = new URL("./", self.location).pathname;  // /delivery/driver/app/
var FILES = [
  SCOPE,
  SCOPE + "manifest.webmanifest",
  "/static/js/driver-app.js",
  "/static/css/landkorb.css",
  "/static/css/delivery.css",
  "/static/img/driver-icon.svg"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(FILES.map(function (url) { return new Request(url, { credentials: "same-origin" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key || request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(key || request).then(function (hit) {
      return hit || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }  // events are queued by the app itself
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    event.respondWith(networkFirst(request, SCOPE));
  } else if (url.pathname.indexOf("/static/") === 0 || url.pathname === SCOPE + "manifest.webmanifest") {
    // Stale while revalidate: the kept copy at once, a fresh one for next time.
    event.respondWith(caches.match(request, { ignoreSearch: true }).then(function (hit) {
      var fresh = networkFirst(request);
      return hit || fresh;
    }));
  } else if (url.pathname.indexOf("/api/v1/driver/") === 0) {
    event.respondWith(networkFirst(request));
  }
});
