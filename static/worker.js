// One of the page's Python interpreters. It runs here, off the main thread, so that
// loading Python or a long computation never freezes the page. It knows nothing
// about demos: it forwards messages to llmexplain.page and returns its plain JSON.
//
// Every file it fetches is checked by the browser against the hash the build wrote
// into the page (Subresource Integrity), and a failure names the file and says why.
// It knows every file it needs when it starts, so it asks for all of them at once, in the
// order they are needed, and Pyodide later gets each from there.

// A reader's code ("Show the math") runs in this worker's Python, where `import js` reaches
// every global. Nothing here needs the origin's storage, so whatever reaches it goes before
// any other line runs (Pyodide included): Cache Storage (the service worker's offline copy),
// IndexedDB, the storage manager and its buckets (with the file system they open), the old
// sandboxed file system, locks, a channel to the origin's other pages, and a nested worker,
// which would start with all of them. Each name goes from every object on its prototype
// chain, so its getter cannot be called again on the global
// (`Object.getOwnPropertyDescriptor(WorkerGlobalScope.prototype, "caches").get.call(self)`).
// One that stays stops this script: no Python starts with it.
for (const [holder, names] of [
  [globalThis, ["caches", "indexedDB", "Worker", "SharedWorker", "BroadcastChannel",
                "webkitRequestFileSystem", "webkitRequestFileSystemSync",
                "webkitResolveLocalFileSystemURL", "webkitResolveLocalFileSystemSyncURL"]],
  [navigator, ["storage", "storageBuckets", "locks", "serviceWorker"]],
]) {
  for (const name of names) {
    for (let o = holder; o; o = Object.getPrototypeOf(o)) delete o[name];
    if (name in holder) throw new Error(`worker.js: ${name} could not be removed`);
  }
}

postMessage({ type: "alive" }); // first: the page knows this script parsed and runs

let api = null; // llmexplain.page's entry functions, proxies kept for the worker's lifetime
let pyodide = null;
let interrupt = null; // Python's interrupt buffer, shared with the page (see boot)
let settings = {}; // the page's config
const fetched = new Map(); // data file name -> promise of the file written into DATA_DIR
const DATA_DIR = "/llmexplain-data"; // llmexplain.data finds it through LLMEXPLAIN_DATA
const early = new Map(); // absolute URL -> its response, asked for when the worker started
let pythonStarted; // resolves once Pyodide runs: data fetched before then waits for it
const python = new Promise((resolve) => { pythonStarted = resolve; });

const stage = (text) => postMessage({ type: "stage", text });

// A file that could not be had, in words a reader can act on.
class FileError extends Error {
  constructor(name, why) {
    super(`${name} ${why}`);
    this.file = name;
  }
}

// Every file the page knows: absolute URL -> {name (as a reader would know it), integrity}.
const known = new Map();
const nameOf = (url) => known.get(url)?.name ?? decodeURIComponent(new URL(url).pathname.split("/").pop());
const realFetch = globalThis.fetch.bind(globalThis);

// Why a fetch failed: the browser says only "Failed to fetch", for a missing file, a
// dropped connection and a failed integrity check alike. A HEAD request tells them apart.
async function whyFailed(url, err) {
  const name = nameOf(url);
  if (err?.name === "AbortError") {
    return new FileError(name, `did not arrive within ${settings.dataTimeoutSeconds} seconds.`);
  }
  try {
    const head = await realFetch(url, { method: "HEAD", cache: "no-store" });
    if (!head.ok) return new FileError(name, `is missing from the site (HTTP ${head.status}).`);
    return new FileError(name, "failed its integrity check: the copy on the server is not the " +
                               "one this page was built with.");
  } catch {
    return new FileError(name, "could not be downloaded: the connection failed.");
  }
}

// Pyodide fetches its wasm, its standard library, its lock and the wheels with plain
// fetch(); this adds the hash the page expects and names the file when it fails.
let firstFailure = null; // while booting: the root cause, when a later step fails because of it
let booting = true;
globalThis.fetch = (resource, init = {}) => {
  const url = new URL(resource instanceof Request ? resource.url : resource, location.href).href;
  const asked = early.get(url);
  if (asked && (init.method || "GET") === "GET") {
    early.delete(url); // a body is read once: a second request fetches again
    return asked;
  }
  return checkedFetch(resource, init, url);
};

async function checkedFetch(resource, init, url) {
  const integrity = init.integrity || known.get(url)?.integrity;
  let response, failure;
  try {
    response = await realFetch(resource, integrity ? { ...init, integrity } : init);
    if (!response.ok) failure = new FileError(nameOf(url), `is missing from the site (HTTP ${response.status}).`);
  } catch (err) {
    failure = await whyFailed(url, err);
  }
  if (!failure) return response;
  if (booting) firstFailure ||= failure;
  throw failure;
}

// Downloads in the order they are needed, two at a time: each arrives as early as it can,
// and the next is already coming while Python works on the last.
const waiting = [];
let downloading = 0;
function queued(start) {
  return new Promise((resolve, reject) => {
    waiting.push(() => {
      downloading += 1;
      start().then(resolve, reject).finally(() => {
        downloading -= 1;
        nextDownload();
      });
    });
    nextDownload();
  });
}
function nextDownload() {
  while (downloading < 2 && waiting.length) waiting.shift()();
}

// The bytes on their way while starting, for the page's progress line: each file counts
// when it has arrived whole (the browser checks its integrity before handing any of it over).
const progress = { done: 0, total: 0 };
function counted(bytes, promise) {
  progress.total += bytes;
  return promise.then((result) => {
    progress.done += bytes;
    if (booting) postMessage({ type: "progress", ...progress });
    return result;
  });
}

// Last on Python's import path: it only hears of a module no one else found, and notes it.
const MISSED = `
import sys
class _Missed:
    names = set()
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        cls.names.add(name)
sys.meta_path.append(_Missed)
`;

// A script from checked bytes: import() cannot carry an integrity value, a blob: URL can.
async function importChecked(url) {
  const bytes = await (await fetch(url)).blob();
  const blobUrl = URL.createObjectURL(new Blob([bytes], { type: "text/javascript" }));
  try {
    return await import(blobUrl);
  } finally {
    URL.revokeObjectURL(blobUrl);
  }
}

// A worker that runs a reader's code has its memory capped (config.memoryLimit, bytes): a list
// that grows forever or an array of billions of numbers gets MemoryError in Python at once,
// instead of taking the browser's memory (a worker's memory never shrinks). Pyodide grows its
// memory only through Memory.prototype.grow, and takes a refusal as malloc's failure. A call
// that grew it by a sixteenth of the limit (no figure's own work comes near), or was refused,
// is heavy: the page is told at once (it may have to stop this worker before the call
// answers: memory grows at a few hundred MB a second) and in the answer, so it can name
// memory as the cause.
const calling = { grown: 0, heavy: false }; // the call running now
function capMemory(limit) {
  const grow = WebAssembly.Memory.prototype.grow;
  WebAssembly.Memory.prototype.grow = function (pages) {
    const bytes = this.buffer.byteLength + pages * 65536;
    calling.grown += pages * 65536;
    if (!calling.heavy && (bytes > limit || calling.grown > limit / 16)) {
      calling.heavy = true;
      postMessage({ type: "memory", bytes });
    }
    if (bytes > limit) throw new RangeError(`${bytes} bytes of memory is more than this worker may have`);
    return grow.call(this, pages);
  };
}

async function boot(config, name, prefetch) {
  settings = config;
  if (config.memoryLimit) capMemory(config.memoryLimit);
  const loadErrors = [];
  for (const file of config.boot) known.set(file.url, file);
  for (const [file, entry] of Object.entries(config.data)) known.set(entry.url, { name: file, ...entry });
  // Everything at once: the runtime and the wheels in the order Pyodide asks for them, then
  // the data files of the figures already in view.
  for (const file of config.boot) {
    const asked = counted(file.sent, queued(() => checkedFetch(file.url, {}, file.url)));
    asked.catch(() => {}); // a failure is reported where the file is used
    early.set(file.url, asked);
  }
  for (const file of prefetch) fetchData(file).catch(() => {}); // create() reports a failure
  // For tooling/drive.py: the modules this worker holds, and those it could not find (the
  // stdlib shipped is trimmed to what the pages import: tooling/stdlib.py).
  globalThis.llmexplainImported = () => JSON.stringify({ name, ...JSON.parse(pyodide.runPython(
    "import json, sys; json.dumps({'modules': sorted(sys.modules), 'missed': sorted(_Missed.names)})")) });
  // loadPyodide never settles when WebAssembly fails to start (a missing or
  // blocked .wasm): Emscripten only logs it. Turn that log line into a failure.
  let abort;
  const aborted = new Promise((_, reject) => { abort = reject; });
  const logged = { warn: console.warn, error: console.error };
  for (const level of Object.keys(logged)) {
    console[level] = (...args) => {
      logged[level](...args);
      const text = args.join(" ");
      if (/instantiation failed|Aborted\(/.test(text)) abort(new Error(`WebAssembly could not start (${text})`));
    };
  }
  stage("Getting the calculator ready");
  // Pyodide's two scripts, checked: loadPyodide skips its own import of pyodide.asm.js
  // when _createPyodideModule is already defined.
  const { loadPyodide } = await importChecked(new URL("pyodide.mjs", config.indexURL).href);
  await importChecked(new URL("pyodide.asm.js", config.indexURL).href);
  pyodide = await Promise.race([aborted, loadPyodide({
    indexURL: config.indexURL,
    lockFileURL: config.lockFileURL,
    checkAPIVersion: true,
    env: { LLMEXPLAIN_DATA: DATA_DIR },
    stdout: () => {},
    stderr: (text) => console.warn(text),
  })]).finally(() => Object.assign(console, logged));
  pyodide.runPython(MISSED);
  stage("Starting the calculator");
  // loadPackage resolves even when a wheel is missing or fails its checksum;
  // the failure only reaches errorCallback, so collect it and fail loudly.
  await pyodide.loadPackage(config.packages, {
    messageCallback: () => {},
    errorCallback: (text) => loadErrors.push(text),
  });
  if (loadErrors.length) throw firstFailure || new Error(loadErrors.join(" "));
  stage("Starting the figures");
  const page = pyodide.pyimport("llmexplain.page");
  // borrowed from `page`, which we keep; `$destroy` is page.destroy, where `destroy` would be
  // the proxy's own method (it would free `page`)
  api = { create: page.create, event: page.event, pointer: page.pointer, needs: page.needs,
          state: page.state, destroy: page.$destroy, redefine: page.redefine };
  // Where the page is cross-origin isolated, shared memory lets it stop Python while Python
  // runs (a reader's `while True: pass`): writing 2 there raises KeyboardInterrupt.
  if (globalThis.crossOriginIsolated) {
    interrupt = new Int32Array(new SharedArrayBuffer(4));
    pyodide.setInterruptBuffer(interrupt);
  }
  pyodide.FS.mkdirTree(DATA_DIR);
  pythonStarted();
  booting = false;
  for (const url of early.keys()) console.warn(`worker: ${nameOf(url)} was downloaded and not used`);
  postMessage({ type: "ready", interrupt });
}

// A Python error's message is its whole traceback; readers get its last line.
function lastLine(err) {
  const lines = String(err && err.message ? err.message : err).trim().split("\n");
  return lines[lines.length - 1];
}

// What went wrong while starting, in plain words: the file at the root of it if one failed
// (a missing stdlib shows up later as "exit(1)", a missing wasm as a WebAssembly error).
function bootFailure(err) {
  const cause = firstFailure || (err instanceof FileError ? err : null);
  if (cause) return `${cause.message} Reload the page to try again; if it keeps happening, ` +
    "the site's files are incomplete or damaged.";
  return `${lastLine(err).replace(/[.]?$/, ".")} Reload the page to try again.`;
}

// A reply {"fetch": [files]} asks for data files first (a figure reads some only when the
// reader asks for them): they are fetched, and the call repeated once.
async function call(fn, msg, args, again = true) {
  const started = performance.now();
  if (interrupt) interrupt[0] = 0; // a stop that came after the last call ended is not for this one
  Object.assign(calling, { grown: 0, heavy: false });
  let reply;
  try {
    reply = JSON.parse(fn(...args));
  } catch (err) {
    console.error(`demo ${msg.id}: ${err && err.message ? err.message : err}`);
    postMessage({ type: "failed", id: msg.id, seq: msg.seq, message: lastLine(err), memory: calling.heavy });
    return;
  }
  if (reply.fetch && again) {
    if (await ensureData(msg, reply.fetch)) call(fn, msg, args, false);
    return; // answered by the call repeated, or by ensureData's failure
  }
  if (reply.fetch) {
    postMessage({ type: "failed", id: msg.id, seq: msg.seq, message: `${reply.fetch} was fetched but not found` });
    return;
  }
  if (reply.refused) {
    postMessage({ type: "refused", id: msg.id, seq: msg.seq, message: reply.refused });
    return;
  }
  postMessage({ type: "render", id: msg.id, seq: msg.seq, reply, ms: performance.now() - started,
                memory: calling.heavy });
}

// The data files a figure needs before it can go on; false (and the figure told, with a
// Retry) if one could not be had.
async function ensureData(msg, files) {
  try {
    await Promise.all(files.map(fetchData));
    return true;
  } catch (err) {
    console.error(`demo ${msg.id}: ${err.message}`);
    postMessage({ type: "failed", id: msg.id, seq: msg.seq, retry: true,
                  message: `${err.message} Press Retry to try again.` });
    return false;
  }
}

// Fetches a data file once (the browser checks its hash) and writes it where Python reads
// it. A file that does not arrive within the page's timeout fails, and may be tried again.
function fetchData(name) {
  if (!fetched.has(name)) {
    const entry = settings.data[name];
    if (!entry) return Promise.reject(new Error(`the site has no data file ${name}`));
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), settings.dataTimeoutSeconds * 1000);
    postMessage({ type: "loading", file: name, bytes: entry.bytes });
    const asked = queued(() => fetch(entry.url, { signal: timeout.signal }).then((r) => r.arrayBuffer()));
    fetched.set(name, (booting ? counted(entry.sent, asked) : asked)
      .then(async (buf) => {
        await python;
        pyodide.FS.writeFile(`${DATA_DIR}/${name}`, new Uint8Array(buf));
      })
      .catch(async (err) => {
        fetched.delete(name); // a later try may succeed
        throw err instanceof FileError ? err : await whyFailed(entry.url, err);
      })
      .finally(() => {
        clearTimeout(timer);
        postMessage({ type: "loaded", file: name });
      }));
  }
  return fetched.get(name);
}

async function create(msg) {
  const name = String(msg.name);
  if (await ensureData(msg, JSON.parse(api.needs(name)))) {
    call(api.create, msg, [msg.id, name, String(msg.params), String(msg.base ?? "{}")]);
  }
}

// Each message type the page sends, and what answers it (see channel.js for the protocol).
const handlers = {
  boot: (msg) => boot(msg.config, String(msg.name), msg.prefetch || [])
    .catch((err) => postMessage({ type: "fatal", message: bootFailure(err) })),
  create,
  prefetch: (msg) => {
    for (const file of Array.isArray(msg.files) ? msg.files : []) {
      if (Object.hasOwn(settings.data ?? {}, file)) fetchData(file).catch(() => {}); // create() reports it
    }
  },
  event: (msg) => call(api.event, msg, [msg.id, msg.name, msg.value, Math.trunc(Number(msg.times)) || 1]),
  pointer: (msg) => call(api.pointer, msg, [msg.id, msg.name, Number(msg.at?.[0]), Number(msg.at?.[1])]),
  redefine: (msg) => call(api.redefine, msg, [msg.id, String(msg.edits)]),
  state: (msg) => answer(msg, "state", (reply) => ({ state: reply }), api.state),
  destroy: (msg) => answer(msg, "destroyed", () => ({}), api.destroy),
};

// A plain answer (not a render) to a message that names a figure: `fn`'s reply made into it.
function answer(msg, type, make, fn) {
  try {
    const reply = JSON.parse(fn(msg.id));
    postMessage(reply.refused ? { type: "refused", id: msg.id, seq: msg.seq, message: reply.refused } :
      { type, id: msg.id, seq: msg.seq, ...make(reply) });
  } catch (err) {
    postMessage({ type: "failed", id: msg.id, seq: msg.seq, message: lastLine(err) });
  }
}

onunhandledrejection = (e) => postMessage({ type: "fatal", message: bootFailure(e.reason) });

onmessage = (e) => {
  const msg = e.data;
  const handler = msg && typeof msg === "object" && Object.hasOwn(handlers, msg.type) ? handlers[msg.type] : null;
  if (msg?.type === "prefetch" && settings.data) return handler(msg); // no answer, any time after boot
  if (!handler || (msg.type !== "boot" && (!api || typeof msg.id !== "string"))) {
    const why = !handler ? `unknown message type ${JSON.stringify(msg?.type ?? null).slice(0, 40)}` :
      !api ? "Python is not ready yet" : "the message names no figure";
    postMessage({ type: "refused", id: msg?.id ?? null, seq: msg?.seq ?? null, message: why });
    return;
  }
  handler(msg);
};
