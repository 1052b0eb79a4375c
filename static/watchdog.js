// The one script that runs when runtime.js cannot (missing, damaged, refused by its
// integrity check, stopped by an error, or never arriving): the status line then says the
// figures are static pictures, naming the file, instead of "loading" forever. Kept tiny and classic.
(() => {
  const root = document.documentElement;
  const runtime = document.querySelector("script[data-runtime]");
  let why = "stopped with an error";
  runtime?.addEventListener("error", () => { why = "could not be downloaded, or failed its integrity check"; });
  const giveUp = () => {
    if (root.dataset.state !== "static") return; // runtime.js started: its own messages rule
    const status = document.getElementById("runtime-status");
    root.dataset.state = "error";
    status.dataset.state = "error";
    status.querySelector("[data-status-text]").textContent = `The figures are static pictures: ` +
      `this page's script runtime.js ${why}. Reload the page to try again; if it keeps ` +
      "happening, the site's files are damaged. The text reads fine without the figures.";
    const retry = status.querySelector("[data-status-retry]");
    retry.textContent = "Reload";
    retry.hidden = false;
    retry.addEventListener("click", () => location.reload());
  };
  addEventListener("load", giveUp);
  // A module that never arrives (runtime.js or one it imports) fires no error, and holds back
  // the page's load: after as long as Python itself may take to start, the same words.
  let seconds = 120;
  try {
    seconds = JSON.parse(document.getElementById("llmexplain-config").textContent).bootTimeoutSeconds || seconds;
  } catch {
    // runtime.js says what is wrong with the settings, if it runs; else the default wait
  }
  setTimeout(() => {
    why = `(or a script it imports) did not arrive within ${seconds} seconds`;
    giveUp();
  }, seconds * 1000);
})();
