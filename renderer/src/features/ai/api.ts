// The AI feature's calls: whether suggestions are on (GET /ai), and one suggestion streamed as
// NDJSON while the model writes it (POST /repos/{o}/{r}/ai/commit-message | pull-description).
import { useQuery } from '@tanstack/react-query';
import { ApiError, apiGet, apiUrl } from '../../api/client';
import { getCsrfToken, setCsrfToken } from '../../app/boot';

export type SuggestionKind = 'commit-message' | 'pull-description';

export interface AiStatus {
  enabled: boolean;
  model: string | null;
}

export interface Suggestion {
  subject: string;
  body: string;
  /** What the server took out because the change doesn't contain it. */
  removed: string[];
}

/** A suggestion that failed or was refused; `removed` lists what a refusal found unbacked. */
export class SuggestionError extends ApiError {
  constructor(
    status: number,
    message: string,
    readonly removed: string[] = [],
    code?: string,
  ) {
    super(status, message, code);
    this.name = 'SuggestionError';
  }
}

export const getAiStatus = () => apiGet<AiStatus>('/ai');
export function useAiStatus() {
  // off (or not signed in) is an answer, not an error worth retrying
  return useQuery({ queryKey: ['ai', 'status'], queryFn: getAiStatus, retry: false, staleTime: 60_000 });
}

type Line = { delta?: string; done?: boolean; subject?: string; title?: string; body?: string; removed?: string[]; error?: string; status?: number };

async function failure(res: Response): Promise<SuggestionError> {
  let message = `${res.status} ${res.statusText}`;
  let code: string | undefined;
  let removed: string[] = [];
  try {
    const b = (await res.json()) as { message?: string; code?: string; removed?: string[] };
    if (b.message) message = b.message;
    code = b.code;
    if (Array.isArray(b.removed)) removed = b.removed;
  } catch {
    // not JSON: keep the status line
  }
  return new SuggestionError(res.status, message, removed, code);
}

/**
 * Asks for a suggestion and reads it as it is written: `onDelta` gets each new piece of text,
 * the promise the checked result. Aborting `signal` cancels the model's work on the server too.
 */
export async function streamSuggestion(owner: string, repo: string, kind: SuggestionKind, body: unknown, opts: { signal: AbortSignal; onDelta: (text: string) => void }): Promise<Suggestion> {
  const url = apiUrl(`/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/ai/${kind}`);
  const json = JSON.stringify(body);
  let res: Response;
  for (let attempt = 0; ; attempt++) {
    const token = await getCsrfToken();
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' };
    if (token) headers['X-CSRF-Token'] = token;
    res = await fetch(url, { method: 'POST', headers, body: json, credentials: 'same-origin', signal: opts.signal });
    if (res.ok) break;
    const err = await failure(res);
    // the session changed under this tab: fetch a fresh token and try once more
    if (attempt === 0 && res.status === 403 && err.code === 'csrf') {
      setCsrfToken(null);
      continue;
    }
    throw err;
  }
  if (!res.body) throw new SuggestionError(502, 'the server sent no answer');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const handle = (raw: string): Suggestion | null => {
    if (!raw.trim()) return null;
    const line = JSON.parse(raw) as Line;
    if (typeof line.delta === 'string') opts.onDelta(line.delta);
    if (line.error) throw new SuggestionError(line.status ?? 502, line.error, line.removed ?? []);
    if (line.done) return { subject: line.subject ?? line.title ?? '', body: line.body ?? '', removed: line.removed ?? [] };
    return null;
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) {
      const result = handle(l);
      if (result) return result;
    }
  }
  const last = handle(buf + decoder.decode());
  if (last) return last;
  throw new SuggestionError(502, 'the answer ended before it was complete');
}
