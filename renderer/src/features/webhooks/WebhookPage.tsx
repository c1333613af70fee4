// /<owner>/<repo>/settings/hooks/new and /settings/hooks/<id>: the webhook form (URL, secret,
// events, branch filter, active), a "Test delivery" button, delete, and the delivery log: what
// was sent (headers, body), what came back (status, headers, body excerpt) or why nothing was
// sent, with a Redeliver button on each.
import { useNavigate, useParams } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Badge, Button, ConfirmModal, EmptyState, ErrorState, FormError, Hint, Loading, NotFoundPanel, Pager, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { SettingsFrame, useReadOnly } from '../repo-settings/SettingsNav';
import { useDeleteHook, useDeliveries, useHook, useRedeliver, useSaveHook, useTestHook, type Delivery, type Hook, type HookBody } from './api';
import s from './Webhooks.module.css';

/** The events the form offers, in Gitea's names; "issues" and "pull_request" also cover their kinds. */
const EVENTS: { name: string; label: string; hint: string }[] = [
  { name: 'push', label: 'Push', hint: 'commits pushed to a branch or tag' },
  { name: 'create', label: 'Create', hint: 'a branch or tag created' },
  { name: 'delete', label: 'Delete', hint: 'a branch or tag deleted' },
  { name: 'issues', label: 'Issues', hint: 'opened, edited, closed, reopened, assigned, commented' },
  { name: 'issue_comment', label: 'Issue comments', hint: 'only the comments' },
  { name: 'pull_request', label: 'Pull requests', hint: 'opened, closed, merged, synchronized, reviewed, commented' },
  { name: 'pull_request_sync', label: 'Pull request synchronized', hint: 'only new commits on the head' },
  { name: 'pull_request_review_approved', label: 'Pull request approved', hint: 'only approvals' },
  { name: 'status', label: 'Commit status', hint: 'a status posted by CI or another tool' },
];

export function NewWebhookPage() {
  const repo = useRepoContext();
  useTitle(`Add webhook · ${repo.full_name}`);
  return (
    <SettingsFrame repo={repo}>
      <HookForm hook={null} />
    </SettingsFrame>
  );
}

export function WebhookPage() {
  const repo = useRepoContext();
  const { id } = useParams({ from: '/$owner/$repo/settings/hooks/$id' });
  const hookId = /^\d+$/.test(id) ? Number(id) : 0;
  const hook = useHook(repo.owner.login, repo.name, hookId);
  useTitle(`Webhook · ${repo.full_name}`);
  return (
    <SettingsFrame repo={repo}>
      {hook.isPending ? (
        <Loading />
      ) : hook.isError ? (
        (hook.error as { notFound?: boolean }).notFound ? (
          <NotFoundPanel />
        ) : (
          <ErrorState error={hook.error} retry={() => void hook.refetch()} />
        )
      ) : (
        <>
          <HookForm key={hook.data.updated_at} hook={hook.data} />
          <DeliveryLog hook={hook.data} />
        </>
      )}
    </SettingsFrame>
  );
}

function HookForm({ hook }: { hook: Hook | null }) {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const readOnly = useReadOnly();
  const navigate = useNavigate();
  const save = useSaveHook(owner, repo.name, hook?.id ?? null);
  const remove = useDeleteHook(owner, repo.name);
  const test = useTestHook(owner, repo.name, hook?.id ?? 0);
  const [url, setUrl] = useState(hook?.config.url ?? '');
  const [secret, setSecret] = useState('');
  const [events, setEvents] = useState<string[]>(hook?.events ?? ['push']);
  const [branchFilter, setBranchFilter] = useState(hook?.branch_filter ?? '');
  const [authorization, setAuthorization] = useState(hook?.authorization_header ?? '');
  const [active, setActive] = useState(hook?.active ?? true);
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const params = { owner, repo: repo.name };

  const toggle = (name: string, on: boolean) => setEvents((list) => (on ? [...list.filter((e) => e !== name), name] : list.filter((e) => e !== name)));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const body: HookBody = {
      config: { url: url.trim(), content_type: 'json', ...(secret || !hook ? { secret } : {}) },
      events,
      branch_filter: branchFilter.trim(),
      authorization_header: authorization,
      active,
    };
    save.mutate(body, {
      onSuccess: (h) => {
        setSecret('');
        setSaved(true);
        if (!hook) void navigate({ to: '/$owner/$repo/settings/hooks/$id', params: { ...params, id: String(h.id) } });
      },
    });
  };

  return (
    <Panel>
      <PanelHeader>
        <h2>{hook ? 'Webhook' : 'Add webhook'}</h2>
        {hook && <Badge accent={hook.active}>{hook.active ? 'active' : 'inactive'}</Badge>}
      </PanelHeader>
      <form onSubmit={onSubmit} className={s.form} aria-label={hook ? 'Edit webhook' : 'Add webhook'}>
        <label htmlFor="hook-url">Target URL</label>
        <input id="hook-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://ci.example.lan/hooks/gitea" maxLength={2048} required spellCheck={false} />
        <Hint>
          Checked now and at every delivery. Loopback, link-local and private addresses (and this forge's own ports) are refused unless an administrator lists them under webhooks.allowCidrs.
        </Hint>
        <label htmlFor="hook-secret">Secret</label>
        <input
          id="hook-secret"
          type="password"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          maxLength={512}
          autoComplete="new-password"
          placeholder={hook?.has_secret ? '(unchanged)' : ''}
        />
        <Hint>
          Each delivery carries <code>X-Gitea-Signature</code>: the hex HMAC-SHA256 of the body with this secret (also <code>X-Hub-Signature-256: sha256=…</code>).
        </Hint>
        <fieldset className={s.eventsBox}>
          <legend>Events</legend>
          <div className={s.events}>
            {EVENTS.map((ev) => (
              <label key={ev.name} className={s.check}>
                <input type="checkbox" checked={events.includes(ev.name)} onChange={(e) => toggle(ev.name, e.target.checked)} />
                <span>
                  {ev.label}
                  <small>{ev.hint}</small>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <label htmlFor="hook-branches">Branch filter</label>
        <input id="hook-branches" type="text" value={branchFilter} onChange={(e) => setBranchFilter(e.target.value)} placeholder="*" maxLength={1024} spellCheck={false} />
        <Hint>For push, create and delete events: a glob such as main, release/* or {'{main,release/*}'}; empty means every branch.</Hint>
        <label htmlFor="hook-auth">Authorization header</label>
        <input id="hook-auth" type="text" value={authorization} onChange={(e) => setAuthorization(e.target.value)} placeholder="Bearer …" maxLength={1024} autoComplete="off" spellCheck={false} />
        <label className={s.check}>
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          <span>
            Active
            <small>An inactive webhook is kept but sent nothing (a test delivery still goes).</small>
          </span>
        </label>
        <FormError error={save.error} />
        <FormError error={test.error} />
        <div className={s.actions}>
          {hook && (
            <>
              <Button variant="danger" disabled={readOnly} onClick={() => setDeleting(true)}>
                Delete
              </Button>
              <Button disabled={readOnly} busy={test.isPending} onClick={() => test.mutate()} title="Sends a push of the default branch's head commit now">
                Test delivery
              </Button>
            </>
          )}
          <span className={s.spacer} />
          {saved && !save.isPending && (
            <span className={s.saved} role="status">
              ✓ Saved
            </span>
          )}
          {test.isSuccess && <span className={s.saved}>Test queued: see the deliveries below</span>}
          <Button type="submit" variant="primary" busy={save.isPending} disabled={readOnly || !url.trim() || events.length === 0}>
            {hook ? 'Save' : 'Add webhook'}
          </Button>
        </div>
      </form>
      <ConfirmModal
        open={deleting}
        title="Delete this webhook?"
        confirmLabel="Delete"
        busy={remove.isPending}
        error={remove.error}
        onCancel={() => setDeleting(false)}
        onConfirm={() => hook && remove.mutate(hook.id, { onSuccess: () => void navigate({ to: '/$owner/$repo/settings/hooks', params }) })}
      >
        <p>
          Nothing more is sent to <strong>{hook?.config.url}</strong>, and its delivery log goes too.
        </p>
      </ConfirmModal>
    </Panel>
  );
}

function DeliveryLog({ hook }: { hook: Hook }) {
  const repo = useRepoContext();
  const [page, setPage] = useState(1);
  const list = useDeliveries(repo.owner.login, repo.name, hook.id, page);
  const total = list.data?.total ?? null;
  return (
    <Panel>
      <PanelHeader>
        <h2>Recent deliveries</h2>
        {total !== null && <span className="muted">{total}</span>}
      </PanelHeader>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title="Nothing sent yet" icon="⇢">
          Deliveries show up here with what was sent and what came back. Try "Test delivery".
        </EmptyState>
      ) : (
        <>
          <ul className={s.deliveries} data-testid="deliveries">
            {list.data.items.map((d) => (
              <DeliveryRow key={d.id} hook={hook} d={d} />
            ))}
          </ul>
          <Pager page={page} hasNext={total !== null && page * 20 < total} onPage={setPage} />
        </>
      )}
    </Panel>
  );
}

function outcome(d: Delivery): { text: string; cls: string | undefined } {
  if (d.state === 'delivered') return { text: `✓ ${d.status_code}`, cls: s.ok };
  if (d.state === 'refused') return { text: '⊘ refused', cls: s.bad };
  if (d.state === 'failed') return { text: `✕ ${d.status_code ?? 'failed'}`, cls: s.bad };
  return { text: d.attempts > 0 ? `… retrying (attempt ${d.attempts + 1})` : '… queued', cls: s.wait };
}

const headerText = (h: Record<string, string>) =>
  Object.entries(h)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');

function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function DeliveryRow({ hook, d }: { hook: Hook; d: Delivery }) {
  const repo = useRepoContext();
  const readOnly = useReadOnly();
  const redeliver = useRedeliver(repo.owner.login, repo.name, hook.id);
  const [open, setOpen] = useState(false);
  const o = outcome(d);
  return (
    <li className={s.delivery} data-testid={`delivery-${d.id}`}>
      <button type="button" className={s.deliveryHead} aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className={o.cls}>{o.text}</span>
        <Badge>{d.event_type}</Badge>
        {d.is_test && <Badge accent>test</Badge>}
        {d.redelivery_of !== null && <Badge>redelivery</Badge>}
        <span className={s.uuid}>{d.uuid}</span>
        <span className={s.when}>
          <RelativeTime iso={d.delivered_at ?? d.created_at} />
          {d.duration_ms !== null && ` · ${d.duration_ms} ms`}
        </span>
      </button>
      {open && (
        <div className={s.detail}>
          {d.error && <div className={s.bad}>{d.error}</div>}
          <div>
            <h3>
              Request · POST {d.request.url}
              {d.attempts > 1 && ` · ${d.attempts} attempts`}
            </h3>
            <pre className={s.pre}>{headerText(d.request.headers)}</pre>
            <pre className={s.pre}>{prettyBody(d.request.body)}</pre>
          </div>
          <div>
            <h3>Response{d.response ? ` · ${d.response.status}` : ''}</h3>
            {d.response ? (
              <>
                <pre className={s.pre}>{headerText(d.response.headers)}</pre>
                <pre className={s.pre}>{d.response.body || '(empty body)'}</pre>
              </>
            ) : (
              <p className="muted">{d.state === 'pending' ? 'Not answered yet.' : 'No response.'}</p>
            )}
          </div>
          <div className={s.detailActions}>
            <Button small disabled={readOnly || d.state === 'pending'} busy={redeliver.isPending} onClick={() => redeliver.mutate(d.id)}>
              Redeliver
            </Button>
            <FormError error={redeliver.error} />
          </div>
        </div>
      )}
    </li>
  );
}
