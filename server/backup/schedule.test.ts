import { describe, expect, it } from 'vitest';
import { isDue, lastSlot, nextSlot, type Schedule } from './schedule.js';

const local = (y: number, mo: number, d: number, h: number, mi: number) => new Date(y, mo - 1, d, h, mi, 0, 0);
const daily: Schedule = { schedule: 'daily', time: '03:30', weekday: 0 };

describe('backup schedule', () => {
  it('finds the latest and next daily slot around the clock', () => {
    expect(lastSlot(daily, local(2026, 3, 10, 12, 0))).toEqual(local(2026, 3, 10, 3, 30));
    expect(lastSlot(daily, local(2026, 3, 10, 3, 29))).toEqual(local(2026, 3, 9, 3, 30));
    expect(nextSlot(daily, local(2026, 3, 10, 3, 30))).toEqual(local(2026, 3, 11, 3, 30));
    expect(nextSlot(daily, local(2026, 3, 10, 1, 0))).toEqual(local(2026, 3, 10, 3, 30));
  });

  it('finds weekly slots on the chosen weekday only', () => {
    const weekly: Schedule = { schedule: 'weekly', time: '22:00', weekday: 5 }; // Fridays
    const slot = lastSlot(weekly, local(2026, 3, 10, 12, 0))!; // a Tuesday
    expect(slot.getDay()).toBe(5);
    expect(slot).toEqual(local(2026, 3, 6, 22, 0));
    expect(nextSlot(weekly, local(2026, 3, 10, 12, 0))).toEqual(local(2026, 3, 13, 22, 0));
  });

  it('is due once per slot, catches up a missed slot, and never when off', () => {
    const now = local(2026, 3, 10, 12, 0);
    expect(isDue(daily, now, null)).toBe(true);
    expect(isDue(daily, now, local(2026, 3, 10, 3, 31))).toBe(false);
    expect(isDue(daily, now, local(2026, 3, 9, 3, 31))).toBe(true); // missed this morning's run
    expect(isDue({ ...daily, schedule: 'off' }, now, null)).toBe(false);
    expect(lastSlot({ ...daily, schedule: 'off' }, now)).toBeNull();
  });
});
