// How to get the code: the HTTP and SSH clone URLs with copy buttons, and the ZIP download.
import { useRef } from 'react';
import { buttonClass, Panel } from '../../components/ui';
import type { Repo } from '../repos/types';
import { archiveUrl } from './api';
import { CopyButton } from './CopyButton';
import s from './Code.module.css';

function CloneUrl({ label, url }: { label: string; url: string }) {
  const ref = useRef<HTMLElement>(null);
  return (
    <div className={s.cloneRow}>
      <div className={s.cloneLabel}>{label}</div>
      <div className={s.cloneBox}>
        <code className={s.cloneUrl} ref={ref} data-testid={`clone-${label.toLowerCase()}`}>
          {url}
        </code>
        <CopyButton text={url} what={`${label} clone URL`} selectOnFail={() => ref.current} />
      </div>
    </div>
  );
}

export function ClonePanel({ repo, zipRef }: { repo: Repo; zipRef: string | null }) {
  return (
    <Panel pad aria-label="Clone">
      <h2 className={s.cloneTitle}>Clone</h2>
      <CloneUrl label="HTTP" url={repo.clone_url} />
      {repo.ssh_url ? <CloneUrl label="SSH" url={repo.ssh_url} /> : <p className="faint">SSH is not enabled on this server.</p>}
      {zipRef && (
        <a className={buttonClass('default', true)} href={archiveUrl(repo.owner.login, repo.name, zipRef)} download>
          ⤓ Download ZIP
        </a>
      )}
    </Panel>
  );
}
