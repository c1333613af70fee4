// A year of someone's contributions on their profile: one square per day (UTC), a column per
// week, darker for more pushes, as Gitea and GitHub show it. What the server counts is already
// what this viewer may see (pushes to repositories they can't read are left out there).
import { useEffect, useMemo, useRef } from 'react';
import type { HeatmapDay } from './api';
import s from './UserPage.module.css';

const DAY = 86_400_000;
const WEEKS = 53;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Cell {
  date: Date;
  count: number;
  level: 0 | 1 | 2 | 3 | 4;
}

/** The weeks (Sunday first) that end with today, each day with its count and shade. */
export function heatmapWeeks(days: readonly HeatmapDay[], now: number): Cell[][] {
  const counts = new Map(days.map((d) => [d.timestamp * 1000, d.contributions]));
  const today = Math.floor(now / DAY) * DAY;
  const start = today - (new Date(today).getUTCDay() + (WEEKS - 1) * 7) * DAY;
  const max = Math.max(0, ...days.map((d) => d.contributions));
  const weeks: Cell[][] = [];
  for (let t = start; t <= today; t += DAY) {
    if ((t - start) % (7 * DAY) === 0) weeks.push([]);
    const count = counts.get(t) ?? 0;
    const level = count === 0 ? 0 : (Math.min(4, Math.max(1, Math.ceil((count / max) * 4))) as Cell['level']);
    weeks[weeks.length - 1]!.push({ date: new Date(t), count, level });
  }
  return weeks;
}

const label = (c: Cell) => `${c.count === 0 ? 'No' : c.count} ${c.count === 1 ? 'contribution' : 'contributions'} on ${c.date.toISOString().slice(0, 10)}`;

export function Heatmap({ days, now = Date.now() }: { days: readonly HeatmapDay[]; now?: number }) {
  const weeks = useMemo(() => heatmapWeeks(days, now), [days, now]);
  const total = weeks.reduce((n, w) => n + w.reduce((m, c) => m + c.count, 0), 0);
  const scroller = useRef<HTMLDivElement>(null);
  // the latest weeks are the ones people look for: a narrow screen starts scrolled to them
  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollLeft = el.scrollWidth;
  }, [weeks]);
  return (
    <div className={s.heatmap} data-testid="heatmap" data-total={total}>
      <div className={s.heatmapHead}>
        <strong>
          {total.toLocaleString()} {total === 1 ? 'contribution' : 'contributions'} in the last year
        </strong>
      </div>
      <div className={s.heatmapScroll} ref={scroller}>
        <div className={s.heatmapMonths} aria-hidden="true">
          {weeks.map((w, i) => {
            const first = w[0]!.date;
            const starts = i === 0 ? first.getUTCDate() <= 7 : first.getUTCDate() <= 7 && first.getUTCMonth() !== weeks[i - 1]![0]!.date.getUTCMonth();
            return <span key={i}>{starts ? MONTHS[first.getUTCMonth()] : ''}</span>;
          })}
        </div>
        <div className={s.heatmapGrid} role="img" aria-label={`${total} contributions in the last year`}>
          {weeks.map((w, i) => (
            <div key={i} className={s.heatmapWeek}>
              {w.map((c) => (
                <span key={c.date.getTime()} className={s.heatmapDay} data-level={c.level} data-count={c.count} data-date={c.date.toISOString().slice(0, 10)} title={label(c)} />
              ))}
            </div>
          ))}
        </div>
      </div>
      <div className={s.heatmapLegend} aria-hidden="true">
        Less
        {[0, 1, 2, 3, 4].map((l) => (
          <span key={l} className={s.heatmapDay} data-level={l} />
        ))}
        More
      </div>
    </div>
  );
}
