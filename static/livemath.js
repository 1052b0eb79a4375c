// "Show the math" under a figure (issue 12): the source its Python runs, pre-rendered by the
// build; opening it loads the code editor (./editor.js, CodeMirror bundled at build time), and
// Run puts the reader's version in the package's place, in a worker of the figure's own
// ("code-<figure id>"), so an edit touches no other figure and that worker can be stopped.
// Reset puts the package's functions back and the figure back in its usual worker. Nothing
// here knows any demo: the markup names the functions (data-math-fn) and the experiments.

const STOP_SECONDS = 1.5; // a run that has not answered by then is stopped (within 2 s in all)
const KILL_SECONDS = 0.4; // after the interrupt: if Python still has not answered, the worker goes
const STOP_AFTER_SECONDS = 0.3; // Stop appears once an answer is this late
const MEMORY_HINT = "Look for a list or an array that grows without end, or one far larger " +
  "than the figure needs.";

export class LiveMath {
  // hooks: {own(demo, on): move the figure into its own worker (on) or back to its usual one}
  constructor(demo, hooks) {
    this.demo = demo;
    this.hooks = hooks;
    this.box = demo.el.querySelector("[data-math]");
    this.editors = new Map(); // function name -> CodeMirror view
    this.fromLink = false; // the editors hold a link's code, not yet run (runtime.js)
    this.originals = new Map(); // function name -> the source the build showed
    for (const fn of this.box.querySelectorAll("[data-math-fn]")) {
      this.originals.set(fn.dataset.mathFn, fn.querySelector("[data-math-source]").textContent);
    }
    this.run = this.box.querySelector("[data-math-run]");
    this.reset = this.box.querySelector("[data-math-reset]");
    this.stop = this.box.querySelector("[data-math-stop]");
    this.notice = this.box.querySelector("[data-math-notice]");
    this.error = this.box.querySelector("[data-math-error]");
    this.status = this.box.querySelector("[data-math-status]");
    this.box.addEventListener("toggle", () => { if (this.box.open) this.load(); });
    this.run.addEventListener("click", () => this.runEdits());
    this.reset.addEventListener("click", () => this.resetEdits());
    this.stop.addEventListener("click", () => this.halt("You stopped it"));
    for (const button of this.box.querySelectorAll("[data-experiment]")) {
      button.addEventListener("click", () => this.experiment(button));
    }
    demo.math = this;
  }

  // The editor module, fetched (checked against the import map's integrity) on first open.
  async load() {
    if (this.loading) return this.loading;
    this.loading = (async () => {
      this.say("Loading the editor…");
      let module;
      try {
        module = await import("./editor.js");
      } catch {
        this.say("The editor could not be loaded; the source above is still the code that runs.");
        this.loading = null;
        return;
      }
      this.editor = module;
      const edits = (await this.demo.editsArriving) ?? this.demo.edits; // a link's, or the last run's
      this.demo.editsArriving = null; // a link's edits wait for Run (runtime.js, readAddress)
      for (const fn of this.box.querySelectorAll("[data-math-fn]")) {
        const name = fn.dataset.mathFn;
        const holder = fn.querySelector("[data-math-editor]");
        const doc = edits[name] ?? this.originals.get(name);
        this.editors.set(name, module.editor(holder, doc, `Python source of ${name}, editable`,
                                             () => this.runEdits()));
        holder.hidden = false;
        fn.querySelector(".math-source").hidden = true;
      }
      for (const b of this.box.querySelectorAll("[data-math-run], [data-math-reset], [data-experiment]")) {
        b.disabled = false;
      }
      if (this.fromLink && Object.keys(edits).length) {
        this.notice.textContent = "The link you followed brings its own version of this code. " +
          "Read it, then press Run to use it; until then the figure runs the original.";
        this.notice.hidden = false;
        this.say("Code from the link is in the editor, not yet run.");
      } else {
        this.say(Object.keys(edits).length ? "The figure runs your version." : "");
      }
      this.mark("ready");
    })();
    return this.loading;
  }

  // The reader's text of each function that differs from the package's.
  edits() {
    const edits = {};
    for (const [name, view] of this.editors) {
      const text = this.editor.text(view);
      if (text !== this.originals.get(name)) edits[name] = text;
    }
    return edits;
  }

  // One click's edit runs beside the versions already running, never beside another
  // editor's text that was not run (a link's code included: it waits for Run).
  async experiment(button) {
    await this.load();
    const name = button.dataset.experiment;
    const view = this.editors.get(name);
    if (!view) return;
    this.editor.replace(view, button.dataset.code);
    this.notice.textContent = button.dataset.notice;
    this.notice.hidden = false;
    const edits = { ...this.demo.good, [name]: button.dataset.code };
    if (button.dataset.code === this.originals.get(name)) delete edits[name];
    this.runThese(edits);
  }

  runEdits() {
    if (this.fromLink) this.notice.hidden = true; // read and run: no longer the link's to explain
    this.fromLink = false;
    this.runThese(this.edits());
  }

  runThese(edits) {
    this.showError(null);
    if (!Object.keys(edits).length) return this.resetEdits();
    this.say("Running your version…");
    this.mark("running");
    if (this.demo.ownWorker) return this.demo.redefine(edits);
    // First moved to a worker of its own; once created there, the figure sends the edits.
    this.demo.edits = edits;
    this.hooks.own(this.demo, true);
  }

  // The package's functions back: the figure returns to its usual worker, which never ran the
  // reader's code, so nothing their code changed there (sys.modules, live_math itself) can
  // stand in the way; its own worker is ended.
  resetEdits() {
    for (const [name, view] of this.editors) this.editor.replace(view, this.originals.get(name));
    this.showError(null);
    this.notice.hidden = true;
    this.demo.forgetEdits();
    this.mark("reset");
    this.say("The figure runs the original functions.");
    if (this.demo.ownWorker) this.hooks.own(this.demo, false);
  }

  // What the figure's Python said about an edit (demo.js hands every reply's "edit" here).
  answered(edit, memory) {
    if (edit.ok) {
      this.say(`The figure now runs your version of ${edit.edited.join(" and ")}.`);
      this.mark("ok");
    } else if (memory) {
      // It failed after asking for much memory (a MemoryError, or stopped while it grew):
      // memory is the cause, and ending that worker gives the memory back to the browser.
      this.end("Your code asked for too much memory", MEMORY_HINT);
    } else {
      this.showError(edit.error);
      this.say(edit.reverted ? "Your version was taken out; the figure runs the original functions." :
        "The figure keeps running the last version that worked.");
      this.mark(edit.reverted ? "reverted" : "error");
    }
  }

  // Every message the figure sends its own worker is watched (demo.js calls this as it sends
  // and as the answer comes): one that does not answer in time is stopped. Stop is offered
  // while one takes longer than a moment (not on every slider move).
  watch(on) {
    clearTimeout(this.watching);
    clearTimeout(this.stopShown);
    this.stop.hidden = true;
    if (!on) return;
    this.watching = setTimeout(() => this.halt("It ran too long"), STOP_SECONDS * 1000);
    this.stopShown = setTimeout(() => { this.stop.hidden = false; }, STOP_AFTER_SECONDS * 1000);
  }

  // Stopped with the interrupt where the page can (cross-origin isolated, so Python has an
  // interrupt buffer): Python raises KeyboardInterrupt, and the figure keeps its last good
  // version. Else, or if Python still does not answer, the worker is ended and the figure comes
  // back in its usual worker, from its last state, with the package's functions.
  halt(why) {
    if (!this.demo.busy || !this.demo.ownWorker) return this.watch(false);
    clearTimeout(this.watching);
    this.say(`${why}: stopping it…`);
    if (this.demo.channel.interruptPython()) {
      this.watching = setTimeout(() => this.kill(why), KILL_SECONDS * 1000);
    } else {
      this.kill(why);
    }
  }

  kill(why) {
    if (this.demo.channel.memoryHigh) this.end(`${why} and asked for too much memory`, MEMORY_HINT);
    else this.end(why, "Look for a loop that never ends.");
  }

  // The figure's own worker answered with a failure no edit explains: the reader's code broke
  // the Python that runs it (replaced sys.modules entries, patched live_math), so that Python
  // cannot be trusted to put anything back.
  broke(message, memory) {
    if (memory) return this.end("Your code asked for too much memory", MEMORY_HINT);
    this.end(`Your code broke the Python running the figure (${message})`,
             "Change only the function itself, not Python's modules or the page's machinery.");
  }

  // That worker is ended, and the figure comes back in its usual one, from its last state,
  // with the package's functions.
  end(why, hint) {
    this.watch(false);
    this.demo.forgetEdits();
    this.showError({ message: `${why}, so its Python was stopped.`, line: null,
                     hint: `${hint} The figure runs the original functions.` });
    this.say("The figure runs the original functions.");
    this.mark("stopped");
    this.hooks.own(this.demo, false, `${why}, so its Python was stopped`);
  }

  showError(error) {
    this.error.hidden = !error;
    if (!error) return void (this.error.textContent = "");
    const where = error.line ? `Line ${error.line}` : "Your code";
    const fn = error.function ? ` of ${error.function}` : "";
    this.error.textContent = `${where}${fn}: ${error.message}\n${error.hint}`;
  }

  // Where the last Run or Reset got to, for tests and tools to wait on: ready, running, ok,
  // error, reverted (a later failure took the code out), stopped, reset.
  mark(state) {
    this.box.dataset.state = state;
  }

  say(text) {
    if (this.status.textContent !== text) this.status.textContent = text;
  }
}
