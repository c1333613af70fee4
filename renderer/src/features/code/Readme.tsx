// A directory's README under its listing: the server's sanitized rendering, or (from a server
// that sent none) the text as it is.
import { Link } from '@tanstack/react-router';
import { Loading, Panel, PanelHeader } from '../../components/ui';
import { useRawText, type TreeView } from './api';
import { RenderedHtml } from './RenderedHtml';
import { srcSplat } from './paths';
import s from './Code.module.css';

export function Readme({ owner, repo, view }: { owner: string; repo: string; view: TreeView }) {
  const readme = view.readme;
  const refName = view.ref.kind === 'commit' ? view.ref.commit : view.ref.name;
  const rendered = readme?.html;
  const raw = useRawText(owner, repo, readme?.path, view.ref.commit, !!readme && rendered === undefined);
  if (!readme) return null;
  let body;
  if (typeof rendered === 'string') body = <RenderedHtml html={rendered} testId="readme" />;
  else if (rendered === null)
    body = (
      <p className="muted">
        This README can't be shown here (binary or too large).{' '}
        <Link to="/$owner/$repo/src/$" params={{ owner, repo, _splat: srcSplat(view.ref.kind, refName, readme.path) }}>
          Open the file
        </Link>
      </p>
    );
  else if (raw.isPending) body = <Loading label="Loading the README…" />;
  else if (raw.isError) body = <p className="muted">The README could not be loaded: {raw.error.message}</p>;
  else
    body = (
      <pre className={s.plainReadme} data-testid="readme">
        {raw.data}
      </pre>
    );
  return (
    <Panel aria-label="README">
      <PanelHeader>
        <span className={s.fi + ' ' + s.fiFile} aria-hidden />
        <Link to="/$owner/$repo/src/$" params={{ owner, repo, _splat: srcSplat(view.ref.kind, refName, readme.path) }} className={s.readmeHeader}>
          {readme.name}
        </Link>
      </PanelHeader>
      <div className={s.readmeBody}>{body}</div>
    </Panel>
  );
}
