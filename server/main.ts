#!/usr/bin/env node
// The gitssy command line: serve, admin (users, tokens), doctor. Flags > environment >
// <data>/.gitssy.env > defaults; unknown flags and bad values are errors that say what to fix.
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { buildServices, createApp, type App, type Ports } from './app.js';
import { runDoctor } from './admin/doctor.js';
import { importRepositories } from './admin/import.js';
import { describeChange, runningServer, switchMaintenance } from './admin/running-server.js';
import { registerBackupCommands } from './backup/cli.js';
import { allMigrations } from './db/migrations/index.js';
import { featureMigrations } from './modules.js';
import { MigrateDbError, migrateToPostgres } from './scale/index.js';
import { createRestorableApp } from './backup/swap.js';
import { superviseOverIpc } from './admin/supervised.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DataDirBusy, lockDataDir, type DataDirLock } from './lib/data-lock.js';
import { AppError, isAppError } from './lib/errors.js';
import { createLogger } from './lib/log.js';
import { VERSION } from './lib/version.js';

type Flags = Partial<Record<keyof Config, string>>;

function dataOption(cmd: Command): Command {
  return cmd.addOption(new Option('--data <dir>', 'data directory').env('GITSSY_DATA'));
}

function configFrom(opts: { data?: string }, more: Flags = {}): Config {
  return loadConfig({ dataDir: opts.data, ...more });
}

/**
 * Takes the data dir for this process (see lib/data-lock.ts); when another process holds it,
 * fails with who that is and `hint` on what to do instead.
 */
async function lockOrRefuse(dataDir: string, command: string, hint: string): Promise<DataDirLock> {
  try {
    return await lockDataDir(dataDir, command);
  } catch (err) {
    if (err instanceof DataDirBusy) throw new AppError('conflict', `${err.message}; ${hint}`);
    throw err;
  }
}

/** Runs a command against the services of a data dir, quietly, and closes them after. */
async function withServices<T>(opts: { data?: string }, fn: (s: Awaited<ReturnType<typeof buildServices>>) => Promise<T>): Promise<T> {
  const config = configFrom(opts);
  const graph = await buildServices(config, createLogger({ level: 'warn', destination: process.stderr }));
  try {
    return await fn(graph);
  } finally {
    await graph.close();
  }
}

export function buildCli(): Command {
  const program = new Command('gitssy')
    .description('Gitssy: a self-hosted Git forge')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(str) });
  program.exitOverride();

  dataOption(
    program
      .command('serve')
      .description('serve the forge: web, API and git over HTTP')
      .addOption(new Option('--host <addr>', 'address to listen on (GITSSY_HOST, default 0.0.0.0)'))
      .addOption(new Option('--http-port <n>', 'HTTP port, 0 = any free port (GITSSY_HTTP_PORT, default 3000)'))
      .addOption(new Option('--ssh-port <n>', 'SSH port, 0 = any free port (GITSSY_SSH_PORT, default 2222)'))
      .addOption(new Option('--git-port <n>', 'git:// port; off unless given (GITSSY_GIT_PORT)')),
  ).action(async (opts: { data?: string; host?: string; httpPort?: string; sshPort?: string; gitPort?: string }) => {
    const config = configFrom(opts, { host: opts.host, httpPort: opts.httpPort, sshPort: opts.sshPort, gitPort: opts.gitPort });
    // one server per data dir, from before anything in it is written (hooks, migrations, ports.json)
    // until this process ends; an in-process restore restarts the app, not the process, and keeps it
    const lock = await lockOrRefuse(config.dataDir, 'serve', 'stop it first, or serve another data directory with --data');
    // a restore from the console swaps the data in and starts again in this process, on the same ports
    // (a git:// port in the restored data's .gitssy.env waits for the next start: the port may be
    // taken on this machine, and a restore must not take the forge down)
    const again = (p: { http: number; ssh: number | null; git: number | null }) => ({
      ...configFrom(opts, { host: opts.host, httpPort: String(p.http), sshPort: p.ssh === null ? opts.sshPort : String(p.ssh), gitPort: p.git === null ? undefined : String(p.git) }),
      ...(p.git === null ? { gitPort: null } : {}),
    });
    let app: App;
    let ports: Ports;
    try {
      app = await createRestorableApp(config, again, {
        onFatal: () => process.exit(1),
        reloadConfig: () => configFrom(opts, { host: opts.host, httpPort: opts.httpPort, sshPort: opts.sshPort, gitPort: opts.gitPort }),
      });
      ports = await app.start();
    } catch (err) {
      await lock.release();
      throw err;
    }
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.services.log.info({ signal }, 'shutting down');
      app.stop().then(
        () => lock.release().finally(() => process.exit(0)),
        (err) => {
          app.services.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    if (process.send) superviseOverIpc(app, ports, shutdown, config.host);
  });

  const admin = program.command('admin').description('administer users, tokens and the instance');
  const user = admin.command('user').description('manage users');
  dataOption(
    user
      .command('create')
      .description('create a user')
      .requiredOption('--username <name>', 'login name')
      .requiredOption('--password <password>', 'password (at least 8 characters)')
      .requiredOption('--email <email>', 'email address')
      .option('--admin', 'make the user a site administrator', false),
  ).action(async (opts: { data?: string; username: string; password: string; email: string; admin: boolean }) => {
    await withServices(opts, async ({ services: s }) => {
      const u = await s.users.create({ username: opts.username, password: opts.password, email: opts.email, isAdmin: opts.admin }, { actorId: null });
      process.stdout.write(`created ${u.is_admin ? 'administrator' : 'user'} ${u.name} (id ${u.id})\n`);
    });
  });

  dataOption(
    admin
      .command('import')
      .description('adopt a folder of existing bare repositories (they start private)')
      .requiredOption('--from <dir>', 'folder to scan for bare repositories')
      .requiredOption('--owner <name>', 'user or organization that will own them')
      .option('--move', 'move the folders in instead of copying them (faster; the originals are gone)', false),
  ).action(async (opts: { data?: string; from: string; owner: string; move: boolean }) => {
    // --move renames each folder straight to its final place in repos/ and rewrites its config
    // there, so it needs the data dir to itself; a copy is staged aside and renamed in complete
    const lock = opts.move ? await lockOrRefuse(configFrom(opts).dataDir, 'admin import --move', 'stop it first, or import without --move (a copy)') : null;
    try {
      await withServices(opts, async ({ services: s }) => {
        const summary = await importRepositories(s, opts, (line) => process.stdout.write(line + '\n'));
        process.stdout.write(`import: ${summary.imported.length} imported, ${summary.skipped.length} skipped\n`);
        if (summary.skipped.length) process.exitCode = 1;
      });
    } finally {
      await lock?.release();
    }
  });

  dataOption(
    admin
      .command('migrate-db')
      .description('move this install from its SQLite file to an empty PostgreSQL database (the server must be stopped)')
      .requiredOption('--to <url>', 'the empty target database, postgres://user:password@host:5432/database'),
  ).action(async (opts: { data?: string; to: string }) => {
    const config = configFrom(opts);
    if (config.databaseUrl) throw new AppError('conflict', 'this install already uses PostgreSQL (DATABASE_URL is set); migrate-db moves an install off SQLite');
    // the SQLite file must not change while it is copied: no server, no other command
    const lock = await lockOrRefuse(config.dataDir, 'admin migrate-db', 'stop it first: the database must not change while it is copied');
    try {
      const r = await migrateToPostgres({
        dataDir: config.dataDir,
        to: opts.to,
        migrations: allMigrations(featureMigrations()),
        progress: (line) => process.stdout.write(line + '\n'),
      });
      process.stdout.write(
        `migrate-db: ${r.tables.length} tables, ${r.rows} rows copied and verified (row counts and checksums match) in ${(r.ms / 1000).toFixed(1)} s; ` +
          `DATABASE_URL is set in ${r.envFile}: the next start uses PostgreSQL (the SQLite file stays, unused)\n`,
      );
    } catch (err) {
      // the target was emptied again and .gitssy.env not touched: the install stays on SQLite
      if (err instanceof MigrateDbError) throw new AppError('invalid', `migrate-db: ${err.message}; nothing was changed`);
      throw new AppError('internal', `migrate-db failed: ${(err as Error).message}; the target was emptied again and this install stays on SQLite`);
    } finally {
      await lock.release();
    }
  });

  dataOption(
    admin
      .command('maintenance')
      .description('switch maintenance mode: pushes and API writes are refused, reads keep working')
      .argument('<state>', 'on or off')
      .option('--message <text>', 'what people are told while it is on'),
  ).action(async (state: string, opts: { data?: string; message?: string }) => {
    if (state !== 'on' && state !== 'off') {
      process.stderr.write(`gitssy: maintenance state must be "on" or "off", not "${state}"\n`);
      process.exitCode = 2;
      return;
    }
    const config = configFrom(opts);
    const server = await runningServer(config.dataDir);
    if (server) {
      process.stdout.write(describeChange(await switchMaintenance(server, state === 'on', opts.message), 'running server') + '\n');
      return;
    }
    await withServices(opts, async ({ services: s }) => {
      process.stdout.write(describeChange(await s.maintenance.set(state === 'on', opts.message), 'no server running; stored for its next start') + '\n');
    });
  });

  const token = admin.command('token').description('manage access tokens');
  dataOption(
    token
      .command('create')
      .description('create a personal access token for a user; the token is printed on the last line')
      .requiredOption('--user <name>', 'user the token belongs to')
      .option('--name <name>', 'token name (default: cli-<time>)')
      .option('--scopes <list>', 'comma-separated scopes, e.g. read:repository,write:repository; "all" or none = every scope the user has'),
  ).action(async (opts: { data?: string; user: string; name?: string; scopes?: string }) => {
    await withServices(opts, async ({ services: s }) => {
      const u = await s.users.requireByName(opts.user);
      const name = opts.name ?? `cli-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;
      const { token: secret, record } = await s.users.createToken(u.id, name, opts.scopes ?? 'all');
      process.stdout.write(`created token "${record.name}" for ${u.name} with scopes ${record.scopes.join(',')}\n${secret}\n`);
    });
  });

  registerBackupCommands(program, { dataOption, configFrom, withServices, migrations: allMigrations(featureMigrations()) });

  dataOption(program.command('doctor').description('check the database and every repository; exits non-zero when anything is wrong')).action(async (opts: { data?: string }) => {
    await withServices(opts, async ({ services: s, layout }) => {
      const report = await runDoctor(s, layout.repos, (line) => process.stdout.write(line + '\n'));
      for (const p of report.problems) process.stdout.write(`problem: ${p}\n`);
      process.stdout.write(
        `doctor: database and ${report.repositories} repositor${report.repositories === 1 ? 'y' : 'ies'} checked, ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}\n`,
      );
      if (report.problems.length) process.exitCode = 1;
    });
  });

  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`gitssy: ${err.message}\n`);
    } else if (isAppError(err)) {
      process.stderr.write(`gitssy: ${err.message}\n`);
    } else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`gitssy: ${(err as Error).message}: another program uses that port; pick another with --http-port or GITSSY_HTTP_PORT\n`);
    } else {
      process.stderr.write(`gitssy: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.exitCode = 1;
  }
}

await main(process.argv);
