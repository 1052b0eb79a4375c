// The page side of every demo, and nothing demo-specific: it starts the Python
// worker, forwards input events from [data-demo] figures, and puts what Python
// returns into the page. Reader text only ever enters the page as textContent.

const root = document.documentElement;
root.dataset.state = "loading"; // first: static/watchdog.js reads this as "the script runs"
let config = null; // URLs of the worker and the Python runtime, written by build.py
const status = document.getElementById("runtime-status");
const statusText = status.querySelector("[data-status-text]");
const retry = status.querySelector("[data-status-retry]");
// Attributes Python may set: presentation and state, never links, scripts or styles.
const SAFE_ATTR = /^(aria-[a-z]+|disabled|hidden|class|data-[a-z-]+|title|min|max|step|role|tabindex)$/;
// Elements Python may build in an items slot (build.py checks the same list).
const ITEM_TAGS = new Set(["span", "button", "li", "code", "mark", "strong", "em", "kbd"]);

let worker = null;
let ready = false; // the worker is up
let starting = 0; // demos whose first render has not come back yet
const downloading = new Map(); // data file name -> bytes, while the worker fetches it
const ALIVE_SECONDS = 10; // the worker script is already here: it runs at once, or it is broken
const demos = new Map(); // id -> Demo
let drag = null; // {demo, name, box} while a pointer pressed on a [data-drag] plot is down

// Where a pointer event fell, as fractions of a box from its top left, kept within it.
function where(box, e) {
  const clamp = (v) => Math.min(1, Math.max(0, v));
  return [clamp((e.clientX - box.left) / box.width), clamp((e.clientY - box.top) / box.height)];
}

function setState(state, text) {
  root.dataset.state = state;
  statusText.textContent = text;
  status.dataset.state = state;
  retry.hidden = state !== "error";
}

function fail(message) {
  if (root.dataset.state === "error") return;
  if (worker) worker.terminate();
  worker = null;
  ready = false;
  for (const demo of demos.values()) demo.enable(false);
  setState("error", `The live demos could not start: ${message.replace(/[.]?$/, ".")} The figures show their ` +
    "starting state; the text reads fine without them.");
}

class Demo {
  constructor(el) {
    this.el = el;
    this.id = el.id;
    this.queue = []; // events waiting for the worker: {name, value, t0}
    this.busy = false;
    this.live = false; // its first render is in
    this.running = false;
    this.seq = 0;
    this.svgCache = new Map();
    this.errorBox = el.querySelector("[data-demo-error]");
    // Shown when a data file this figure needs did not arrive: tries that figure again.
    this.retry = el.querySelector("[data-demo-retry]");
    this.retry?.addEventListener("click", () => {
      this.retry.hidden = true;
      this.showError("");
      starting++;
      this.start();
    });
    // "input" fires for sliders, text, selects and checkboxes alike, on every change.
    el.addEventListener("input", (e) => this.onInput(e));
    // A long list of items (token chips) is one tab stop; arrow keys move along it and
    // focusing an item does what clicking it does (the "roving tabindex" pattern).
    el.addEventListener("keydown", (e) => this.onRovingKey(e));
    el.addEventListener("focusin", (e) => {
      const item = e.target;
      if (item.parentElement?.matches("[data-roving]") && item.dataset.action &&
          item.getAttribute("tabindex") !== "0" && item.matches(":focus-visible")) {
        this.send(item.dataset.action, item.dataset.value ?? null, e.timeStamp, true);
      }
    });
    el.addEventListener("click", (e) => {
      const button = e.target.closest("[data-action]");
      if (button) {
        if (!button.disabled) this.send(button.dataset.action, button.dataset.value ?? null, e.timeStamp, true);
        return;
      }
      // A click on a plot: where, as fractions of its box, so Python needs no pixel sizes.
      const area = e.target.closest("[data-pointer]");
      if (area && this.live) this.send(area.dataset.pointer, where(area.getBoundingClientRect(), e), e.timeStamp, true);
    });
    // A drag on a [data-drag="<name>"] plot: "<name>-start" where it began, then "<name>" as
    // it moves; moves coalesce like slider input, so only the latest waits for Python.
    // The box is kept from the start: each reply redraws the plot, element and all.
    el.addEventListener("pointerdown", (e) => {
      const area = e.target.closest("[data-drag]");
      if (!area || !this.live || e.button !== 0) return;
      e.preventDefault();
      drag = { demo: this, name: area.dataset.drag, box: area.getBoundingClientRect() };
      this.send(`${drag.name}-start`, where(drag.box, e), e.timeStamp, true);
    });
  }

  onInput(e) {
    const input = e.target.closest("[data-input]");
    if (!input) return;
    const value = input.type === "checkbox" ? input.checked : input.value;
    this.send(input.dataset.input, value, e.timeStamp, false);
  }

  onRovingKey(e) {
    const list = e.target.parentElement;
    if (!list?.matches("[data-roving]")) return;
    const items = [...list.children];
    const at = items.indexOf(e.target);
    const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
                 Home: 0, End: items.length - 1 }[e.key];
    if (to !== undefined) {
      e.preventDefault();
      items[Math.max(0, Math.min(items.length - 1, to))].focus();
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      e.target.click();
    }
  }

  enable(on) {
    for (const box of this.el.querySelectorAll("fieldset[data-controls]")) box.disabled = !on;
  }

  // Inputs coalesce (only the latest value of a control matters); actions never do.
  send(name, value, t0, isAction) {
    if (!isAction) this.queue = this.queue.filter((q) => q.name !== name || q.isAction);
    this.queue.push({ name, value, t0, isAction });
    this.flush();
  }

  flush() {
    if (!ready || !this.live || this.busy || !this.queue.length) return;
    const next = this.queue.shift();
    this.busy = true;
    this.inflight = next;
    if (Array.isArray(next.value)) {
      worker.postMessage({ type: "pointer", id: this.id, seq: ++this.seq, name: next.name, at: next.value });
    } else {
      worker.postMessage({ type: "event", id: this.id, seq: ++this.seq, name: next.name,
                           value: next.value === null ? null : String(next.value) });
    }
  }

  start() {
    this.busy = true;
    this.inflight = { name: "create", t0: null };
    worker.postMessage({ type: "create", id: this.id, seq: ++this.seq,
                         name: this.el.dataset.demo, params: this.el.dataset.params });
  }

  done(msg) {
    this.busy = false;
    if (msg.type === "failed") {
      this.showError(msg.retry ? msg.message : `Something went wrong in this demo: ${msg.message}`);
      if (this.retry) this.retry.hidden = !msg.retry;
      this.running = false;
    } else if (msg.reply.error) {
      this.showError(msg.reply.error);
    } else {
      this.showError("");
      this.apply(msg.reply);
    }
    const t0 = this.inflight.t0;
    if (t0 !== null && t0 !== undefined) {
      performance.measure(`llmexplain:input:${this.el.dataset.demo}`, { start: t0, end: performance.now() });
    }
    if (this.running && !this.queue.length) {
      requestAnimationFrame(() => { if (this.running && !this.queue.length) this.send("tick", null, null, true); });
    }
    this.flush();
  }

  showError(text) {
    if (!this.errorBox) return;
    this.errorBox.textContent = text;
    this.errorBox.hidden = !text;
  }

  slots(name) {
    return this.el.querySelectorAll(`[data-slot="${CSS.escape(name)}"]`);
  }

  apply(reply) {
    for (const [name, text] of Object.entries(reply.text || {})) {
      for (const el of this.slots(name)) if (el.textContent !== text) el.textContent = text;
    }
    for (const [name, markup] of Object.entries(reply.svg || {})) {
      if (this.svgCache.get(name) === markup) continue;
      this.svgCache.set(name, markup);
      const doc = new DOMParser().parseFromString(markup, "image/svg+xml");
      if (doc.querySelector("parsererror")) throw new Error(`bad SVG in slot ${name}`);
      for (const el of this.slots(name)) el.replaceChildren(document.importNode(doc.documentElement, true));
    }
    for (const [name, url] of Object.entries(reply.images || {})) {
      if (!url.startsWith("data:image/png;base64,")) throw new Error(`slot ${name}: not a PNG`);
      for (const el of this.slots(name)) if (el.getAttribute("src") !== url) el.setAttribute("src", url);
    }
    for (const [name, attrs] of Object.entries(reply.attrs || {})) {
      for (const el of this.slots(name)) {
        for (const [attr, value] of Object.entries(attrs)) {
          if (!SAFE_ATTR.test(attr)) throw new Error(`attribute ${attr} is not allowed`);
          if (value === null || value === false) el.removeAttribute(attr);
          else el.setAttribute(attr, value === true ? "" : String(value));
        }
      }
    }
    for (const [name, list] of Object.entries(reply.items || {})) {
      for (const el of this.slots(name)) this.fill(el, list);
    }
    for (const [name, value] of Object.entries(reply.values || {})) {
      for (const input of this.el.querySelectorAll(`[data-input="${CSS.escape(name)}"]`)) {
        // Never move a control under the reader's hand.
        if (input === document.activeElement) continue;
        if (input.type === "checkbox") input.checked = Boolean(value);
        else if (input.value !== String(value)) input.value = String(value);
      }
    }
    this.running = Boolean(reply.running);
  }

  // Rebuilds a slot's children from plain data; keyboard focus stays at the same position.
  fill(el, list) {
    const focused = [...el.children].indexOf(document.activeElement);
    const made = list.map(({ tag, text, attrs }) => {
      if (!ITEM_TAGS.has(tag)) throw new Error(`element <${tag}> is not allowed`);
      const child = document.createElement(tag);
      child.textContent = text;
      for (const [attr, value] of Object.entries(attrs || {})) {
        if (!SAFE_ATTR.test(attr)) throw new Error(`attribute ${attr} is not allowed`);
        if (value !== null && value !== false) child.setAttribute(attr, value === true ? "" : String(value));
      }
      return child;
    });
    el.replaceChildren(...made);
    if (focused >= 0 && made.length) made[Math.min(focused, made.length - 1)].focus();
  }
}

// Our own script from checked bytes: a Worker cannot carry an integrity value, a blob: URL can.
async function checkedScriptURL(url, integrity, name) {
  let response;
  try {
    response = await fetch(url, { integrity });
  } catch {
    throw new Error(`${name} could not be downloaded, or it failed its integrity check`);
  }
  if (!response.ok) throw new Error(`${name} is missing from the site (HTTP ${response.status})`);
  return URL.createObjectURL(new Blob([await response.blob()], { type: "text/javascript" }));
}

async function boot() {
  try {
    config = config || JSON.parse(document.getElementById("llmexplain-config").textContent);
  } catch (err) {
    fail(`the page's runtime settings are unreadable (${err.message}).`);
    return;
  }
  if (typeof WebAssembly !== "object" || typeof Worker !== "function") {
    fail("this browser lacks WebAssembly or Web Workers.");
    return;
  }
  setState("loading", "Starting Python in your browser…");
  const abs = (url) => new URL(url, document.baseURI).href;
  let script;
  try {
    script = await checkedScriptURL(abs(config.worker), config.workerIntegrity, "worker.js");
  } catch (err) {
    fail(`${err.message}. Reload the page to try again`);
    return;
  }
  worker = new Worker(script, { type: "module" });
  const timer = setTimeout(() => fail(`Python did not start within ${config.bootTimeoutSeconds} seconds. ` +
                                      "Reload the page to try again"), config.bootTimeoutSeconds * 1000);
  const alive = setTimeout(() => fail("the page's worker.js did not run (it may be damaged). Reload the " +
                                      "page; if it keeps happening, the site's files are damaged"),
                           ALIVE_SECONDS * 1000);
  worker.onerror = (e) => {
    clearTimeout(timer);
    clearTimeout(alive);
    fail(`the page's worker.js stopped with an error (${e.message || "it could not be run"}). Reload the page`);
  };
  worker.onmessage = (e) => {
    const msg = e.data;
    if (msg.type === "alive") {
      clearTimeout(alive);
      URL.revokeObjectURL(script);
    } else if (msg.type === "stage") {
      setState("loading", `${msg.text}…`);
    } else if (msg.type === "fatal") {
      clearTimeout(timer);
      fail(msg.message);
    } else if (msg.type === "ready") {
      clearTimeout(timer);
      performance.mark("llmexplain:runtime-ready");
      ready = true; // each demo takes input as soon as its own first render is in
      starting = demos.size;
      for (const demo of demos.values()) demo.start();
      if (!starting) live();
    } else if (msg.type === "loading" || msg.type === "loaded") {
      if (msg.type === "loading") downloading.set(msg.file, msg.bytes);
      else downloading.delete(msg.file);
      if (root.dataset.state === "loading") showDownloads();
    } else {
      const demo = demos.get(msg.id);
      const first = demo.inflight.name === "create";
      if (first) demo.live = msg.type === "render";
      demo.done(msg);
      if (first) {
        demo.enable(demo.live);
        if (--starting === 0) live();
      }
    }
  };
  const data = Object.fromEntries(Object.entries(config.data || {}).map(
    ([name, entry]) => [name, { ...entry, url: abs(entry.url) }]));
  worker.postMessage({ type: "boot", config: { ...config, data, indexURL: abs(config.indexURL),
                                                lockFileURL: abs(config.lockFileURL) } });
}

// Names every data file still on its way, so the line never blames the wrong one.
function showDownloads() {
  if (!downloading.size) return setState("loading", "Starting the demos…");
  const mb = [...downloading.values()].reduce((a, b) => a + b, 0) / 1e6;
  setState("loading", `Downloading ${[...downloading.keys()].join(", ")} (${mb.toFixed(1)} MB)…`);
}

function live() {
  performance.mark("llmexplain:demos-live");
  const dead = [...demos.values()].filter((d) => !d.live).length;
  setState("ready", dead ? `Python is running in your browser, but ${dead} figure${dead > 1 ? "s" : ""} ` +
    "could not start; the message is beside it." : "Python is running in your browser: every figure is live.");
  for (const demo of demos.values()) demo.flush();
}

for (const el of document.querySelectorAll("[data-demo]")) demos.set(el.id, new Demo(el));
// On the document, so a drag that leaves its figure still moves the point, and still ends.
document.addEventListener("pointermove", (e) => {
  if (drag) drag.demo.send(drag.name, where(drag.box, e), e.timeStamp, false);
});
for (const type of ["pointerup", "pointercancel"]) document.addEventListener(type, () => { drag = null; });
retry.addEventListener("click", () => { root.dataset.state = "loading"; boot(); });
boot();
