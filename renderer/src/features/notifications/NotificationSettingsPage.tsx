// Settings → Notifications: which kinds of notification also arrive by mail. Each switch saves
// at once. Mail goes out only when the administrator has set up SMTP; until then the page says so.
import { Switch } from 'radix-ui';
import { ErrorState, FormError, Hint, Loading, Notice, Panel, PanelHeader, useTitle } from '../../components/ui';
import { useReadOnly } from '../session/api';
import { useNotificationSettings, useSaveNotificationSettings, type MailKind } from './api';
import s from './Notifications.module.css';

const KINDS: Array<{ kind: MailKind; label: string; hint: string }> = [
  { kind: 'push', label: 'Pushes', hint: 'Someone else pushes to a repository you watch.' },
  { kind: 'collaborator', label: 'Collaborator access', hint: 'You are added as a collaborator to a repository.' },
  { kind: 'mention', label: 'Mentions', hint: 'Someone mentions you with @username.' },
  { kind: 'assign', label: 'Assignments', hint: 'You are assigned to an issue or a pull request.' },
  { kind: 'review', label: 'Reviews', hint: 'Your review is requested, or your change is reviewed.' },
  { kind: 'comment', label: 'Comments', hint: 'Someone comments on something you take part in.' },
  { kind: 'ci', label: 'CI failures', hint: 'A CI job for a commit you pushed (or re-ran) fails, errs or times out.' },
];

export function NotificationSettingsPage() {
  useTitle('Notification settings');
  const q = useNotificationSettings();
  const save = useSaveNotificationSettings();
  const readOnly = useReadOnly();
  return (
    <Panel>
      <PanelHeader className={s.settingsHead}>
        <h2>Notifications</h2>
      </PanelHeader>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : (
        <>
          <div className={s.settingsIntro}>
            <Hint>Everything appears under the bell in the header. Choose what also reaches you by mail.</Hint>
            {!q.data.smtp_configured && (
              <Notice kind="warn">
                <span data-testid="smtp-not-configured">Mail isn't set up on this server, so no mail is sent for now. An administrator can set up SMTP in the console.</span>
              </Notice>
            )}
          </div>
          <ul className={s.kinds} aria-label="Mail me about">
            {KINDS.map(({ kind, label, hint }) => {
              const id = `mail-${kind}`;
              const checked = save.isPending && save.variables[kind] !== undefined ? !!save.variables[kind] : q.data.mail[kind];
              return (
                <li key={kind} className={s.kind}>
                  <div className={s.kindText}>
                    <label htmlFor={id}>{label}</label>
                    <Hint>{hint}</Hint>
                  </div>
                  <Switch.Root id={id} className={s.switch} checked={checked} disabled={readOnly || save.isPending} onCheckedChange={(on) => save.mutate({ [kind]: on })}>
                    <Switch.Thumb className={s.thumb} />
                  </Switch.Root>
                </li>
              );
            })}
          </ul>
          <div className={s.settingsIntro}>
            <FormError error={save.error} />
          </div>
        </>
      )}
    </Panel>
  );
}
