// Small pieces the history pages share: a commit's summary and body, its short id, and an
// author shown as a link to their account when the email belongs to one.
import { Link } from '@tanstack/react-router';
import { Avatar } from '../../components/ui';
import type { User } from '../users/types';
import type { CommitUser } from './types';

export const shortSha = (sha: string) => sha.slice(0, 10);

/** The first line of a commit message. */
export function summary(message: string): string {
  const nl = message.indexOf('\n');
  return (nl < 0 ? message : message.slice(0, nl)).trim();
}

/** Everything after the first line (and the blank line after it). */
export function body(message: string): string {
  const nl = message.indexOf('\n');
  return nl < 0
    ? ''
    : message
        .slice(nl + 1)
        .replace(/^\s*\n/, '')
        .trimEnd();
}

export function Person({ who, user, avatar = 20 }: { who: CommitUser; user: User | null; avatar?: number }) {
  const name = user?.login ?? who.name;
  return (
    <span title={`${who.name} <${who.email}>`} style={{ display: 'inline-flex', alignItems: 'center', gap: '0.4rem' }}>
      <Avatar name={name || '?'} size={avatar} />
      {user ? (
        <Link to="/$owner" params={{ owner: user.login }}>
          <strong>{user.login}</strong>
        </Link>
      ) : (
        <strong>{who.name}</strong>
      )}
    </span>
  );
}
