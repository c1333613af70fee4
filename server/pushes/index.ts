// The public surface of server/pushes: the push policy, the push recorder (push events and the
// refs snapshot), and the RefWriter, the one path for ref changes the server makes itself.
export * from './events.js';
export * from './policy.js';
export * from './recorder.js';
export * from './ref-writer.js';

import type { PushPolicy } from './policy.js';
import type { PushRecorder } from './recorder.js';
import type { RefWriter } from './ref-writer.js';

declare module '../services.js' {
  interface Services {
    pushes: PushRecorder;
    /** The one push policy: pre-receive and the RefWriter ask it. */
    policy: PushPolicy;
    /** Every server-side ref change goes through it: push policy, compare-and-swap, one push event. */
    refs: RefWriter;
  }
}
