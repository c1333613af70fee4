// The triage sections of an issue's sidebar — labels, milestone, assignees — shared by the new
// issue form (where they set the form's state) and an issue's page (where each change is saved
// when its picker closes). Writers edit; everyone else reads.
import { Link } from '@tanstack/react-router';
import { Avatar } from '../../components/ui';
import { UserName } from '../pulls/bits';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser } from '../session/api';
import type { User } from '../users/types';
import { useAssignable, useUsableLabels, useMilestones } from './api';
import { LabelChip, Picker, type PickerOption } from './bits';
import type { Label, Milestone } from './types';
import s from './Issues.module.css';

export function TriageSections({
  labels,
  milestone,
  assignees,
  canEdit,
  busy,
  extraLabels,
  onLabels,
  onMilestone,
  onAssignees,
}: {
  labels: Label[];
  milestone: Milestone | null;
  assignees: Pick<User, 'login'>[];
  canEdit: boolean;
  busy?: boolean;
  /** labels the repository's list doesn't have (an organization's), known from elsewhere */
  extraLabels?: Label[];
  onLabels: (ids: number[]) => void;
  onMilestone: (id: number | null) => void;
  onAssignees: (logins: string[]) => void;
}) {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const me = useCurrentUser();
  const all = useUsableLabels(owner, name);
  const milestones = useMilestones(owner, name, 'open');
  const people = useAssignable(owner, name, canEdit);

  const labelPool = new Map<number, Label>();
  for (const l of [...(all.data ?? []), ...(extraLabels ?? []), ...labels]) if (!l.is_archived || labels.some((x) => x.id === l.id)) labelPool.set(l.id, l);
  const labelOptions: PickerOption[] = [...labelPool.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((l) => ({ key: String(l.id), text: l.name, node: <LabelChip label={l} small />, hint: l.description || (l.exclusive ? 'one per issue in its scope' : undefined) }));

  const msPool = new Map<number, Milestone>((milestones.data ?? []).map((m) => [m.id, m]));
  if (milestone) msPool.set(milestone.id, milestone);
  const msOptions: PickerOption[] = [...msPool.values()].map((m) => ({
    key: String(m.id),
    text: m.title,
    node: <strong>{m.title}</strong>,
    hint: m.due_on ? `due ${new Date(m.due_on).toLocaleDateString(undefined, { timeZone: 'UTC', dateStyle: 'medium' })}` : undefined,
  }));

  // who can be assigned (the repository's /assignees), you first, and whoever is assigned already
  const logins = new Set<string>();
  const personOptions: PickerOption[] = [];
  const addPerson = (login: string, hint?: string) => {
    if (logins.has(login.toLowerCase())) return;
    logins.add(login.toLowerCase());
    personOptions.push({
      key: login,
      text: login,
      node: (
        <span className={s.person}>
          <Avatar name={login} size={18} /> {login}
        </span>
      ),
      hint,
    });
  };
  if (me) addPerson(me.login, 'you');
  if (repo.owner.type !== 'Organization') addPerson(repo.owner.login);
  for (const u of people.data ?? []) addPerson(u.login);
  for (const u of assignees) addPerson(u.login);

  const ms = milestone;
  const total = ms ? ms.open_issues + ms.closed_issues : 0;
  return (
    <>
      <section data-testid="sidebar-labels">
        <Picker
          title="Labels"
          options={labelOptions}
          selected={labels.map((l) => String(l.id))}
          onApply={(keys) => onLabels(keys.map(Number))}
          readOnly={!canEdit}
          disabled={busy}
          testId="labels-picker"
          emptyText="No labels yet"
          footer={
            <Link to="/$owner/$repo/labels" params={{ owner, repo: name }} className={s.pickerClear}>
              Edit labels
            </Link>
          }
        />
        {labels.length === 0 ? (
          <div className="faint">None yet</div>
        ) : (
          <div className={s.labels}>
            {labels.map((l) => (
              <LabelChip key={l.id} label={l} />
            ))}
          </div>
        )}
      </section>
      <section data-testid="sidebar-milestone">
        <Picker
          title="Milestone"
          single
          options={msOptions}
          selected={milestone ? [String(milestone.id)] : []}
          onApply={(keys) => onMilestone(keys[0] ? Number(keys[0]) : null)}
          readOnly={!canEdit}
          disabled={busy}
          testId="milestone-picker"
          emptyText="No open milestones"
        />
        {!ms ? (
          <div className="faint">No milestone</div>
        ) : (
          <div>
            <Link to="/$owner/$repo/issues" params={{ owner, repo: name }} search={{ milestone: ms.title }}>
              <strong>{ms.title}</strong>
            </Link>
            {total > 0 && (
              <div className={s.progress} role="progressbar" aria-label={`${ms.title} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round((ms.closed_issues / total) * 100)}>
                <div className={s.progressBar} style={{ width: `${(ms.closed_issues / total) * 100}%` }} />
              </div>
            )}
          </div>
        )}
      </section>
      <section data-testid="sidebar-assignees">
        <Picker title="Assignees" options={personOptions} selected={assignees.map((u) => u.login)} onApply={onAssignees} readOnly={!canEdit} disabled={busy} testId="assignees-picker" />
        {assignees.length === 0 ? (
          <div className="faint">
            No one
            {canEdit && me && (
              <>
                {' — '}
                <button type="button" className="linkish" onClick={() => onAssignees([me.login])} disabled={busy} data-testid="assign-yourself">
                  assign yourself
                </button>
              </>
            )}
          </div>
        ) : (
          <ul>
            {assignees.map((u) => (
              <li key={u.login}>
                {/* the name links to the profile; the new issue form knows only the login */}
                <UserName user={u as User} avatar={18} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
