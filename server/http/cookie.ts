// The session cookie's name, shared by the web, the API and the realtime handshake.
export const SESSION_COOKIE = 'gitssy_session';
