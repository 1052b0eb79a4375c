// The site's service worker. A repeat visit, even offline, gets every content-hashed file (the
// Python runtime, the wheels, the data files, our scripts and style) from this worker's own
// cache: each is kept only after the browser checked it against the hash the build gave it,
// and checked again before it is served; whatever asked for it checks it a third time. The
// pages come from the network while there is one (a new build shows at once) and from the
// cache when there is none. Nothing is fetched for the cache ahead of need: a file is kept
// once a page has asked for it.
//
// It starts serving as soon as it is installed (clients.claim), and the page then hands it
// the URLs it has already used (a "keep" message), to keep from the browser's HTTP cache.
//
// The build writes FILES into the copy it serves at the site's root (tooling/site.py), so a
// new build is a new service worker, which drops the files the new site no longer has.

const FILES = {}; // path within the site -> the integrity ("sha256-…") of its content
const KEPT = "llmexplain-files";
const PAGES = "llmexplain-pages";
const SITE = new URL("./", self.location.href);

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    await self.registration.navigationPreload?.enable();
    await self.clients.claim();
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
  if (Object.hasOwn(FILES, path)) event.respondWith(hashed(path, FILES[path]));
  else if (request.mode === "navigate") event.respondWith(page(event));
});

// The page's own address and the files it fetched before this worker served it.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "keep" || !Array.isArray(event.data.urls)) return;
  event.waitUntil(Promise.allSettled(event.data.urls.map((url) => {
    if (typeof url !== "string" || !url.startsWith(SITE.href)) return null;
    const path = within(url);
    if (Object.hasOwn(FILES, path)) return hashed(path, FILES[path]);
    return url.endsWith(".html") || path === "" ? keepPage(url) : null;
  })));
});

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

// A URL's path within the site, without its query or fragment.
function within(url) {
  return new URL(url).pathname.slice(SITE.pathname.length);
}

// A content-hashed file: from the cache if the copy there still has its hash, else from the
// network with the browser checking its integrity, and kept.
async function hashed(path, integrity) {
  const cache = await caches.open(KEPT);
  const url = new URL(path, SITE).href;
  const kept = await cache.match(url);
  if (kept) {
    if (await intact(kept.clone(), integrity)) return kept;
    await cache.delete(url); // damaged on disk: fetched again below
  }
  const response = await fetch(url, { integrity });
  if (response.ok) await cache.put(url, response.clone());
  return response;
}

async function intact(response, integrity) {
  const digest = await crypto.subtle.digest("SHA-256", await response.arrayBuffer());
  return `sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}` === integrity;
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
    const kept = await cache.match(key);
    if (kept) return kept;
    throw err;
  }
}
