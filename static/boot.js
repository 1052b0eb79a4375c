// Starts the page's main Python worker as soon as the head of the page is read, while the
// rest of the page still arrives and is laid out: on a slow phone that is a second or more
// of downloading and starting Python gained. runtime.js, which runs once the page is parsed,
// takes the worker over (adopt) and hears everything it said meanwhile.

import { Channel } from "./channel.js";

const said = []; // [hook name, arguments] the worker's messages called before runtime.js came
const listening = new Proxy({}, {
  get: (_, hook) => (...args) => {
    said.push([hook, args]);
    return hook === "prefetch" ? [] : undefined; // runtime.js sends the data in view itself
  },
});

// The page's config with every URL absolute: the worker runs from a blob: URL.
export function workerConfig(config) {
  const abs = (url) => new URL(url, document.baseURI).href;
  return {
    ...config, worker: abs(config.worker), indexURL: abs(config.indexURL), lockFileURL: abs(config.lockFileURL),
    boot: config.boot.map((f) => ({ ...f, url: abs(f.url) })),
    data: Object.fromEntries(Object.entries(config.data || {}).map(([n, e]) => [n, { ...e, url: abs(e.url) }])),
  };
}

let early = null;
if (typeof WebAssembly === "object" && typeof Worker === "function") {
  try {
    const config = JSON.parse(document.getElementById("llmexplain-config").textContent);
    early = new Channel("main", workerConfig(config), listening);
    early.boot();
  } catch {
    early = null; // runtime.js finds the same problem and says what it is
  }
}

// The main channel started early, once (null if there is none): runtime.js gives it its
// figures, then calls adopt.
export function earlyChannel() {
  const channel = early;
  early = null;
  return channel;
}

// From now on `hooks` hear the channel, starting with what it said before.
export function adopt(channel, hooks) {
  channel.hooks = hooks;
  for (const [hook, args] of said.splice(0)) hooks[hook]?.(...args);
}
