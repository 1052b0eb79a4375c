// The code editor under "Show the math": CodeMirror 6, bundled by esbuild at build time
// (tooling/editor.py) into one self-hosted, content-hashed module that the page imports only
// when a reader opens "Show the math".
//
// Within our Content-Security-Policy (style-src 'self': no 'unsafe-inline', no nonce, which a
// static site cannot vary per response): CodeMirror's styles go through style-mod, which
// writes a <style> element (blocked) into a document, but uses a constructable stylesheet
// (adoptedStyleSheets, which no policy governs) in a shadow root. So each editor lives in a
// shadow root of its holder; its colours come from the page's CSS custom properties
// (--panel, --code-keyword, … in style.css, light and dark), which cross into it. Element
// styles CodeMirror sets through the CSSOM (el.style.cssText), which the policy allows. No eval.

import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { HighlightStyle, bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

const theme = EditorView.theme({
  "&": { backgroundColor: "var(--panel)", color: "var(--fg)", maxHeight: "28rem" },
  "&.cm-focused": { outline: "3px solid var(--focus)", outlineOffset: "2px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.45" },
  ".cm-content": { caretColor: "var(--fg)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--fg)" },
  ".cm-gutters": { backgroundColor: "var(--panel)", color: "var(--muted)", borderRight: "1px solid var(--rule)" },
  ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "var(--code-line)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground":
    { backgroundColor: "var(--code-selection)" },
});

// The same colours as the build's listing of the source (style.css, tooling/highlight.py).
const colours = HighlightStyle.define([
  { tag: [t.keyword, t.operatorKeyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword],
    color: "var(--code-keyword)" },
  { tag: [t.function(t.definition(t.variableName)), t.definition(t.className)], color: "var(--code-def)" },
  { tag: [t.standard(t.variableName), t.self, t.className], color: "var(--code-builtin)" },
  { tag: [t.string, t.docString, t.special(t.string)], color: "var(--code-string)" },
  { tag: t.comment, color: "var(--muted)", fontStyle: "italic" },
  { tag: [t.number, t.bool, t.null], color: "var(--code-number)" },
]);

// Typing over a selection that spans lines: the browser's own editing would merge the lines'
// elements and give them style attributes to keep their look, which our policy blocks (a
// console error, and CodeMirror repairs the DOM anyway). Replaced here instead, as one edit.
const typeOverSelection = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.inputType !== "insertText" || event.data === null || view.state.selection.main.empty) return false;
    event.preventDefault();
    view.dispatch(view.state.replaceSelection(event.data), { userEvent: "input.type" });
    return true;
  },
});

// An editor holding `doc`, in a shadow root of `holder`, named `label` for screen readers.
// Tab indents (so Python can be typed); Escape then Tab leaves the editor, as CodeMirror
// documents, so the keyboard is never trapped. Mod-Enter calls `run`.
export function editor(holder, doc, label, run) {
  return new EditorView({
    parent: holder.attachShadow({ mode: "open" }),
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLine(),
        history(),
        indentOnInput(),
        bracketMatching(),
        python(),
        theme,
        syntaxHighlighting(colours),
        EditorView.lineWrapping,
        typeOverSelection,
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
