// The newest commit at a ref (author, summary as text, short id, age) and the commit count.
import { Link } from '@tanstack/react-router';
import { Avatar, RelativeTime, Spinner } from '../../components/ui';
import { useLatestCommit } from './api';
import { shortSha } from './paths';
import s from './Code.module.css';

export function LatestCommit({ owner, repo, commit, historyRef }: { owner: string; repo: string; commit: string; historyRef: string }) {
  const q = useLatestCommit(owner, repo, commit);
  if (q.isPending) return <Spinner />;
  if (q.isError) return <span className="faint">Could not load the latest commit: {q.error.message}</span>;
  const c = q.data.commit;
  if (!c) return null;
  const who = c.author?.login ?? c.commit.author.name;
  const summary = c.commit.message.split('\n', 1)[0] ?? '';
  return (
    <div className={s.latest} data-testid="latest-commit">
      <Avatar name={who} size={22} />
      <strong>{who}</strong>
      <Link to="/$owner/$repo/commit/$sha" params={{ owner, repo, sha: c.sha }} className={s.latestMessage} title={c.commit.message}>
        {summary}
      </Link>
      <span className={s.latestMeta}>
        <Link to="/$owner/$repo/commit/$sha" params={{ owner, repo, sha: c.sha }} className={s.sha}>
          {shortSha(c.sha)}
        </Link>
        <RelativeTime iso={c.commit.committer.date} />
        {q.data.total !== null && (
          <Link to="/$owner/$repo/commits/$" params={{ owner, repo, _splat: historyRef }} className={s.countLink}>
            <strong>{q.data.total.toLocaleString()}</strong> {q.data.total === 1 ? 'commit' : 'commits'}
          </Link>
        )}
      </span>
    </div>
  );
}
