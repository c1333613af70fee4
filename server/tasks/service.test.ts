// The task service's pure checks: what counts as a due date and a column name.
import { describe, expect, it } from 'vitest';
import { cleanColumnName, isCalendarDate, parseChecklist } from './service.js';

describe('isCalendarDate', () => {
  it('takes days that exist, as YYYY-MM-DD', () => {
    for (const d of ['2026-12-24', '2028-02-29', '1900-01-01', '9999-12-31']) expect(isCalendarDate(d), d).toBe(true);
  });
  it('refuses days that do not exist and other shapes', () => {
    for (const d of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-1-5', '26-01-05', '2026-01-05T00:00:00Z', 'tomorrow', '', '0000-01-01']) expect(isCalendarDate(d), d).toBe(false);
  });
});

describe('cleanColumnName', () => {
  it('folds whitespace and trims', () => {
    expect(cleanColumnName('  In \t review  ')).toBe('In review');
  });
  it('refuses empty, overlong and control-character names', () => {
    expect(() => cleanColumnName('   ')).toThrow(/must not be empty/);
    expect(() => cleanColumnName('x'.repeat(101))).toThrow(/at most 100/);
    expect(() => cleanColumnName('a\u0000b')).toThrow(/control characters/);
  });
});

describe('parseChecklist', () => {
  it('reads what was stored and ignores what is not a checklist', () => {
    expect(parseChecklist('[{"text":"a","done":true},{"text":1}]')).toEqual([{ text: 'a', done: true }]);
    expect(parseChecklist('not json')).toEqual([]);
    expect(parseChecklist('{}')).toEqual([]);
  });
});
