// The page's one Python interpreter. It runs here, off the main thread, so that
// loading Python or a long computation never freezes the page. It knows nothing
// about demos: it forwards messages to llmexplain.page and returns its plain JSON.
//
// Every file it fetches is checked by the browser against the hash the build wrote
// into the page (Subresource Integrity), and a failure names the file and says why.

postMessage({ type: "alive" }); // first: the page knows this script parsed and runs

let api = null; // llmexplain.page's entry functions, proxies kept for the worker's lifetime
let pyodide = null;
let settings = {}; // the page's config
const fetched = new Map(); // data file name -> promise of the file written into DATA_DIR
const DATA_DIR = "/llmexplain-data"; // llmexplain.data finds it through LLMEXPLAIN_DATA

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
globalThis.fetch = async (resource, init = {}) => {
  const url = new URL(resource instanceof Request ? resource.url : resource, location.href).href;
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
};

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

async function boot(config) {
  settings = config;
  const loadErrors = [];
  for (const [name, integrity] of Object.entries(config.runtimeIntegrity)) {
    known.set(new URL(name, config.indexURL).href, { name, integrity });
  }
  known.set(config.lockFileURL, { name: "pyodide-lock.json", integrity: config.lockIntegrity });
  for (const [name, entry] of Object.entries(config.data)) known.set(entry.url, { name, ...entry });
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
  stage("Downloading the Python runtime");
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
  stage("Loading numpy and the llmexplain package");
  // loadPackage resolves even when a wheel is missing or fails its checksum;
  // the failure only reaches errorCallback, so collect it and fail loudly.
  await pyodide.loadPackage(config.packages, {
    messageCallback: () => {},
    errorCallback: (text) => loadErrors.push(text),
  });
  if (loadErrors.length) throw firstFailure || new Error(loadErrors.join(" "));
  stage("Starting the demos");
  const page = pyodide.pyimport("llmexplain.page");
  // borrowed from `page`, which we keep
  api = { create: page.create, event: page.event, pointer: page.pointer, needs: page.needs,
          state: page.state, destroy: page.destroy };
  pyodide.FS.mkdirTree(DATA_DIR);
  booting = false;
  postMessage({ type: "ready" });
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

function call(fn, msg, args) {
  const started = performance.now();
  try {
    const reply = JSON.parse(fn(...args));
    postMessage({ type: "render", id: msg.id, seq: msg.seq, reply, ms: performance.now() - started });
  } catch (err) {
    console.error(`demo ${msg.id}: ${err && err.message ? err.message : err}`);
    postMessage({ type: "failed", id: msg.id, seq: msg.seq, message: lastLine(err) });
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
    fetched.set(name, fetch(entry.url, { signal: timeout.signal })
      .then((r) => r.arrayBuffer())
      .then((buf) => pyodide.FS.writeFile(`${DATA_DIR}/${name}`, new Uint8Array(buf)))
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
  try {
    await Promise.all(JSON.parse(api.needs(msg.name)).map(fetchData));
  } catch (err) {
    console.error(`demo ${msg.id}: ${err.message}`);
    postMessage({ type: "failed", id: msg.id, seq: msg.seq, retry: true,
                  message: `${err.message} Press Retry to try again.` });
    return;
  }
  call(api.create, msg, [msg.id, msg.name, String(msg.params), String(msg.base ?? "{}")]);
}

// Each message type the page sends, and what answers it (see channel.js for the protocol).
const handlers = {
  boot: (msg) => boot(msg.config).catch((err) => postMessage({ type: "fatal", message: bootFailure(err) })),
  create,
  event: (msg) => call(api.event, msg, [msg.id, msg.name, msg.value]),
  pointer: (msg) => call(api.pointer, msg, [msg.id, msg.name, Number(msg.at?.[0]), Number(msg.at?.[1])]),
  state: (msg) => answer(msg, "state", () => ({ state: JSON.parse(api.state(msg.id)) })),
  destroy: (msg) => answer(msg, "destroyed", () => (api.destroy(msg.id), {})),
};

// A plain answer (not a render) to a message that names a figure.
function answer(msg, type, make) {
  try {
    postMessage({ type, id: msg.id, seq: msg.seq, ...make() });
  } catch (err) {
    postMessage({ type: "failed", id: msg.id, seq: msg.seq, message: lastLine(err) });
  }
}

onunhandledrejection = (e) => postMessage({ type: "fatal", message: bootFailure(e.reason) });

onmessage = (e) => {
  const msg = e.data;
  const handler = msg && typeof msg === "object" && Object.hasOwn(handlers, msg.type) ? handlers[msg.type] : null;
  if (!handler || (msg.type !== "boot" && (!api || typeof msg.id !== "string"))) {
    const why = !handler ? `unknown message type ${JSON.stringify(msg?.type ?? null).slice(0, 40)}` :
      !api ? "Python is not ready yet" : "the message names no figure";
    postMessage({ type: "refused", id: msg?.id ?? null, seq: msg?.seq ?? null, message: why });
    return;
  }
  handler(msg);
};
