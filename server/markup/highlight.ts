// Syntax highlighting for the file view: highlight.js grammars through lowlight (which builds
// hast, never HTML text), then the code sanitizer, which also closes spans at line breaks. The UI may take the HTML whole or `split('\n')` it into lines, each balanced.
// Large files are not highlighted (null): the UI shows them as plain text. Loaded only in the
// render workers; what the main thread needs (languageFor, the limits) is in files.ts.
import type { ElementContent } from 'hast';
import cmake from 'highlight.js/lib/languages/cmake';
import dart from 'highlight.js/lib/languages/dart';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import elixir from 'highlight.js/lib/languages/elixir';
import erlang from 'highlight.js/lib/languages/erlang';
import groovy from 'highlight.js/lib/languages/groovy';
import haskell from 'highlight.js/lib/languages/haskell';
import nginx from 'highlight.js/lib/languages/nginx';
import nix from 'highlight.js/lib/languages/nix';
import ocaml from 'highlight.js/lib/languages/ocaml';
import powershell from 'highlight.js/lib/languages/powershell';
import properties from 'highlight.js/lib/languages/properties';
import protobuf from 'highlight.js/lib/languages/protobuf';
import scala from 'highlight.js/lib/languages/scala';
import { common, createLowlight } from 'lowlight';
import { countLines, notHighlighted, type Highlighted } from './files.js';
import { sanitizeCode } from './sanitize.js';

const lowlight = createLowlight(common);
lowlight.register({ cmake, dart, dockerfile, elixir, erlang, groovy, haskell, nginx, nix, ocaml, powershell, properties, protobuf, scala });

/** Whether lowlight knows a name or alias (`ts`, `py`, `sh` …), as code fences use them. */
export function knownLanguage(name: string): boolean {
  return lowlight.registered(name);
}

/** hljs spans for `text` in `language` (a name or alias), or null when the language is unknown. */
export function highlightNodes(text: string, language: string): ElementContent[] | null {
  if (!lowlight.registered(language)) return null;
  return lowlight.highlight(language, text).children as ElementContent[];
}

/** Highlights a file's text, or says why not (unknown language or over the limits → html null). */
export function highlightFile(text: string, language: string | null): Highlighted {
  const plain = notHighlighted(text, language);
  if (plain || !language) return plain ?? { language, html: null, lines: countLines(text) };
  const nodes = highlightNodes(text, language);
  return { language, html: nodes ? sanitizeCode(nodes) : null, lines: countLines(text) };
}
