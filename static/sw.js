// The site's service worker: a repeat visit works offline. While the browser is online it
// stays out of the way of the content-hashed files (the Python runtime, the wheels, the data
// files, our scripts and style), which the browser's HTTP cache keeps for a year, with the
// compiled code it keeps beside them; offline, it serves them from its own cache. It keeps a
// copy of each file a page used (the page hands it the list: nothing is fetched ahead of
// need), only after the browser checked the copy against the hash the build gave it; it
// checks the copy again before serving it, and whatever asked for it checks it once more.
// Pages come from the network while there is one (a new build shows at once), and from the
// copy kept when there is none.
//
// The build writes FILES into the copy it serves at the site's root (tooling/site.py), so a
// new build is a new service worker, which drops the files the new site no longer has.

const FILES = {}; // path within the site -> the integrity ("sha256-…") of its content
const PAGE_HEADERS = {}; // what the site sends with a page: its policy above all
const KEPT = "llmexplain-files";
const PAGES = "llmexplain-pages";
const SITE = new URL("./", self.location.href);

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    await self.registration.navigationPreload?.enable();
    const cache = await caches.open(KEPT);
    for (const request of await cache.keys()) {
      if (!Object.hasOwn(FILES, within(request.url))) await cache.delete(request);
    }
  })());
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !request.url.startsWith(SITE.href)) return;
  const path = within(request.url);
  if (Object.hasOwn(FILES, path)) {
    if (!self.navigator.onLine) event.respondWith(offline(path, FILES[path]));
  } else if (request.mode === "navigate") {
    event.respondWith(page(event));
  }
});

// The files a page used, and its own address: kept for a visit without a network.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "keep" || !Array.isArray(event.data.urls)) return;
  event.waitUntil(Promise.allSettled(event.data.urls.map((url) => {
    if (typeof url !== "string" || !url.startsWith(SITE.href)) return null;
    const path = within(url);
    if (Object.hasOwn(FILES, path)) return keep(path, FILES[path]);
    return url.endsWith(".html") || path === "" ? keepPage(url) : null;
  })));
});

// A copy of a hashed file, unless a good one is kept already. The fetch is answered from
// the HTTP cache when the file is there, and the browser checks it against `integrity`.
async function keep(path, integrity) {
  const cache = await caches.open(KEPT);
  const url = new URL(path, SITE).href;
  const kept = await cache.match(url);
  if (kept && await intact(kept, integrity)) return;
  const response = await fetch(url, { integrity });
  if (response.ok) await cache.put(url, response);
}

// Offline: the copy kept, if it still has its hash (a damaged one is dropped), else the
// browser's own attempt.
async function offline(path, integrity) {
  const cache = await caches.open(KEPT);
  const url = new URL(path, SITE).href;
  const kept = await cache.match(url);
  if (kept) {
    if (await intact(kept.clone(), integrity)) return kept;
    await cache.delete(url);
  }
  return fetch(url, { integrity });
}

async function intact(response, integrity) {
  const digest = await crypto.subtle.digest("SHA-256", await response.arrayBuffer());
  return `sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}` === integrity;
}

async function keepPage(url) {
  const response = await fetch(url);
  if (response.ok && !response.redirected) await (await caches.open(PAGES)).put(pageKey(url), response);
}

function pageKey(url) {
  const key = new URL(url);
  key.search = "";
  key.hash = "";
  return key.href;
}

// A page: the network's answer, kept; the kept copy when the network cannot answer.
async function page(event) {
  const cache = await caches.open(PAGES);
  const key = pageKey(event.request.url);
  try {
    const response = (await event.preloadResponse) || (await fetch(event.request));
    if (response.ok && !response.redirected) await cache.put(key, response.clone());
    return response;
  } catch (err) {
    // Any script of this origin can write to this cache (a reader's code in a figure's
    // worker included), so a kept page is served with the site's own headers, never with
    // those stored beside it: under the site's policy, nothing written there can run a
    // script of its own.
    const kept = await cache.match(key);
    if (kept) {
      return new Response(kept.body, { headers: { ...PAGE_HEADERS, "Content-Type": "text/html; charset=utf-8" } });
    }
    throw err;
  }
}

// A URL's path within the site, without its query or fragment.
function within(url) {
  return new URL(url).pathname.slice(SITE.pathname.length);
}
