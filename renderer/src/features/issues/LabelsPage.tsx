// /<owner>/<repo>/labels: the repository's labels with how many open issues carry each (a link
// to the filtered list). Writers add, edit and delete them — name (a `scope/` prefix makes a
// scoped label; "exclusive" keeps one label of the scope per issue), color (picker, hex, or a
// preset swatch, previewed as the chip will look) and description. Readers see the list.
import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Button, ConfirmModal, EmptyState, ErrorState, FormError, Hint, Loading, Panel, PanelHeader, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser, useReadOnly } from '../session/api';
import { useDeleteLabel, useIssueCount, useLabels, useSaveLabel } from './api';
import { LabelChip, hexColor } from './bits';
import type { Label, LabelBody } from './types';
import s from './Issues.module.css';

/** GitHub's and Gitea's default palette: quick picks that read well with either text color. */
const SWATCHES = ['#b60205', '#d93f0b', '#fbca04', '#0e8a16', '#006b75', '#1d76db', '#0052cc', '#5319e7', '#e99695', '#f9d0c4', '#fef2c0', '#c2e0c6', '#bfdadc', '#c5def5', '#bfd4f2', '#d4c5f9'];

export function LabelsPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const me = useCurrentUser();
  const writer = !!me && repo.permissions.push;
  const q = useLabels(owner, name);
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  useTitle(`Labels · ${repo.full_name}`);

  return (
    <div>
      <div className={s.pageHead}>
        <h2 className={s.pageTitle}>Labels</h2>
        <div className={s.pageHeadRight}>
          <Link to="/$owner/$repo/issues" params={{ owner, repo: name }}>
            Issues
          </Link>
          <Link to="/$owner/$repo/milestones" params={{ owner, repo: name }}>
            Milestones
          </Link>
          {writer && editing !== 'new' && (
            <Button variant="primary" small onClick={() => setEditing('new')} data-testid="new-label">
              New label
            </Button>
          )}
        </div>
      </div>
      <Panel>
        {editing === 'new' && <LabelForm label={null} onDone={() => setEditing(null)} />}
        {q.isPending ? (
          <Loading />
        ) : q.isError ? (
          <ErrorState error={q.error} retry={() => void q.refetch()} />
        ) : q.data.length === 0 && editing !== 'new' ? (
          <EmptyState title="No labels yet">{writer ? 'Labels sort issues by kind, priority or area: add the first.' : 'Nobody has added labels here yet.'}</EmptyState>
        ) : (
          <>
            {q.data.length > 0 && (
              <PanelHeader>
                <strong>
                  {q.data.length} {q.data.length === 1 ? 'label' : 'labels'}
                </strong>
              </PanelHeader>
            )}
            <ul className={s.rows} data-testid="label-list">
              {q.data.map((l) =>
                editing === l.id ? (
                  <li key={l.id}>
                    <LabelForm label={l} onDone={() => setEditing(null)} />
                  </li>
                ) : (
                  <LabelRow key={l.id} label={l} writer={writer} onEdit={() => setEditing(l.id)} />
                ),
              )}
            </ul>
          </>
        )}
      </Panel>
    </div>
  );
}

function LabelRow({ label, writer, onEdit }: { label: Label; writer: boolean; onEdit: () => void }) {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const open = useIssueCount(owner, name, { labels: label.name });
  const del = useDeleteLabel(owner, name);
  const readOnly = useReadOnly();
  const [confirm, setConfirm] = useState(false);
  return (
    <li className={s.manageRow} data-testid="label-row" data-label={label.name}>
      <div className={s.manageName}>
        <LabelChip label={label} />
      </div>
      <div className={s.manageDesc}>
        {label.description}
        {label.exclusive && <Hint>Exclusive: one label of this scope per issue.</Hint>}
      </div>
      <Link to="/$owner/$repo/issues" params={{ owner, repo: name }} search={{ labels: label.name }} className="muted">
        {open.data ?? '…'} open {open.data === 1 ? 'issue' : 'issues'}
      </Link>
      {writer && (
        <div className={s.manageActions}>
          <Button small onClick={onEdit} disabled={readOnly} aria-label={`Edit label ${label.name}`}>
            Edit
          </Button>
          <Button small variant="danger" onClick={() => setConfirm(true)} disabled={readOnly} aria-label={`Delete label ${label.name}`}>
            Delete
          </Button>
        </div>
      )}
      <ConfirmModal
        open={confirm}
        title={`Delete the label “${label.name}”?`}
        confirmLabel="Delete label"
        busy={del.isPending}
        error={del.error}
        onCancel={() => setConfirm(false)}
        onConfirm={() => del.mutate(label.id, { onSuccess: () => setConfirm(false) })}
      >
        <p>It comes off every issue that carries it. This can't be undone.</p>
      </ConfirmModal>
    </li>
  );
}

function LabelForm({ label, onDone }: { label: Label | null; onDone: () => void }) {
  const repo = useRepoContext();
  const save = useSaveLabel(repo.owner.login, repo.name);
  const readOnly = useReadOnly();
  const [body, setBody] = useState<LabelBody>(() => ({
    name: label?.name ?? '',
    color: label ? hexColor(label.color) : SWATCHES[Math.floor(Math.random() * SWATCHES.length)]!,
    description: label?.description ?? '',
    exclusive: label?.exclusive ?? false,
  }));
  const set = (patch: Partial<LabelBody>) => setBody((b) => ({ ...b, ...patch }));
  const validColor = /^#?[0-9a-f]{6}$/i.test(body.color.trim());
  const scoped = body.name.includes('/');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const color = body.color.trim().startsWith('#') ? body.color.trim() : `#${body.color.trim()}`;
    save.mutate({ id: label?.id ?? null, body: { ...body, name: body.name.trim(), color, exclusive: scoped && body.exclusive } }, { onSuccess: onDone });
  };
  const id = label ? `label-${label.id}` : 'label-new';
  return (
    <form className={s.labelForm} onSubmit={onSubmit} aria-label={label ? `Edit label ${label.name}` : 'New label'} data-testid="label-form">
      <div className={s.preview}>
        <LabelChip label={{ name: body.name.trim() || 'Label preview', color: validColor ? body.color.trim() : '#888888', description: body.description, exclusive: scoped && body.exclusive }} />
      </div>
      <div className={s.formGrid}>
        <div>
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} type="text" required maxLength={50} value={body.name} onChange={(e) => set({ name: e.target.value })} autoFocus data-testid="label-name" />
        </div>
        <div>
          <label htmlFor={`${id}-color`}>Color</label>
          <div className={s.colorRow}>
            <input type="color" aria-label="Pick a color" value={validColor ? hexColor(body.color.trim()) : '#888888'} onChange={(e) => set({ color: e.target.value })} />
            <input
              id={`${id}-color`}
              type="text"
              value={body.color}
              onChange={(e) => set({ color: e.target.value })}
              maxLength={7}
              pattern="#?[0-9a-fA-F]{6}"
              aria-invalid={!validColor}
              spellCheck={false}
              data-testid="label-color"
            />
          </div>
          <div className={s.swatches} role="group" aria-label="Preset colors">
            {SWATCHES.map((c) => (
              <button key={c} type="button" className={s.swatch} style={{ background: c }} aria-label={`Use ${c}`} title={c} onClick={() => set({ color: c })} />
            ))}
          </div>
        </div>
      </div>
      <label htmlFor={`${id}-desc`}>
        Description <span className="faint">(optional)</span>
      </label>
      <input id={`${id}-desc`} type="text" maxLength={255} value={body.description} onChange={(e) => set({ description: e.target.value })} />
      <label className={s.check2}>
        <input type="checkbox" checked={scoped && body.exclusive} disabled={!scoped} onChange={(e) => set({ exclusive: e.target.checked })} />
        <span>
          <strong>Exclusive</strong>
          <span className={s.checkHint}>For a scoped name like “priority/high”: an issue keeps one label of the scope (adding another replaces it).</span>
        </span>
      </label>
      <FormError error={save.error} />
      <div className={s.formActions}>
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={save.isPending} disabled={!body.name.trim() || !validColor || readOnly} data-testid="label-save">
          {label ? 'Save changes' : 'Create label'}
        </Button>
      </div>
    </form>
  );
}
