// The dev shells feature: shells on the CI backend with the repository cloned, their terminals
// over socket.io, the operator's limits, and the API, as one module.
import type { FeatureModule } from '../feature.js';
import '../realtime/index.js';
import '../repos/index.js';
import { Workspaces } from '../runtime/index.js';
import '../settings/index.js';
import '../users/index.js';
import './index.js';
import { ShellSockets } from './live.js';
import m0019 from './migrations/0019_shells.js';
import m0034 from './migrations/0034_shell_instance.js';
import { registerShellRoutes } from './routes.js';
import { ShellService } from './service.js';

export const shellsModule: FeatureModule = {
  name: 'shells',
  migrations: { '0019_shells': m0019, '0034_shell_instance': m0034 },
  services: (s) => {
    s.shells = new ShellService(s, new Workspaces(s.config.dataDir, 'shells'), s.log.child({ component: 'shells' }));
  },
  routes: (api, s) => registerShellRoutes(api, s, s.shells),
  start: async (s) => {
    const log = s.log.child({ component: 'shells' });
    const sockets = new ShellSockets(s, s.shells, log);
    s.shells.setSink(sockets);
    const detach = sockets.attach();
    // a stop asked of another instance (an administrator's console there) for a shell running here
    await s.shared.onAnnounce('shell.stop', (message) => s.shells.stopAnnounced(message));
    await s.shells.recover();
    s.shells.startIdleClock();
    void s.shells
      .removeLeftovers()
      .then((n) => n && log.info({ containers: n }, 'shells: removed containers a previous process left'))
      .catch((err: unknown) => log.warn({ err }, 'shells: could not look for leftover containers'));
    return async () => {
      await s.shells.shutdown();
      detach();
      s.shells.setSink(null);
    };
  },
};
