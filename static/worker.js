// The page's one Python interpreter. It runs here, off the main thread, so that
// loading Python or a long computation never freezes the page. It knows nothing
// about demos: it forwards messages to llmexplain.page and returns its plain JSON.

let api = null; // llmexplain.page's entry functions, proxies kept for the worker's lifetime
let pyodide = null;
let dataFiles = {}; // name -> {url, integrity, bytes}, from the page's config
const fetched = new Map(); // name -> promise of the file written into DATA_DIR
const DATA_DIR = "/llmexplain-data"; // llmexplain.data finds it through LLMEXPLAIN_DATA

const stage = (text) => postMessage({ type: "stage", text });

async function boot(config) {
  const loadErrors = [];
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
  const { loadPyodide } = await import(new URL("pyodide.mjs", config.indexURL).href);
  dataFiles = config.data || {};
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
  if (loadErrors.length) throw new Error(loadErrors.join(" "));
  stage("Starting the demos");
  const page = pyodide.pyimport("llmexplain.page");
  // borrowed from `page`, which we keep
  api = { create: page.create, event: page.event, pointer: page.pointer, needs: page.needs };
  pyodide.FS.mkdirTree(DATA_DIR);
  postMessage({ type: "ready" });
}

// A Python error's message is its whole traceback; readers get its last line.
function lastLine(err) {
  const lines = String(err && err.message ? err.message : err).trim().split("\n");
  return lines[lines.length - 1];
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

// Fetches a data file once (the browser checks its hash) and writes it where Python reads it.
function fetchData(name, demoId) {
  if (!fetched.has(name)) {
    const entry = dataFiles[name];
    if (!entry) return Promise.reject(new Error(`the site has no data file ${name}`));
    const mb = (entry.bytes / 1e6).toFixed(1);
    postMessage({ type: "loading", id: demoId, text: `Downloading ${name} (${mb} MB)` });
    fetched.set(name, fetch(entry.url, { integrity: entry.integrity })
      .then((r) => {
        if (!r.ok) throw new Error(`${name} could not be downloaded (HTTP ${r.status})`);
        return r.arrayBuffer();
      })
      .then((buf) => pyodide.FS.writeFile(`${DATA_DIR}/${name}`, new Uint8Array(buf)))
      .catch((err) => {
        fetched.delete(name); // a later try may succeed
        throw new Error(err.name === "TypeError" ? `${name} could not be downloaded or failed its ` +
                        "integrity check" : err.message);
      }));
  }
  return fetched.get(name);
}

async function create(msg) {
  try {
    await Promise.all(JSON.parse(api.needs(msg.name)).map((name) => fetchData(name, msg.id)));
  } catch (err) {
    console.error(`demo ${msg.id}: ${err.message}`);
    postMessage({ type: "failed", id: msg.id, seq: msg.seq, message: err.message });
    return;
  }
  call(api.create, msg, [msg.id, msg.name, msg.params]);
}

onunhandledrejection = (e) => postMessage({ type: "fatal", message: lastLine(e.reason) });

onmessage = (e) => {
  const msg = e.data;
  if (msg.type === "boot") {
    boot(msg.config).catch((err) => postMessage({ type: "fatal", message: lastLine(err) }));
  } else if (msg.type === "create") {
    create(msg);
  } else if (msg.type === "pointer") {
    call(api.pointer, msg, [msg.id, msg.name, msg.at[0], msg.at[1]]);
  } else if (msg.type === "event") {
    call(api.event, msg, [msg.id, msg.name, msg.value]);
  }
};
