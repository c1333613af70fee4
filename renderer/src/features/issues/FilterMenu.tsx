// One of the list's filter dropdowns (Author, Label, Milestone, Assignee, Sort): a button that
// says what is chosen, and a popover with the choices — and, for people, a box to type any
// user name, since authors need not be collaborators. Arrow keys move between the choices.
import { Popover } from 'radix-ui';
import { useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { cx } from '../../components/ui';
import s from './Issues.module.css';

export interface FilterChoice {
  value: string;
  label: ReactNode;
  /** what the filter box matches */
  text: string;
}

export function FilterMenu({
  title,
  choices,
  selected,
  onSelect,
  multi,
  freeText,
  defaultValue,
  testId,
}: {
  title: string;
  choices: FilterChoice[];
  /** chosen values ([] for none) */
  selected: string[];
  /** the new selection ([] clears the filter) */
  onSelect: (values: string[]) => void;
  multi?: boolean;
  /** a placeholder for the "any name" box; none: only the choices */
  freeText?: string;
  /** the value that means "no filter" (Sort's "Newest"): shown checked, but the button isn't marked */
  defaultValue?: string;
  testId?: string;
}) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const shown = typed.trim() ? choices.filter((c) => c.text.toLowerCase().includes(typed.trim().toLowerCase())) : choices;
  const pick = (value: string) => {
    if (multi) {
      onSelect(selected.includes(value) ? selected.filter((v) => v !== value) : [...selected, value]);
      return;
    }
    onSelect(selected[0] === value ? [] : [value]);
    setOpen(false);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const name = typed.trim().replace(/^@/, '');
    if (!name) return;
    onSelect([name]);
    setTyped('');
    setOpen(false);
  };
  // up and down move through the choices, as in a menu
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const items = [...e.currentTarget.querySelectorAll<HTMLElement>('[data-choice]')];
    if (!items.length) return;
    e.preventDefault();
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next = e.key === 'ArrowDown' ? (at + 1) % items.length : (at <= 0 ? items.length : at) - 1;
    items[next]?.focus();
  };
  const active = selected.length > 0 && !(selected.length === 1 && selected[0] === defaultValue);
  return (
    <Popover.Root open={open} onOpenChange={(o) => (setOpen(o), setTyped(''))}>
      <Popover.Trigger asChild>
        <button type="button" className={cx(s.filterButton, active && s.filterActive)} data-testid={testId} aria-label={active ? `${title}: ${selected.join(', ')}` : title}>
          {title}
          {active && <span className={s.filterCount}>{multi ? selected.length : '1'}</span>}
          <span aria-hidden className={s.caret}>
            ▾
          </span>
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className={s.filterPopover} sideOffset={6} align="end" collisionPadding={8} onKeyDown={onKeyDown} data-testid={testId ? `${testId}-menu` : undefined}>
          <div className={s.pickerHead}>Filter by {title.toLowerCase()}</div>
          {(freeText || choices.length > 8) && (
            <form onSubmit={onSubmit} className={s.filterForm}>
              <input
                type="search"
                className={s.pickerFilter}
                aria-label={freeText ?? `Filter ${title.toLowerCase()}`}
                placeholder={freeText ?? 'Filter'}
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                autoFocus
                autoComplete="off"
                spellCheck={false}
              />
            </form>
          )}
          <div className={s.filterList} role="group" aria-label={title}>
            {active && defaultValue === undefined && (
              <button type="button" className={s.filterChoice} data-choice onClick={() => (onSelect([]), setOpen(false))}>
                <span className={s.check} aria-hidden />
                <em>Clear {title.toLowerCase()} filter</em>
              </button>
            )}
            {shown.map((c) => {
              const on = selected.includes(c.value);
              return (
                <button key={c.value} type="button" className={s.filterChoice} data-choice aria-pressed={on} onClick={() => pick(c.value)} data-value={c.value}>
                  <span className={s.check} aria-hidden>
                    {on ? '✓' : ''}
                  </span>
                  {c.label}
                </button>
              );
            })}
            {shown.length === 0 && <div className={s.pickerEmpty}>{freeText && typed.trim() ? 'Press Enter to filter by this name' : 'Nothing matches'}</div>}
          </div>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
