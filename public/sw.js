// Tally's service worker. The server serves this file at /sw.js with `BUILD` filled in (see
// src/server/http/pwa.rs): the build's version and its app shell, the content-hashed wasm, JS and CSS among it. A
// new release is a new version, so the browser installs the new worker, which drops the old caches.
//
// - Pages: from the network, always (so an online page always runs the code of the release it came from); when the
//   network is gone, the offline page from the cache.
// - The shell's files: from the cache (their names change whenever their content does), else the network.
// - Everything else (server functions, exports, the API): the network, untouched.
const BUILD = self.__TALLY_BUILD__;
const CACHE = "tally-shell-" + BUILD.version;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(BUILD.shell))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("tally-shell-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(BUILD.offline)));
    return;
  }
  if (BUILD.shell.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((cached) => cached || fetch(request)));
  }
});

self.addEventListener("message", (event) => {
  if (event.data === "version" && event.source) event.source.postMessage({ version: BUILD.version });
});
