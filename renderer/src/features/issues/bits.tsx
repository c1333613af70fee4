// Small pieces the issue pages share: the state badge, label chips in their own colors (with a
// text color that stays readable on any of them), the confidential and pinned marks, the
// reactions bar, and the sidebar's pickers (labels, milestone, assignees).
import { Popover } from 'radix-ui';
import { useId, useMemo, useState, type ReactNode } from 'react';
import { ReactionsBar as SharedReactionsBar, isReaction, type ReactionContent, type ReactionCount } from '../../components/Reactions';
import { cx } from '../../components/ui';
import type { Issue, Label, ReactionSummary } from './types';
import s from './Issues.module.css';

// ---- state ----------------------------------------------------------------------------------

export function IssueStateBadge({ issue, big }: { issue: Pick<Issue, 'state'>; big?: boolean }) {
  const open = issue.state === 'open';
  return (
    <span className={cx(s.state, open ? s.stateOpen : s.stateClosed, big && s.stateBig)} data-testid="issue-state" data-state={issue.state}>
      <IssueIcon closed={!open} />
      {open ? 'Open' : 'Closed'}
    </span>
  );
}

/** GitHub's issue glyph (a ring with a dot), or a check in a ring when closed, drawn. */
export function IssueIcon({ closed, size = 14 }: { closed?: boolean; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden>
      <circle cx="8" cy="8" r="6.2" />
      {closed ? <path d="M5.3 8.2l1.8 1.8 3.6-3.8" /> : <circle cx="8" cy="8" r="1.2" fill="currentColor" />}
    </svg>
  );
}

/** A padlock: confidential issues and locked conversations. */
export function LockIcon({ size = 12 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden>
      <rect x="3" y="7" width="10" height="7" rx="1.5" />
      <path d="M5.5 7V5a2.5 2.5 0 015 0v2" />
    </svg>
  );
}

export function PinIcon({ size = 12 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" aria-hidden>
      <path d="M9.5 1.8l4.7 4.7-2 .6-2.6 2.6-.4 3-1.4 1.4L3.9 10.2 1.8 8.2l1.4-1.4 3-.4 2.6-2.6z" />
      <path d="M3.9 12.1L1.5 14.5" />
    </svg>
  );
}

export function ConfidentialBadge() {
  return (
    <span className={s.confidential} title="Visible only to its author, its assignees and people with write access" data-testid="confidential-badge">
      <LockIcon /> Confidential
    </span>
  );
}

// ---- labels ---------------------------------------------------------------------------------

/** `#rrggbb` for a color the API gives as `rrggbb`, `#rgb` or `#rrggbb` (anything else: a grey). */
export function hexColor(color: string): string {
  const c = color.replace(/^#/, '');
  if (/^[0-9a-f]{6}$/i.test(c)) return `#${c.toLowerCase()}`;
  if (/^[0-9a-f]{3}$/i.test(c)) return `#${[...c].map((x) => x + x).join('')}`.toLowerCase();
  return '#888888';
}

/**
 * Black or white, whichever contrasts more with the label's color (WCAG's relative luminance):
 * label colors are anyone's choice, and the name must stay readable on all of them.
 */
export function textColorOn(color: string): '#000000' | '#ffffff' {
  const hex = hexColor(color).slice(1);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05): equal at L ≈ 0.179
  return lum > 0.179 ? '#000000' : '#ffffff';
}

/** A label as a colored chip; a scoped label (`priority/high`) shows its scope apart, as Gitea does. */
export function LabelChip({ label, onClick, small }: { label: Pick<Label, 'name' | 'color' | 'description' | 'exclusive'>; onClick?: () => void; small?: boolean }) {
  const bg = hexColor(label.color);
  const style = { background: bg, color: textColorOn(bg), borderColor: bg };
  const cut = label.exclusive ? label.name.lastIndexOf('/') : -1;
  const inner =
    cut > 0 ? (
      <>
        <span className={s.labelScope}>{label.name.slice(0, cut)}</span>
        <span className={s.labelValue}>{label.name.slice(cut + 1)}</span>
      </>
    ) : (
      <span className={s.labelValue}>{label.name}</span>
    );
  const cls = cx(s.label, small && s.labelSmall, cut > 0 && s.labelScoped);
  if (onClick)
    return (
      <button type="button" className={cls} style={style} title={label.description || undefined} onClick={onClick} data-testid="label-chip" data-label={label.name}>
        {inner}
      </button>
    );
  return (
    <span className={cls} style={style} title={label.description || undefined} data-testid="label-chip" data-label={label.name}>
      {inner}
    </span>
  );
}

// ---- reactions ------------------------------------------------------------------------------

/** The reactions under a comment or the issue, by the names of those who gave them. */
export function ReactionsBar({
  reactions,
  me,
  disabled,
  onToggle,
}: {
  reactions: ReactionSummary[];
  me: string | null;
  disabled?: boolean;
  onToggle: (content: ReactionContent, on: boolean) => void;
}) {
  const counts: ReactionCount[] = reactions
    .filter((r): r is ReactionSummary & { content: ReactionContent } => isReaction(r.content))
    .map((r) => ({ content: r.content, count: r.users.length, mine: !!me && r.users.includes(me), who: r.users }));
  return <SharedReactionsBar reactions={counts} canReact={!!me} disabled={disabled} onToggle={onToggle} />;
}

// ---- pickers --------------------------------------------------------------------------------

export interface PickerOption {
  key: string;
  /** what the filter box matches */
  text: string;
  node: ReactNode;
  hint?: string;
}

/**
 * A sidebar section's "edit" popover, as on GitHub and Gitea: a filter box and the choices as
 * checkboxes (or radio buttons for one choice). The selection is sent once, when the popover
 * closes — one timeline entry for several labels, not one per click.
 */
export function Picker({
  title,
  options,
  selected,
  single,
  onApply,
  disabled,
  testId,
  emptyText = 'Nothing to choose from',
  footer,
  readOnly,
}: {
  title: string;
  options: PickerOption[];
  selected: string[];
  single?: boolean;
  onApply: (keys: string[]) => void;
  disabled?: boolean;
  testId?: string;
  emptyText?: string;
  footer?: ReactNode;
  /** the viewer may not change this: a plain heading, no button */
  readOnly?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<string[]>(selected);
  const [filter, setFilter] = useState('');
  const id = useId();
  const shown = useMemo(() => options.filter((o) => o.text.toLowerCase().includes(filter.trim().toLowerCase())), [options, filter]);
  const onOpenChange = (next: boolean) => {
    if (next) {
      setDraft(selected);
      setFilter('');
    } else if ([...draft].sort().join('\n') !== [...selected].sort().join('\n')) onApply(draft);
    setOpen(next);
  };
  const toggle = (key: string, on: boolean) => {
    if (single) {
      setDraft(on ? [key] : []);
      return;
    }
    setDraft((d) => (on ? [...d.filter((k) => k !== key), key] : d.filter((k) => k !== key)));
  };
  if (readOnly) return <h3 className={s.pickerTitle}>{title}</h3>;
  return (
    <Popover.Root open={open} onOpenChange={onOpenChange}>
      <Popover.Trigger asChild>
        <button type="button" className={s.pickerTrigger} disabled={disabled} aria-label={`Edit ${title.toLowerCase()}`} data-testid={testId}>
          <span>{title}</span>
          <svg width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden>
            <circle cx="8" cy="8" r="2.2" />
            <path d="M8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4" />
          </svg>
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className={s.picker} sideOffset={6} align="end" collisionPadding={8} data-testid={testId ? `${testId}-popover` : undefined}>
          <div className={s.pickerHead}>{single ? `Choose a ${title.toLowerCase()}` : `Apply ${title.toLowerCase()}`}</div>
          {options.length > 6 && (
            <input type="search" className={s.pickerFilter} aria-label={`Filter ${title.toLowerCase()}`} placeholder="Filter" value={filter} onChange={(e) => setFilter(e.target.value)} autoFocus />
          )}
          <div className={s.pickerList} role="group" aria-label={title}>
            {shown.length === 0 && <div className={s.pickerEmpty}>{emptyText}</div>}
            {shown.map((o) => {
              const on = draft.includes(o.key);
              return (
                <label key={o.key} className={s.pickerOption} htmlFor={`${id}-${o.key}`}>
                  <input
                    id={`${id}-${o.key}`}
                    type={single ? 'radio' : 'checkbox'}
                    name={single ? id : undefined}
                    checked={on}
                    onChange={(e) => toggle(o.key, e.target.checked)}
                    data-option={o.text}
                  />
                  <span className={s.pickerOptionMain}>
                    {o.node}
                    {o.hint && <span className={s.pickerHint}>{o.hint}</span>}
                  </span>
                </label>
              );
            })}
          </div>
          {single && draft.length > 0 && (
            <button type="button" className={cx('linkish', s.pickerClear)} onClick={() => setDraft([])}>
              Clear
            </button>
          )}
          {footer}
          <div className={s.pickerFoot}>
            <button type="button" className={s.pickerDone} onClick={() => onOpenChange(false)} data-testid={testId ? `${testId}-done` : undefined}>
              Done
            </button>
          </div>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
