// Syntax highlighting for the file view: highlight.js grammars through lowlight (which builds
// hast, never HTML text), then the code sanitizer, which also closes spans at line breaks. The UI may take the HTML whole or `split('\n')` it into lines, each balanced.
// Large files are not highlighted (null): the UI shows them as plain text.
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
import { sanitizeCode } from './sanitize.js';

/** Files above either limit are shown as plain text. */
export const HIGHLIGHT_MAX_BYTES = 256 * 1024;
export const HIGHLIGHT_MAX_LINES = 10_000;

const lowlight = createLowlight(common);
lowlight.register({ cmake, dart, dockerfile, elixir, erlang, groovy, haskell, nginx, nix, ocaml, powershell, properties, protobuf, scala });

const BY_NAME: Record<string, string> = {
  makefile: 'makefile',
  gnumakefile: 'makefile',
  'makefile.am': 'makefile',
  'makefile.in': 'makefile',
  dockerfile: 'dockerfile',
  containerfile: 'dockerfile',
  'cmakelists.txt': 'cmake',
  gemfile: 'ruby',
  rakefile: 'ruby',
  podfile: 'ruby',
  vagrantfile: 'ruby',
  brewfile: 'ruby',
  '.bashrc': 'bash',
  '.bash_profile': 'bash',
  '.profile': 'bash',
  '.zshrc': 'bash',
  '.envrc': 'bash',
  '.gitconfig': 'ini',
  '.gitmodules': 'ini',
  '.editorconfig': 'ini',
  '.npmrc': 'ini',
  'nginx.conf': 'nginx',
  'go.mod': 'go',
  'cargo.lock': 'ini',
  pipfile: 'ini',
  jenkinsfile: 'groovy',
  '.babelrc': 'json',
  '.eslintrc': 'json',
  'tsconfig.json': 'json',
};

const BY_EXT: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  json: 'json',
  jsonc: 'json',
  json5: 'json',
  webmanifest: 'json',
  map: 'json',
  ipynb: 'json',
  py: 'python',
  pyi: 'python',
  pyw: 'python',
  rb: 'ruby',
  rake: 'ruby',
  gemspec: 'ruby',
  go: 'go',
  rs: 'rust',
  java: 'java',
  kt: 'kotlin',
  kts: 'kotlin',
  scala: 'scala',
  sc: 'scala',
  groovy: 'groovy',
  gradle: 'groovy',
  swift: 'swift',
  dart: 'dart',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  'c++': 'cpp',
  hh: 'cpp',
  hpp: 'cpp',
  hxx: 'cpp',
  ino: 'arduino',
  m: 'objectivec',
  mm: 'objectivec',
  cs: 'csharp',
  vb: 'vbnet',
  fs: 'ocaml',
  ml: 'ocaml',
  mli: 'ocaml',
  php: 'php',
  phtml: 'php',
  pl: 'perl',
  pm: 'perl',
  t: 'perl',
  lua: 'lua',
  r: 'r',
  hs: 'haskell',
  lhs: 'haskell',
  ex: 'elixir',
  exs: 'elixir',
  erl: 'erlang',
  hrl: 'erlang',
  nix: 'nix',
  sh: 'bash',
  bash: 'bash',
  zsh: 'bash',
  ksh: 'bash',
  ps1: 'powershell',
  psm1: 'powershell',
  psd1: 'powershell',
  sql: 'sql',
  graphql: 'graphql',
  gql: 'graphql',
  proto: 'protobuf',
  html: 'xml',
  htm: 'xml',
  xhtml: 'xml',
  xml: 'xml',
  svg: 'xml',
  xsl: 'xml',
  xslt: 'xml',
  plist: 'xml',
  csproj: 'xml',
  vue: 'xml',
  svelte: 'xml',
  css: 'css',
  scss: 'scss',
  sass: 'scss',
  less: 'less',
  yml: 'yaml',
  yaml: 'yaml',
  toml: 'ini',
  ini: 'ini',
  cfg: 'ini',
  conf: 'ini',
  properties: 'properties',
  env: 'bash',
  md: 'markdown',
  markdown: 'markdown',
  mdx: 'markdown',
  diff: 'diff',
  patch: 'diff',
  mk: 'makefile',
  cmake: 'cmake',
  dockerfile: 'dockerfile',
  wat: 'wasm',
  wast: 'wasm',
};

const SHEBANG: [RegExp, string][] = [
  [/\b(?:ba|z|k)?sh\b/, 'bash'],
  [/\bpython[0-9.]*\b/, 'python'],
  [/\b(?:node|deno|bun)\b/, 'javascript'],
  [/\bruby\b/, 'ruby'],
  [/\bperl\b/, 'perl'],
  [/\bphp\b/, 'php'],
  [/\blua\b/, 'lua'],
  [/\bpwsh\b/, 'powershell'],
];

/** The highlight.js language for a file, by name, extension or `#!` line; null when unknown. */
export function languageFor(filename: string, head?: string): string | null {
  const base = filename.slice(filename.lastIndexOf('/') + 1).toLowerCase();
  const byName = BY_NAME[base];
  if (byName) return byName;
  const dot = base.lastIndexOf('.');
  const byExt = dot >= 0 ? BY_EXT[base.slice(dot + 1)] : undefined;
  if (byExt) return byExt;
  if (base.startsWith('dockerfile.') || base.endsWith('.dockerfile')) return 'dockerfile';
  if (head?.startsWith('#!')) {
    const nl = head.indexOf('\n');
    const line = head.slice(0, nl < 0 ? 200 : nl);
    for (const [re, lang] of SHEBANG) if (re.test(line)) return lang;
  }
  return null;
}

/** Whether lowlight knows a name or alias (`ts`, `py`, `sh` …), as code fences use them. */
export function knownLanguage(name: string): boolean {
  return lowlight.registered(name);
}

/** Lines as an editor counts them: a final newline ends the last line rather than starting one. */
export function countLines(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

/** hljs spans for `text` in `language` (a name or alias), or null when the language is unknown. */
export function highlightNodes(text: string, language: string): ElementContent[] | null {
  if (!lowlight.registered(language)) return null;
  return lowlight.highlight(language, text).children as ElementContent[];
}

export interface Highlighted {
  language: string | null;
  /** Sanitized HTML, one source line per `\n`-separated piece; null when not highlighted. */
  html: string | null;
  lines: number;
}

/** Highlights a file's text, or says why not (unknown language or over the limits → html null). */
export function highlightFile(text: string, language: string | null): Highlighted {
  const plain = notHighlighted(text, language);
  if (plain || !language) return plain ?? { language, html: null, lines: countLines(text) };
  return { language, html: sanitizeCode(highlightNodes(text, language) ?? []), lines: countLines(text) };
}

/**
 * The answer without highlighting when the file won't be highlighted (unknown language, over the
 * limits); null when it should be. Cheap: the caller can decide without a render worker.
 */
export function notHighlighted(text: string, language: string | null): Highlighted | null {
  if (!language || !lowlight.registered(language) || Buffer.byteLength(text) > HIGHLIGHT_MAX_BYTES) return { language, html: null, lines: countLines(text) };
  const lines = countLines(text);
  return lines > HIGHLIGHT_MAX_LINES ? { language, html: null, lines } : null;
}
