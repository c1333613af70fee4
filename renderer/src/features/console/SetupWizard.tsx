// First run (/setup?token=…, the one-time link the server prints; the desktop app opens it by
// itself): create the administrator, name the instance, pick the address teammates will use,
// ports, transports and registration — all saved in one call at the end.
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { Button, EmptyState, ErrorState, FormError, Hint, Loading, Panel, useTitle } from '../../components/ui';
import { useCompleteSetup } from '../session/api';
import { useSetupInfo, type SetupDefaults } from './api';
import { SetupRestore } from './SetupRestore';
import s from './Console.module.css';

const STEPS = ['Administrator', 'Instance', 'Network', 'Review'] as const;

type Ports = SetupDefaults['ports'];

/** The ports that differ from what the server uses now (undefined when none do: nothing is sent). */
function portChanges(ports: Ports, defaults: Ports): { http?: number; ssh?: number } | undefined {
  const out: { http?: number; ssh?: number } = {};
  if (ports.http !== defaults.http) out.http = ports.http;
  if (ports.ssh !== null && ports.ssh !== defaults.ssh) out.ssh = ports.ssh;
  return Object.keys(out).length ? out : undefined;
}

interface Form extends SetupDefaults {
  username: string;
  email: string;
  password: string;
  confirm: string;
}

export function SetupWizard() {
  useTitle('Set up');
  const { token = '' } = useSearch({ from: '/setup' });
  const info = useSetupInfo(token);
  const complete = useCompleteSetup();
  const navigate = useNavigate();
  const [step, setStep] = useState(0);
  const [restoring, setRestoring] = useState(false);
  const [form, setForm] = useState<Form | null>(null);
  useEffect(() => {
    if (info.data?.defaults && !form) setForm({ ...info.data.defaults, username: '', email: '', password: '', confirm: '' });
  }, [info.data, form]);

  if (!token) {
    return (
      <Panel>
        <EmptyState title="Setup link required" icon="⚿">
          Open the one-time setup link printed in the server console (restarting the server prints a new one).
        </EmptyState>
      </Panel>
    );
  }
  if (info.isPending) return <Loading />;
  if (info.isError) return <ErrorState error={info.error} />;
  if (!info.data.setup_required) {
    return (
      <Panel>
        <EmptyState title="Already set up" icon="✓">
          This forge has an administrator. <a href="/user/login">Sign in</a>
        </EmptyState>
      </Panel>
    );
  }
  if (!form) return <Loading />;
  if (restoring) {
    return (
      <div className={s.wizard}>
        <h1>Welcome to Gitssy</h1>
        <Panel pad>
          <SetupRestore token={token} />
          <div style={{ marginTop: '1rem' }}>
            <Button onClick={() => setRestoring(false)}>Back to a new setup</Button>
          </div>
        </Panel>
      </div>
    );
  }
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const addresses = info.data.addresses ?? [];
  const adminValid = form.username.length > 0 && form.email.includes('@') && form.password.length >= 8 && form.password === form.confirm;

  const finish = () =>
    complete.mutate(
      {
        token,
        username: form.username,
        email: form.email,
        password: form.password,
        instance_name: form.instance_name,
        public_url: form.public_url,
        registration: form.registration,
        transports: form.transports,
        // only ports the operator changed are stored for the next start
        ports: portChanges(form.ports, info.data.defaults!.ports),
        mdns: form.mdns,
      },
      { onSuccess: () => void navigate({ to: '/console' }) },
    );

  return (
    <div className={s.wizard}>
      <h1>Welcome to Gitssy</h1>
      <ol className={s.steps} aria-label="Setup steps">
        {STEPS.map((name, i) => (
          <li key={name} className={s.step} data-active={i === step} data-done={i < step} aria-current={i === step ? 'step' : undefined}>
            {i + 1}. {name}
          </li>
        ))}
      </ol>
      <Panel pad>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (step < STEPS.length - 1) setStep(step + 1);
            else finish();
          }}
        >
          {step === 0 && (
            <>
              <h2>Create the administrator</h2>
              <p className="muted">The first account runs the forge: settings, users and backups.</p>
              <label htmlFor="w-user">Username</label>
              <input id="w-user" type="text" required maxLength={40} autoComplete="username" value={form.username} onChange={(e) => set({ username: e.target.value })} />
              <label htmlFor="w-email">Email</label>
              <input id="w-email" type="email" required value={form.email} onChange={(e) => set({ email: e.target.value })} />
              <label htmlFor="w-pass">Password</label>
              <input id="w-pass" type="password" required minLength={8} autoComplete="new-password" value={form.password} onChange={(e) => set({ password: e.target.value })} />
              <label htmlFor="w-confirm">Password again</label>
              <input id="w-confirm" type="password" required minLength={8} autoComplete="new-password" value={form.confirm} onChange={(e) => set({ confirm: e.target.value })} />
              {form.confirm && form.password !== form.confirm && <Hint>The passwords don't match.</Hint>}
              <Hint>
                Moving an existing forge here?{' '}
                <button type="button" className="linkish" onClick={() => setRestoring(true)}>
                  Restore a backup instead
                </button>
              </Hint>
            </>
          )}
          {step === 1 && (
            <>
              <h2>Name this forge</h2>
              <label htmlFor="w-name">Instance name</label>
              <input id="w-name" type="text" required maxLength={100} value={form.instance_name} onChange={(e) => set({ instance_name: e.target.value })} />
              <label htmlFor="w-reg">Who may create an account</label>
              <select id="w-reg" value={form.registration} onChange={(e) => set({ registration: e.target.value as Form['registration'] })}>
                <option value="open">Anyone who can reach it</option>
                <option value="approval">Anyone, after an administrator approves</option>
                <option value="closed">Only administrators create accounts</option>
              </select>
            </>
          )}
          {step === 2 && (
            <>
              <h2>How teammates reach it</h2>
              <label htmlFor="w-url">Address teammates use</label>
              <select id="w-url" value={form.public_url} onChange={(e) => set({ public_url: e.target.value })}>
                {form.public_url && !addresses.some((a) => a.url === form.public_url) && <option value={form.public_url}>{form.public_url}</option>}
                {addresses.map((a) => (
                  <option key={a.url} value={a.url}>
                    {a.url}
                  </option>
                ))}
              </select>
              <Hint>Detected from this machine's network interfaces; clone URLs and QR codes use it.</Hint>
              <div className={s.form}>
                <div>
                  <label htmlFor="w-http">HTTP port</label>
                  <input id="w-http" type="number" min={1} max={65535} value={form.ports.http} onChange={(e) => set({ ports: { ...form.ports, http: Number(e.target.value) } })} />
                </div>
                <div>
                  <label htmlFor="w-ssh">SSH port</label>
                  <input id="w-ssh" type="number" min={1} max={65535} value={form.ports.ssh ?? ''} onChange={(e) => set({ ports: { ...form.ports, ssh: Number(e.target.value) || null } })} />
                </div>
              </div>
              <Hint>Port changes apply from the next start.</Hint>
              <label className={s.check}>
                <input type="checkbox" checked={form.transports.http} onChange={(e) => set({ transports: { ...form.transports, http: e.target.checked } })} /> Git over HTTP
              </label>
              <label className={s.check}>
                <input type="checkbox" checked={form.transports.ssh} onChange={(e) => set({ transports: { ...form.transports, ssh: e.target.checked } })} /> Git over SSH
              </label>
              <label className={s.check}>
                <input type="checkbox" checked={form.transports.git} onChange={(e) => set({ transports: { ...form.transports, git: e.target.checked } })} /> git:// (read-only, public repositories)
              </label>
              <label className={s.check}>
                <input type="checkbox" checked={form.mdns} onChange={(e) => set({ mdns: e.target.checked })} /> Announce on the LAN (mDNS)
              </label>
            </>
          )}
          {step === 3 && (
            <>
              <h2>Ready</h2>
              <dl className="muted">
                <dt>Administrator</dt>
                <dd>
                  {form.username} ({form.email})
                </dd>
                <dt>Instance</dt>
                <dd>
                  {form.instance_name}, registration {form.registration}
                </dd>
                <dt>Address</dt>
                <dd>{form.public_url || 'detected per request'}</dd>
                <dt>Transports</dt>
                <dd>{(['http', 'ssh', 'git'] as const).filter((t) => form.transports[t]).join(', ') || 'none'}</dd>
              </dl>
            </>
          )}
          <FormError error={complete.error} />
          <div className={s.row} style={{ marginTop: '1.2rem', justifyContent: 'space-between' }}>
            <Button onClick={() => setStep(step - 1)} disabled={step === 0}>
              Back
            </Button>
            <Button type="submit" variant="primary" busy={complete.isPending} disabled={step === 0 && !adminValid}>
              {step < STEPS.length - 1 ? 'Next' : 'Finish setup'}
            </Button>
          </div>
        </form>
      </Panel>
    </div>
  );
}
