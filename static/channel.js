// One Python worker and the messages to and from it. A page has a channel per worker
// name (data-worker on a figure; "main" unless a demo asks for its own), so a heavy demo
// cannot delay a light one. Nothing here knows any demo.
//
// The protocol, all of it. Page -> worker:
//   boot {config, name, prefetch}      load Pyodide and our package; fetch the data files
//                                      `prefetch` meanwhile (its figures' near the reader's view)
//   prefetch {files}                   fetch these data files now (no answer)
//   create {id, seq, name, params, base}  make a figure from its state; answers render
//   event {id, seq, name, value, times}  an input, or `times` presses of an action; answers render
//   pointer {id, seq, name, at}        a click or a drag, as fractions of the box; answers render
//   redefine {id, seq, edits}          run the reader's code (JSON {function: code}) in the
//                                      figure's functions' place; answers render
//   state {id, seq}                    answers state {id, seq, state}
//   destroy {id, seq}                  forget a figure; answers destroyed {id, seq}
// Worker -> page:
//   alive | stage {text} | fatal {message}             while booting
//   ready {interrupt}                  Python runs; `interrupt` is its interrupt buffer where the
//                                      page is cross-origin isolated (Int32Array on shared memory)
//   progress {done, total}             bytes of the files it starts with that have arrived
//   loading {file, bytes} | loaded {file}              data files on their way
//   memory {bytes}                     the call running grew Python's memory by a sixteenth of
//                                      config.memoryLimit, or past it (then: MemoryError); its
//                                      answer says so too (render|failed {…, memory: true})
//   render {id, seq, reply, ms} | failed {id, seq, message, retry}
//   state {id, seq, state} | destroyed {id, seq}
//   refused {id, seq, message}         a message the worker does not understand
// Every message with an id and a seq gets exactly one answer with that id and seq.

const ALIVE_SECONDS = 10; // the worker script is already here: it runs at once, or it is broken
const RESTARTS = 3; // restarts allowed within RESTART_WINDOW before the channel gives up
const RESTART_WINDOW = 60_000;

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

export class Channel {
  // hooks: {stage(channel, text), ready(channel), fail(channel, message), loading(file, bytes|null),
  //         progress(channel, done, total), prefetch(channel) -> [data files to fetch at once]}
  constructor(name, config, hooks) {
    this.name = name;
    this.config = config;
    this.hooks = hooks;
    this.figures = new Map(); // figure id -> Demo, the figures this worker runs
    this.worker = null;
    this.ready = false;
    this.failed = false;
    this.restarts = [];
    this.memoryHigh = false; // the call running asked for much memory (a memory message)
    this.due = 0; // answers owed: messages with a seq sent and not answered yet
  }

  async boot() {
    if (this.worker || this.booting) return;
    this.booting = true;
    this.ready = false;
    this.failed = false;
    let script;
    try {
      script = await checkedScriptURL(this.config.worker, this.config.workerIntegrity, "worker.js");
    } catch (err) {
      this.booting = false;
      this.fail(`${err.message}. Reload the page to try again`);
      return;
    }
    const worker = new Worker(script, { type: "module" });
    this.worker = worker;
    this.booting = false;
    const seconds = this.config.bootTimeoutSeconds;
    this.bootTimer = setTimeout(() => this.fail(`Python did not start within ${seconds} seconds. ` +
                                                "Reload the page to try again"), seconds * 1000);
    this.aliveTimer = setTimeout(() => this.fail("the page's worker.js did not run (it may be damaged). " +
                                                 "Reload the page; if it keeps happening, the site's files are damaged"),
                                 ALIVE_SECONDS * 1000);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.crashed(`the page's worker.js stopped with an error (${e.message || "it could not be run"})`);
    };
    worker.onmessage = (e) => { if (worker === this.worker) this.receive(e.data, script); };
    worker.postMessage({ type: "boot", config: this.config, name: this.name,
                         prefetch: this.hooks.prefetch?.(this) ?? [] });
  }

  receive(msg, script) {
    if (msg.type === "alive") {
      clearTimeout(this.aliveTimer);
      URL.revokeObjectURL(script);
    } else if (msg.type === "stage") {
      this.hooks.stage(this, msg.text);
    } else if (msg.type === "progress") {
      this.hooks.progress?.(this, msg.done, msg.total);
    } else if (msg.type === "fatal") {
      this.crashed(msg.message);
    } else if (msg.type === "ready") {
      clearTimeout(this.bootTimer);
      this.ready = true;
      this.interrupt = msg.interrupt ?? null;
      this.hooks.ready(this);
    } else if (msg.type === "loading") {
      this.hooks.loading(msg.file, msg.bytes);
    } else if (msg.type === "loaded") {
      this.hooks.loading(msg.file, null);
    } else if (msg.type === "memory") {
      this.memoryHigh = true;
    } else {
      this.awaiting(-1);
      this.figures.get(msg.id)?.receive(msg);
    }
  }

  // Data files its figures will need, fetched now, beside whatever it is doing.
  prefetch(files) {
    if (this.worker && files.length) this.worker.postMessage({ type: "prefetch", files });
  }

  // Stop the Python code running in this worker (it raises KeyboardInterrupt there), where
  // the page can: only shared memory reaches a worker that is busy. False where it cannot.
  interruptPython() {
    if (!this.interrupt) return false;
    Atomics.store(this.interrupt, 0, 2); // 2 is SIGINT
    return true;
  }

  post(msg) {
    if (!this.worker || !this.ready) return;
    this.memoryHigh = false;
    this.worker.postMessage(msg);
    if (msg.seq !== undefined) this.awaiting(1);
  }

  // Every message with a seq gets an answer. While some are due and none comes for as long as
  // Python may take to start, the worker is stuck (or is not the one the site was built with):
  // it is ended, and the page says so and offers Retry.
  awaiting(change) {
    this.due = Math.max(0, this.due + change);
    clearTimeout(this.answerTimer);
    if (!this.due) return;
    const seconds = this.config.bootTimeoutSeconds;
    this.answerTimer = setTimeout(() => this.fail(`Python did not answer within ${seconds} seconds`),
                                  seconds * 1000);
  }

  // Before it was ready, a failure ends this channel; after, the worker restarts and every
  // figure comes back from its last state (a few times a minute at most).
  crashed(message) {
    if (!this.ready) return this.fail(message);
    const now = performance.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW);
    if (this.restarts.length >= RESTARTS) return this.fail(`${message}; it kept stopping, so it was not restarted`);
    this.restarts.push(now);
    this.restart(`Python stopped in your browser (${message.replace(/[.]$/, "")}) and was restarted`);
  }

  // A new worker; each figure is re-created from its last state and says why.
  restart(why) {
    this.stop();
    for (const demo of this.figures.values()) if (demo.live) demo.suspend(why);
    this.boot();
  }

  stop() {
    clearTimeout(this.bootTimer);
    clearTimeout(this.aliveTimer);
    clearTimeout(this.answerTimer);
    this.due = 0;
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.ready = false;
  }

  fail(message) {
    if (this.failed) return;
    this.stop();
    this.failed = true;
    this.hooks.fail(this, message);
  }
}
