// Small shared building blocks: panels, buttons, loading/empty/error states, avatars, badges,
// relative times, a pager, and keyboard-usable menus and dialogs (Radix primitives).
import { DropdownMenu, Dialog } from 'radix-ui';
import { useEffect, useRef, useSyncExternalStore, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import s from './ui.module.css';

const cx = (...names: Array<string | false | null | undefined>) => names.filter(Boolean).join(' ');
export { cx };

export function Panel({ children, className, pad, ...rest }: { children: ReactNode; className?: string; pad?: boolean } & React.HTMLAttributes<HTMLElement>) {
  return (
    <section className={cx(s.panel, pad && s.panelPad, className)} {...rest}>
      {children}
    </section>
  );
}

export function PanelHeader({ children, className }: { children: ReactNode; className?: string }) {
  return <header className={cx(s.panelHeader, className)}>{children}</header>;
}

type Variant = 'default' | 'primary' | 'danger' | 'ghost';
export function Button({ variant = 'default', small, className, busy, disabled, children, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; small?: boolean; busy?: boolean }) {
  return (
    <button type="button" className={cx(s.button, variant !== 'default' && s[variant], small && s.small, className)} {...rest} disabled={busy || disabled}>
      {busy && <span className={s.spinner} aria-hidden />}
      {children}
    </button>
  );
}

/** Class names for a link that looks like a button. */
export function buttonClass(variant: Variant = 'default', small = false): string {
  return cx(s.button, variant !== 'default' && s[variant], small && s.small);
}

export function Spinner() {
  return <span className={s.spinner} role="status" aria-label="Loading" />;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className={s.loading} aria-live="polite" data-loading>
      <span className={s.spinner} aria-hidden />
      {label}
    </div>
  );
}

export function EmptyState({ title, children, icon = '◇' }: { title: string; children?: ReactNode; icon?: string }) {
  return (
    <div className={s.state}>
      <div className={s.stateIcon} aria-hidden>
        {icon}
      </div>
      <h2>{title}</h2>
      {children && <div className="muted">{children}</div>}
    </div>
  );
}

/** "Not found", worded so it says nothing about whether the thing exists for someone else. */
export function NotFoundPanel() {
  return (
    <Panel className={s.error}>
      <EmptyState title="Not found" icon="∅">
        It doesn't exist, or you don't have access to it. <a href="/">Go home</a>
      </EmptyState>
    </Panel>
  );
}

/** What went wrong and what to do next; a 404 reads as "not found" (also for what the viewer may not see). */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const api = error instanceof ApiError ? error : null;
  if (api?.notFound) return <NotFoundPanel />;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Panel className={s.error} role="alert">
      <EmptyState title={api?.status === 503 ? 'Under maintenance' : 'Something went wrong'} icon="!">
        <p className={s.errorText}>{message}</p>
        {retry && (
          <Button onClick={retry} small>
            Try again
          </Button>
        )}
      </EmptyState>
    </Panel>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'error' | 'ok' | 'warn'; children: ReactNode }) {
  return (
    <div className={cx(s.notice, kind === 'error' && s.noticeError, kind === 'ok' && s.noticeOk, kind === 'warn' && s.noticeWarn)} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** An error from a mutation, as a notice (or nothing). */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return <Notice kind="error">{error instanceof Error ? error.message : String(error)}</Notice>;
}

// the server's /avatars/<name> (an upload, re-encoded, or a pattern drawn from the name); a new
// upload bumps the name's version here, so every avatar of that person on the page reloads
const avatarVersions = new Map<string, number>();
const avatarListeners = new Set<() => void>();
/** Shows `name`'s new avatar everywhere on the page (after an upload or a removal). */
export function avatarChanged(name: string): void {
  avatarVersions.set(name.toLowerCase(), Date.now());
  for (const l of avatarListeners) l();
}
const subscribeAvatars = (l: () => void) => {
  avatarListeners.add(l);
  return () => avatarListeners.delete(l);
};

export function Avatar({ name, size = 24 }: { name: string; size?: number }) {
  const lower = name.toLowerCase();
  const version = useSyncExternalStore(subscribeAvatars, () => avatarVersions.get(lower) ?? 0);
  const src = `/avatars/${encodeURIComponent(lower)}${version ? `?v=${version}` : ''}`;
  return <img className={s.avatar} src={src} width={size} height={size} alt="" aria-hidden loading="lazy" decoding="async" />;
}

export function Badge({ children, accent }: { children: ReactNode; accent?: boolean }) {
  return <span className={cx(s.badge, accent && s.badgeAccent)}>{children}</span>;
}

const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];
const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function relativeTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const secs = (new Date(iso).getTime() - Date.now()) / 1000;
  for (const [unit, size] of units) {
    if (Math.abs(secs) >= size) return rtf.format(Math.round(secs / size), unit);
  }
  return 'just now';
}

export function RelativeTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return null;
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()}>
      {relativeTime(iso)}
    </time>
  );
}

export function Pager({ page, hasNext, onPage }: { page: number; hasNext: boolean; onPage: (page: number) => void }) {
  if (page <= 1 && !hasNext) return null;
  return (
    <nav className={s.pager} aria-label="Pages">
      <Button small disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ← Newer
      </Button>
      <span className="muted">Page {page}</span>
      <Button small disabled={!hasNext} onClick={() => onPage(page + 1)}>
        Older →
      </Button>
    </nav>
  );
}

/** Sets the tab title for a page. */
export function useTitle(title: string | undefined): void {
  useEffect(() => {
    if (title) document.title = `${title} · Gitssy`;
  }, [title]);
}

export interface MenuEntry {
  label: ReactNode;
  onSelect?: () => void;
  href?: string;
  disabled?: boolean;
  separator?: boolean;
}

/** A dropdown menu: arrow keys, Enter and Escape work (Radix). */
export function Menu({ trigger, items, label, align = 'end' }: { trigger: ReactNode; items: MenuEntry[]; label?: string; align?: 'start' | 'end' }) {
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger asChild>{trigger}</DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className={s.menu} align={align} sideOffset={6}>
          {label && <DropdownMenu.Label className={s.menuLabel}>{label}</DropdownMenu.Label>}
          {items.map((item, i) =>
            item.separator ? (
              <DropdownMenu.Separator key={i} className={s.menuSeparator} />
            ) : item.href ? (
              <DropdownMenu.Item key={i} className={s.menuItem} disabled={item.disabled} asChild>
                <a href={item.href}>{item.label}</a>
              </DropdownMenu.Item>
            ) : (
              <DropdownMenu.Item key={i} className={s.menuItem} disabled={item.disabled} onSelect={item.onSelect}>
                {item.label}
              </DropdownMenu.Item>
            ),
          )}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}

/** A modal dialog with a title, a body and action buttons (focus trapped; Escape closes). */
export function Modal({ open, onOpenChange, title, children, actions }: { open: boolean; onOpenChange: (open: boolean) => void; title: string; children: ReactNode; actions?: ReactNode }) {
  // our dialogs open from state, not a Dialog.Trigger, so Radix can't put focus back by itself:
  // remember what had focus when the dialog opened and return there when it closes
  const opener = useRef<HTMLElement | null>(null);
  const wasOpen = useRef(false);
  if (open && !wasOpen.current) opener.current = document.activeElement as HTMLElement | null;
  wasOpen.current = open;
  const restoreFocus = (e: Event) => {
    const el = opener.current;
    if (el?.isConnected) {
      e.preventDefault();
      el.focus();
    }
  };
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className={s.overlay} />
        <Dialog.Content className={s.dialog} aria-describedby={undefined} onCloseAutoFocus={restoreFocus}>
          <Dialog.Title>{title}</Dialog.Title>
          {children}
          {actions && <div className={s.dialogActions}>{actions}</div>}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** "Are you sure?" for a destructive action: Cancel, and the action that shows its progress and error. */
export function ConfirmModal({
  open,
  title,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onCancel,
  children,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  busy?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <Modal
      open={open}
      onOpenChange={(o) => !o && onCancel()}
      title={title}
      actions={
        <>
          <Button onClick={onCancel}>Cancel</Button>
          <Button variant="danger" busy={busy} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
      <FormError error={error} />
    </Modal>
  );
}

export function Hint({ children }: { children: ReactNode }) {
  return <div className={s.hint}>{children}</div>;
}
