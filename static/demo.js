// One figure on the page: it forwards the reader's input to its channel's worker and
// puts what Python returns into the figure. Nothing here knows any demo: a figure is
// [data-demo] markup with data-input, data-action, data-pointer, data-drag, data-slot.
// Reader text only ever enters the page as textContent.

let allowed = null; // {attribute, tags, svg: {attribute, tags, values}}: what Python may set or build (config.allow)

let drag = null; // {demo, name, box} while a pointer pressed on a [data-drag] plot is down

// The allow-list static/dom-allow.json, which the build also checks its pre-render with.
export function allow(list) {
  const whole = (pattern) => new RegExp(`^(?:${pattern})$`);
  allowed = { attribute: whole(list.attributes), tags: new Set(list.tags),
              svg: { attribute: whole(list.svg.attributes), tags: new Set(list.svg.tags),
                     values: new Map(Object.entries(list.svg.values).map(([a, p]) => [a, whole(p)])) } };
}

// A reply holding what no figure draws: it comes from the reader's code (which runs in the
// worker with all its rights), and the figure says so instead of showing any of it.
class Refused extends Error {}

const SVG = "http://www.w3.org/2000/svg";

// SVG markup as our Python writes it (demos/svg.py): elements, attributes in double quotes,
// text, and the five entities and character references. Nothing else reads: no comment,
// processing instruction, doctype, CDATA or prefix. (No DOMParser: the document it makes
// would already hold whatever the markup says, scripts and styles included.)
const TOKEN = /<\/([a-zA-Z]+)\s*>|<([a-zA-Z]+)((?:\s+[a-zA-Z][a-zA-Z0-9-]*="[^"<>]*")*)\s*(\/?)>|([^<]+)/y;
const ATTRIBUTE = /([a-zA-Z][a-zA-Z0-9-]*)="([^"]*)"/g;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));|&/g;
const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescaped(text) {
  return text.replace(ENTITY, (bare, name, dec, hex) => {
    if (bare === "&") throw new Refused("markup with a bare &");
    return name ? NAMED[name] : String.fromCodePoint(Math.min(Number.parseInt(dec ?? hex, dec ? 10 : 16), 0x10ffff));
  });
}

// An SVG drawing built element by element from its markup: only the allow-list's elements,
// their attributes (each value matching its pattern where the list has one) and text.
// Anything else refuses the whole drawing, so a figure never shows half of one.
function svgFrom(markup) {
  const { tags, attribute, values } = allowed.svg;
  const top = document.createDocumentFragment();
  const open = [top];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < markup.length) {
    const at = TOKEN.lastIndex;
    const token = TOKEN.exec(markup);
    if (!token) throw new Refused(`markup that is not plain SVG (at character ${at})`);
    const [, close, tag, attrs, empty, text] = token;
    const parent = open.at(-1);
    if (text !== undefined) {
      if (parent !== top) parent.append(unescaped(text));
      else if (text.trim()) throw new Refused("text outside the drawing");
    } else if (close) {
      if (parent.localName !== close) throw new Refused(`a stray </${close}>`);
      open.pop();
    } else {
      if (!tags.has(tag)) throw new Refused(`<${tag}>`);
      if (parent === top && (tag !== "svg" || top.firstChild)) throw new Refused(`<${tag}> outside the drawing`);
      const el = document.createElementNS(SVG, tag);
      for (const [, name, raw] of attrs.matchAll(ATTRIBUTE)) {
        const value = unescaped(raw);
        if (name === "xmlns" && value === SVG) continue;
        if (!attribute.test(name) || values.get(name)?.test(value) === false) {
          throw new Refused(`the attribute ${name} of <${tag}> (or its value)`);
        }
        el.setAttribute(name, value);
      }
      parent.append(el);
      if (!empty) open.push(el);
    }
  }
  if (open.length > 1 || !top.firstChild) throw new Refused("an unfinished drawing");
  return top.firstChild;
}

// Where a pointer event fell, as fractions of a box from its top left, kept within it.
function where(box, e) {
  const clamp = (v) => Math.min(1, Math.max(0, v));
  return [clamp((e.clientX - box.left) / box.width), clamp((e.clientY - box.top) / box.height)];
}

// On the document, so a drag that leaves its figure still moves the point, and still ends.
document.addEventListener("pointermove", (e) => {
  if (drag) drag.demo.send(drag.name, where(drag.box, e), e.timeStamp, false);
});
for (const type of ["pointerup", "pointercancel"]) document.addEventListener(type, () => { drag = null; });

// Figures that run pause while out of sight: no ticks are sent until they come back.
const sight = new IntersectionObserver((entries) => {
  for (const entry of entries) entry.target.llmexplainDemo?.seen(entry.isIntersecting);
});

export class Demo {
  // hooks: {started(demo), changed(demo), publish(topic, value, demo)}: its first render is
  // in; its link changed; it published a new value for the figures that listen to a topic
  constructor(el, hooks) {
    this.el = el;
    this.id = el.id;
    this.name = el.dataset.demo;
    this.hooks = hooks;
    this.base = el.dataset.params; // its starting state as the template gave it (JSON)
    this.restored = null; // state to start from instead (JSON text): a link, or its last state
    this.state = null; // its whole state, from its last reply
    this.link = {}; // the part of it that a link keeps
    this.queue = []; // events waiting for the worker: {name, value, t0, isAction}
    this.busy = false;
    this.live = false; // its first render is in
    this.running = false;
    this.visible = true;
    this.seq = 0;
    this.pageNotes = []; // notes from the page itself (a restart), shown with Python's
    this.notes = []; // Python's, from its last reply
    // Live math (livemath.js): the reader's versions of the functions the figure shows
    // ({name: code}), run in a worker of the figure's own while there are any; the same,
    // compressed for the address; and, until that is unpacked, the address's edits.
    this.edits = {}; // being tried, or to put in again
    this.good = {}; // the last that ran
    this.ownWorker = false;
    this.codeLink = "";
    this.editsArriving = null;
    this.math = null;
    this.svgCache = new Map(); // slot -> the markup it holds
    this.itemsCache = new Map(); // slot -> the items (JSON) it was last filled with
    this.errorBox = el.querySelector("[data-demo-error]");
    this.notesBox = el.querySelector("[data-demo-notes]");
    el.llmexplainDemo = this;
    sight.observe(el);
    el.dataset.state = "static"; // until its worker creates it: "loading", then "live" or "error"
    // What the build drew in its status line ("Ready: …") is what it will say once its worker
    // answers; until then (a figure lower down starts only as the reader nears it) it is not.
    for (const line of this.slots("status")) line.textContent = "Starting: its Python is loading…";
    // Shown when a data file this figure needs did not arrive: tries that figure again.
    this.retry = el.querySelector("[data-demo-retry]");
    this.retry?.addEventListener("click", () => {
      this.retry.hidden = true;
      this.showError("");
      if (this.state) this.restored = JSON.stringify(this.state); // as the reader left it
      if (this.channel.failed) this.channel.boot(); // its worker stopped: a new one starts it
      else this.start();
    });
    this.copy = el.querySelector("[data-demo-copy]");
    this.copy?.addEventListener("click", () => this.copyLink());
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

  get worker() {
    return this.ownWorker ? `code-${this.id}` : this.el.dataset.worker || "main";
  }

  // Run the reader's versions (`edits`: {name: code}). Queued as an action: it runs after
  // whatever the reader did before.
  redefine(edits) {
    this.edits = edits;
    this.queue.push({ name: "redefine", value: JSON.stringify(edits), t0: performance.now(),
                      isAction: true, type: "redefine" });
    this.flush();
  }

  forgetEdits() {
    this.edits = this.good = {};
    this.codeLink = "";
    this.hooks.changed(this);
  }

  // What a link to this figure keeps: its state, and the reader's code (packCode, below).
  linkState() {
    return this.codeLink ? { ...this.link, code: this.codeLink } : this.link;
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

  // Inputs coalesce (only the latest value of a control matters). A press of the action that
  // waits last, with the same value, joins it: one message carries how many (`times`), so a
  // storm of clicks costs a reply or two, and Python still counts every press.
  send(name, value, t0, isAction) {
    if (!isAction) this.queue = this.queue.filter((q) => q.name !== name || q.isAction);
    const last = this.queue.at(-1);
    if (isAction && last?.isAction && !last.type && last.name === name && last.value === value) {
      last.times += 1;
    } else {
      this.queue.push({ name, value, t0, isAction, times: 1 });
    }
    this.flush();
  }

  flush() {
    if (!this.channel?.ready || !this.live || this.busy || !this.queue.length) return;
    const next = this.queue.shift();
    this.busy = true;
    this.inflight = { ...next, sent: performance.now() };
    if (this.ownWorker) this.math?.watch(true); // the reader's code runs there: it may not return
    if (next.type === "redefine") {
      this.channel.post({ type: "redefine", id: this.id, seq: ++this.seq, edits: next.value });
    } else if (Array.isArray(next.value)) {
      this.channel.post({ type: "pointer", id: this.id, seq: ++this.seq, name: next.name, at: next.value });
    } else {
      this.channel.post({ type: "event", id: this.id, seq: ++this.seq, name: next.name,
                          value: next.value === null ? null : String(next.value), times: next.times });
    }
  }

  // Create the figure in its worker: from its last state after a restart, from a link, or
  // as the template drew it.
  start() {
    this.busy = true;
    this.inflight = { name: "create", t0: null };
    this.el.dataset.state = "loading";
    this.channel.post({ type: "create", id: this.id, seq: ++this.seq, name: this.name,
                        params: this.restored ?? this.base, base: this.base });
  }

  // The worker is gone (or the figure moves to another: no `why`): wait for the new one,
  // then come back from the last state.
  suspend(why) {
    this.el.dataset.state = "loading";
    this.live = false;
    this.busy = false;
    this.running = false;
    this.queue = [];
    this.enable(false);
    if (this.state) this.restored = JSON.stringify(this.state);
    this.pageNotes = !why ? [] : this.lost ? [`${why}: this figure is back from its settings.`, this.lost] :
      [`${why}: this figure is back as you left it.`];
  }

  receive(msg) {
    if (msg.seq !== this.seq) return; // an answer to a message from before a restart
    const first = this.inflight.name === "create";
    this.busy = false;
    this.math?.watch(false);
    // In a worker of its own the reader's code ran: a failure there is theirs, and that
    // worker is not trusted again (livemath.js brings the figure back in its usual one).
    if (this.ownWorker && (msg.type === "refused" || (msg.type === "failed" && !msg.retry))) {
      return this.math.broke(msg.message, msg.memory);
    }
    if (msg.type === "failed") {
      this.showError(msg.retry ? msg.message : `Something went wrong in this demo: ${msg.message}`);
      if (this.retry) this.retry.hidden = !msg.retry;
      this.running = false;
    } else if (msg.type === "refused") {
      this.showError(`Something went wrong in this demo: ${msg.message}`);
    } else if (msg.reply?.error) {
      this.showError(msg.reply.error);
    } else if (msg.reply?.edit && !msg.reply.state) {
      // an edit that was not put in: the figure stays as it was
    } else if (msg.reply?.unchanged) {
      this.running = Boolean(msg.reply.running);
    } else if (msg.type === "render") {
      this.showError("");
      try {
        this.apply(msg.reply);
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        this.showError(`This figure's drawing was not shown: ${err.message} is not allowed in the page.`);
      }
    }
    // For bench/: the reader's input to its answer painted on screen; a tick that changed the
    // figure, from its sending; and how long Python took over each.
    const t0 = this.inflight.t0;
    if (this.inflight.name === "tick" && msg.type === "render" && !msg.reply?.unchanged) {
      afterPaint(`llmexplain:tick:${this.name}`, this.inflight.sent);
    } else if (this.inflight.type === "redefine") {
      afterPaint(`llmexplain:redefine:${this.name}`, t0); // Run pressed -> the figure redrawn
    } else if (t0 !== null && t0 !== undefined) {
      afterPaint(`llmexplain:input:${this.name}`, t0);
    }
    if (msg.ms !== undefined && !msg.reply?.unchanged) {
      performance.mark(`llmexplain:python:${this.name}`,
                       { detail: { name: this.inflight.name, ms: msg.ms, ...msg.reply?.timing } });
    }
    if (msg.reply?.edit) {
      this.edited(msg.reply.edit, this.inflight.type === "redefine" ? JSON.parse(this.inflight.value) : {},
                  msg.memory);
    }
    if (first) {
      this.live = msg.type === "render";
      if (this.live && this.ownWorker) this.putEditsBack();
      this.el.dataset.state = this.live ? "live" : "error";
      this.enable(this.live);
      this.el.querySelector("[data-demo-linkbox]")?.toggleAttribute("hidden", !this.live);
      this.hooks.started(this);
    }
    this.tickLater();
    this.flush();
  }

  // An edit's answer (`tried`: the edits that message carried; `memory`: it asked for much
  // memory, worker.js): the address keeps the code that runs (or no code), and the editor
  // says. A failed one leaves the last version that worked (unless the figure reverted to the
  // package's functions).
  async edited(edit, tried, memory) {
    if (edit.ok) this.good = tried;
    else if (edit.reverted) this.good = {};
    this.edits = this.good;
    this.codeLink = Object.keys(this.good).length ? await packCode(this.good) : "";
    this.hooks.changed(this);
    this.math?.answered(edit, memory);
  }

  // Created in its own worker (a Run moved it there, or the worker restarted): the versions
  // the reader ran go in again. A link's code is not among them: it waits in the editor for
  // Run (livemath.js), whatever else restarts the figure.
  putEditsBack() {
    if (Object.keys(this.edits).length) this.redefine(this.edits);
  }

  tickLater() {
    if (this.running && this.visible && !this.queue.length && !this.ticking) {
      this.ticking = true;
      requestAnimationFrame(() => {
        this.ticking = false;
        if (this.running && this.visible && !this.queue.length) this.send("tick", null, null, true);
      });
    }
  }

  seen(visible) {
    this.visible = visible;
    if (visible && !this.busy) this.tickLater();
  }

  showError(text) {
    if (!this.errorBox) return;
    this.errorBox.textContent = text;
    this.errorBox.hidden = !text;
  }

  // A note of the page's own (a restart, a link's code), shown with Python's.
  addNote(text) {
    this.pageNotes.push(text);
    this.showNotes(this.notes);
  }

  showNotes(notes) {
    this.notes = notes;
    if (!this.notesBox) return;
    const text = [...this.pageNotes, ...notes].join(" ");
    if (this.notesBox.textContent !== text) this.notesBox.textContent = text;
    this.notesBox.hidden = !text;
  }

  // The page's address, with this figure's state only.
  async copyLink() {
    const url = new URL(location.href);
    url.hash = `${this.id}=${encodePart(this.linkState())}`;
    let said = "Link copied.";
    try {
      await navigator.clipboard.writeText(url.href);
    } catch {
      said = `Copy this link: ${url.href}`;
    }
    const box = this.el.querySelector("[data-demo-copied]");
    if (box) box.textContent = said;
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
      const drawing = svgFrom(String(markup));
      this.svgCache.set(name, markup);
      for (const el of this.slots(name)) el.replaceChildren(drawing.cloneNode(true));
    }
    for (const [name, url] of Object.entries(reply.images || {})) {
      if (!String(url).startsWith("data:image/png;base64,")) throw new Refused(`an image that is not a PNG (slot ${name})`);
      for (const el of this.slots(name)) if (el.getAttribute("src") !== url) el.setAttribute("src", url);
    }
    for (const [name, attrs] of Object.entries(reply.attrs || {})) {
      const bad = Object.keys(attrs).find((attr) => !allowed.attribute.test(attr));
      if (bad) throw new Refused(`the attribute ${bad.slice(0, 40)}`);
      for (const el of this.slots(name)) {
        for (const [attr, value] of Object.entries(attrs)) {
          if (value === null || value === false) el.removeAttribute(attr);
          else el.setAttribute(attr, value === true ? "" : String(value));
        }
      }
    }
    for (const [name, list] of Object.entries(reply.items || {})) {
      // A list as it came last time costs nothing: typing at the end of a long text leaves
      // its 2,000 chips as they were, and walking them takes longer than this comparison.
      const text = JSON.stringify(list);
      if (this.itemsCache.get(name) === text) continue;
      this.itemsCache.set(name, text);
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
    for (const [topic, value] of Object.entries(reply.publish || {})) {
      const text = JSON.stringify(value);
      if (this.published?.[topic] === text) continue;
      this.published = { ...this.published, [topic]: text };
      this.hooks.publish(topic, text, this);
    }
    this.state = reply.state;
    this.lost = reply.lost ?? null; // what coming back from that state would not bring back
    this.showNotes(reply.notes || []);
    if (JSON.stringify(reply.link) !== JSON.stringify(this.link)) {
      this.link = reply.link || {};
      this.hooks.changed(this);
    }
  }

  // Makes a slot's children match plain data, in place: an element whose tag, text and
  // attributes are unchanged is left alone, so a reply that changes three of 2,000 token
  // chips costs the page three chips of style and paint, not 2,000. Keyboard focus stays at
  // the same position.
  fill(el, list) {
    for (const { tag, attrs } of list) { // all of it allowed, or none of it shown
      if (!allowed.tags.has(tag)) throw new Refused(`<${String(tag).slice(0, 40)}>`);
      const bad = Object.keys(attrs || {}).find((attr) => !allowed.attribute.test(attr));
      if (bad) throw new Refused(`the attribute ${bad.slice(0, 40)}`);
    }
    const focused = [...el.children].indexOf(document.activeElement);
    list.forEach(({ tag, text, attrs }, i) => {
      let child = el.children[i];
      if (child?.localName !== tag) {
        const made = document.createElement(tag);
        if (child) child.replaceWith(made);
        else el.append(made);
        child = made;
      }
      if (child.textContent !== text) child.textContent = text;
      const want = attrs || {};
      for (const attr of [...child.attributes]) {
        const value = want[attr.name];
        if (value === undefined || value === null || value === false) child.removeAttribute(attr.name);
      }
      for (const [attr, value] of Object.entries(want)) {
        if (value === null || value === false) continue;
        const shown = value === true ? "" : String(value);
        if (child.getAttribute(attr) !== shown) child.setAttribute(attr, shown);
      }
    });
    while (el.children.length > list.length) el.lastElementChild.remove();
    if (focused >= 0 && list.length && !el.contains(document.activeElement)) {
      el.children[Math.min(focused, list.length - 1)].focus();
    }
  }
}

// A measure from `start` to the end of the next frame: the style, layout and paint the change
// costs count, not only the DOM mutation. A task queued from requestAnimationFrame runs once
// that frame is drawn.
const painted = new MessageChannel();
const afterFrame = [];
painted.port1.onmessage = () => afterFrame.shift()?.();
function afterPaint(name, start) {
  requestAnimationFrame(() => {
    afterFrame.push(() => performance.measure(name, { start, end: performance.now() }));
    painted.port2.postMessage(null);
  });
}

// A figure's part of the page's address: its link state as base64url JSON (compact, and
// safe in a fragment whatever the text holds).
export function encodePart(link) {
  return toBase64url(new TextEncoder().encode(JSON.stringify(link)));
}

// The state a part of the address holds, as JSON text for Python to check; anything that
// does not decode is passed on as it is, and Python says it could not be read. The reader's
// code, if the part holds some ("code", packCode), comes back beside it.
export function decodePart(part, base) {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(fromBase64url(part));
    const link = JSON.parse(text);
    if (link === null || typeof link !== "object" || Array.isArray(link)) return { text, code: "" };
    const { code = "", ...state } = link;
    if (typeof code !== "string") return { text: "unreadable", code: "" };
    return { text: JSON.stringify({ ...JSON.parse(base), ...state }), code };
  } catch {
    return { text: "unreadable", code: "" };
  }
}

// The reader's edits ({name: code}) as a link keeps them: JSON, deflate-raw compressed,
// base64url.
export async function packCode(edits) {
  const stream = new Blob([JSON.stringify(edits)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return toBase64url(new Uint8Array(await new Response(stream).arrayBuffer()));
}

const CODE_MAX = 100_000; // characters of code a link may bring: Python refuses more anyway

// The edits a link holds, or null if they do not decode to {name: text}.
export async function unpackCode(packed) {
  try {
    const stream = new Blob([fromBase64url(packed)]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    const text = await new Response(stream).text();
    if (text.length > CODE_MAX) return null;
    const edits = JSON.parse(text);
    const ok = edits && typeof edits === "object" && !Array.isArray(edits) &&
      Object.values(edits).every((v) => typeof v === "string");
    return ok ? edits : null;
  } catch {
    return null;
  }
}

// Bytes as base64url (safe in a fragment, no padding), and back; atob throws on bad text.
function toBase64url(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
}
