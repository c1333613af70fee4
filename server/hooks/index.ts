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
    /**
     * Records the push GITSSY_PUSH_ID once its receive-pack has exited, from the refs git's
     * report said `ok` for (null: no report went by); the transport lets the report through after.
     */
    completePush(pushId: string, landed: Set<string> | null): Promise<void>;
  }
}
