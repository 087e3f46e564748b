// The intake page's service worker (offline intake, issue 13). Served as
// /intake/sw.js so that its scope is /intake/. It keeps the blank intake page
// and its static files, and serves them when the network is gone. Nothing
// else passes through it: sealed cases wait in the page's IndexedDB queue
// (ciphertext only) and are sent by the page, never from here.
"use strict";

const CACHE = "witnessbox-intake-shell-v2";
const SHELL = ["/intake/", "/static/site.css", "/static/intake-seal.js",
  "/static/intake.webmanifest", "/static/intake-icon-192.png"];

self.addEventListener("install", () => { self.skipWaiting(); });

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

async function keep(path, response) {
  // Only a real page: never a redirect to sign-in, an error, or an opaque answer.
  if (response.ok && !response.redirected && response.type === "basic") {
    const cache = await caches.open(CACHE);
    await cache.put(path, response.clone());
  }
  return response;
}

self.addEventListener("message", (event) => {
  if (event.data !== "cache-shell") return;
  event.waitUntil((async () => {
    for (const path of SHELL) {
      try {
        await keep(path, await fetch(path, { credentials: "same-origin", cache: "no-store" }));
      } catch (error) {
        // Offline now: kept from an earlier visit, or next time.
      }
    }
  })());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin
      || !SHELL.includes(url.pathname)) {
    return;  // the browser's own handling: sealed cases, receipts, sign-in
  }
  event.respondWith((async () => {
    try {
      return await keep(url.pathname, await fetch(event.request));
    } catch (error) {
      const cached = await caches.match(url.pathname, { ignoreSearch: true });
      if (cached) return cached;
      throw error;
    }
  })());
});
