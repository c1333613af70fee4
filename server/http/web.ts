// The one server-rendered page: the first-run setup as a plain HTML form with no script
// (/setup/basic), for browsers without script; /setup itself is the browser UI's wizard, behind
// the same one-time-token gate. Everything else is the browser UI (spa.ts).
import express, { Router, type Request, type Response } from 'express';
import { isAppError } from '../lib/errors.js';
import type { Services } from '../services.js';
import { signIn } from './api/session.js';
import type { createCsrf } from './api/index.js';

const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Gitssy</title>
<style>body{font:15px/1.5 system-ui,sans-serif;background:#0d1117;color:#e6edf3;display:grid;place-items:center;min-height:100vh;margin:0}
main{background:rgba(255,255,255,.04);border:1px solid rgba(255,255,255,.1);border-radius:12px;padding:2rem;width:min(420px,90vw)}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;box-sizing:border-box;padding:.5rem;border-radius:6px;border:1px solid #30363d;background:#010409;color:inherit}
button{margin-top:1.2rem;padding:.6rem 1rem;border:0;border-radius:6px;background:#7c5cff;color:white;font-weight:600;cursor:pointer}.err{color:#ff7b72}a{color:#a5b4fc}</style>
</head><body><main>${body}</main></body></html>`;
}

export function createWebRouter(s: Services, csrf: ReturnType<typeof createCsrf>): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  const setupForm = (req: Request, token: string, error?: string, values: Record<string, string> = {}) =>
    page(
      'Set up',
      `<h1>Welcome to Gitssy</h1><p>Create the first administrator account.</p>${error ? `<p class="err">${esc(error)}</p>` : ''}
<form method="post" action="/setup"><input type="hidden" name="_csrf" value="${esc(csrf.generateToken(req))}"><input type="hidden" name="token" value="${esc(token)}">
<label for="u">Username</label><input id="u" name="username" required maxlength="40" autocomplete="username" value="${esc(values.username ?? '')}">
<label for="e">Email</label><input id="e" name="email" type="email" required maxlength="254" value="${esc(values.email ?? '')}">
<label for="p">Password</label><input id="p" name="password" type="password" required minlength="8" maxlength="256" autocomplete="new-password">
<button type="submit">Create administrator</button></form>`,
    );

  /** Setup pages answer only while setup is needed, and only to the one-time token. */
  const setupGate = async (req: Request, res: Response): Promise<string | null> => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    if (!(await s.setup.needed())) {
      res.redirect(303, '/');
      return null;
    }
    if (!token || !(await s.setup.checkToken(token))) {
      res.status(403).type('html').send(page('Set up', '<h1>Setup link required</h1><p>Open the one-time setup link printed in the server console. Restarting the server prints a new one.</p>'));
      return null;
    }
    return token;
  };

  // the wizard is part of the browser UI (spa.ts serves it once the gate passes)
  router.get('/setup', async (req: Request, res: Response, next) => {
    if ((await setupGate(req, res)) !== null) next();
  });

  // the same first step as a plain form, for browsers without script
  router.get('/setup/basic', async (req: Request, res: Response) => {
    const token = await setupGate(req, res);
    if (token !== null) res.type('html').send(setupForm(req, token));
  });

  router.post('/setup', form, csrf.csrfSynchronisedProtection, async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    try {
      const user = await s.setup.complete(str('token'), { username: str('username'), email: str('email'), password: str('password') }, req.ip ?? null);
      await signIn(req, user);
      res.redirect(303, '/');
    } catch (err) {
      if (!isAppError(err)) throw err;
      res
        .status(err.status)
        .type('html')
        .send(setupForm(req, str('token'), err.message, { username: str('username'), email: str('email') }));
    }
  });

  return router;
}
