// The code editor under "Show the math": CodeMirror 6, bundled by esbuild at build time
// (tooling/editor.py) into one self-hosted, content-hashed module that the page imports only
// when a reader opens "Show the math".
//
// Within our Content-Security-Policy (style-src 'self', no 'unsafe-inline'): CodeMirror puts
// its theme into constructable stylesheets (document.adoptedStyleSheets, through style-mod),
// which a policy does not govern, and sets element styles through the CSSOM (el.style.x = …),
// which it does not block either; it never writes a style="" attribute or a <style> element
// where adoptedStyleSheets exist (every browser that runs our import map has them). No eval.

import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { classHighlighter } from "@lezer/highlight";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine } from "@codemirror/view";

// An editor holding `doc` inside `parent`, named `label` for screen readers. Tab indents
// (so Python can be typed); Escape then Tab leaves the editor, as CodeMirror documents, so
// the keyboard is never trapped. Mod-Enter calls `run`. Token colours come from our own
// style.css (classHighlighter gives tok-* classes), light and dark alike.
export function editor(parent, doc, label, run) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLine(),
        history(),
        indentOnInput(),
        bracketMatching(),
        python(),
        syntaxHighlighting(classHighlighter),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": label }),
        keymap.of([{ key: "Mod-Enter", run: () => { run(); return true; } },
                   indentWithTab, ...defaultKeymap, ...historyKeymap]),
      ],
    }),
  });
}

// The editor's whole text, and a way to replace it (an experiment, or Reset).
export const text = (view) => view.state.doc.toString();
export function replace(view, doc) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: doc } });
}
