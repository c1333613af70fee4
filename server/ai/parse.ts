// Turns what a model wrote into a subject and a body. Small models wrap their answer in code
// fences, label it ("Subject:"), open with a preamble or think aloud in <think> tags; all of
// that is taken off. Text that is not a message at all (symbols, nothing) is not usable.

export interface Message {
  subject: string;
  body: string;
}

export const SUBJECT_MAX = 72;

/** Removes <think>…</think> blocks, and an unterminated one at the end (still being written). */
export function stripThinking(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/gi, '').replace(/<think>[\s\S]*$/i, '');
}

const PREAMBLE = /^(?:sure|okay|ok|certainly|here(?:'s| is| are)|below is)\b[^\n]*:\s*$/i;
const LABEL = /^\s*(?:\*\*)?(?:commit message|commit|subject(?: line)?|summary|title|pull request title|pr title)(?:\*\*)?\s*:\s*(?:\*\*)?\s*/i;
const BODY_LABEL = /^\s*(?:\*\*)?(?:body|description|details|pull request description|pr description)(?:\*\*)?\s*:\s*(?:\*\*)?\s*$/i;

/** The subject as git wants it: one line, no markdown heading or quotes, no end period, ≤ 72 characters cut at a word. */
export function cleanSubject(line: string, max = SUBJECT_MAX): string {
  let s = line
    .replace(/^\s*#{1,6}\s+/, '')
    .replace(/^\s*[-*•]\s+/, '')
    .replace(/^\*\*(.*)\*\*$/, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  s = s.replace(/^(["'“‘])(.*)(["'”’])$/, '$2').trim();
  s = s.replace(/\.+$/, '').trim();
  if (s.length <= max) return s;
  const cut = s.slice(0, max + 1);
  const space = cut.lastIndexOf(' ');
  s = space > max / 3 ? cut.slice(0, space) : s.slice(0, max);
  return s.replace(/[\s,;:(\-–—]+$/, '');
}

/** Whether a line reads like words: enough letters, not a run of symbols. */
export function looksLikeText(s: string): boolean {
  const letters = (s.match(/\p{L}/gu) ?? []).length;
  const wordish = (s.match(/[\p{L}\p{N}\s'’.,:;()`/#_-]/gu) ?? []).length;
  return letters >= 3 && wordish / Math.max(1, s.length) >= 0.7 && /\p{L}{2,}/u.test(s);
}

function fromJson(text: string): Message | null {
  if (!/^\s*\{[\s\S]*\}\s*$/.test(text)) return null;
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const subject = o.subject ?? o.title ?? o.summary;
    const body = o.body ?? o.description ?? o.details ?? '';
    if (typeof subject !== 'string') return null;
    return { subject, body: Array.isArray(body) ? body.map(String).join('\n') : String(body) };
  } catch {
    return null;
  }
}

/**
 * The message in a model's answer, or null when there is none to be had. `maxSubject` cuts the
 * subject (a commit's is 72; a pull request title may be longer but is kept the same here).
 */
export function parseMessage(raw: string, maxSubject = SUBJECT_MAX): Message | null {
  // control characters other than tab and newline never belong in a message
  // eslint-disable-next-line no-control-regex
  let text = stripThinking(raw.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')).trim();
  const fenced = /^```[\w-]*\n([\s\S]*?)\n?```$/.exec(text);
  if (fenced) text = fenced[1]!.trim();
  const json = fromJson(text);
  // an object without a subject is an answer in some other shape, not a message
  if (!json && /^\{[\s\S]*\}$/.test(text)) return null;
  const lines = json ? [json.subject, '', ...json.body.split('\n')] : text.split('\n');
  // a preamble ("Here is a commit message:") and stray fences before the message
  while (lines.length && (lines[0]!.trim() === '' || PREAMBLE.test(lines[0]!.trim()) || /^```/.test(lines[0]!.trim()))) lines.shift();
  while (lines.length && (lines[lines.length - 1]!.trim() === '' || /^```$/.test(lines[lines.length - 1]!.trim()))) lines.pop();
  if (!lines.length) return null;
  const first = lines.shift()!.replace(LABEL, '');
  const subject = cleanSubject(first, maxSubject);
  if (!subject || !looksLikeText(subject)) return null;
  while (lines.length && (lines[0]!.trim() === '' || BODY_LABEL.test(lines[0]!))) lines.shift();
  const body = lines
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { subject, body };
}
