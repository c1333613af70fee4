// The webhooks feature: its tables, service, routes and subscribers, as one module. Targets are
// checked against the egress policy (server/lib/ssrf.ts) with the operator's
// webhooks.allowCidrs and this forge's own listening ports.
import type { FeatureModule } from '../feature.js';
import '../issues/index.js';
import '../pulls/index.js';
import '../pushes/index.js';
import '../repos/index.js';
import '../settings/index.js';
import '../statuses/index.js';
import { mainUrl } from '../lan/index.js';
import m0016 from './migrations/0016_webhooks.js';
import { PayloadBuilder } from './payloads.js';
import { registerWebhookRoutes } from './routes.js';
import { WebhookService } from './service.js';
import { webhookSubscribers } from './subscribers.js';
import type { Services } from '../services.js';

/** The absolute base URL payloads link to: the public address, else the LAN one. */
function publicBase(s: Services): string {
  const main = mainUrl({ host: s.config.host, httpPort: s.httpPort(), sshPort: s.sshPort(), publicUrl: s.settings.get('instance.publicUrl'), baseUrl: s.config.baseUrl });
  return main.http.replace(/\/+$/, '');
}

export const webhooksModule: FeatureModule = {
  name: 'webhooks',
  migrations: { '0016_webhooks': m0016 },
  services: (s) => {
    s.webhooks = new WebhookService(s.db, s.events, s.log.child({ component: 'webhooks' }), () => ({
      allowCidrs: s.settings.get('webhooks.allowCidrs'),
      ownPorts: [s.httpPort(), s.sshPort(), s.ops.gitPort()].filter((p): p is number => typeof p === 'number' && p > 0),
      allowHint: 'a site administrator lists the address in the setting webhooks.allowCidrs (console: Settings, Network)',
    }));
  },
  subscribers: (s) => webhookSubscribers(s, s.webhooks, builder(s)),
  routes: (api, s) => registerWebhookRoutes(api, s, s.webhooks, builder(s)),
};

function builder(s: Services): PayloadBuilder {
  return new PayloadBuilder(s, () => publicBase(s));
}
