// Settings → Profile: full name, description, website, location and pronouns, shown on your public profile.
import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Button, ErrorState, FormError, Hint, Loading, Panel, PanelHeader, useTitle } from '../../components/ui';
import { useCurrentUser, useSession, useReadOnly } from '../session/api';
import { useSaveSettings, useSettings, type UserSettings } from './api';
import s from './Settings.module.css';

export function ProfilePage() {
  useTitle('Profile settings');
  const settings = useSettings();
  if (settings.isPending) return <Loading />;
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  return <ProfileForm initial={settings.data} />;
}

function ProfileForm({ initial }: { initial: UserSettings }) {
  const user = useCurrentUser();
  const readOnly = useReadOnly();
  const save = useSaveSettings();
  const fields = ['full_name', 'description', 'website', 'location', 'pronouns'] as const;
  const [form, setForm] = useState(() => Object.fromEntries(fields.map((f) => [f, initial[f] ?? ''])) as Record<(typeof fields)[number], string>);
  const dirty = fields.some((f) => form[f] !== (initial[f] ?? ''));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ ...form, website: form.website.trim(), location: form.location.trim(), pronouns: form.pronouns.trim() });
  };
  return (
    <Panel>
      <PanelHeader className={s.head}>
        <h2>Profile</h2>
        {user && (
          <Link to="/$owner" params={{ owner: user.login }} className={s.headLink}>
            View your profile
          </Link>
        )}
      </PanelHeader>
      <form className={s.form} onSubmit={onSubmit} aria-label="Profile">
        <label htmlFor="profile-full-name">Full name</label>
        <input id="profile-full-name" type="text" maxLength={100} value={form.full_name} onChange={(e) => setForm({ ...form, full_name: e.target.value })} autoComplete="name" />
        <label htmlFor="profile-description">About you</label>
        <textarea id="profile-description" maxLength={255} rows={3} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
        <Hint>Up to 255 characters, shown as plain text.</Hint>
        <label htmlFor="profile-website">Website</label>
        <input id="profile-website" type="url" placeholder="https://" maxLength={255} value={form.website} onChange={(e) => setForm({ ...form, website: e.target.value })} />
        <Hint>An http:// or https:// address.</Hint>
        <label htmlFor="profile-location">Location</label>
        <input id="profile-location" type="text" maxLength={100} value={form.location} onChange={(e) => setForm({ ...form, location: e.target.value })} />
        <label htmlFor="profile-pronouns">Pronouns</label>
        <input id="profile-pronouns" type="text" maxLength={50} placeholder="they/them" value={form.pronouns} onChange={(e) => setForm({ ...form, pronouns: e.target.value })} />
        <label>Email</label>
        <p className={s.plain}>{user?.email} — visible only to you and administrators.</p>
        <FormError error={save.error} />
        <div className={s.actions}>
          {save.isSuccess && !dirty && (
            <span className={s.saved} role="status">
              ✓ Saved
            </span>
          )}
          <Button type="submit" variant="primary" busy={save.isPending} disabled={!dirty || readOnly}>
            Save profile
          </Button>
        </div>
        {readOnly && <Hint>The forge is in maintenance: changes are paused.</Hint>}
      </form>
    </Panel>
  );
}
