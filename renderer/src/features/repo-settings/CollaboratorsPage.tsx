// /<owner>/<repo>/settings/collaboration: who else may read, write or administer the
// repository. Add by username with a role, change a role, remove (after a confirmation).
import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Avatar, Button, EmptyState, ErrorState, FormError, Hint, Loading, Modal, Panel, PanelHeader, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { useCollaborators, useRemoveCollaborator, useSetCollaborator, type Role } from './api';
import { SettingsFrame, useReadOnly } from './SettingsNav';
import s from './RepoSettings.module.css';

const ROLES: Array<{ value: Role; label: string }> = [
  { value: 'read', label: 'Read' },
  { value: 'write', label: 'Write' },
  { value: 'admin', label: 'Admin' },
];

export function CollaboratorsPage() {
  const repo = useRepoContext();
  useTitle(`Collaborators · ${repo.full_name}`);
  return (
    <SettingsFrame repo={repo}>
      <Collaborators />
    </SettingsFrame>
  );
}

function Collaborators() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const readOnly = useReadOnly();
  const list = useCollaborators(owner, repo.name, true);
  const setRole = useSetCollaborator(owner, repo.name);
  const remove = useRemoveCollaborator(owner, repo.name);
  const [username, setUsername] = useState('');
  const [role, setNewRole] = useState<Role>('write');
  const [removing, setRemoving] = useState<string | null>(null);
  const add = useSetCollaborator(owner, repo.name);

  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ username: username.trim(), permission: role }, { onSuccess: () => setUsername('') });
  };

  return (
    <>
      <Panel>
        <PanelHeader>
          <h2>Add a collaborator</h2>
        </PanelHeader>
        <form onSubmit={onAdd} className={s.form} aria-label="Add a collaborator">
          <div className={s.addForm}>
            <div>
              <label htmlFor="collab-username">Username</label>
              <input id="collab-username" type="text" value={username} onChange={(e) => setUsername(e.target.value)} maxLength={40} autoComplete="off" spellCheck={false} />
            </div>
            <div className={s.fixed}>
              <label htmlFor="collab-role">Role</label>
              <select id="collab-role" className={s.roleSelect} value={role} onChange={(e) => setNewRole(e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
            </div>
            <Button type="submit" variant="primary" busy={add.isPending} disabled={readOnly || !username.trim()}>
              Add collaborator
            </Button>
          </div>
          <Hint>Read: clone and browse. Write: also push. Admin: also change settings and collaborators.</Hint>
          <FormError error={add.error} />
        </form>
      </Panel>
      <Panel>
        <PanelHeader>
          <h2>Collaborators</h2>
          {list.data && <span className="muted">{list.data.length}</span>}
        </PanelHeader>
        {list.isPending ? (
          <Loading />
        ) : list.isError ? (
          <ErrorState error={list.error} retry={() => void list.refetch()} />
        ) : list.data.length === 0 ? (
          <EmptyState title="No collaborators yet">
            Only {repo.owner.login}
            {repo.owner.type === 'Organization' ? "'s members" : ''} can change this repository so far.
          </EmptyState>
        ) : (
          <table className={s.table} data-testid="collaborators">
            <thead>
              <tr>
                <th>User</th>
                <th>Role</th>
                <th className={s.right}>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((c) => (
                <tr key={c.id} data-testid={`collaborator-${c.login}`}>
                  <td>
                    <Link to="/$owner" params={{ owner: c.login }} className={s.user}>
                      <Avatar name={c.login} size={24} />
                      {c.login}
                      {c.full_name && <span className="muted">{c.full_name}</span>}
                    </Link>
                  </td>
                  <td>
                    <label htmlFor={`role-${c.id}`} className="visually-hidden">
                      Role of {c.login}
                    </label>
                    <select
                      id={`role-${c.id}`}
                      className={s.roleSelect}
                      value={c.role_name}
                      disabled={readOnly || setRole.isPending}
                      onChange={(e) => setRole.mutate({ username: c.login, permission: e.target.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r.value} value={r.value}>
                          {r.label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className={s.right}>
                    <Button small variant="danger" disabled={readOnly} onClick={() => setRemoving(c.login)} aria-label={`Remove ${c.login}`}>
                      Remove
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {setRole.error ? (
          <div className={s.form}>
            <FormError error={setRole.error} />
          </div>
        ) : null}
      </Panel>
      <Modal
        open={removing !== null}
        onOpenChange={(o) => {
          if (!o) {
            setRemoving(null);
            remove.reset();
          }
        }}
        title="Remove collaborator?"
        actions={
          <>
            <Button
              onClick={() => {
                setRemoving(null);
                remove.reset();
              }}
            >
              Cancel
            </Button>
            <Button variant="danger" busy={remove.isPending} onClick={() => removing && remove.mutate(removing, { onSuccess: () => setRemoving(null) })}>
              Remove
            </Button>
          </>
        }
      >
        <p>
          <strong>{removing}</strong> loses the access this role gave them to {repo.full_name}.
        </p>
        <FormError error={remove.error} />
      </Modal>
    </>
  );
}
