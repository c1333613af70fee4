// The public surface of server/hooks: the server-owned git hooks and the internal endpoint they call.
export * from './internal-server.js';
export * from './scripts.js';

declare module '../services.js' {
  interface Services {
    /**
     * Environment receive-pack needs so the server's hooks can reach it ({} when not serving).
     * A code repository's receive-pack leaves `gc --auto` to the push's event; a wiki's runs it.
     */
    hookEnv(opts?: { wiki?: boolean }): Record<string, string>;
  }
}
