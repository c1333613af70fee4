// /user/change_password: the page a user is kept on after signing in with a password an
// administrator set (the console's "Reset password"), until they choose their own. The Shell
// sends every other page here meanwhile, and the API refuses everything else; once the change
// is saved the session state says so and the user goes on to the home page.
import { Link, useNavigate } from '@tanstack/react-router';
import { Panel, PanelHeader, useTitle } from '../../components/ui';
import { useCurrentUser } from '../session/api';
import { PasswordChangeForm } from './PasswordChangeForm';
import s from './Settings.module.css';

export function ChangeRequiredPasswordPage() {
  useTitle('Choose a new password');
  const user = useCurrentUser();
  const navigate = useNavigate();

  if (!user || !user.must_change_password) {
    return (
      <div className={s.forced}>
        <Panel>
          <PanelHeader className={s.head}>
            <h2>Choose a new password</h2>
          </PanelHeader>
          <p className={s.forcedIntro}>
            {user ? (
              <>
                No password change is pending. To change your password anyway, use <Link to="/user/settings/account">your account settings</Link>.
              </>
            ) : (
              <>
                <Link to="/user/login">Sign in</Link> first.
              </>
            )}
          </p>
        </Panel>
      </div>
    );
  }

  return (
    <div className={s.forced}>
      <Panel>
        <PanelHeader className={s.head}>
          <h2>Choose a new password</h2>
        </PanelHeader>
        <p className={s.forcedIntro}>
          An administrator set the password of <strong>{user.login}</strong>. Choose your own to go on; until then the forge, its API and git over HTTP with the password are closed to this account.
        </p>
        <PasswordChangeForm
          idPrefix="forced-"
          label="Choose a new password"
          currentHint="The one the administrator gave you."
          autoFocus
          readOnlyHint="The forge is in maintenance: changes are paused, so the new password has to wait until it ends."
          // the mutation refetches the session first, so the home page no longer sends us back here
          onChanged={() => void navigate({ to: '/' })}
        />
      </Panel>
    </div>
  );
}
