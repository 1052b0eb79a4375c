// The page side of every demo, and nothing demo-specific: it finds the [data-demo]
// figures, starts a Python worker for them (one per data-worker name), keeps the status
// line, and keeps each figure's state in the page's address so a link reopens the page
// as the reader left it. demo.js wires one figure; channel.js talks to one worker.

import { adopt, earlyChannel, workerConfig } from "./boot.js";
import { Channel } from "./channel.js";
import { Demo, allow, decodePart, encodePart, unpackCode } from "./demo.js";
import { LiveMath } from "./livemath.js";

const root = document.documentElement;
root.dataset.state = "loading"; // first: static/watchdog.js reads this as "the script runs"
const status = document.getElementById("runtime-status");
const statusText = status.querySelector("[data-status-text]");
const retry = status.querySelector("[data-status-retry]");

const READER_MEMORY = 1024 ** 3; // bytes a worker running a reader's code may hold (worker.js)
const FRAGMENT_MAX = 2000; // characters of address the figures' states may take
const PART_MAX = 4000; // a longer part of a link is not read: no figure writes one
const ADDRESS_MAX = 100_000; // a longer address is not read at all: far past every part's limit
const demos = new Map(); // figure id -> Demo
const channels = new Map(); // worker name -> Channel
const latest = new Map(); // topic -> the last value its owner published (JSON text)
let config = null;
let writing = null; // timer of the next address update
let said = ""; // the status line's own words
let addressNote = ""; // what the address held that could not be read, said once loaded

function setState(state, text = said) {
  said = text;
  root.dataset.state = state;
  statusText.textContent = addressNote && state !== "loading" ? `${text} ${addressNote}` : text;
  status.dataset.state = state;
  retry.hidden = state !== "error";
}

// A channel that failed: its figures keep what they show, and come back from their last state
// on Retry (the figure's own, or the status line's for the main worker).
function fail(channel, message) {
  const started = [...channel.figures.values()].some((d) => d.state);
  for (const demo of channel.figures.values()) {
    demo.suspend(null);
    demo.el.dataset.state = "error";
  }
  if (channel.name !== "main" && channels.get("main")?.ready) {
    for (const demo of channel.figures.values()) {
      demo.showError(`This figure ${demo.state ? "stopped" : "could not start"}: ${message}.`);
      if (demo.state && demo.retry) demo.retry.hidden = false;
    }
    return live();
  }
  setState("error", started ? `The live demos stopped: ${message.replace(/[.]?$/, ".")} Press Retry ` +
    "to start them again, as you left them; the text reads fine without them." :
    `The live demos could not start: ${message.replace(/[.]?$/, ".")} The figures show their ` +
    "starting state; the text reads fine without them.");
}

// Every figure named in the address starts from the state written there. A link is anyone's:
// each part is read on its own, and one that cannot be read is left out and the status line
// says so (a figure's state that Python cannot use falls back with a note in the figure).
// A fragment with no "=" is a place in the page, not settings.
function readAddress() {
  const hash = location.hash.slice(1);
  const tooLong = hash.length > ADDRESS_MAX;
  const parts = tooLong ? [] : hash.split("&").filter(Boolean);
  const unread = new Set(tooLong ? ["it is too long"] : []);
  const named = new Set();
  if (parts.length === 1 && !parts[0].includes("=")) parts.length = 0;
  parts.forEach((part, i) => {
    try {
      readPart(part, i, named);
    } catch (err) {
      unread.add(err instanceof Unread ? err.message : "a part of it could not be read");
    }
  });
  addressNote = unread.size ? `Part of the page’s address was left out: ${[...unread].join("; ")}.` : "";
}

class Unread extends Error {} // why a part of the address is left out, in the reader's words

function readPart(part, i, named) {
  if (i >= demos.size + 8) throw new Unread("it has more parts than the page has figures");
  const at = part.indexOf("=");
  if (at < 0) throw new Unread("a part of it holds no figure’s settings");
  let id;
  try {
    id = decodeURIComponent(part.slice(0, at));
  } catch {
    throw new Unread("a figure’s name in it is garbled");
  }
  const demo = demos.get(id);
  if (!demo) throw new Unread("it names a figure this page does not have");
  if (named.has(demo)) throw new Unread("it names a figure twice (the first is used)");
  named.add(demo);
  const { text, code } = part.length > PART_MAX ? { text: "unreadable", code: "" } :
    decodePart(part.slice(at + 1), demo.base);
  demo.restored = text;
  // Code a link brings goes into the editor, open, and runs only when the reader presses
  // Run: a link is anyone's, and its code would run with the page's rights (its storage
  // included), so the reader reads it first. The address keeps it meanwhile.
  if (code && demo.math && !demo.live) {
    demo.codeLink = code;
    demo.editsArriving = unpackCode(code).then((edits) => {
      if (edits) return edits;
      demo.codeLink = "";
      demo.addNote("The code in the link could not be read, so this figure runs its own.");
      return {};
    });
    demo.math.fromLink = true;
    demo.math.box.open = true;
  }
}

// The address holds each figure's link state, in page order; what does not fit is left out
// (largest first), and that figure says so.
function writeAddress() {
  clearTimeout(writing);
  writing = setTimeout(() => {
    const parts = [];
    for (const demo of demos.values()) {
      demo.el.querySelector("[data-demo-link-note]")?.setAttribute("hidden", "");
      const link = demo.linkState();
      if (Object.keys(link).length) parts.push([demo, `${demo.id}=${encodePart(link)}`]);
    }
    while (parts.reduce((n, [, p]) => n + p.length + 1, 0) > FRAGMENT_MAX) {
      const largest = parts.reduce((a, b) => (b[1].length > a[1].length ? b : a));
      largest[0].el.querySelector("[data-demo-link-note]")?.removeAttribute("hidden");
      parts.splice(parts.indexOf(largest), 1);
    }
    const url = new URL(location.href);
    url.hash = parts.map(([, p]) => p).join("&");
    if (url.href !== location.href) history.replaceState(history.state, "", url.href.replace(/#$/, ""));
  }, 400);
}

// The main worker's downloads, in the bytes a reader pays for: "6.1 of 14.5 MB".
function showProgress(channel, done, total) {
  if (channel.name !== "main" || root.dataset.state !== "loading") return;
  const mb = (n) => (n / 1e6).toFixed(1);
  setState("loading", done < total ? `Getting the calculator ready: ${mb(done)} of ${mb(total)} MB` :
    "Starting the calculator…");
}

// The data files of a worker's figures that are within a screen of the view when it starts:
// it fetches them beside the runtime. The others' are fetched when their figure is created.
function nearData(channel) {
  const files = new Set();
  for (const demo of channel.figures.values()) {
    const box = demo.el.getBoundingClientRect();
    if (box.bottom > -innerHeight && box.top < 2 * innerHeight) {
      for (const file of config.needs?.[demo.name] ?? []) files.add(file);
    }
  }
  return [...files];
}

function started(demo) {
  if (demo.live && !performance.getEntriesByName("llmexplain:first-live").length) {
    performance.mark("llmexplain:first-live");
  }
  if (demo.live) hearLatest(demo); // made again (a restart, a link): it missed nothing
  if ([...demos.values()].every((d) => d.el.dataset.state !== "loading" || !d.channel.ready)) live();
}

function live() {
  const main = channels.get("main");
  if (main && !main.ready) return;
  performance.mark("llmexplain:demos-live");
  const all = [...demos.values()];
  const dead = all.filter((d) => d.el.dataset.state === "error").length;
  const waiting = all.filter((d) => !d.live && d.el.dataset.state !== "error" && d.channel.worker).length;
  const later = all.filter((d) => !d.channel.worker && !d.channel.failed).length;
  const figures = (n) => `${n} figure${n > 1 ? "s" : ""}`;
  const startLater = later ? `; ${later > 1 ? `${later} more start` : "one more starts"} when you reach ` +
    `${later > 1 ? "them" : "it"}` : "";
  setState("ready", dead ? `The calculator runs in your browser, but ${figures(dead)} could not start: ` +
    `see the message beside ${dead > 1 ? "each" : "it"}.` :
    waiting ? `The calculator runs in your browser; ${figures(waiting)} ${waiting > 1 ? "are" : "is"} still starting.` :
    `The calculator runs in your browser: every figure is live${startLater}.`);
  for (const demo of demos.values()) demo.flush();
  if (!registering) registering = keepForLater();
}

// A repeat visit works offline with the site's service worker (static/sw.js), which keeps a
// copy of each file this page used. Registered once the figures are live, so it takes nothing
// from the first visit; and only the one this page was built with: the browser registers a
// URL, not bytes, so they are checked first.
let registering = null;
let keeper = null; // the active service worker, once registered
const usedData = new Set(); // data files the workers fetched
async function keepForLater() {
  const sw = config.serviceWorker;
  if (!sw || !navigator.serviceWorker) return;
  try {
    const checked = await fetch(sw.url, { integrity: sw.integrity, cache: "no-store" });
    if (!checked.ok) return;
    await navigator.serviceWorker.register(sw.url, { scope: "./", updateViaCache: "none" });
    keeper = (await navigator.serviceWorker.ready).active;
    const settings = workerConfig(config);
    keep([location.href, ...performance.getEntriesByType("resource").map((e) => e.name),
          ...settings.boot.map((f) => f.url), ...[...usedData].map((n) => settings.data[n]?.url)]);
  } catch {
    // Without it, a repeat visit still has the browser's HTTP cache.
  }
}

function keep(urls) {
  keeper?.postMessage({ type: "keep", urls: urls.filter(Boolean) });
}

function dataUsed(file) {
  usedData.add(file);
  if (keeper) keep([workerConfig(config).data[file]?.url]);
}

// A worker other than "main" starts when one of its figures comes within a screen of view,
// so a reader who never scrolls that far never downloads or runs it.
const near = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    const channel = entry.target.llmexplainDemo?.channel;
    if (entry.isIntersecting && channel && !channel.worker && !channel.failed) channel.boot();
  }
}, { rootMargin: "100% 0px" });

const hooks = {
  stage: (channel, text) => { if (channel.name === "main") setState("loading", `${text}…`); },
  progress: showProgress,
  prefetch: nearData,
  loading: (file, bytes) => bytes === null && dataUsed(file), // arrived (a figure says itself it loads)
  fail,
  ready(channel) {
    if (channel.name === "main") performance.mark("llmexplain:runtime-ready");
    for (const demo of channel.figures.values()) demo.start();
    if (!channel.figures.size) live();
    // The other workers wait for the main one, so they do not slow the first figures.
    if (channel.name === "main") {
      for (const other of channels.values()) {
        if (other !== channel) for (const demo of other.figures.values()) near.observe(demo.el);
      }
    }
  },
};

async function boot() {
  try {
    config = config || JSON.parse(document.getElementById("llmexplain-config").textContent);
  } catch (err) {
    fail({ name: "main", figures: demos }, `the page's runtime settings are unreadable (${err.message}).`);
    return;
  }
  if (typeof WebAssembly !== "object" || typeof Worker !== "function") {
    fail({ name: "main", figures: demos }, "this browser lacks WebAssembly or Web Workers.");
    return;
  }
  if (root.dataset.state !== "loading" || statusText.textContent.startsWith("The figures are")) {
    setState("loading", "Getting the calculator ready…");
  }
  const settings = workerConfig(config);
  channels.clear();
  const early = earlyChannel(); // boot.js started it while the page was still arriving
  if (early) channels.set("main", early);
  for (const demo of demos.values()) {
    if (!channels.has(demo.worker)) channels.set(demo.worker, new Channel(demo.worker, settings, hooks));
    demo.channel = channels.get(demo.worker);
    demo.channel.figures.set(demo.id, demo);
  }
  if (!channels.has("main")) channels.set("main", new Channel("main", settings, hooks));
  const main = channels.get("main");
  if (early) {
    adopt(early, hooks);
    early.prefetch(nearData(early));
  } else {
    main.boot();
  }
}

const topics = (demo, kind) => (demo.el.dataset[kind] || "").split(" ").filter(Boolean);

// A figure's published value goes to every figure that listens to its topic, in any worker,
// and to one that starts later. Only from the figure that owns the topic (the build wrote its
// topics into its markup, out of the reach of the Python it runs) and only while it runs the
// package's code: what the reader's code measures is not what the topic reports.
function publish(topic, text, from) {
  if (!topics(from, "publishes").includes(topic) || from.ownWorker) return;
  latest.set(topic, text);
  for (const demo of demos.values()) {
    if (topics(demo, "listens").includes(topic)) demo.send(topic, text, null, false);
  }
}

function hearLatest(demo) {
  for (const topic of topics(demo, "listens")) {
    if (latest.has(topic)) demo.send(topic, latest.get(topic), null, false);
  }
}

// A figure running the reader's code moves into a worker of its own ("code-<figure id>"), so
// the code changes no other figure and its worker can be ended; back to its usual one when
// the package's functions are back. It is re-created from its last state in the other.
function own(demo, on, why = null) {
  const from = demo.channel;
  demo.ownWorker = on;
  if (!from || from.name === demo.worker) return;
  from.figures.delete(demo.id);
  from.post({ type: "destroy", id: demo.id, seq: ++demo.seq });
  if (from.name.startsWith("code-") && !from.figures.size) {
    from.stop();
    channels.delete(from.name);
  }
  if (!channels.has(demo.worker)) {
    const settings = { ...workerConfig(config), ...(on && { memoryLimit: READER_MEMORY }) };
    channels.set(demo.worker, new Channel(demo.worker, settings, hooks));
  }
  const to = channels.get(demo.worker);
  to.figures.set(demo.id, demo);
  demo.channel = to;
  demo.suspend(why);
  if (to.ready) demo.start();
  else to.boot();
}

const figureHooks = { started, changed: writeAddress, publish };
for (const el of document.querySelectorAll("[data-demo]")) {
  const demo = new Demo(el, figureHooks);
  demos.set(el.id, demo);
  if (el.querySelector("[data-math]")) new LiveMath(demo, { own });
}
allow(JSON.parse(document.getElementById("llmexplain-config").textContent).allow);
readAddress();
// A link opened to one figure: bring it into view once the page has laid out.
const first = [...demos.values()].find((d) => d.restored !== null);
if (first) requestAnimationFrame(() => first.el.scrollIntoView({ block: "start" }));
addEventListener("hashchange", () => {
  const before = new Map([...demos.values()].map((d) => [d, d.restored]));
  for (const demo of demos.values()) demo.restored = null;
  readAddress();
  for (const [demo, was] of before) {
    if (demo.restored !== null && demo.restored !== was && demo.live) demo.start();
  }
  if (root.dataset.state !== "loading") setState(root.dataset.state); // the address's note
});
retry.addEventListener("click", () => {
  for (const channel of channels.values()) channel.stop();
  for (const demo of demos.values()) if (demo.live) demo.suspend(null); // back as the reader left it
  boot();
});
// For tools and tests: the page's channels (restart one as a crash would).
window.llmexplainRuntime = { channels, demos };
boot();
