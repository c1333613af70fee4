// /<owner>/<repo>/settings/hooks: the repository's webhooks (where each sends, which events,
// active or not) and the way to add one. Repository administrators only (the frame says so).
import { Link } from '@tanstack/react-router';
import { Badge, buttonClass, EmptyState, ErrorState, Loading, Panel, PanelHeader, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { SettingsFrame } from '../repo-settings/SettingsNav';
import { useHooks } from './api';
import s from './Webhooks.module.css';

export function WebhooksPage() {
  const repo = useRepoContext();
  useTitle(`Webhooks · ${repo.full_name}`);
  return (
    <SettingsFrame repo={repo}>
      <HookList />
    </SettingsFrame>
  );
}

function HookList() {
  const repo = useRepoContext();
  const params = { owner: repo.owner.login, repo: repo.name };
  const list = useHooks(repo.owner.login, repo.name);
  return (
    <Panel>
      <PanelHeader>
        <h2>Webhooks</h2>
        <Link to="/$owner/$repo/settings/hooks/new" params={params} className={`${buttonClass('primary', true)} ${s.headerAction}`}>
          Add webhook
        </Link>
      </PanelHeader>
      <p className={s.intro}>
        Gitssy sends a signed POST request (Gitea's payloads and headers: <code>X-Gitea-Event</code>, <code>X-Gitea-Signature</code>) to each URL when something happens here. Addresses on this machine
        and on private networks are refused unless an administrator allows them in the console.
      </p>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title="No webhooks yet" icon="⇢">
          Add one to tell CI, chat or deploy tools about pushes, issues, pull requests and commit statuses.
        </EmptyState>
      ) : (
        <ul className={s.hooks} data-testid="webhooks">
          {list.data.map((h) => (
            <li key={h.id} className={s.hook}>
              <span className={h.active ? s.dotOn : s.dotOff} aria-label={h.active ? 'active' : 'inactive'} />
              <Link to="/$owner/$repo/settings/hooks/$id" params={{ ...params, id: String(h.id) }} className={s.hookUrl}>
                {h.config.url}
              </Link>
              <span className={s.hookEvents}>
                {h.events.map((e) => (
                  <Badge key={e}>{e}</Badge>
                ))}
                {h.branch_filter && h.branch_filter !== '*' && <Badge accent>branches: {h.branch_filter}</Badge>}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
