// The runtime layer as a module: one set of backends and one selector for every feature that
// runs untrusted code, so CI jobs and dev shells always agree on where code runs.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { FeatureModule } from '../feature.js';
import '../settings/index.js';
import './index.js';
import { DockerRuntime } from './docker.js';
import { SandboxRuntime } from './sandbox.js';
import { BackendSelector } from './select.js';
import type { Runtime } from './types.js';

export const runtimeModule: FeatureModule = {
  name: 'runtime',
  services: (s) => {
    const dataDir = path.resolve(s.config.dataDir);
    // this forge's containers carry its name, so leftovers of a crash are found and removed
    const instance = `gitssy-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`;
    const runtimes: Runtime[] = [
      new DockerRuntime({ engine: 'docker', protectedPaths: [dataDir], instance }),
      new DockerRuntime({ engine: 'podman', protectedPaths: [dataDir], instance }),
      new SandboxRuntime({ hidden: [dataDir] }),
    ];
    const selector = new BackendSelector(runtimes, () => s.settings.get('ci.backend'));
    s.runtime = { selector, runtimes, backend: (fresh = false) => selector.choose(fresh) };
  },
  start: (s) => {
    s.settings.onChange((changed) => {
      if (changed['ci.backend'] !== undefined) s.runtime.selector.invalidate();
    });
  },
};
