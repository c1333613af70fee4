// Settings → Account: change your password with the current one. Other browsers and devices
// signed in as you are signed out; this one stays signed in.
import { Panel, PanelHeader, useTitle } from '../../components/ui';
import { PasswordChangeForm } from './PasswordChangeForm';
import s from './Settings.module.css';

export function AccountPage() {
  useTitle('Account settings');
  return (
    <Panel>
      <PanelHeader className={s.head}>
        <h2>Change password</h2>
      </PanelHeader>
      <PasswordChangeForm
        idPrefix=""
        label="Change password"
        readOnlyHint="The forge is in maintenance: changes are paused."
        success="Password changed. Other browsers signed in as you have been signed out."
        onChanged={(reset) => reset()}
      />
    </Panel>
  );
}
