// A job's log as the page shows it: the stored log read once, then followed live. While the
// tab's socket is connected the page asks the server for `ci.watch` (and again after every
// reconnect) and appends the `ci.log` chunks; without a socket it reads the stored log every
// two seconds until the job ends. Once the job has ended, one last read takes the tail.
import { useEffect, useMemo, useState } from 'react';
import { useRealtime, useRealtimeConnected, useSocketEvent } from '../../lib/realtime';
import { AnsiLog } from './ansi';
import { fetchLog, isFinished } from './api';
import { LogFollower } from './log-follower';
import type { JobState } from './types';

export interface JobLog {
  log: AnsiLog;
  /** Changes whenever text was added. */
  version: number;
  error: unknown;
  /** Whether new output arrives over the socket (else it is read every few seconds). */
  watching: boolean;
}

export function useJobLog(owner: string, repo: string, id: number, state: JobState | undefined): JobLog {
  const client = useRealtime();
  const connected = useRealtimeConnected();
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [watching, setWatching] = useState(false);
  const full = `${owner}/${repo}`;
  const { log, follower } = useMemo(() => {
    const log = new AnsiLog();
    const follower = new LogFollower(
      (offset) => fetchLog(owner, repo, id, offset),
      (text) => {
        log.push(text);
        setVersion(log.version);
      },
      (err) => setError(err),
    );
    return { log, follower };
  }, [owner, repo, id]);
  useEffect(() => {
    setVersion(0);
    setError(null);
  }, [follower]);

  useSocketEvent('ci.log', (e) => {
    if (e.id === id && e.repo.toLowerCase() === full.toLowerCase()) follower.receive(e.offset, e.text);
  });

  const known = state !== undefined;
  const done = state !== undefined && isFinished(state);
  // the stored log, and its tail once the job has ended
  useEffect(() => {
    if (known) void follower.sync();
  }, [follower, known, done]);

  // live: watch while connected and the job runs; ask again after a reconnect
  useEffect(() => {
    if (!connected || !known || done) {
      setWatching(false);
      return;
    }
    let stopped = false;
    client
      .request<{ ok: boolean; offset?: number }>('ci.watch', { repo: full, id })
      .then((ack) => {
        if (stopped) return;
        setWatching(!!ack?.ok);
        // what was written between the first read and the watch
        void follower.sync();
      })
      .catch(() => {
        if (!stopped) setWatching(false);
      });
    return () => {
      stopped = true;
      client.request('ci.unwatch', { repo: full, id }).catch(() => {});
    };
  }, [client, connected, known, done, full, id, follower]);

  // no socket: read the stored log every two seconds while the job runs
  useEffect(() => {
    if (watching || !known || done) return;
    const t = setInterval(() => void follower.sync(), 2_000);
    return () => clearInterval(t);
  }, [watching, known, done, follower]);

  return { log, version, error, watching };
}
