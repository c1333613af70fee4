// The public surface of server/events: the bus (durable events and ephemeral signals) and its outbox.
export * from './bus.js';
export type { DeadDelivery, OutboxOptions } from './outbox.js';
