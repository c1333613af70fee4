// The public surface of server/lan: what other features may import.
export * from './mdns.js';
export * from './urls.js';
