// Small pieces the shell pages, the start dialog and the console share: a state's badge, limits
// in words, time left, and a clock that ticks.
import { useEffect, useState } from 'react';
import type { Shell, ShellLimits, ShellNetwork, ShellState } from './types';
import s from './Shells.module.css';

const STATE_WORDS: Record<ShellState, string> = {
  starting: 'Starting',
  running: 'Running',
  stopping: 'Stopping',
  stopped: 'Stopped',
  failed: 'Failed',
};

export const shellStateWord = (state: ShellState) => STATE_WORDS[state] ?? state;

export const NETWORK_WORDS: Record<ShellNetwork, string> = {
  none: 'No network',
  lan: 'Internet only (LAN blocked)',
  open: 'Open',
};

/** A shell's state as a dot and a word, marked for tests with data-state. */
export function ShellStateBadge({ state }: { state: ShellState }) {
  return (
    <span className={s.state} data-state={state} data-testid="shell-state">
      <span className={s.dot} aria-hidden />
      {shellStateWord(state)}
    </span>
  );
}

/** MiB as people read it: `512 MiB`, `2 GiB`, `1.5 GiB`. */
export function mib(n: number): string {
  if (n < 1024) return `${n} MiB`;
  const g = n / 1024;
  return `${Number.isInteger(g) ? g : g.toFixed(1)} GiB`;
}

/** `45 min`, `4 h`, `1 h 30 min`, `2 d 3 h`. */
export function minutes(n: number): string {
  if (n < 60) return `${n} min`;
  const d = Math.floor(n / 1440);
  const h = Math.floor((n % 1440) / 60);
  const m = n % 60;
  if (d) return h ? `${d} d ${h} h` : `${d} d`;
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** A limit set as the parts people look for, in order. */
export function limitParts(l: ShellLimits): Array<[string, string]> {
  return [
    ['CPUs', String(l.cpus)],
    ['Memory', mib(l.memory_mb)],
    ['Disk', mib(l.disk_mb)],
    ['Processes', String(l.pids)],
    ['Network', NETWORK_WORDS[l.network] ?? l.network],
    ['Run time', minutes(l.runtime_minutes)],
    ['Stops when idle for', minutes(l.idle_minutes)],
  ];
}

/** One line: `2 CPUs · 2 GiB memory · 10 GiB disk · Open network · up to 4 h`. */
export function limitsLine(l: ShellLimits): string {
  return [
    `${l.cpus} ${l.cpus === 1 ? 'CPU' : 'CPUs'}`,
    `${mib(l.memory_mb)} memory`,
    `${mib(l.disk_mb)} disk`,
    `${l.pids} processes`,
    `network: ${NETWORK_WORDS[l.network] ?? l.network}`,
    `up to ${minutes(l.runtime_minutes)}`,
  ].join(' · ');
}

/** A span of time to come: `3 h 12 min`, `4 min 05 s`, `40 s`. */
export function timeLeft(ms: number): string {
  if (ms <= 0) return '0 s';
  const secs = Math.ceil(ms / 1000);
  if (secs < 60) return `${secs} s`;
  const m = Math.floor(secs / 60);
  if (m < 10) return `${m} min ${String(secs % 60).padStart(2, '0')} s`;
  if (m < 60) return `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m / 60} h`;
}

/** How long ago, short: `40 s`, `12 min`, `3 h 5 min`, `2 d`. */
export function age(iso: string | null, now: number): string {
  if (!iso) return '—';
  const secs = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (secs < 60) return `${secs} s`;
  const m = Math.floor(secs / 60);
  if (m < 60) return `${m} min`;
  if (m < 1440) return `${Math.floor(m / 60)} h ${m % 60} min`;
  return `${Math.floor(m / 1440)} d`;
}

/** The time now, renewed every `ms` while `on`. */
export function useNow(on = true, ms = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [on, ms]);
  return now;
}

/** `alice/app @ main` as the pages show it. */
export function shellTitle(shell: Pick<Shell, 'repo' | 'branch'>): string {
  return `${shell.repo} @ ${shell.branch}`;
}
