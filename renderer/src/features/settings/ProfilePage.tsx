// Settings → Profile: full name, description and website, shown on your public profile.
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
  const [form, setForm] = useState({ full_name: initial.full_name, description: initial.description, website: initial.website });
  const dirty = form.full_name !== initial.full_name || form.description !== initial.description || form.website !== initial.website;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ full_name: form.full_name, description: form.description, website: form.website.trim() });
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
