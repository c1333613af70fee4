// Fault injection for the restore swap, for tests only: it lets a test make the swap fail (or
// the process die, as kill -9 or a power cut would) at a chosen step, to prove that the previous
// data comes back and that the job says so. It does nothing unless GITSSY_TEST_FAULTS=1 is set
// as well, and that variable is never set outside the test suite: a stray GITSSY_FAULT in a
// production environment is ignored.
//
//   GITSSY_TEST_FAULTS=1 GITSSY_FAULT=restore-swap:<step>[:<n>][:crash]
//
// fails the n-th time (default the first) the swap reaches <step>, just before it does that
// step; with `crash` the process kills itself with SIGKILL there instead, leaving the data dir
// exactly as a crash would. The steps are SWAP_STEPS.

/** A point in the swap that a test can make fail; resolves when the step may go ahead. */
export type FaultHook = (step: string) => Promise<void>;

/** Thrown at an injected fault (never outside tests: see the top of this file). */
export class InjectedFault extends Error {}

/**
 * The hook for one run of `scope` (e.g. `restore-swap`), read from the environment; counts the
 * steps it sees, so `:<n>` picks one entry of a swap that moves many.
 */
export function faultsFromEnv(scope: string, env: NodeJS.ProcessEnv = process.env): FaultHook {
  const spec = env.GITSSY_TEST_FAULTS === '1' ? (env.GITSSY_FAULT ?? '') : '';
  const m = new RegExp(`^${scope}:([a-z-]+)(?::(\\d+))?(:crash)?$`).exec(spec);
  if (!m) return async () => {};
  const [, step, nth, crash] = m;
  const want = Number(nth ?? 1);
  let seen = 0;
  return async (at) => {
    if (at !== step || ++seen !== want) return;
    if (crash) {
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => {}); // the signal is on its way: nothing after this point runs
    }
    throw new InjectedFault(`injected fault at ${scope}:${step}${nth ? `:${nth}` : ''} (GITSSY_FAULT, a test-only setting)`);
  };
}
