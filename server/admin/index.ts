// The public surface of server/admin: what other features may import.
export * from './running-server.js';
