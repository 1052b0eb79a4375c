// The site's service worker: a repeat visit works offline. While the browser is online it
// stays out of the way of the content-hashed files (the Python runtime, the wheels, the data
// files, our scripts and style), which the browser's HTTP cache keeps for a year, with the
// compiled code it keeps beside them; offline, it serves them from its own cache. It keeps a
// copy of each file a page used (the page hands it the list: nothing is fetched ahead of
// need), only after the browser checked the copy against the hash the build gave it; it
// checks the copy again before serving it, and whatever asked for it checks it once more.
// Pages come from the network while there is one (a new build shows at once), and from the
// copy kept when there is none, only if that copy and every file kept are as built: else a
// short page of its own says the offline copy is damaged, with a Retry.
//
// The build writes FILES and BUILT_PAGES into the copy it serves at the site's root
// (tooling/site.py), so a new build is a new service worker, which drops the files the new
// site no longer has.

const FILES = {}; // path within the site -> the integrity ("sha256-…") of its content
// path within the site -> the integrity of the page served there, taken with the value of its
// "serviceWorker" integrity emptied (see `unsigned`)
const BUILT_PAGES = {};
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
  return await digest(await response.arrayBuffer()) === integrity;
}

async function digest(bytes) {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `sha256-${btoa(String.fromCharCode(...hash))}`;
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
    const kept = await cache.match(key);
    if (!kept) throw err;
    // A script of this origin can write to these caches, so a kept page is served only if
    // its bytes are the build's, with the site's own headers (never those stored beside
    // it), and only while every file kept is intact: a damaged runtime.js or watchdog.js
    // would leave the page without a word about it.
    const text = await asBuilt(within(key), kept);
    const damaged = await damagedFiles();
    if (text === null || damaged) return damagedCopy(text === null ? damaged + 1 : damaged);
    return new Response(text, { headers: { ...PAGE_HEADERS, "Content-Type": "text/html; charset=utf-8" } });
  }
}

// The kept page's text if it is the one the build made for `path`, else null.
async function asBuilt(path, response) {
  if (!Object.hasOwn(BUILT_PAGES, path)) return null;
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await response.arrayBuffer());
  } catch {
    return null;
  }
  const bytes = new TextEncoder().encode(unsigned(text));
  return await digest(bytes) === BUILT_PAGES[path] ? text : null;
}

// An essay names this file's own integrity ("serviceWorker" in its config), which the build
// knows only once BUILT_PAGES is written into this file: so a page's hash is taken with that
// value emptied. Any other value there can only make the page fail to register a service worker.
const SIGNED = /"serviceWorker": \{"integrity": "sha256-[A-Za-z0-9+/]{43}="/g;
function unsigned(text) {
  return text.replace(SIGNED, '"serviceWorker": {"integrity": ""');
}

// How many of the kept files no longer have their hash.
async function damagedFiles() {
  const cache = await caches.open(KEPT);
  let damaged = 0;
  for (const request of await cache.keys()) {
    const path = within(request.url);
    if (Object.hasOwn(FILES, path) && !await intact(await cache.match(request), FILES[path])) damaged += 1;
  }
  return damaged;
}

// Offline, in place of a page whose kept copy or kept files are not as built: what happened
// and what to do, with a Retry that needs no script (the site's policy runs none here).
function damagedCopy(count) {
  const html = `<!doctype html>
<html lang="en" data-state="damaged">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>The offline copy is damaged · llmexplain</title>
<h1>The offline copy of this page is damaged</h1>
<p data-damaged>${count} of the files your browser kept to read this site offline no longer
match the site as it was built, so they are not used. Connect to the internet and press
Retry: the page then comes from the site, and a good copy is kept again.</p>
<p><a href="" data-retry>Retry</a></p>
`;
  return new Response(html, { status: 503, headers: { ...PAGE_HEADERS, "Content-Type": "text/html; charset=utf-8" } });
}

// A URL's path within the site, without its query or fragment.
function within(url) {
  return new URL(url).pathname.slice(SITE.pathname.length);
}
