// The one script that runs when runtime.js cannot (missing, damaged, refused by its
// integrity check, or stopped by an error): the status line then says the figures are
// static pictures, naming the file, instead of "loading" forever. Kept tiny and classic.
(() => {
  const root = document.documentElement;
  const runtime = document.querySelector("script[data-runtime]");
  let why = "stopped with an error";
  runtime?.addEventListener("error", () => { why = "could not be downloaded, or failed its integrity check"; });
  addEventListener("load", () => {
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
  });
})();
