// Console → Events: the durable outbox as an operator needs it. Every subscriber (notifications,
// mail, the audit log, …) with what it still owes, and the deliveries that failed for the last
// time with their error, to be queued again once the cause is fixed (a mail server back up).
import { Button, EmptyState, ErrorState, FormError, Loading, Notice, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { useOutbox, useRetryDead } from './api';
import s from './Console.module.css';

export function EventsPage() {
  useTitle('Console events');
  const outbox = useOutbox();
  const retry = useRetryDead();
  if (outbox.isPending) return <Loading />;
  if (outbox.isError) return <ErrorState error={outbox.error} retry={() => void outbox.refetch()} />;
  const { subscribers, dead } = outbox.data;
  return (
    <>
      <Panel>
        <PanelHeader>
          <h2>Event subscribers</h2>
        </PanelHeader>
        <div className={s.tableWrap}>
          <table className={s.table} data-testid="outbox-subscribers">
            <thead>
              <tr>
                <th>Subscriber</th>
                <th>Events</th>
                <th>Waiting</th>
                <th>Running</th>
                <th>Failed</th>
              </tr>
            </thead>
            <tbody>
              {subscribers.map((sub) => (
                <tr key={sub.name}>
                  <td>
                    <code>{sub.name}</code>
                  </td>
                  <td className="muted">{sub.events.join(', ')}</td>
                  <td>{sub.pending}</td>
                  <td>{sub.running}</td>
                  <td>{sub.dead}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      <Panel>
        <PanelHeader>
          <h2>Failed deliveries</h2>
          {dead.length > 0 && (
            <Button small busy={retry.isPending} onClick={() => retry.mutate(undefined)}>
              Retry all
            </Button>
          )}
        </PanelHeader>
        <FormError error={retry.error} />
        {retry.data && <Notice kind="ok">{retry.data.retried === 1 ? '1 delivery queued again' : `${retry.data.retried} deliveries queued again`}</Notice>}
        {dead.length === 0 ? (
          <EmptyState title="No failed deliveries" icon="✓">
            A delivery that fails is retried with backoff; it is listed here only after its last attempt.
          </EmptyState>
        ) : (
          <div className={s.tableWrap}>
            <table className={s.table} data-testid="outbox-dead">
              <thead>
                <tr>
                  <th>Event</th>
                  <th>Subscriber</th>
                  <th>Attempts</th>
                  <th>Last error</th>
                  <th>Failed</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {dead.map((d) => (
                  <tr key={`${d.event_id}-${d.subscriber}`}>
                    <td>
                      <code>{d.type}</code> #{d.event_id}
                    </td>
                    <td>
                      <code>{d.subscriber}</code>
                    </td>
                    <td>{d.attempts}</td>
                    <td className="muted">{d.last_error ?? ''}</td>
                    <td>
                      <RelativeTime iso={d.updated_at} />
                    </td>
                    <td>
                      <Button small onClick={() => retry.mutate({ event_id: d.event_id, subscriber: d.subscriber })}>
                        Retry
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </>
  );
}
