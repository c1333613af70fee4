// Checks build/electron-builder.yml against electron-builder's own schema and validation (the
// same code `electron-builder` runs first), so a broken packaging config fails CI on machines
// that cannot package. Usage: node scripts/check-builder-config.cjs
'use strict';
const path = require('node:path');
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
const { DebugLogger } = require('builder-util');

const root = path.resolve(__dirname, '..', '..');
const file = path.join(root, 'build', 'electron-builder.yml');

(async () => {
  const config = await getConfig(root, file, null);
  await validateConfiguration(config, new DebugLogger(false));
  const problems = [];
  if (config.extraMetadata?.main !== 'electron/dist/main.js') problems.push('extraMetadata.main must be electron/dist/main.js');
  for (const icon of [config.linux?.icon, config.win?.icon, config.mac?.icon]) {
    if (icon && !require('node:fs').existsSync(path.join(root, icon))) problems.push(`icon ${icon} does not exist (run python3 scripts/icons/make-icons.py)`);
  }
  const installed = require('electron/package.json').version;
  if (config.electronVersion !== installed) problems.push(`electronVersion is ${config.electronVersion}, but electron/ installs ${installed}: make them equal`);
  // the installers the issue asks for: AppImage and deb, NSIS, dmg
  const targets = (c) => (c?.target ?? []).map((t) => (typeof t === 'string' ? t : t.target)).join(',');
  for (const [os, want] of [['linux', 'AppImage,deb'], ['win', 'nsis'], ['mac', 'dmg']]) {
    if (targets(config[os]) !== want) problems.push(`${os}.target must be ${want}, is ${targets(config[os]) || 'unset'}`);
  }
  if (problems.length) throw new Error(problems.join('\n'));
  console.log(`${path.relative(root, file)} is valid for electron-builder ${require('app-builder-lib/package.json').version}`);
})().catch((err) => {
  console.error(`electron-builder configuration is invalid:\n${err.message}`);
  process.exit(1);
});
