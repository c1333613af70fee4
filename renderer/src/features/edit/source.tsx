// What an editing page works on: the branch and path of `/_edit|_new|_upload/<branch>/<path>`
// (the server splits the two, as for /src/branch/…), read once when the page opens. The tip it
// saw then is the change's base: a refetch (a push announced over the socket, a focus) must not
// move it, or a commit would silently overwrite what others pushed meanwhile.
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import { ApiError } from '../../api/client';
import { EmptyState, ErrorState, Loading, Panel } from '../../components/ui';
import { getTreeView, type TreeView } from '../code/api';
import type { Repo } from '../repos/types';

export function useEditSource(owner: string, repo: string, splat: string, enabled = true) {
  const q = useQuery({
    queryKey: ['edit-source', `${owner}/${repo}`.toLowerCase(), splat],
    queryFn: ({ signal }) => getTreeView(owner, repo, 'branch', splat, signal),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    enabled,
  });
  // the first answer stays the page's for as long as it is open
  const [opened, setOpened] = useState<TreeView | null>(null);
  if (q.data && !opened) setOpened(q.data);
  return { view: opened ?? q.data ?? null, q };
}

/** The page's frame while the source loads or when it can't be edited. */
export function SourceGate({
  repo,
  q,
  view,
  want,
  children,
}: {
  repo: Repo;
  q: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  view: TreeView | null;
  want: 'file' | 'dir';
  children: (v: TreeView) => ReactNode;
}) {
  const owner = repo.owner.login;
  if (!repo.permissions.push) return <Refused title="You can't change this repository">You need write access to edit its files.</Refused>;
  if (q.isError) {
    if (q.error instanceof ApiError && q.error.notFound) {
      return (
        <Refused title="Not found">
          {q.error.message}.{' '}
          <Link to="/$owner/$repo" params={{ owner, repo: repo.name }}>
            Go to the repository
          </Link>
        </Refused>
      );
    }
    return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  }
  if (q.isPending || !view) return <Loading />;
  if (view.ref.kind !== 'branch') return <Refused title="Not a branch">Only a branch can take commits.</Refused>;
  if (want === 'dir' && view.type !== 'dir') return <Refused title="Not a folder">{view.path} is a file.</Refused>;
  if (want === 'file' && view.type !== 'file') return <Refused title="Not a file">{view.path || 'The root'} is not a file that can be edited here.</Refused>;
  return <>{children(view)}</>;
}

function Refused({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Panel>
      <EmptyState title={title} icon="∅">
        {children}
      </EmptyState>
    </Panel>
  );
}
