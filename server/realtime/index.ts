// The public surface of server/realtime: the socket.io server, the hub features send through,
// and the event map they extend.
export * from './hub.js';
export * from './realtime.js';

import type { RealtimeHub } from './hub.js';

declare module '../services.js' {
  interface Services {
    /** Live events to browsers and scripts over socket.io (a no-op until the server listens). */
    realtime: RealtimeHub;
  }
}
