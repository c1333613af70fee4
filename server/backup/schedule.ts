// When scheduled backups are due: daily or weekly at a local time. Pure functions of the
// settings and a clock, so tests move the clock instead of waiting a day. A run missed while
// the forge was off (a laptop asleep at 03:00) happens at the next check, anacron-style.

export type ScheduleKind = 'off' | 'daily' | 'weekly';

export interface Schedule {
  schedule: ScheduleKind;
  /** Local time, "HH:MM" (24 h). */
  time: string;
  /** Day of the week for weekly backups, 0 = Sunday. */
  weekday: number;
}

export const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

function at(day: Date, time: string): Date {
  const m = TIME_RE.exec(time);
  const d = new Date(day);
  d.setHours(m ? Number(m[1]) : 3, m ? Number(m[2]) : 0, 0, 0);
  return d;
}

/** The latest scheduled moment at or before `now`, or null when backups are off. */
export function lastSlot(s: Schedule, now: Date): Date | null {
  if (s.schedule === 'off') return null;
  let d = at(now, s.time);
  for (let i = 0; i < 8; i++) {
    if (d.getTime() <= now.getTime() && (s.schedule === 'daily' || d.getDay() === s.weekday)) return d;
    const prev = new Date(d);
    prev.setDate(prev.getDate() - 1);
    d = at(prev, s.time);
  }
  return null;
}

/** The first scheduled moment after `now`, or null when backups are off. */
export function nextSlot(s: Schedule, now: Date): Date | null {
  if (s.schedule === 'off') return null;
  let d = at(now, s.time);
  for (let i = 0; i < 9; i++) {
    if (d.getTime() > now.getTime() && (s.schedule === 'daily' || d.getDay() === s.weekday)) return d;
    const next = new Date(d);
    next.setDate(next.getDate() + 1);
    d = at(next, s.time);
  }
  return null;
}

/** A backup is due when the latest slot has passed and no scheduled backup was taken (or tried) since. */
export function isDue(s: Schedule, now: Date, lastRun: Date | null): boolean {
  const slot = lastSlot(s, now);
  return slot !== null && (lastRun === null || lastRun.getTime() < slot.getTime());
}
