// The text editor: CodeMirror 6 with line numbers, soft wrap on request, the language picked
// from the file name (each language loads as its own chunk when first needed) and colors from
// the theme's custom properties, so every preset re-themes it with the rest of the page. This
// module is loaded lazily (EditorPage imports it with React.lazy): the app's first paint
// carries none of CodeMirror.
import { HighlightStyle, LanguageDescription, syntaxHighlighting } from '@codemirror/language';
import { languages } from '@codemirror/language-data';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import s from './Edit.module.css';

export interface CodeEditorProps {
  /** The text the editor starts with (later changes of this prop are ignored: the editor owns the text). */
  initial: string;
  /** The file's name: picks the language. */
  filename: string;
  wrap: boolean;
  onChange: (text: string) => void;
  /** The language in use, once loaded (null: plain text). */
  onLanguage?: (name: string | null) => void;
  autoFocus?: boolean;
  label?: string;
}

const theme = EditorView.theme(
  {
    '&': { color: 'var(--text)', backgroundColor: 'hsl(var(--accent-h) 30% 3% / 0.55)', fontSize: '0.88rem', minHeight: '22rem' },
    '.cm-scroller': { fontFamily: 'var(--font-code)', lineHeight: '1.6' },
    '.cm-content': { caretColor: 'var(--accent)', padding: '0.5rem 0' },
    '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--accent)', borderLeftWidth: '2px' },
    '&.cm-focused': { outline: 'none', boxShadow: 'inset 0 0 0 1px var(--accent-soft)' },
    // the app's focus ring (global.css) would draw around the text only, clipped by the scroller
    '.cm-content:focus-visible': { boxShadow: 'none' },
    '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection': { backgroundColor: 'var(--accent-glow)' },
    '.cm-activeLine': { backgroundColor: 'hsl(var(--accent-h) var(--tint) 70% / 0.06)' },
    '.cm-selectionMatch': { backgroundColor: 'var(--accent-soft)' },
    '.cm-matchingBracket, .cm-nonmatchingBracket': { backgroundColor: 'var(--accent-soft)', outline: '1px solid var(--border-strong)' },
    '.cm-gutters': { backgroundColor: 'transparent', color: 'var(--faint)', borderRight: '1px solid var(--border)' },
    '.cm-activeLineGutter': { backgroundColor: 'hsl(var(--accent-h) var(--tint) 70% / 0.08)', color: 'var(--text)' },
    '.cm-lineNumbers .cm-gutterElement': { padding: '0 0.6rem 0 0.9rem' },
    '.cm-foldPlaceholder': { backgroundColor: 'var(--panel-hover)', border: '1px solid var(--border-strong)', color: 'var(--muted)' },
    '.cm-tooltip': { backgroundColor: 'var(--panel-strong)', border: '1px solid var(--border-strong)', color: 'var(--text)', borderRadius: 'var(--radius-sm)' },
    '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent-soft)', color: 'var(--text)' },
    '.cm-panels': { backgroundColor: 'var(--panel-strong)', color: 'var(--text)' },
    '.cm-panels.cm-panels-bottom': { borderTop: '1px solid var(--border)' },
    '.cm-panels.cm-panels-top': { borderBottom: '1px solid var(--border)' },
    '.cm-searchMatch': { backgroundColor: 'var(--warn-soft)', outline: '1px solid hsl(38 95% 55% / 0.4)' },
    '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: 'var(--accent-soft)' },
    '.cm-textfield': { backgroundColor: 'hsl(var(--accent-h) 30% 3% / 0.6)', border: '1px solid var(--border-strong)', borderRadius: 'var(--radius-sm)', color: 'var(--text)' },
    '.cm-button': { backgroundImage: 'none', backgroundColor: 'var(--panel-hover)', border: '1px solid var(--border-strong)', borderRadius: 'var(--radius-sm)', color: 'var(--text)' },
    '.cm-specialChar': { color: 'var(--danger)' },
  },
  { dark: true },
);

// the colors of the code view's highlighting (Markup.module.css), so reading and editing look alike
const highlight = HighlightStyle.define([
  { tag: [t.comment, t.quote], color: 'var(--faint)', fontStyle: 'italic' },
  { tag: [t.keyword, t.modifier, t.controlKeyword, t.operatorKeyword, t.definitionKeyword, t.moduleKeyword, t.bool, t.null, t.atom], color: 'hsl(calc(var(--accent-h) + 40) 85% 74%)' },
  { tag: [t.string, t.special(t.string), t.regexp, t.inserted], color: 'hsl(95 50% 68%)' },
  { tag: [t.number, t.integer, t.float, t.constant(t.name), t.standard(t.name)], color: 'hsl(28 90% 70%)' },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.heading, t.labelName], color: 'hsl(205 90% 74%)' },
  { tag: [t.typeName, t.className, t.namespace, t.self], color: 'hsl(45 90% 70%)' },
  { tag: [t.propertyName, t.attributeName, t.special(t.variableName)], color: 'hsl(185 60% 70%)' },
  { tag: [t.tagName, t.angleBracket], color: 'hsl(350 80% 74%)' },
  { tag: [t.meta, t.link, t.url, t.processingInstruction, t.escape], color: 'hsl(var(--accent-h) 60% 76%)' },
  { tag: [t.deleted, t.invalid], color: 'var(--danger)' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: t.strong, fontWeight: '700' },
  { tag: t.link, textDecoration: 'underline' },
  { tag: t.heading, fontWeight: '700' },
]);

export function CodeEditor({ initial, filename, wrap, onChange, onLanguage, autoFocus, label = 'File content' }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const wrapping = useRef(new Compartment());
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    // a file with CRLF line ends keeps them (CodeMirror would write "\n" otherwise)
    const crlf = initial.includes('\r\n');
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial,
        extensions: [
          basicSetup,
          theme,
          syntaxHighlighting(highlight),
          language.current.of([]),
          wrapping.current.of(wrap ? EditorView.lineWrapping : []),
          crlf ? EditorState.lineSeparator.of('\r\n') : [],
          EditorView.contentAttributes.of({ 'aria-label': label, 'data-testid': 'code-editor-content' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changed.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    if (autoFocus) v.focus();
    return () => {
      v.destroy();
      view.current = null;
    };
    // the editor is made once; the text it holds is its own from then on
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    view.current?.dispatch({ effects: wrapping.current.reconfigure(wrap ? EditorView.lineWrapping : []) });
  }, [wrap]);

  useEffect(() => {
    let live = true;
    const desc = LanguageDescription.matchFilename(languages, filename);
    if (!desc) {
      view.current?.dispatch({ effects: language.current.reconfigure([]) });
      onLanguage?.(null);
      return;
    }
    desc.load().then(
      (support) => {
        if (!live) return;
        view.current?.dispatch({ effects: language.current.reconfigure(support) });
        onLanguage?.(desc.name);
      },
      () => live && onLanguage?.(null),
    );
    return () => {
      live = false;
    };
  }, [filename]); // eslint-disable-line react-hooks/exhaustive-deps

  return <div ref={host} className={s.editorHost} data-testid="code-editor" />;
}
