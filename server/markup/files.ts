// What the main thread knows about a file without rendering it: its highlight.js language, its
// line count, whether it is markdown, the size limits, and the plain-text stand-ins. Nothing here
// imports a markup library: those load only in the render workers (render-worker.ts), so the
// server's own memory and start-up do not pay for them.

/** Files above either limit are shown as plain text. */
export const HIGHLIGHT_MAX_BYTES = 256 * 1024;
export const HIGHLIGHT_MAX_LINES = 10_000;

/** Up to this size documents get the full GFM pipeline (raw HTML, task lists, footnotes, highlighted code). */
export const MARKDOWN_FULL_MAX_BYTES = 256 * 1024;
/** Above this nothing is rendered; the UI shows the text or a raw link. */
export const MARKDOWN_MAX_BYTES = 5 * 1024 * 1024;

export interface Highlighted {
  language: string | null;
  /** Sanitized HTML, one source line per `\n`-separated piece; null when not highlighted. */
  html: string | null;
  lines: number;
}

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

/** Every language `languageFor` can name (each has a grammar in the worker: highlight.test.ts checks). */
export const DETECTED_LANGUAGES: ReadonlySet<string> = new Set([...Object.values(BY_NAME), ...Object.values(BY_EXT), ...SHEBANG.map(([, lang]) => lang), 'dockerfile']);

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

/** Lines as an editor counts them: a final newline ends the last line rather than starting one. */
export function countLines(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

/**
 * The answer without highlighting when the file won't be highlighted (no language, over the
 * limits); null when it should be. Cheap: the caller can decide without a render worker. Every
 * language `languageFor` names has a grammar (highlight.test.ts checks); a name without one
 * comes back unhighlighted from the worker.
 */
export function notHighlighted(text: string, language: string | null): Highlighted | null {
  if (!language || Buffer.byteLength(text) > HIGHLIGHT_MAX_BYTES) return { language, html: null, lines: countLines(text) };
  const lines = countLines(text);
  return lines > HIGHLIGHT_MAX_LINES ? { language, html: null, lines } : null;
}

/** File names rendered as markdown. */
export function isMarkdownFile(name: string): boolean {
  return /\.(?:md|markdown|mdown|mkdn|mkd|mdwn|mdtxt|mdtext)$/i.test(name);
}

/** The document as text (byte-order mark dropped); null when it is over `MARKDOWN_MAX_BYTES`. */
export function markdownText(input: string | Buffer): string | null {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (bytes > MARKDOWN_MAX_BYTES) return null;
  const text = typeof input === 'string' ? input : input.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Plain text as a `<pre>` block, escaped as the sanitizer prints text (`&` and `<` as character
 * references): plain READMEs, and documents whose rendering failed. Linear, with no parser, so
 * it is safe on the main thread for any size we read.
 */
export function preformatted(text: string): string {
  return `<pre>${text.replace(/[&<]/g, (c) => (c === '&' ? '&#x26;' : '&#x3C;'))}</pre>`;
}
