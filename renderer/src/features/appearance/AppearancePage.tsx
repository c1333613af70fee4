// Settings → Appearance: color preset, animated background, cursor and UI font. Each choice
// applies at once and is saved on the server, so it follows the user to any browser and is
// in place before the first paint of the next page load.
import type { Appearance } from '../../app/boot';
import { Button, EmptyState, ErrorState, FormError, Hint, Loading, Notice, Panel, useTitle } from '../../components/ui';
import { useCurrentUser, useReadOnly } from '../session/api';
import { useAppearanceOptions, useMyAppearance, useResetAppearance, useSaveAppearance, useSetInstanceDefault } from './api';
import { useAppliedAppearance } from './state';
import s from './AppearancePage.module.css';

const FONT_NAMES: Record<string, { label: string; family: string }> = {
  inter: { label: 'Inter', family: 'Inter' },
  plex: { label: 'IBM Plex Sans', family: 'IBM Plex Sans' },
  grotesk: { label: 'Space Grotesk', family: 'Space Grotesk' },
  atkinson: { label: 'Atkinson Hyperlegible', family: 'Atkinson Hyperlegible' },
  mono: { label: 'JetBrains Mono', family: 'JetBrains Mono' },
  system: { label: 'System', family: 'system-ui' },
};
const BACKGROUND_ICONS: Record<string, string> = { none: '—', stars: '✦ · ✧', waves: '〰', drips: '╎╎╎', aurora: '◌◎◌' };
const CURSOR_ICONS: Record<string, string> = { default: '➤', minimal: '•', ring: '◯', glow: '◉' };

type Field = keyof Appearance;

function Choices({
  name,
  label,
  options,
  value,
  onPick,
  render,
  disabled,
}: {
  name: Field;
  label: string;
  options: string[];
  value: string;
  onPick: (field: Field, v: string) => void;
  render: (v: string) => React.ReactNode;
  disabled: boolean;
}) {
  return (
    <fieldset className={s.grid} aria-label={label} style={{ border: 0, padding: 0 }} disabled={disabled}>
      {options.map((o) => (
        <label key={o} className={s.option} data-testid={`${name}-${o}`}>
          <input type="radio" className="visually-hidden" name={name} value={o} checked={value === o} onChange={() => onPick(name, o)} />
          {render(o)}
        </label>
      ))}
    </fieldset>
  );
}

export function AppearancePage() {
  useTitle('Appearance');
  const user = useCurrentUser();
  const options = useAppearanceOptions();
  const mine = useMyAppearance();
  const applied = useAppliedAppearance();
  const save = useSaveAppearance();
  const reset = useResetAppearance();
  const setDefault = useSetInstanceDefault();
  const readOnly = useReadOnly();

  if (!user) {
    return (
      <Panel>
        <EmptyState title="Sign in to personalize">
          Your colors, background, cursor and font are saved with your account. <a href="/user/login?redirect_to=/user/settings/appearance">Sign in</a>
        </EmptyState>
      </Panel>
    );
  }
  if (options.isPending || mine.isPending) return <Loading />;
  if (options.isError) return <ErrorState error={options.error} retry={() => void options.refetch()} />;
  if (mine.isError) return <ErrorState error={mine.error} retry={() => void mine.refetch()} />;
  const o = options.data;
  const pick = (field: Field, v: string) => save.mutate({ ...applied, [field]: v });

  return (
    <Panel pad>
      <h1>Appearance</h1>
      <p className="muted">Changes apply at once and are saved to your account.</p>
      {readOnly && <Notice kind="warn">The forge is in maintenance: your look can't be changed until it ends.</Notice>}
      <FormError error={save.error ?? reset.error ?? setDefault.error} />
      <section className={s.section}>
        <h2>Color preset</h2>
        <Hint>Tints accents, panels and muted text.</Hint>
        <Choices
          disabled={readOnly}
          name="preset"
          label="Color preset"
          options={o.presets}
          value={applied.preset}
          onPick={pick}
          render={(v) => (
            <>
              <span className={s.swatch} data-swatch={v} />
              {v}
            </>
          )}
        />
      </section>
      <section className={s.section}>
        <h2>Background</h2>
        <Hint>Animated backgrounds pause while the tab is hidden and stay off when your system asks for reduced motion.</Hint>
        <Choices
          disabled={readOnly}
          name="background"
          label="Background"
          options={o.backgrounds}
          value={applied.background}
          onPick={pick}
          render={(v) => (
            <>
              <span className={s.preview} aria-hidden>
                {BACKGROUND_ICONS[v] ?? ''}
              </span>
              {v}
            </>
          )}
        />
      </section>
      <section className={s.section}>
        <h2>Cursor</h2>
        <Choices
          disabled={readOnly}
          name="cursor"
          label="Cursor"
          options={o.cursors}
          value={applied.cursor}
          onPick={pick}
          render={(v) => (
            <>
              <span className={s.preview} aria-hidden>
                {CURSOR_ICONS[v] ?? ''}
              </span>
              {v}
            </>
          )}
        />
      </section>
      <section className={s.section}>
        <h2>Font</h2>
        <Choices
          disabled={readOnly}
          name="font"
          label="Font"
          options={o.fonts}
          value={applied.font}
          onPick={pick}
          render={(v) => (
            <>
              <span className={s.sample} style={{ fontFamily: FONT_NAMES[v]?.family }}>
                Aa Gg 0O1l
              </span>
              {FONT_NAMES[v]?.label ?? v}
            </>
          )}
        />
      </section>
      <div className={s.actions}>
        {save.isSuccess && !save.isPending && <Notice kind="ok">Saved</Notice>}
        <Button onClick={() => reset.mutate()} busy={reset.isPending} disabled={readOnly || (!mine.data.custom && !save.isSuccess)}>
          Use the instance default
        </Button>
        {user.is_admin && (
          <Button onClick={() => setDefault.mutate(applied)} busy={setDefault.isPending} disabled={readOnly}>
            Make this the instance default
          </Button>
        )}
        {setDefault.isSuccess && <Notice kind="ok">Visitors and users without their own choice now see this look.</Notice>}
      </div>
    </Panel>
  );
}
