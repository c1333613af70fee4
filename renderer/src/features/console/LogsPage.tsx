// Console → Logs: the server log, newest first, filtered by level and text; follows live.
import { useState } from 'react';
import { EmptyState, ErrorState, Loading, Panel, PanelHeader, useTitle } from '../../components/ui';
import { useLogs } from './api';
import s from './Console.module.css';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export function LogsPage() {
  useTitle('Console logs');
  const [level, setLevel] = useState('info');
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [live, setLive] = useState(true);
  const logs = useLogs(level, q, live);
  return (
    <Panel>
      <PanelHeader>
        <label htmlFor="log-level" className="visually-hidden">
          Lowest level
        </label>
        <select id="log-level" value={level} onChange={(e) => setLevel(e.target.value)} style={{ width: 'auto' }}>
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {l} and above
            </option>
          ))}
        </select>
        <form
          role="search"
          className={s.row + ' ' + s.grow}
          onSubmit={(e) => {
            e.preventDefault();
            setQ(text);
          }}
        >
          <input type="search" aria-label="Search the log" placeholder="Search messages, components, URLs" value={text} onChange={(e) => setText(e.target.value)} className={s.grow} />
        </form>
        <label className={s.check}>
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Follow
        </label>
      </PanelHeader>
      {logs.isPending ? (
        <Loading />
      ) : logs.isError ? (
        <ErrorState error={logs.error} retry={() => void logs.refetch()} />
      ) : logs.data.lines.length === 0 ? (
        <EmptyState title="No matching log lines" />
      ) : (
        <div className={s.logs} data-testid="log-lines">
          {logs.data.lines.map((l, i) => (
            <div key={`${l.time}-${i}`} className={s.logLine}>
              <span className="faint">{new Date(l.time).toLocaleString()}</span>
              <span className={s[`lvl-${l.level}`]}>{l.level}</span>
              <span className="muted">{l.component ?? ''}</span>
              <span>{l.msg}</span>
            </div>
          ))}
        </div>
      )}
    </Panel>
  );
}
