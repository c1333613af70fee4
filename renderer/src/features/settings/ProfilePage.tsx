// Settings → Profile: full name, description, website, location and pronouns, shown on your public profile.
import { Link } from '@tanstack/react-router';
import { useRef, useState, type FormEvent } from 'react';
import { Avatar, Button, ErrorState, FormError, Hint, Loading, Panel, PanelHeader, avatarChanged, useTitle } from '../../components/ui';
import { readAsDataUrl } from '../../lib/files';
import { useCurrentUser, useSession, useReadOnly } from '../session/api';
import { useProfile, type Profile } from '../users/api';
import { useSaveProfileLists, useSaveSettings, useSetAvatar, useSettings, type UserSettings } from './api';
import s from './Settings.module.css';

export function ProfilePage() {
  useTitle('Profile settings');
  const settings = useSettings();
  if (settings.isPending) return <Loading />;
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  return (
    <>
      <PicturePanel />
      <ProfileForm initial={settings.data} />
      <ListsPanel />
    </>
  );
}

/** Your avatar: upload one (the server crops it square and re-encodes it), or remove it. */
function PicturePanel() {
  const user = useCurrentUser();
  const readOnly = useReadOnly();
  const set = useSetAvatar();
  const picker = useRef<HTMLInputElement>(null);
  const [tooBig, setTooBig] = useState(false);
  if (!user) return null;
  const apply = (image: string | null) => set.mutate(image, { onSuccess: () => avatarChanged(user.login) });
  const onPick = async (file: File | undefined) => {
    if (picker.current) picker.current.value = '';
    setTooBig(false);
    if (!file) return;
    if (file.size > 8 * 1024 * 1024) return setTooBig(true);
    apply(await readAsDataUrl(file));
  };
  return (
    <Panel>
      <PanelHeader>
        <h2>Picture</h2>
      </PanelHeader>
      <div className={s.picture}>
        <Avatar name={user.login} size={96} />
        <div>
          <input ref={picker} type="file" accept="image/png,image/jpeg,image/webp,image/gif" hidden onChange={(e) => void onPick(e.target.files?.[0])} data-testid="avatar-file" />
          <div className={s.actions}>
            <Button onClick={() => picker.current?.click()} busy={set.isPending} disabled={readOnly}>
              Upload a picture
            </Button>
            <Button onClick={() => apply(null)} disabled={readOnly || set.isPending}>
              Remove
            </Button>
          </div>
          <Hint>PNG, JPEG, WebP or GIF up to 8 MiB; it is cropped to a square. Without one, a pattern drawn from your name shows.</Hint>
          {tooBig && <p role="alert">That file is larger than 8 MiB.</p>}
          <FormError error={set.error} />
        </div>
      </div>
    </Panel>
  );
}

/** The links your profile lists and the repositories pinned to it, one per line. */
function ListsPanel() {
  const user = useCurrentUser();
  const profile = useProfile(user?.login ?? '', !!user);
  if (!user) return null;
  if (profile.isPending) return <Loading />;
  if (profile.isError) return <ErrorState error={profile.error} retry={() => void profile.refetch()} />;
  return <ListsForm initial={profile.data} />;
}

function ListsForm({ initial }: { initial: Profile }) {
  const readOnly = useReadOnly();
  const save = useSaveProfileLists();
  const start = { links: initial.links.join('\n'), repos: initial.pinned.map((r) => r.full_name).join('\n') };
  const [form, setForm] = useState(start);
  const [saved, setSaved] = useState(start);
  const dirty = form.links !== saved.links || form.repos !== saved.repos;
  const lines = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ links: lines(form.links), repos: lines(form.repos) }, { onSuccess: () => setSaved(form) });
  };
  return (
    <Panel>
      <PanelHeader>
        <h2>Links and pinned repositories</h2>
      </PanelHeader>
      <form className={s.form} onSubmit={onSubmit} aria-label="Links and pinned repositories">
        <label htmlFor="profile-links">Links</label>
        <textarea id="profile-links" rows={3} value={form.links} onChange={(e) => setForm({ ...form, links: e.target.value })} placeholder="https://" />
        <Hint>Up to 5 http:// or https:// addresses, one per line.</Hint>
        <label htmlFor="profile-pinned">Pinned repositories</label>
        <textarea id="profile-pinned" rows={3} value={form.repos} onChange={(e) => setForm({ ...form, repos: e.target.value })} placeholder="owner/name" />
        <Hint>Up to 6, one owner/name per line, in the order they show. Each shows only to people who may read it.</Hint>
        <FormError error={save.error} />
        <div className={s.actions}>
          {save.isSuccess && !dirty && (
            <span className={s.saved} role="status">
              ✓ Saved
            </span>
          )}
          <Button type="submit" variant="primary" busy={save.isPending} disabled={!dirty || readOnly}>
            Save links and pins
          </Button>
        </div>
      </form>
    </Panel>
  );
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
        <Hint>Up to 255 characters of Markdown.</Hint>
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
