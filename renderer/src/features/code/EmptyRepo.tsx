// A repository with no commits yet: how to push the first one, over HTTP or SSH.
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { Panel } from '../../components/ui';
import type { Repo } from '../repos/types';
import { useCurrentUser } from '../session/api';
import { CopyButton } from './CopyButton';
import s from './Code.module.css';

export function EmptyRepo({ repo }: { repo: Repo }) {
  const user = useCurrentUser();
  const [proto, setProto] = useState<'http' | 'ssh'>('http');
  const url = proto === 'ssh' && repo.ssh_url ? repo.ssh_url : repo.clone_url;
  const branch = repo.default_branch || 'main';
  const fresh = ['touch README.md', `git init -b ${branch}`, 'git add README.md', 'git commit -m "first commit"', `git remote add origin ${url}`, `git push -u origin ${branch}`].join('\n');
  const existing = [`git remote add origin ${url}`, `git push -u origin ${branch}`].join('\n');
  return (
    <Panel pad data-testid="empty-repo">
      <h2>This repository is empty</h2>
      <p className={`muted ${s.emptyIntro}`}>
        Push some commits to get started. {repo.permissions.push ? '' : user ? "You can't push to it yourself: ask its owner for write access." : 'Sign in with an account that may push to it.'}
        {repo.permissions.push && user && (
          <>
            {' '}
            Or start in the browser:{' '}
            <Link to="/$owner/$repo/_new/$" params={{ owner: repo.owner.login, repo: repo.name, _splat: branch }} data-testid="empty-new-file">
              create a new file
            </Link>{' '}
            or{' '}
            <Link to="/$owner/$repo/_upload/$" params={{ owner: repo.owner.login, repo: repo.name, _splat: branch }} data-testid="empty-upload">
              upload files
            </Link>
            .
          </>
        )}
      </p>
      <div className={s.protoSwitch} role="group" aria-label="Clone protocol">
        <button type="button" aria-pressed={proto === 'http'} onClick={() => setProto('http')}>
          HTTP
        </button>
        <button type="button" aria-pressed={proto === 'ssh'} onClick={() => setProto('ssh')} disabled={!repo.ssh_url} title={repo.ssh_url ? undefined : 'SSH is not enabled on this server'}>
          SSH
        </button>
      </div>
      <div className={s.cloneBox}>
        <code className={s.cloneUrl} data-testid="empty-clone-url">
          {url}
        </code>
        <CopyButton text={url} what="clone URL" />
      </div>
      <h3 className={s.stepsTitle}>Create a new repository on the command line</h3>
      <pre className={s.steps}>{fresh}</pre>
      <h3 className={s.stepsTitle}>Push an existing repository</h3>
      <pre className={s.steps}>{existing}</pre>
    </Panel>
  );
}
