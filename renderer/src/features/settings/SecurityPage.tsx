// Settings → Security: your signed-in browsers (sign any of them out), passkeys (PasskeysPanel), and two-factor sign-in (TOTP). Turning it on shows a QR code and the secret
// for an authenticator app, takes a first code to confirm, then shows the ten recovery codes once
// (copy, download as .txt). When it is on: how many recovery codes are left, new ones (for a
// current code), and turning it off (for a code or a recovery code). When the site requires it,
// the Shell keeps an account without it on this page until it is on.
import { useState, type FormEvent } from 'react';
import { Badge, Button, ErrorState, FormError, Hint, Loading, Modal, Notice, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { CopyButton } from '../code/CopyButton';
import { PasskeysPanel } from './PasskeysPanel';
import { useCurrentUser, useReadOnly, useSession } from '../session/api';
import { useBeginTotp, useConfirmTotp, useDisableTwoFactor, useNewRecoveryCodes, useRevokeSession, useSessions, useTwoFactor, type TotpEnrolment, type TwoFactorStatus } from './api';
import s from './Settings.module.css';

/** The QR code as an image: the server's SVG never becomes markup in this page. */
const svgImage = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

export function SecurityPage() {
  useTitle('Security');
  const status = useTwoFactor();
  // shown once, right after turning it on or making new ones; gone when the page is left
  const [codes, setCodes] = useState<string[] | null>(null);
  return (
    <>
      {codes && <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />}
      <Panel>
        <PanelHeader className={s.head}>
          <h2>Two-factor sign-in</h2>
          {status.data && (
            <span data-testid="two-factor-state">
              <Badge accent={status.data.enabled}>{status.data.enabled ? 'On' : 'Off'}</Badge>
            </span>
          )}
        </PanelHeader>
        {status.isPending ? (
          <Loading />
        ) : status.isError ? (
          <ErrorState error={status.error} retry={() => void status.refetch()} />
        ) : status.data.enabled ? (
          <Enabled status={status.data} onCodes={setCodes} />
        ) : (
          <TurnOn onCodes={setCodes} />
        )}
      </Panel>
      <PasskeysPanel />
      <Sessions />
    </>
  );
}

/** Every browser signed in as you: where, what, when last seen; any of them can be signed out (this one too). */
function Sessions() {
  const list = useSessions();
  const revoke = useRevokeSession();
  return (
    <Panel>
      <PanelHeader className={s.head}>
        <h2>Signed-in browsers</h2>
      </PanelHeader>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : (
        <ul className={s.list} data-testid="sessions">
          {list.data.map((x) => (
            <li key={x.id} className={s.item} data-testid="session-row">
              <div className={s.itemMain}>
                <div className={s.itemTitle} title={x.user_agent}>
                  {x.device} {x.current && <Badge accent>this browser</Badge>} {x.remembered && <Badge>remembered</Badge>}
                </div>
                <div className={s.itemMeta}>
                  {x.ip ?? 'unknown address'} · signed in <RelativeTime iso={x.created_at} /> · last seen <RelativeTime iso={x.last_seen_at} />
                </div>
              </div>
              <Button
                small
                variant="danger"
                busy={revoke.isPending && revoke.variables === x.id}
                onClick={() => revoke.mutate(x.id, { onSuccess: () => x.current && window.location.assign('/user/login') })}
              >
                Sign out
              </Button>
            </li>
          ))}
        </ul>
      )}
      <FormError error={revoke.error} />
    </Panel>
  );
}

/** A 6-digit code field (the phone's keypad, and the code the OS offers from an SMS or app). */
function CodeInput({ id, label, value, onChange, autoFocus }: { id: string; label: string; value: string; onChange: (v: string) => void; autoFocus?: boolean }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9 ]*"
        maxLength={7}
        placeholder="123456"
        required
        autoFocus={autoFocus}
        className={s.codeInput}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </>
  );
}

const digits = (code: string) => code.replace(/\s/g, '');

function TurnOn({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const readOnly = useReadOnly();
  const begin = useBeginTotp();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);

  if (enrolment) {
    return (
      <Enrol
        enrolment={enrolment}
        onCancel={() => setEnrolment(null)}
        onConfirmed={(codes) => {
          setEnrolment(null);
          onCodes(codes);
        }}
      />
    );
  }
  return (
    <div className={s.pane}>
      <p className={s.plain}>
        With two-factor sign-in, signing in takes a 6-digit code from an authenticator app on your phone (any TOTP app: Aegis, Google Authenticator, 1Password, …) after your password, so a password
        alone is not enough. Git over SSH and access tokens are not affected; the API and git over HTTP with your password then need the code too.
      </p>
      <FormError error={begin.error} />
      <div className={s.actions}>
        <Button variant="primary" busy={begin.isPending} disabled={readOnly} onClick={() => begin.mutate(undefined, { onSuccess: setEnrolment })}>
          Turn on two-factor authentication
        </Button>
      </div>
    </div>
  );
}

function Enrol({ enrolment, onCancel, onConfirmed }: { enrolment: TotpEnrolment; onCancel: () => void; onConfirmed: (codes: string[]) => void }) {
  const confirm = useConfirmTotp();
  const [code, setCode] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    // mutateAsync: the status turns to "on" before this settles, and this form with it goes away,
    // which would drop mutate()'s callbacks and with them the recovery codes
    confirm.mutateAsync(digits(code)).then(
      (r) => onConfirmed(r.recovery_codes),
      () => setCode(''),
    );
  };
  return (
    <form className={s.pane} onSubmit={onSubmit} aria-label="Confirm two-factor sign-in">
      <ol className={s.steps}>
        <li>
          <p className={s.plain}>Scan this QR code with your authenticator app:</p>
          <img className={s.qr} src={svgImage(enrolment.qr_svg)} alt="QR code to add this account to an authenticator app" width={180} height={180} />
        </li>
        <li>
          <p className={s.plain}>Can&apos;t scan it? Enter this setup key in the app instead (time-based, 6 digits, 30 seconds):</p>
          <div className={s.secret}>
            <code className={s.totpSecret} data-testid="totp-secret">
              {enrolment.secret}
            </code>
            <CopyButton text={enrolment.secret} what="setup key" />
          </div>
        </li>
        <li>
          <CodeInput id="totp-confirm-code" label="Enter the code the app shows" value={code} onChange={setCode} autoFocus />
          <Hint>Two-factor sign-in is on once this code is accepted.</Hint>
        </li>
      </ol>
      <FormError error={confirm.error} />
      <div className={s.actions}>
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={confirm.isPending} disabled={!digits(code)}>
          Turn on
        </Button>
      </div>
    </form>
  );
}

function Enabled({ status, onCodes }: { status: TwoFactorStatus; onCodes: (codes: string[]) => void }) {
  const readOnly = useReadOnly();
  const [dialog, setDialog] = useState<'codes' | 'off' | null>(null);
  const left = status.recovery_codes_left;
  return (
    <div className={s.pane}>
      <p className={s.plain}>Signing in takes a code from your authenticator app after your password.</p>
      <p className={s.plain}>
        Recovery codes left: <strong data-testid="recovery-codes-left">{left}</strong> of 10.
      </p>
      {left <= 3 && <Notice kind="warn">{left === 0 ? 'You have no recovery codes left.' : 'You are running out of recovery codes.'} Make new ones, so losing your phone doesn’t lock you out.</Notice>}
      {status.required && <Hint>This server requires two-factor sign-in: turned off, the forge is closed to your account until you turn it on again.</Hint>}
      <div className={s.actions}>
        <Button disabled={readOnly} onClick={() => setDialog('codes')}>
          New recovery codes
        </Button>
        <Button variant="danger" disabled={readOnly} onClick={() => setDialog('off')}>
          Turn off
        </Button>
      </div>
      {dialog === 'codes' && (
        <NewCodesDialog
          onClose={() => setDialog(null)}
          onCodes={(codes) => {
            setDialog(null);
            onCodes(codes);
          }}
        />
      )}
      {dialog === 'off' && <TurnOffDialog onClose={() => setDialog(null)} />}
    </div>
  );
}

function NewCodesDialog({ onClose, onCodes }: { onClose: () => void; onCodes: (codes: string[]) => void }) {
  const renew = useNewRecoveryCodes();
  const [code, setCode] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    renew.mutateAsync(digits(code)).then(
      (r) => onCodes(r.recovery_codes),
      () => setCode(''),
    );
  };
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title="New recovery codes">
      <form onSubmit={onSubmit} aria-label="New recovery codes">
        <p className="muted">Ten new codes replace the ones you have: the old ones stop working at once.</p>
        <CodeInput id="renew-code" label="Code from your authenticator app" value={code} onChange={setCode} autoFocus />
        <FormError error={renew.error} />
        <div className={s.actions}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={renew.isPending} disabled={!digits(code)}>
            Make new codes
          </Button>
        </div>
      </form>
    </Modal>
  );
}

function TurnOffDialog({ onClose }: { onClose: () => void }) {
  const off = useDisableTwoFactor();
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const value = recovery ? code.trim() : digits(code);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    off.mutate(recovery ? { recovery_code: value } : { code: value }, { onSuccess: onClose, onError: () => setCode('') });
  };
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title="Turn off two-factor sign-in?">
      <form onSubmit={onSubmit} aria-label="Turn off two-factor sign-in">
        <p className="muted">Your password alone signs you in again, and your recovery codes stop working.</p>
        {recovery ? (
          <>
            <label htmlFor="off-recovery">Recovery code</label>
            <input
              id="off-recovery"
              type="text"
              autoComplete="off"
              spellCheck={false}
              required
              maxLength={40}
              placeholder="xxxxx-xxxxx"
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </>
        ) : (
          <CodeInput id="off-code" label="Code from your authenticator app" value={code} onChange={setCode} autoFocus />
        )}
        <p>
          <button
            type="button"
            className="linkish"
            onClick={() => {
              setRecovery(!recovery);
              setCode('');
              off.reset();
            }}
          >
            {recovery ? 'Use a code from your app instead' : 'Use a recovery code instead'}
          </button>
        </p>
        <FormError error={off.error} />
        <div className={s.actions}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="danger" busy={off.isPending} disabled={!value}>
            Turn off
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/** Starts a download of text as a file (the browser saves it; nothing leaves the machine). */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const user = useCurrentUser();
  const instance = useSession().data?.instance_name ?? 'Gitssy';
  const login = user?.login ?? 'account';
  const text = [
    `Recovery codes for ${login} on ${instance} (${window.location.origin})`,
    `Made ${new Date().toISOString().slice(0, 10)}. Each code signs you in once instead of a code from your authenticator app.`,
    '',
    ...codes,
    '',
  ].join('\n');
  return (
    <Panel data-testid="recovery-codes-panel">
      <PanelHeader className={s.head}>
        <h2>Your recovery codes</h2>
      </PanelHeader>
      <div className={s.pane}>
        <Notice kind="warn">
          <strong>Store these now</strong>, somewhere other than your phone (a password manager, or on paper): they are shown only this once. If you lose your phone, each code signs you in once
          instead of a code from the app.
        </Notice>
        <ol className={s.codes} data-testid="recovery-codes">
          {codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ol>
        <div className={s.actions}>
          <CopyButton text={codes.join('\n')} what="recovery codes" />
          <Button small onClick={() => download(`${instance.replace(/[^\w.-]+/g, '-')}-recovery-codes-${login}.txt`, text)}>
            Download (.txt)
          </Button>
          <Button small variant="primary" onClick={onDone}>
            I have stored them
          </Button>
        </div>
      </div>
    </Panel>
  );
}
