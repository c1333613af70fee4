// The branch/tag switcher: a popover with a filter box and a list (arrow keys move, Enter
// opens, Escape closes). Choosing a ref opens /src/branch/<b> (or /src/tag/<t>) at the same
// path. Names are shown as text, whatever characters they hold.
import { useNavigate } from '@tanstack/react-router';
import { Popover } from 'radix-ui';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Button } from '../../components/ui';
import { useBranchNames, useTagNames, type RefKind } from './api';
import { BranchIcon, CommitIcon, TagIcon } from './icons';
import { srcSplat } from './paths';
import s from './Code.module.css';

export function RefSwitcher({ owner, repo, current, path = '' }: { owner: string; repo: string; current: { kind: RefKind; name: string; commit: string }; path?: string }) {
  const [open, setOpen] = useState(false);
  const [tab, setTab] = useState<'branch' | 'tag'>(current.kind === 'tag' ? 'tag' : 'branch');
  const [filter, setFilter] = useState('');
  const [active, setActive] = useState(0);
  const navigate = useNavigate();
  const branches = useBranchNames(owner, repo, open);
  const tags = useTagNames(owner, repo, open && tab === 'tag');
  const q = tab === 'branch' ? branches : tags;
  const listId = useId();
  const listRef = useRef<HTMLUListElement>(null);

  const names = useMemo(() => {
    const all = q.data?.items.map((r) => r.name) ?? [];
    const f = filter.trim().toLowerCase();
    return f ? all.filter((n) => n.toLowerCase().includes(f)) : all;
  }, [q.data, filter]);
  const more = q.data && q.data.total !== null && q.data.total > q.data.items.length ? q.data.total - q.data.items.length : 0;

  useEffect(() => setActive(0), [filter, tab]);
  useEffect(() => {
    listRef.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const choose = (name: string) => {
    setOpen(false);
    setFilter('');
    void navigate({ to: '/$owner/$repo/src/$', params: { owner, repo, _splat: srcSplat(tab, name, path) } });
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((i) => Math.min(i + 1, names.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const name = names[active];
      if (name !== undefined) choose(name);
    }
  };

  const label = current.kind === 'commit' ? current.commit.slice(0, 10) : current.name;
  const optionId = (i: number) => `${listId}-opt-${i}`;
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger asChild>
        <Button className={s.refButton} aria-label={`Switch branch or tag (current: ${label})`} data-testid="ref-switcher">
          <span className={s.refIcon} aria-hidden>
            {current.kind === 'tag' ? <TagIcon /> : current.kind === 'commit' ? <CommitIcon /> : <BranchIcon />}
          </span>
          <span className={s.refName}>{label}</span>
          <span aria-hidden>▾</span>
        </Button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className={s.popover} align="start" sideOffset={6} aria-label="Switch branches or tags">
          <div className={s.popoverTitle}>Switch branches/tags</div>
          <input
            type="search"
            autoFocus
            placeholder={tab === 'branch' ? 'Filter branches…' : 'Filter tags…'}
            aria-label={tab === 'branch' ? 'Filter branches' : 'Filter tags'}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            onKeyDown={onKey}
            role="combobox"
            aria-expanded
            aria-controls={listId}
            aria-activedescendant={names.length ? optionId(active) : undefined}
            aria-autocomplete="list"
          />
          <div className={s.refTabs} role="tablist">
            {(['branch', 'tag'] as const).map((t) => (
              <button key={t} type="button" role="tab" aria-selected={tab === t} className={s.refTab} onClick={() => setTab(t)}>
                {t === 'branch' ? 'Branches' : 'Tags'}
              </button>
            ))}
          </div>
          {q.isPending ? (
            <div className={s.refEmpty}>Loading…</div>
          ) : q.isError ? (
            <div className={s.refEmpty} role="alert">
              Could not load {tab === 'branch' ? 'branches' : 'tags'}: {q.error.message}
            </div>
          ) : names.length === 0 ? (
            <div className={s.refEmpty}>{filter ? 'Nothing matches.' : tab === 'branch' ? 'No branches.' : 'No tags yet.'}</div>
          ) : (
            <ul className={s.refList} id={listId} role="listbox" ref={listRef} aria-label={tab === 'branch' ? 'Branches' : 'Tags'}>
              {names.map((name, i) => {
                const selected = current.kind === tab && current.name === name;
                return (
                  <li
                    key={name}
                    id={optionId(i)}
                    data-index={i}
                    role="option"
                    aria-selected={selected}
                    data-active={i === active}
                    className={s.refOption}
                    onMouseEnter={() => setActive(i)}
                    onClick={() => choose(name)}
                  >
                    <span className={s.refCheck} aria-hidden>
                      {selected ? '✓' : ''}
                    </span>
                    {name}
                  </li>
                );
              })}
            </ul>
          )}
          {more > 0 && (
            <div className={s.refMore}>
              {more} more not listed here: see the {tab === 'branch' ? 'Branches' : 'Tags'} tab.
            </div>
          )}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
