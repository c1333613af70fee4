// The bar above every wiki page: search, the pages list, a new page (writers), and the clone
// URL of the wiki repository (`<repo>.wiki.git`, over HTTP and SSH like the code).
import { Link, useNavigate } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import { buttonClass } from '../../components/ui';
import type { Repo } from '../repos/types';
import s from './Wiki.module.css';

const wikiUrl = (url: string) => url.replace(/\.git$/, '.wiki.git');

export function WikiBar({ repo, children }: { repo: Repo; children?: ReactNode }) {
  const navigate = useNavigate();
  const params = { owner: repo.owner.login, repo: repo.name };
  const [q, setQ] = useState('');
  const [ssh, setSsh] = useState(false);
  const url = wikiUrl(ssh && repo.ssh_url ? repo.ssh_url : repo.clone_url);
  return (
    <div className={s.bar}>
      <form
        className={s.search}
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (q.trim()) void navigate({ to: '/$owner/$repo/wiki/_search', params, search: { q: q.trim() } });
        }}
      >
        <input type="search" aria-label="Search the wiki" placeholder="Search the wiki…" value={q} onChange={(e) => setQ(e.target.value)} data-testid="wiki-search" />
      </form>
      <Link to="/$owner/$repo/wiki/_pages" params={params} className={buttonClass('default', true)}>
        Pages
      </Link>
      {repo.permissions.push && (
        <Link to="/$owner/$repo/wiki/_new" params={params} className={buttonClass('default', true)} data-testid="wiki-new">
          New page
        </Link>
      )}
      <div className={s.barRight}>
        {children}
        <span className={s.clone}>
          <button type="button" className={buttonClass('ghost', true)} onClick={() => setSsh(!ssh)} aria-label="Switch between HTTP and SSH" disabled={!repo.ssh_url}>
            {ssh ? 'SSH' : 'HTTP'}
          </button>
          <input readOnly aria-label="Clone this wiki" value={url} onFocus={(e) => e.currentTarget.select()} data-testid="wiki-clone-url" />
        </span>
      </div>
    </div>
  );
}
