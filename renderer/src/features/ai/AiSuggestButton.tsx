// "Write message": asks the server's local model for a commit message (or a pull request title
// and description) for the change in the form, shows it as it is written in a small panel in
// place, and fills the form only when the user says "Use this". It never blocks the form: the
// user can keep typing, commit or cancel while the model writes. Renders nothing while the
// feature is off.
import { useEffect, useRef, useState } from 'react';
import { Button, Notice } from '../../components/ui';
import { streamSuggestion, SuggestionError, useAiStatus, type Suggestion, type SuggestionKind } from './api';
import s from './Ai.module.css';

export interface AiSuggestButtonProps {
  owner: string;
  repo: string;
  kind: SuggestionKind;
  /** The JSON body to send, read when the button is pressed (the change as it is then). */
  request: () => unknown;
  /** Fills the form; for a pull request the subject is the title. */
  onApply: (s: { subject: string; body: string }) => void;
}

type State = { phase: 'idle' } | { phase: 'writing'; text: string } | { phase: 'done'; result: Suggestion } | { phase: 'failed'; message: string; removed: string[] };

function Removed({ items }: { items: string[] }) {
  if (!items.length) return null;
  return (
    <div className={s.removed} data-testid="ai-removed">
      Taken out because the change doesn't contain {items.length === 1 ? 'it' : 'them'}:{' '}
      {items.map((r, i) => (
        <span key={`${i}:${r}`}>
          {i > 0 && ', '}
          <code>{r}</code>
        </span>
      ))}
    </div>
  );
}

export function AiSuggestButton({ owner, repo, kind, request, onApply }: AiSuggestButtonProps) {
  const status = useAiStatus();
  const [state, setState] = useState<State>({ phase: 'idle' });
  const running = useRef<AbortController | null>(null);
  // leaving the form cancels the model's work
  useEffect(() => () => running.current?.abort(), []);
  if (!status.data?.enabled) return null;

  const what = kind === 'commit-message' ? 'message' : 'description';
  const start = () => {
    running.current?.abort();
    const ac = new AbortController();
    running.current = ac;
    setState({ phase: 'writing', text: '' });
    let body: unknown;
    try {
      body = request();
    } catch (err) {
      setState({ phase: 'failed', message: err instanceof Error ? err.message : String(err), removed: [] });
      return;
    }
    streamSuggestion(owner, repo, kind, body, {
      signal: ac.signal,
      onDelta: (d) => setState((prev) => (prev.phase === 'writing' && running.current === ac ? { phase: 'writing', text: prev.text + d } : prev)),
    }).then(
      (result) => {
        if (running.current === ac) setState({ phase: 'done', result });
      },
      (err: unknown) => {
        if (running.current !== ac || ac.signal.aborted) return;
        const removed = err instanceof SuggestionError ? err.removed : [];
        setState({ phase: 'failed', message: err instanceof Error ? err.message : String(err), removed });
      },
    );
  };
  const stop = () => {
    running.current?.abort();
    running.current = null;
    setState({ phase: 'idle' });
  };

  return (
    <div className={s.wrap} data-testid={`ai-suggest-${kind}`}>
      <div className={s.bar}>
        <Button small onClick={start} busy={state.phase === 'writing'} title={`Ask ${status.data.model ?? 'the local model'} on this server to write a ${what} for the change`}>
          {state.phase === 'writing' ? 'Writing…' : state.phase === 'idle' ? `Write ${what}` : 'Try again'}
        </Button>
        {state.phase === 'writing' && (
          <Button small variant="ghost" onClick={stop}>
            Cancel
          </Button>
        )}
        <span className={s.model}>{status.data.model} on this server · check it before you use it</span>
      </div>
      {state.phase === 'writing' && (
        <div className={s.panel} aria-live="polite" aria-busy="true">
          <pre className={`${s.text} ${s.cursor}`}>{state.text}</pre>
        </div>
      )}
      {state.phase === 'done' && (
        <div className={s.panel} data-testid="ai-suggestion">
          <pre className={s.text}>
            <span className={s.subject}>{state.result.subject}</span>
            {state.result.body ? `\n\n${state.result.body}` : ''}
          </pre>
          <Removed items={state.result.removed} />
          <div className={s.actions}>
            <Button
              small
              variant="primary"
              onClick={() => {
                onApply({ subject: state.result.subject, body: state.result.body });
                setState({ phase: 'idle' });
              }}
            >
              Use this
            </Button>
            <Button small variant="ghost" onClick={() => setState({ phase: 'idle' })}>
              Discard
            </Button>
          </div>
        </div>
      )}
      {state.phase === 'failed' && (
        <Notice kind="error">
          {state.message}
          <Removed items={state.removed} />
          <div className={s.actions}>
            <Button small variant="ghost" onClick={() => setState({ phase: 'idle' })}>
              Dismiss
            </Button>
          </div>
        </Notice>
      )}
    </div>
  );
}
