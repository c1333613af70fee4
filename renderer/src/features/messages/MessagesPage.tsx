// /messages and /messages/$id: your conversations with mutual followers. On the left, starting a
// new one and the list (latest first, with what you haven't read); on the right, the open one:
// its messages (yours on the right), "Seen" once the other person read your last message (if
// they share that), who is typing, and a box to write in (Enter sends, Shift+Enter a new line).
// Everything arrives live; the open thread is marked read as you look at it.
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { ReportButton } from '../../components/ReportDialog';
import { Avatar, Button, EmptyState, ErrorState, FormError, Hint, Loading, Panel, RelativeTime, cx, useTitle } from '../../components/ui';
import { RenderedHtml } from '../code/RenderedHtml';
import { useCurrentUser, useReadOnly } from '../session/api';
import { markRead, sendTyping, useMessageSearch, useMessages, useMessengerSettings, useOpenThread, useSend, useSetReadReceipts, useThread, useThreadLive, useThreads, type Thread } from './api';
import s from './Messages.module.css';

const TYPING_SHOWN_MS = 4_000;
const TYPING_EVERY_MS = 2_500;

/** What a thread is called for `me`: its title, else the other members' names. */
function threadName(t: Thread, me: string): string {
  return (
    t.title ||
    t.members
      .filter((u) => u.login !== me)
      .map((u) => u.full_name || u.login)
      .join(', ') ||
    me
  );
}

export function MessagesPage() {
  const params = useParams({ strict: false }) as { id?: string };
  const open = params.id && /^\d+$/.test(params.id) ? Number(params.id) : null;
  const me = useCurrentUser();
  useTitle('Messages');
  if (!me) return <EmptyState title="Sign in to read your messages" />;
  return (
    <div className={s.layout}>
      <aside className={s.side}>
        <NewThread />
        <Search />
        <ThreadList open={open} me={me.login} />
        <ReadReceipts />
      </aside>
      <section className={s.main}>
        {open === null ? (
          <Panel>
            <EmptyState title="Pick a conversation">Or start one with someone you follow who follows you back.</EmptyState>
          </Panel>
        ) : (
          <Conversation id={open} me={me.login} />
        )}
      </section>
    </div>
  );
}

function NewThread() {
  const [names, setNames] = useState('');
  const start = useOpenThread();
  const navigate = useNavigate();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const list = names
      .split(/[\s,]+/)
      .map((n) => n.replace(/^@/, ''))
      .filter(Boolean);
    start.mutate(list, {
      onSuccess: (t) => {
        setNames('');
        void navigate({ to: '/messages/$id', params: { id: String(t.id) } });
      },
    });
  };
  return (
    <form className={s.newThread} onSubmit={onSubmit} aria-label="New conversation">
      <input aria-label="Message people" placeholder="Message @someone (several for a group)" value={names} onChange={(e) => setNames(e.target.value)} data-testid="new-thread-names" />
      <Button type="submit" small disabled={!names.trim()} busy={start.isPending} data-testid="new-thread-start">
        Start
      </Button>
      <FormError error={start.error} />
    </form>
  );
}

function ThreadList({ open, me }: { open: number | null; me: string }) {
  const threads = useThreads();
  if (threads.isPending) return <Loading />;
  if (threads.isError) return <ErrorState error={threads.error} retry={() => void threads.refetch()} />;
  if (threads.data.length === 0) return <Hint>No conversations yet.</Hint>;
  return (
    <ul className={s.threads} data-testid="threads">
      {threads.data.map((t) => (
        <li key={t.id}>
          <Link to="/messages/$id" params={{ id: String(t.id) }} className={cx(s.thread, t.id === open && s.threadOpen)} data-testid="thread" data-thread={t.id} data-unread={t.unread}>
            <Avatar name={t.members.find((u) => u.login !== me)?.login ?? me} size={30} />
            <span className={s.threadText}>
              <strong>{threadName(t, me)}</strong>
              {t.last_message && <span className={s.snippet}>{t.last_message.body}</span>}
            </span>
            {t.unread > 0 && t.id !== open && <span className={s.unread}>{t.unread}</span>}
          </Link>
        </li>
      ))}
    </ul>
  );
}

function Conversation({ id, me }: { id: number; me: string }) {
  const thread = useThread(id);
  const messages = useMessages(id);
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [, tick] = useState(0);
  useThreadLive(id, (user) => setTyping((t) => ({ ...t, [user]: Date.now() + TYPING_SHOWN_MS })));
  // typing notes fade on their own
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1_000);
    return () => clearInterval(t);
  }, []);
  // what is on screen is read
  const newest = messages.data?.at(-1)?.id ?? 0;
  useEffect(() => {
    if (newest > 0 && document.visibilityState === 'visible') void markRead(id);
  }, [id, newest]);
  const bottom = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // (a block: Chromium's scrollIntoView now answers a promise, which must not become the effect's cleanup)
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [newest]);

  if (thread.isPending || messages.isPending) return <Loading />;
  if (thread.isError) return <ErrorState error={thread.error} retry={() => void thread.refetch()} />;
  if (messages.isError) return <ErrorState error={messages.error} retry={() => void messages.refetch()} />;
  const t = thread.data;
  const mineLast = [...messages.data].reverse().find((m) => m.user?.login === me);
  const seenBy = mineLast ? (t.read ?? []).filter((r) => r.user !== me && r.last_read_id !== null && r.last_read_id >= mineLast.id).map((r) => r.user) : [];
  const typists = Object.entries(typing)
    .filter(([, until]) => until > Date.now())
    .map(([u]) => u);
  return (
    <Panel className={s.conversation}>
      <header className={s.convHead}>
        <strong data-testid="thread-name">{threadName(t, me)}</strong>
        {t.kind === 'group' && <span className="muted">{t.members.map((u) => u.login).join(', ')}</span>}
      </header>
      <ol className={s.messages} data-testid="messages">
        {messages.data.map((m) => (
          <li key={m.id} className={cx(s.message, m.user?.login === me && s.mine)} data-testid="message" data-id={m.id}>
            {m.user?.login !== me && <span className={s.author}>{m.user?.full_name || m.user?.login}</span>}
            {m.hidden ? <span className={cx(s.bubble, s.hidden)}>Hidden by an administrator</span> : <RenderedHtml html={m.body_html} className={s.bubble} />}
            <span className={s.time}>
              <RelativeTime iso={m.created_at} />
              {m.user && m.user.login !== me && !m.hidden && (
                <>
                  {' · '}
                  <ReportButton target={{ kind: 'message', id: m.id }} className={s.report} />
                </>
              )}
            </span>
          </li>
        ))}
      </ol>
      <div className={s.status} aria-live="polite">
        {seenBy.length > 0 && <span data-testid="seen">Seen{t.kind === 'group' ? ` by ${seenBy.join(', ')}` : ''}</span>}
        {typists.length > 0 && (
          <span data-testid="typing">
            {typists.join(', ')} {typists.length === 1 ? 'is' : 'are'} typing…
          </span>
        )}
      </div>
      <div ref={bottom} />
      <Composer threadId={id} />
    </Panel>
  );
}

function Composer({ threadId }: { threadId: number }) {
  const [body, setBody] = useState('');
  const send = useSend(threadId);
  const readOnly = useReadOnly();
  const lastTyping = useRef(0);
  const submit = () => {
    if (!body.trim() || send.isPending) return;
    send.mutate(body, { onSuccess: () => setBody('') });
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  return (
    <form
      className={s.composer}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      aria-label="Write a message"
    >
      <textarea
        aria-label="Message"
        rows={2}
        placeholder="Write a message… (Enter sends, Shift+Enter for a new line)"
        value={body}
        onKeyDown={onKey}
        onChange={(e) => {
          setBody(e.target.value);
          if (Date.now() - lastTyping.current > TYPING_EVERY_MS) {
            lastTyping.current = Date.now();
            void sendTyping(threadId).catch(() => {});
          }
        }}
        data-testid="message-body"
      />
      <div className={s.composerActions}>
        <FormError error={send.error} />
        <Button type="submit" variant="primary" busy={send.isPending} disabled={!body.trim() || readOnly} data-testid="message-send">
          Send
        </Button>
      </div>
    </form>
  );
}

/** Finds words in your own conversations. */
function Search() {
  const [q, setQ] = useState('');
  const found = useMessageSearch(q);
  return (
    <div className={s.search}>
      <input type="search" aria-label="Search your messages" placeholder="Search your messages" value={q} onChange={(e) => setQ(e.target.value)} data-testid="message-search" />
      {q.trim().length >= 2 &&
        (found.isPending ? (
          <Loading />
        ) : found.isError ? (
          <ErrorState error={found.error} />
        ) : found.data.length === 0 ? (
          <Hint>Nothing found.</Hint>
        ) : (
          <ul className={s.results} data-testid="message-results">
            {found.data.map((m) => (
              <li key={m.id}>
                <Link to="/messages/$id" params={{ id: String(m.thread_id) }} className={s.result}>
                  <strong>{m.user?.login ?? 'someone'}</strong> <span className={s.snippet}>{m.body}</span>
                </Link>
              </li>
            ))}
          </ul>
        ))}
    </div>
  );
}

/** Whether the others in a thread see how far you have read. */
function ReadReceipts() {
  const settings = useMessengerSettings();
  const set = useSetReadReceipts();
  // the new value in the click's own render (the mutation's state comes a moment later)
  const [saving, setSaving] = useState<boolean | null>(null);
  if (!settings.data) return null;
  return (
    <label className={s.receipts}>
      <input
        type="checkbox"
        checked={saving ?? settings.data.read_receipts}
        disabled={saving !== null}
        onChange={(e) => {
          const next = e.target.checked;
          setSaving(next);
          set.mutate(next, { onSettled: () => setSaving(null) });
        }}
        data-testid="read-receipts"
      />
      Let others see when I have read their messages
    </label>
  );
}
