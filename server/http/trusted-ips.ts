// The trusted-IP-ranges gate for everything HTTP serves (web, API, git): a client outside
// access.allowCidrs gets 403 with what to do, before any route runs. The operator's own
// machine is always let in (see lib/cidr.ts). Behind a reverse proxy, GITSSY_TRUST_PROXY makes
// req.ip the client's address rather than the proxy's.
import type { NextFunction, Request, Response } from 'express';
import { TrustedNetworks } from '../ops/index.js';
import type { Services } from '../services.js';
import { parseGitRoute } from './git-http.js';

export function trustedIpGate(s: Services) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (s.trusted.allows(req.ip ?? req.socket.remoteAddress)) return next();
    const message = TrustedNetworks.refusal(req.ip ?? req.socket.remoteAddress);
    res.setHeader('Cache-Control', 'no-store');
    // git prints a plain-text body; browsers and API clients get JSON
    if (parseGitRoute(req.path)) res.status(403).type('text/plain').send(`${message}\n`);
    else res.status(403).json({ message, code: 'forbidden' });
  };
}
